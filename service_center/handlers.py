"""The service centre's outbox handlers, imported when the app is ready (web and worker alike) so
that each is registered before a message for it is delivered. Each feature's handler lives in
its own module; importing it registers it."""

from service_center.petitions.emails import send_citizen_email  # noqa: F401
