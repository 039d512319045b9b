"""Periodic work of the citizen service centre; each task puts itself on beat's schedule.

Every task is idempotent: a case already closed or expired, an address already forgotten, is
skipped, so a redelivered task or two beats change nothing twice. Each expires before its next
run is due.
"""

from celery.schedules import crontab

from rdec_portal.periodic import DAILY, HOURLY, periodic_task
from service_center.legal import services as legal
from service_center.nearby import services as nearby
from service_center.petitions import lifecycle

# Bounded in time, well under the broker's visibility timeout.
LIMITS = {"soft_time_limit": 25 * 60, "time_limit": 28 * 60}


# Replied cases close after the 14-day reopen window; web petitions never confirmed within the
# link's 3 days expire. Hourly.
@periodic_task(
    "service_center.close_replied", schedule=crontab(minute=20), expires=HOURLY, **LIMITS
)
def close_replied() -> int:
    return lifecycle.petitions_close_replied()


@periodic_task(
    "service_center.expire_unconfirmed", schedule=crontab(minute=40), expires=HOURLY, **LIMITS
)
def expire_unconfirmed() -> int:
    return lifecycle.petitions_expire_unconfirmed()


# Followers' addresses are forgotten 30 days after their case ended. Daily.
@periodic_task(
    "service_center.forget_follower_addresses",
    schedule=crontab(minute=10, hour=3),
    expires=DAILY,
    **LIMITS,
)
def forget_follower_addresses() -> int:
    return nearby.followers_forget_addresses()


# Legal-consultation bookings' contact details go 180 days after the slot. Daily.
@periodic_task(
    "service_center.forget_legal_contacts",
    schedule=crontab(minute=20, hour=3),
    expires=DAILY,
    **LIMITS,
)
def forget_legal_contacts() -> int:
    return legal.bookings_forget_contacts()
