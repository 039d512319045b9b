"""Nearby open cases of a category, and the citizens who say "me too" to one of them.

Before filing a hazard a citizen sees the open cases of the same category within the category's
radius, and may follow one instead of filing it again. No PostGIS: a bounding box on the indexed
latitude and longitude (index sc_petition_nearby) finds the few candidates in one query, then
the exact great-circle distance is computed in Python.

A follower may leave an email address. It is personal data like the petitioner's: never shown
on a public page, and used only after its owner confirms it through the emailed link (the same
link stops the emails). Followers hear that the case was replied to or closed, not the reply
itself: the reply is written to the petitioner and may name them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from service_center.nearby.emails import email_follower
from service_center.nearby.models import PetitionFollower
from service_center.nearby.selectors import NearbyError
from service_center.nearby.tokens import derive_token, hash_token
from service_center.petitions.models import (
    FOLLOWABLE_STATUSES,
    Petition,
    Status,
)

# --- "me too" -----------------------------------------------------------------------------------


@dataclass
class Followed:
    follower: PetitionFollower
    created: bool


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise NearbyError({"email": _("Enter a valid email address.")}) from exc
    return email


@transaction.atomic
def petition_follow(*, petition: Petition, email: str = "", language: str = "zh-hant") -> Followed:
    """Say "me too" to an open case. The same address twice counts once.

    With an address, a link to confirm it is emailed; updates go only to confirmed addresses.
    """
    email = _clean_email(email)
    locked = Petition.objects.select_for_update().filter(pk=petition.pk).first()
    if locked is None or locked.status not in FOLLOWABLE_STATUSES:
        raise NearbyError(
            _("This case is closed: file a new petition if the problem is back."), code="closed"
        )
    if email:
        existing = PetitionFollower.objects.filter(petition=locked, email=email).first()
        if existing is not None:
            return Followed(existing, False)
    now = timezone.now()
    token = derive_token(locked.pk, email, now, settings.SECRET_KEY) if email else None
    try:
        with transaction.atomic():
            follower = PetitionFollower.objects.create(
                petition=locked,
                email=email,
                language=language,
                token_hash=hash_token(token) if token else None,
                created_at=now,
            )
    except IntegrityError:  # the same address, sent twice at once
        return Followed(PetitionFollower.objects.get(petition=locked, email=email), False)
    if token:
        email_follower(
            follower, locked, template="confirm", key=f"petition:{locked.pk}:follower:{follower.pk}"
        )
    return Followed(follower, True)


def _locked_follower(token: str) -> PetitionFollower:
    follower = (
        PetitionFollower.objects.select_for_update()
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if follower is None:
        raise NearbyError(
            _("This link is not valid, or the updates were already stopped."), code="invalid"
        )
    return follower


@transaction.atomic
def petition_follow_confirm(*, token: str) -> PetitionFollower:
    """The follower confirms the address: from now on the case's updates are emailed to it."""
    follower = _locked_follower(token)
    if follower.confirmed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at"])
    return follower


# A follower whose address is forgotten: no address, no link, no updates (the count stays).
_FORGOTTEN = {"email": "", "token_hash": None, "confirmed_at": None}


@transaction.atomic
def petition_unfollow(*, token: str) -> PetitionFollower:
    """Stop the emails and forget the address; the "me too" itself still counts."""
    follower = _locked_follower(token)
    for name, value in _FORGOTTEN.items():
        setattr(follower, name, value)
    follower.save(update_fields=list(_FORGOTTEN))
    return follower


# A follower's address serves the case's updates; once the case has ended and stayed ended this
# long (well past the 14-day reopen window, which reopening restarts), nothing more is sent to
# it, so it is forgotten as petition_unfollow does. The "me too" itself still counts.
FOLLOWER_ADDRESS_DAYS = 30


_ENDED = (Status.CLOSED, Status.NOT_HANDLED, Status.MERGED)


def followers_forget_addresses(*, now: datetime | None = None) -> int:
    """Forget the addresses of the followers of every case ended more than
    FOLLOWER_ADDRESS_DAYS ago (run daily, tasks.py). Idempotent; returns how many it forgot."""
    cutoff = (now or timezone.now()) - timedelta(days=FOLLOWER_ADDRESS_DAYS)
    ended = Petition.objects.filter(status__in=_ENDED, closed_at__lt=cutoff)
    return (
        PetitionFollower.objects.filter(petition__in=ended).exclude(email="").update(**_FORGOTTEN)
    )
