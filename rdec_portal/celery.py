"""The Celery app. Every periodic task is scheduled here, in one place.

Delivery is at least once and every task is idempotent: the database is the source of truth and
the outbox sweep republishes whatever the broker lost (rdec_portal/workflow/outbox.py). Broker
connection settings (URL, socket timeouts, visibility timeout) come from settings.py.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdec_portal.settings")

app = Celery("rdec_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Every limit below stays under the broker's visibility timeout (3600 s in settings.py): a task
# still running when it expires would be handed to a second worker.
app.conf.update(
    # Acknowledge after the task, and requeue it if its worker process dies mid-task, so a
    # crash redelivers instead of losing the message. Tasks must therefore be idempotent.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # Reserve one message at a time: a long task never sits on messages another worker could run.
    worker_prefetch_multiplier=1,
    # A running task whose broker connection is lost is cancelled and redelivered, instead of
    # finishing with nobody to acknowledge it (Celery 6's default).
    worker_cancel_long_running_tasks_on_connection_loss=True,
    task_time_limit=30 * 60,
    task_soft_time_limit=25 * 60,
    # A publish that fails raises at once; the outbox sweep is the retry.
    task_publish_retry=False,
    # Workers and beat wait for the broker however long it is away, instead of exiting after
    # 100 reconnection attempts (about 45 minutes).
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,
    # No result backend: nothing reads task results, the database holds the outcome.
    task_ignore_result=True,
    task_eager_propagates=True,
    timezone="Asia/Taipei",
    enable_utc=True,
    beat_schedule={
        "outbox-sweep": {"task": "workflow.outbox_sweep", "schedule": 60.0},
        "send-due-reminders": {"task": "workflow.send_due_reminders", "schedule": 300.0},
        "monthly-rollup": {
            "task": "performance.rollup_previous_month",
            "schedule": crontab(minute=30, hour=0, day_of_month="1"),
        },
        "monthly-rollup-current": {
            "task": "performance.rollup_current_month",
            "schedule": crontab(minute=15, hour=2),
        },
        # The citizen service centre: close replied cases after the 14-day reopen window, and
        # expire web petitions never confirmed within the link's 3 days. Hourly, idempotent.
        "service-center-close-replied": {
            "task": "service_center.close_replied",
            "schedule": crontab(minute=20),
        },
        "service-center-expire-unconfirmed": {
            "task": "service_center.expire_unconfirmed",
            "schedule": crontab(minute=40),
        },
        # Followers' addresses are forgotten 30 days after their case ended. Daily, idempotent.
        "service-center-forget-follower-addresses": {
            "task": "service_center.forget_follower_addresses",
            "schedule": crontab(minute=10, hour=3),
        },
        # Legal-consultation bookings' contact details go 180 days after the slot. Daily.
        "service-center-forget-legal-contacts": {
            "task": "service_center.forget_legal_contacts",
            "schedule": crontab(minute=20, hour=3),
        },
    },
)


app.autodiscover_tasks()
