"""Emails to citizens. They go through the outbox (a submission never waits on the broker) under
a key, so each goes out once. The message holds the petition's id, the template and the step's
own values (the agency, the reply, a reason, a due date, the tracking secret), so a late email
still tells what that step did; the text is rendered when it is sent, in the language the
petitioner wrote in, to the address the petition has then. Once sent, the values (which may
hold the secret) are removed from the outbox row, so nothing personal lingers there."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from rdec_portal.accounts.models import Agency
from rdec_portal.workflow.models import OutboxMessage
from rdec_portal.workflow.outbox import outbox_handler, outbox_message, outbox_save
from service_center.petitions.models import NotHandledReason, Petition, Status
from service_center.petitions.tokens import confirmation_token

HANDLER = "service_center.send_citizen_email"


def absolute_url(name: str, *args) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def citizen_email(*, petition, template: str, key: str, context: dict | None = None):
    """The unsaved outbox message of one email to the petitioner; None without an email.

    `context` must be JSON: strings and numbers fixed when the step happens.
    """
    if not petition.petitioner_email:
        return None
    payload = {"petition": petition.pk, "template": template, "context": context or {}, "key": key}
    return outbox_message(handler=HANDLER, payload=payload, key=key)


def email_citizen(*, petition, template: str, key: str, context: dict | None = None) -> None:
    """Queue one email to the petitioner in the caller's transaction; nothing without an email."""
    message = citizen_email(petition=petition, template=template, key=key, context=context)
    if message is not None:
        outbox_save(message)


def render_citizen_email(petition, template: str, context: dict) -> tuple[str, str]:
    """Subject and body of a citizen email, in the petition's language."""
    with translation.override(petition.language or settings.LANGUAGE_CODE):
        full = {"petition": petition, "track_url": absolute_url("service_center:track"), **context}
        if template == "confirmation":
            full["confirm_url"] = absolute_url(
                "service_center:confirm", confirmation_token(petition)
            )
        # The step's own values, named in the petition's language now.
        if "agency_id" in context:
            full["agency"] = Agency.objects.filter(pk=context["agency_id"]).first()
        if context.get("reason_code") in NotHandledReason.values:
            full["reason_label"] = NotHandledReason(context["reason_code"]).label
        text = render_to_string(f"service_center/petitions/email/{template}.txt", full).strip()
    subject, _blank, body = text.partition("\n")
    return subject.strip(), body.strip()


@outbox_handler(HANDLER)
def send_citizen_email(
    *, key: str, petition=None, template="", context=None, to=None, subject="", body=""
) -> None:
    """Render and send; `to`, `subject` and `body` are the form of messages queued before
    emails were rendered when sent."""
    if petition is not None:
        found = Petition.objects.filter(pk=petition).first()
        # Gone, or its address removed meanwhile: there is no one to write to. A confirmation
        # link for a petition no longer waiting for it (expired during an outage) would not work.
        to = [found.petitioner_email] if found is not None and found.petitioner_email else []
        if template == "confirmation" and found is not None and found.status != Status.RECEIVED:
            to = []
        if to:
            subject, body = render_citizen_email(found, template, context or {})
    if to:
        send_mail(subject, body, None, to)
    OutboxMessage.objects.filter(key=key).update(payload={"key": key, "sent": bool(to)})
