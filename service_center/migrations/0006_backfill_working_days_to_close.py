"""Fill working_days_to_close for petitions whose clock stopped before the field existed.

The clock stops at the reply, or at the "not handled" registration; the count runs from the
confirmation (or the reopening of a reopened case), as services.petition_reply does now.
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

BATCH = 1000


def backfill(apps, schema_editor):
    # The live calendar: it reads only CalendarOverride, whose table the dependency guarantees.
    from rdec_portal.workflow.calendar import working_days_between

    Petition = apps.get_model("service_center", "Petition")
    stopped = Petition.objects.filter(
        Q(replied_at__isnull=False) | Q(status="not_handled"), working_days_to_close__isnull=True
    ).only("pk", "status", "received_at", "confirmed_at", "reopened_at", "replied_at", "closed_at")
    batch = []
    for petition in stopped.iterator(chunk_size=BATCH):
        start = petition.reopened_at or petition.confirmed_at or petition.received_at
        end = petition.closed_at if petition.status == "not_handled" else petition.replied_at
        if end is None:
            continue
        petition.working_days_to_close = max(
            0, working_days_between(timezone.localdate(start), timezone.localdate(end))
        )
        batch.append(petition)
        if len(batch) == BATCH:
            Petition.objects.bulk_update(batch, ["working_days_to_close"])
            batch = []
    Petition.objects.bulk_update(batch, ["working_days_to_close"])


class Migration(migrations.Migration):
    dependencies = [
        ("service_center", "0005_reply_templates_expiry_working_days"),
        ("workflow", "0003_outbox_retry_and_dead_letter"),
    ]

    # Reversed, there is nothing to undo: reversing 0005 drops the column itself.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
