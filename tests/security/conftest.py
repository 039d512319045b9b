"""The service centre's shared fixtures (a frozen clock, a dispatch category, the triage desk),
for the hostile-input tests that post through its forms."""

from tests.service_center.conftest import desk_user, dispatch_category, frozen  # noqa: F401
