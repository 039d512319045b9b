"""Periodic tasks that put themselves on Celery beat's schedule.

An app declares its periodic work in its own `tasks.py`; the core's AppConfig imports every
installed app's `tasks.py` at start-up (web, worker and beat alike), so the schedule is complete
before beat reads it, and no app is named in rdec_portal/celery.py:

    from celery.schedules import crontab

    from rdec_portal.periodic import HOURLY, periodic_task

    @periodic_task("service_center.close_replied", schedule=crontab(minute=20), expires=HOURLY)
    def close_replied() -> int:
        return lifecycle.petitions_close_replied()

The task is a Celery shared task under that name, acknowledged once done and keeping no result;
its beat entry is named after the task. Every periodic task must be idempotent (delivery is at
least once) and should expire before its next run is due, so that a worker back from an outage
does not run a backlog of identical runs.
"""

from celery import shared_task

from rdec_portal.celery import app

# Expiry for an hourly and a daily task: a little under the period.
HOURLY = 55 * 60
DAILY = 23 * 60 * 60


def periodic_task(name: str, *, schedule, expires: float | None = None, **options):
    """Register the decorated function as the Celery task `name` and run it on `schedule` (a
    number of seconds or a `celery.schedules.crontab`). `options` go to `shared_task`."""

    def decorate(func):
        task = shared_task(
            name=name, acks_late=True, ignore_result=True, expires=expires, **options
        )(func)
        entry = {"task": name, "schedule": schedule}
        scheduled = app.conf.beat_schedule
        if name in scheduled and scheduled[name] != entry:
            raise ValueError(f"Periodic task {name!r} is scheduled twice, differently.")
        scheduled[name] = entry
        return task

    return decorate
