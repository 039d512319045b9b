from django.core.management.base import BaseCommand

from service_center.hotline.services import hotline_call_types_load
from service_center.legal.services import legal_venues_load


class Command(BaseCommand):
    help = "Load the legal consultation venues and the 1999 call types (agencies first)."

    def handle(self, *args, **options):
        venues = legal_venues_load()
        types = hotline_call_types_load()
        self.stdout.write(
            f"{venues} legal consultation venues and {types} hotline call types loaded."
        )
