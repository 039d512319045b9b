"""Emails to citizens. They go through the outbox (a submission never waits on the broker) under
a key, so each goes out once; once sent, the address and the text (which may hold the tracking
secret) are removed from the outbox row, so personal data does not linger there."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from rdec_portal.workflow.models import OutboxMessage
from rdec_portal.workflow.outbox import outbox_enqueue, outbox_handler

HANDLER = "service_center.send_citizen_email"


@outbox_handler(HANDLER)
def send_citizen_email(*, to: list[str], subject: str, body: str, key: str) -> None:
    send_mail(subject, body, None, to)
    OutboxMessage.objects.filter(key=key).update(payload={"key": key, "sent": True})


def absolute_url(name: str, *args) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def email_citizen(*, petition, template: str, key: str, context: dict | None = None) -> None:
    """Queue one email to the petitioner, in the language they wrote in; nothing without an email."""
    if not petition.petitioner_email:
        return
    with translation.override(petition.language or settings.LANGUAGE_CODE):
        full = {
            "petition": petition,
            "track_url": absolute_url("service_center:track"),
            **(context or {}),
        }
        text = render_to_string(f"service_center/email/{template}.txt", full).strip()
    subject, _blank, body = text.partition("\n")
    outbox_enqueue(
        handler=HANDLER,
        payload={
            "to": [petition.petitioner_email],
            "subject": subject.strip(),
            "body": body.strip(),
            "key": key,
        },
        key=key,
    )
