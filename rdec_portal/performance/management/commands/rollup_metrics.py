from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rdec_portal.performance import registry
from rdec_portal.performance.months import iso_month, month_range, parse_month
from rdec_portal.performance.services import MonthClosedError, rollup_month, rollup_range


def _month(value: str):
    try:
        return parse_month(value)
    except ValidationError as exc:
        raise CommandError(f"{value!r} is not a month: {exc.messages[0]}") from None


class Command(BaseCommand):
    help = (
        "Recompute the monthly metrics of one month (--month 2026-10, or ROC 115/10) or of a "
        "range (--from 2026-01 --to 2026-10) for back-filling. Closed months are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The month: 2026-10 or ROC 115/10.")
        parser.add_argument("--from", dest="first", help="First month of a range.")
        parser.add_argument("--to", dest="last", help="Last month of a range (included).")
        parser.add_argument(
            "--code", action="append", dest="codes", help="Only this metric (repeatable)."
        )

    def handle(self, *args, month=None, first=None, last=None, codes=None, **options):
        months = self._months(month, first, last)
        try:
            registry.metrics(codes)
        except ValueError as exc:  # an unknown --code: say so before touching any month
            raise CommandError(str(exc)) from None
        if month:
            try:
                written = {months[0]: rollup_month(month=months[0], codes=codes)}
            except MonthClosedError:
                written = {months[0]: None}
        else:
            # A range: each metric that can is read once for all the months (rollup_range).
            written = rollup_range(first=months[0], last=months[-1], codes=codes)
        for each, rows in written.items():
            if rows is None:
                self.stdout.write(f"{iso_month(each)}: skipped, the month is closed")
            else:
                self.stdout.write(f"{iso_month(each)}: {rows} rows")

    def _months(self, month, first, last):
        if month and (first or last):
            raise CommandError("Give either --month or --from/--to, not both.")
        if month:
            return [_month(month)]
        if not (first and last):
            raise CommandError("Give --month, or both --from and --to.")
        first, last = _month(first), _month(last)
        if first > last:
            raise CommandError("--from must not be after --to.")
        return month_range(first, last)
