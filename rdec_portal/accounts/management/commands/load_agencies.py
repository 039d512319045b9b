from django.core.management.base import BaseCommand

from rdec_portal.accounts.services import agencies_load


class Command(BaseCommand):
    help = (
        "Load the Kaohsiung City Government agencies and district offices from the reference file."
    )

    def handle(self, *args, **options):
        count = agencies_load()
        self.stdout.write(f"{count} agencies loaded.")
