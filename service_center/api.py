"""Found by the core's API autodiscovery: each feature's api.py registers its viewsets on import."""

from service_center.petitions import api  # noqa: F401
