from celery import shared_task

from rdec_portal.workflow.outbox import outbox_process


@shared_task(name="workflow.outbox_run", acks_late=True)
def outbox_run(message_id: int) -> bool:
    return outbox_process(message_id)
