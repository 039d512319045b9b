"""The Celery app. Every periodic task is scheduled here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdec_portal.settings")

app = Celery("rdec_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")


app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=30 * 60,
    task_soft_time_limit=25 * 60,
    task_publish_retry=False,
    broker_connection_retry_on_startup=True,
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
    },
)


app.autodiscover_tasks()
