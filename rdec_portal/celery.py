"""The Celery app. Periodic tasks schedule themselves where they are declared, with
@periodic_task (rdec_portal/periodic.py), in the core's and each business app's tasks.py.

Delivery is at least once and every task is idempotent: the database is the source of truth and
the outbox sweep republishes whatever the broker lost (rdec_portal/workflow/outbox.py). Broker
connection settings (URL, socket timeouts, visibility timeout) come from settings.py.
"""

import os

from celery import Celery

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
    # Filled by each periodic task as its module is imported (rdec_portal/periodic.py): the
    # core's AppConfig imports every installed app's tasks.py at start-up, before beat reads it.
    beat_schedule={},
)


app.autodiscover_tasks()
