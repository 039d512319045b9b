"""The shared email outbox handler: every email the portal sends goes through the outbox.

Enqueue with a key, so that one email goes out once however often the service runs:
    outbox_enqueue(handler="workflow.send_email", key=f"petition:{pk}:confirmation",
                   payload={"to": [address], "subject": subject, "body": body})
"""

from django.core.mail import send_mail

from rdec_portal.workflow.outbox import outbox_handler


@outbox_handler("workflow.send_email")
def send_email(*, to: list[str], subject: str, body: str) -> None:
    # Never fail silently: a mail server that is down raises, so the outbox retries the message
    # with backoff and, if it stays down, leaves it as failed for an operator to requeue.
    send_mail(subject, body, None, to, fail_silently=False)
