from django.core.mail import send_mail

from rdec_portal.workflow.outbox import outbox_handler


@outbox_handler("workflow.send_email")
def send_email(*, to: list[str], subject: str, body: str) -> None:
    send_mail(subject, body, None, to)
