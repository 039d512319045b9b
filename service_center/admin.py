"""Found by the admin's autodiscovery: each feature's admin.py registers its models on import."""

from service_center.hotline import admin as hotline_admin  # noqa: F401
from service_center.legal import admin as legal_admin  # noqa: F401
from service_center.petitions import admin as petitions_admin  # noqa: F401
from service_center.replies import admin as replies_admin  # noqa: F401
