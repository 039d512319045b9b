from django.core.management.base import BaseCommand

from service_center.petitions.catalogue import categories_load


class Command(BaseCommand):
    help = "Load the petition category catalogue (needs the agencies loaded first)."

    def handle(self, *args, **options):
        count = categories_load()
        self.stdout.write(f"{count} petition categories loaded.")
