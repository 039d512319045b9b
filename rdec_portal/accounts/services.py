import csv
from pathlib import Path

from django.db import transaction

from rdec_portal.accounts.models import Agency

AGENCIES_CSV = Path(__file__).resolve().parent / "data" / "agencies.csv"


@transaction.atomic
def agencies_load(*, path: Path = AGENCIES_CSV) -> int:
    """Create or update the agencies listed in the reference file. Idempotent; returns the count."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {}
    for row in rows:
        agency, _created = Agency.objects.update_or_create(
            code=row["code"],
            defaults={
                "kind": row["kind"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "short_name": row["short_name"],
                "sort_order": int(row["sort_order"]),
            },
        )
        by_code[agency.code] = agency
    for row in rows:
        parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
        agency = by_code[row["code"]]
        if agency.parent_id != (parent.pk if parent else None):
            agency.parent = parent
            agency.save(update_fields=["parent"])
    return len(rows)
