from celery import shared_task

from rdec_portal.periodic import periodic_task
from rdec_portal.workflow.outbox_store import outbox_process
from rdec_portal.workflow.relay import outbox_sweep


# A failing handler (the mail server down, a deadlock) is retried a few times with backoff; after
# that the sweep republishes it with a longer backoff until the message's attempts run out.
# Late ack with reject-on-worker-lost (celery.py): a worker killed mid-task gets it redelivered,
# and outbox_process skips a message that is already processed. The time limits stay far below
# the broker's visibility timeout, so a slow run is never handed to a second worker.
@shared_task(
    name="workflow.outbox_run",
    acks_late=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    soft_time_limit=120,
    time_limit=150,
    ignore_result=True,
)
def outbox_run(message_id: int) -> bool:
    return outbox_process(message_id)


# Every minute from beat. Expires just before the next one is due: after an outage the worker
# does not run a backlog of identical sweeps.
@periodic_task(
    "workflow.outbox_sweep", schedule=60.0, expires=55, soft_time_limit=50, time_limit=55
)
def outbox_sweep_task() -> int:
    return outbox_sweep()


# Every five minutes from beat. Each (deadline, step) is keyed in the database, so a redelivered
# task or a second beat sends nothing twice; it expires before the next run is due.
@periodic_task(
    "workflow.send_due_reminders",
    schedule=300.0,
    expires=290,
    soft_time_limit=240,
    time_limit=270,
)
def send_due_reminders() -> int:
    from rdec_portal.workflow.deadlines import reminders_send_due

    return reminders_send_due()
