"""Periodic work of the citizen service centre (scheduled in rdec_portal/celery.py).

Every task is idempotent: a case already closed or expired, an address already forgotten, is
skipped, so a redelivered task or two beats change nothing twice. Each expires before its next
run is due.
"""

from celery import shared_task

from service_center.legal import services as legal
from service_center.nearby import services as nearby
from service_center.petitions import lifecycle

HOURLY = 55 * 60
DAILY = 23 * 60 * 60


def _periodic(name: str, *, expires: int):
    """A periodic task: acknowledged once done, bounded in time, no result kept."""
    return shared_task(
        name=name,
        acks_late=True,
        soft_time_limit=25 * 60,
        time_limit=28 * 60,
        expires=expires,
        ignore_result=True,
    )


@_periodic("service_center.close_replied", expires=HOURLY)
def close_replied() -> int:
    return lifecycle.petitions_close_replied()


@_periodic("service_center.expire_unconfirmed", expires=HOURLY)
def expire_unconfirmed() -> int:
    return lifecycle.petitions_expire_unconfirmed()


@_periodic("service_center.forget_follower_addresses", expires=DAILY)
def forget_follower_addresses() -> int:
    return nearby.followers_forget_addresses()


@_periodic("service_center.forget_legal_contacts", expires=DAILY)
def forget_legal_contacts() -> int:
    return legal.bookings_forget_contacts()
