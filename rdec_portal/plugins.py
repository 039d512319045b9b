"""What a business app declares on its AppConfig for the core to show and mount.

The core never names a business app: it reads these optional attributes from every installed
app config, in INSTALLED_APPS order, and keeps each app's entries in the order it gives them.

    class ServiceCenterConfig(AppConfig):
        name = "service_center"
        business_line = Line.SERVICE_CENTER      # its entry in the staff lines menu ...
        staff_home = "service_center:home"       # ... links to this URL name
        url_mounts = [UrlMount("service-center/", "service_center.urls")]
        public_menu = [PublicEntry(_("Track a petition"), ["service_center:track"])]

- `business_line` and `staff_home`: the line (rdec_portal.accounts.roles.Line) whose entry in
  the staff header's lines menu points at the app's staff start page. A line no app serves
  links to the "not yet available" page.
- `url_mounts`: URL prefixes at the site root and the URL modules included there (the app's
  pages; a public API at the path its clients expect).
- `public_menu`: the citizens' ways into the app in the public header; each entry links to the
  first of its URL names that exists, and is left out if none does.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class PublicEntry:
    label: str
    url_names: tuple[str, ...]

    def __post_init__(self):
        object.__setattr__(self, "url_names", tuple(self.url_names))


@dataclass(frozen=True)
class UrlMount:
    prefix: str
    urlconf: str


def public_entries() -> list[PublicEntry]:
    return [
        entry for config in apps.get_app_configs() for entry in getattr(config, "public_menu", ())
    ]


def url_mounts() -> list[UrlMount]:
    return [
        mount for config in apps.get_app_configs() for mount in getattr(config, "url_mounts", ())
    ]


def staff_homes() -> dict[str, str]:
    """{business line: URL name of its staff start page} for the lines an installed app serves."""
    homes = {}
    for config in apps.get_app_configs():
        line = getattr(config, "business_line", None)
        if line is not None:
            homes[str(line)] = config.staff_home
    return homes
