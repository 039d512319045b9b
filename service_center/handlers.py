"""The service centre's outbox handlers, found by the core's autodiscovery in every process
(web, worker and beat alike): importing the modules that declare them registers them."""

from service_center import emails  # noqa: F401 - registers service_center.send_citizen_email
