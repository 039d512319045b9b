"""The service centre's outbox handlers, found by the core's autodiscovery in every process
(web, worker and beat alike). Each feature's handler lives in its own module; importing it
registers it."""

from service_center.petitions.emails import send_citizen_email  # noqa: F401
