"""Periodic work of the citizen service centre (scheduled in rdec_portal/celery.py).

Every task is idempotent: a case already closed or expired, an address already forgotten, is
skipped, so a redelivered task or two beats change nothing twice. Each expires before its next
run is due.
"""

from celery import shared_task

from service_center import legal, lifecycle, nearby


@shared_task(
    name="service_center.close_replied",
    acks_late=True,
    soft_time_limit=25 * 60,
    time_limit=28 * 60,
    expires=55 * 60,
    ignore_result=True,
)
def close_replied() -> int:
    return lifecycle.petitions_close_replied()


@shared_task(
    name="service_center.expire_unconfirmed",
    acks_late=True,
    soft_time_limit=25 * 60,
    time_limit=28 * 60,
    expires=55 * 60,
    ignore_result=True,
)
def expire_unconfirmed() -> int:
    return lifecycle.petitions_expire_unconfirmed()


@shared_task(
    name="service_center.forget_follower_addresses",
    acks_late=True,
    soft_time_limit=25 * 60,
    time_limit=28 * 60,
    expires=23 * 60 * 60,
    ignore_result=True,
)
def forget_follower_addresses() -> int:
    return nearby.followers_forget_addresses()


@shared_task(
    name="service_center.forget_legal_contacts",
    acks_late=True,
    soft_time_limit=25 * 60,
    time_limit=28 * 60,
    expires=23 * 60 * 60,
    ignore_result=True,
)
def forget_legal_contacts() -> int:
    return legal.bookings_forget_contacts()
