"""The category catalogue, loaded from the reference files in service_center/data/."""

import csv
import json
from pathlib import Path

from django.db import transaction

from rdec_portal.accounts.models import Agency
from service_center.petitions.models import Category
from service_center.petitions.questions import validate_schema

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CATEGORIES_CSV = DATA_DIR / "categories.csv"
QUESTIONS_JSON = DATA_DIR / "category_questions.json"


def _int_or_none(text: str) -> int | None:
    return int(text) if text.strip() else None


@transaction.atomic
def categories_load(*, path: Path = CATEGORIES_CSV, questions_path: Path = QUESTIONS_JSON) -> int:
    """Create or update the categories in the reference files. Idempotent; returns the count.

    Needs the agencies loaded first (accounts' `agencies_load`). A category missing from the
    file is left as it is: petitions point at it, so it is retired in the admin, not deleted.
    """
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    questions = json.loads(questions_path.read_text(encoding="utf-8"))
    agencies = {a.code: a for a in Agency.objects.filter(code__in={r["agency_code"] for r in rows})}
    for row in rows:
        schema = questions.get(row["code"], [])
        validate_schema(schema)
        Category.objects.update_or_create(
            code=row["code"],
            defaults={
                "topic": row["topic"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "hint_zh": row["hint_zh"],
                "hint_en": row["hint_en"],
                "agency": agencies[row["agency_code"]],
                "limit_working_days": _int_or_none(row["limit_working_days"]),
                "limit_hours": _int_or_none(row["limit_hours"]),
                "is_dispatch": row["is_dispatch"] == "1",
                "nearby_radius_m": int(row["nearby_radius_m"] or 0),
                "sort_order": int(row["sort_order"]),
                "questions": schema,
            },
        )
    return len(rows)
