from django.core.management.base import BaseCommand
from django.utils import translation

from rdec_portal.seeding import DEMO_PASSWORD, seed_apps, seed_core


class Command(BaseCommand):
    help = "Load reference data and demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        translation.activate("zh-hant")
        logins = seed_core()
        seed_apps(self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write("  http://127.0.0.1:8000/accounts/login/")
        for username, label in logins:
            self.stdout.write(f"  {username:<16} {label}")
        self.stdout.write("")
