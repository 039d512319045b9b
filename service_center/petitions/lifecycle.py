"""The two clocks that run out without anyone acting: the reopen window and the confirmation link.

- A replied case that the citizen did not reopen within the 14-day window is closed by the system
  (`petition_close` with `by=None`, the public history saying why).
- A web petition whose sender did not confirm it within the link's 3 days is expired: a status of
  its own, not "not handled" (whose reasons are the legal ones of art. 173 and which counts as a
  handled case), because it never entered handling. The sender is told by email.

Both run from periodic tasks (tasks.py) in batches, each case in its own transaction. They are
idempotent: a case already closed or expired, or reopened or confirmed meanwhile, is skipped.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from rdec_portal.workflow.audit import audit_record
from rdec_portal.workflow.models import AuditEntry
from service_center.petitions import services
from service_center.petitions.emails import absolute_url, email_citizen
from service_center.petitions.models import Petition, PetitionEvent, Status
from service_center.petitions.services import REOPEN_WINDOW, PetitionError
from service_center.petitions.tokens import CONFIRM_MAX_AGE

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
AUTO_CLOSE_NOTE = _("Closed automatically: the case was not reopened within 14 days of the reply.")


def replied_past_reopen_window(now: datetime) -> QuerySet[Petition]:
    """Replied cases whose reopen window is over (petition_reopen refuses them from then on)."""
    return Petition.objects.filter(status=Status.REPLIED, replied_at__lt=now - REOPEN_WINDOW)


def unconfirmed_past_link_life(now: datetime) -> QuerySet[Petition]:
    """Web petitions never confirmed, whose confirmation link has expired."""
    return Petition.objects.filter(status=Status.RECEIVED, received_at__lt=now - CONFIRM_MAX_AGE)


@transaction.atomic
def petition_auto_close(*, petition: Petition) -> Petition:
    """Close a replied case once its reopen window is over; the note is in the citizen's language."""
    # Read under the lock: a case reopened and replied to again has a new window.
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    if petition.replied_at is None or timezone.now() <= petition.replied_at + REOPEN_WINDOW:
        raise PetitionError(
            _("The citizen may still reopen this case: it closes 14 days after the reply."),
            code="window_open",
        )
    with translation.override(petition.language or "zh-hant"):
        note = str(AUTO_CLOSE_NOTE)
    return services.petition_close(petition=petition, by=None, note=note)


@transaction.atomic
def petition_expire(*, petition: Petition) -> Petition:
    """Expire a web petition its sender never confirmed; the sender is told by email."""
    now = timezone.now()
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    if petition.status != Status.RECEIVED:
        raise PetitionError(
            _("Only a petition awaiting confirmation can expire; this one is “%(status)s”."),
            code="bad_status",
            params={"status": petition.get_status_display()},
        )
    if now <= petition.received_at + CONFIRM_MAX_AGE:
        raise PetitionError(
            _("The confirmation link is still valid: a petition expires 3 days after it is sent."),
            code="link_valid",
        )
    petition.status = Status.EXPIRED
    petition.closed_at = now
    petition.save(update_fields=["status", "closed_at", "updated_at"])
    PetitionEvent.objects.create(
        petition=petition, kind=PetitionEvent.Kind.EXPIRED, is_public=True, created_at=now
    )
    audit_record(
        actor=None,
        action=AuditEntry.Action.TRANSITION,
        obj=petition,
        changes={"status": [Status.RECEIVED, Status.EXPIRED]},
    )
    email_citizen(
        petition=petition,
        template="expired",
        key=f"petition:{petition.pk}:expired",
        context={"new_url": absolute_url("service_center:petition_new")},
    )
    return petition


def _in_batches(
    candidates: QuerySet[Petition], step: Callable[[Petition], object], batch_size: int
) -> int:
    """Run `step` on every candidate, a batch of ids at a time, in id order (keyset, so a
    skipped case is not fetched again). Returns how many steps succeeded."""
    done, last_pk = 0, 0
    while True:
        batch = list(candidates.filter(pk__gt=last_pk).order_by("pk").only("pk")[:batch_size])
        for petition in batch:
            try:
                step(petition)
                done += 1
            except PetitionError as exc:  # reopened, confirmed or done by a concurrent run
                logger.info("petition %s skipped: %s", petition.pk, exc.code)
        if len(batch) < batch_size:
            return done
        last_pk = batch[-1].pk


def petitions_close_replied(*, batch_size: int = BATCH_SIZE) -> int:
    """Close every replied case past its reopen window. Returns how many were closed."""
    now = timezone.now()
    closed = _in_batches(
        replied_past_reopen_window(now),
        lambda petition: petition_auto_close(petition=petition),
        batch_size,
    )
    logger.info("auto-closed %s replied petition(s)", closed)
    return closed


def petitions_expire_unconfirmed(*, batch_size: int = BATCH_SIZE) -> int:
    """Expire every unconfirmed web petition past its link's life. Returns how many expired."""
    now = timezone.now()
    expired = _in_batches(
        unconfirmed_past_link_life(now),
        lambda petition: petition_expire(petition=petition),
        batch_size,
    )
    logger.info("expired %s unconfirmed petition(s)", expired)
    return expired
