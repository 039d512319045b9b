"""Imported by the test worker only (celery worker -I): what the tests need registered there."""

from tests.integration import handlers, reminder_kinds

__all__ = ["handlers"]

reminder_kinds.register()
