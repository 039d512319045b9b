"""Run the outbox sweep by hand: once, or in a loop (no beat, or no broker at all)."""

import time

from django.core.management.base import BaseCommand, CommandError

from rdec_portal.workflow.outbox_store import outbox_requeue_failed
from rdec_portal.workflow.relay import outbox_sweep


class Command(BaseCommand):
    help = (
        "Republish outbox messages that are due (with no broker configured: process them). "
        "Runs once, or every --interval seconds with --loop. --requeue-failed first gives "
        "failed messages a fresh set of attempts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep sweeping until stopped.")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Seconds between sweeps with --loop."
        )
        parser.add_argument(
            "--requeue-failed",
            action="store_true",
            help="Retry the messages left as failed, e.g. once the mail server is back.",
        )

    def handle(self, *args, loop, interval, requeue_failed, **options):
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        if requeue_failed:
            self.stdout.write(f"Requeued {outbox_requeue_failed()} failed message(s).")
        self._sweep()
        while loop:
            time.sleep(interval)
            self._sweep()

    def _sweep(self):
        self.stdout.write(f"Handed on {outbox_sweep()} outbox message(s).")
