"""The business lines this portal runs, each a Django app at the top of the repository.

A new line adds its app here, in the order its menu entries should appear, and edits nothing in
the shared core: `rdec_portal/settings.py` installs these after the core's own apps, and the core
finds everything else the app declares (docs/plugin-points.md).
"""

BUSINESS_APPS = [
    "service_center",
]
