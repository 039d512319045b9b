"""Hands outbox messages to the broker; with no broker, processes them in process."""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def relay_messages(message_ids: list[int]) -> None:
    from rdec_portal.workflow.outbox import outbox_process

    if not settings.CELERY_BROKER_URL:
        for message_id in message_ids:
            try:
                outbox_process(message_id)
            except Exception:  # the sweep retries it; the caller's work is already committed
                logger.exception("outbox message %s failed in process", message_id)
        return
    from rdec_portal.workflow.tasks import outbox_run

    for message_id in message_ids:
        try:
            outbox_run.apply_async(args=[message_id], retry=False)
        except Exception:  # broker down: the sweep republishes it later
            logger.warning("broker unavailable; outbox message %s left for the sweep", message_id)
