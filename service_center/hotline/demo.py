"""Demo data for the 1999 hotline volumes (called by the root demo.py): the last twelve months
imported as a file (DESIGN.md: 398,524 hotline calls per half-year)."""

import random

from rdec_portal.performance.months import add_months, current_month, iso_month
from service_center.hotline import services
from service_center.hotline.models import HotlineVolume

# A half-year of calls, spread over the types roughly as a call centre reports them.
HALF_YEAR_CALLS = 398_524
CALL_SHARES = {
    "inquiry": 0.47,
    "petition": 0.19,
    "dispatch": 0.15,
    "transfer": 0.11,
    "invalid": 0.05,
    "other": 0.03,
}


def seed_hotline(*, desk) -> int:
    """The last twelve complete months, imported as the call centre's CSV would be, unless there
    are volumes already; the months imported."""
    if HotlineVolume.objects.exists():
        return 0
    rng = random.Random(1999)
    monthly = HALF_YEAR_CALLS / 6
    lines = ["月份,來電類別,通數"]
    months = [add_months(current_month(), -offset) for offset in range(12, 0, -1)]
    for month in months:
        for code, share in CALL_SHARES.items():
            count = round(monthly * share * rng.uniform(0.9, 1.1))
            lines.append(f"{iso_month(month)},{code},{count}")
    content = ("\n".join(lines) + "\n").encode("utf-8")
    services.hotline_import(content=content, file_name="demo-1999.csv", by=desk)
    return len(months)
