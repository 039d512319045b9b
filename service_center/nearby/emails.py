"""Emails to followers: the link to confirm the address, and the updates of the case (replied,
closed, not handled, merged), never the reply itself."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from rdec_portal.workflow.outbox import outbox_enqueue
from service_center.nearby.models import PetitionFollower
from service_center.nearby.tokens import follower_token
from service_center.petitions.emails import HANDLER, absolute_url
from service_center.petitions.models import (
    Petition,
)

# --- emails to followers ------------------------------------------------------------------------

# The updates a follower hears about, by the event that causes them.
UPDATE_EVENTS = ("replied", "closed", "not_handled", "merged")


def followers_notify(*, petition: Petition, event: str) -> int:
    """Queue one email per confirmed follower, in the caller's transaction. Returns how many.

    Keyed per follower, event and round (a reopened case is replied to again), so a retried
    step sends nothing twice.
    """
    if event not in UPDATE_EVENTS:
        raise ValueError(f"Unknown follower event {event!r}.")
    followers = PetitionFollower.objects.filter(
        petition=petition, confirmed_at__isnull=False
    ).exclude(email="")
    count = 0
    for follower in followers:
        email_follower(
            follower,
            petition,
            template="update",
            key=f"petition:{petition.pk}:follower:{follower.pk}:{event}:{petition.reopen_count}",
            event=event,
        )
        count += 1
    return count


def email_follower(follower, petition, *, template: str, key: str, **context) -> None:
    manage_url = absolute_url("service_center:follow_manage", follower_token(follower))
    with translation.override(follower.language or settings.LANGUAGE_CODE):
        full = {"petition": petition, "manage_url": manage_url, **context}
        text = render_to_string(f"service_center/nearby/email/{template}.txt", full).strip()
    subject, _blank, body = text.partition("\n")
    outbox_enqueue(
        handler=HANDLER,
        payload={
            "to": [follower.email],
            "subject": subject.strip(),
            "body": body.strip(),
            "key": key,
        },
        key=key,
    )
