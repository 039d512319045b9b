import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation

from rdec_portal.performance.demo import rollup_demo_months
from rdec_portal.seeding import (
    CITY_ACCOUNTS,
    DEMO_PASSWORD,
    SCALE_DEMO,
    SCALES,
    SUPERVISOR_EVERY,
    account_username,
    seed_apps,
    seed_core,
)


class Command(BaseCommand):
    help = (
        "Load reference data and demo data, then print the demo logins. Idempotent: running it "
        "again creates nothing new. --scale city creates about 37,000 staff accounts (use "
        "PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default=SCALE_DEMO,
            help="demo: a few accounts per agency (default); city: the city's real size.",
        )
        parser.add_argument(
            "--accounts",
            type=int,
            default=CITY_ACCOUNTS,
            help=f"Generated staff accounts at the city scale (default {CITY_ACCOUNTS:,}).",
        )

    def handle(self, *args, scale, accounts, **options):
        if accounts < 1:
            raise CommandError("--accounts must be a positive number.")
        translation.activate(settings.LANGUAGE_CODE)
        started = time.monotonic()
        result = seed_core(scale=scale, city_accounts=accounts)
        self.stdout.write(
            f"Core: {result.agencies} agencies; {result.accounts_total:,} generated staff "
            f"accounts ({result.accounts_created:,} new)."
        )
        seed_apps(stdout=self.stdout, scale=scale)
        # After every app: the figures read the petitions, bookings and accounts they created.
        rollup_demo_months(stdout=self.stdout)
        self._print_logins(result.logins)
        self.stdout.write(f"Scale {scale}, done in {time.monotonic() - started:.1f} s.\n")

    def _print_logins(self, logins):
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS("Demo logins"))
        write(f"  Open      {settings.SITE_URL}{reverse('accounts:login')}")
        write(f"  Password  {DEMO_PASSWORD}   (the same for every demo account)")
        write("")
        write(f"  {'Username':<16} {'Agency':<10} Role")
        for username, agency_code, label in logins:
            write(f"  {username:<16} {agency_code:<10} {label}")
        supervisor = account_username("PWB", 1)
        staff = account_username("PWB", 2)
        write("")
        write(
            f"  Every agency also has generated accounts <agency code>.<number>, e.g. {supervisor} "
            f"(supervisor) and {staff} (staff); numbers 1, {1 + SUPERVISOR_EVERY}, "
            f"{1 + 2 * SUPERVISOR_EVERY}, ... are supervisors."
        )
        write("")
