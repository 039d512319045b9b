"""A deadline kind for the reminder integration test, whose step is due whatever the clock says.

Its only step is "10 working days before": for a deadline two days ahead that day has passed, so
the step is due at any hour and on any weekday the test happens to run. The worker registers it
through worker_setup.py; the test process registers it only for the test (a fixture).
"""

from rdec_portal.workflow.reminders_registry import Step, register_deadline_kind

KIND = "tests.integration_reminder"
STEP_KEY = "before:10"


def register():
    return register_deadline_kind(
        KIND, label="Integration test deadline", steps=[Step.before(working_days=10)]
    )
