"""/open311/v2/…: every resource as .xml and .json (the extension picks the format).

Each pattern also takes a leading slash, so a client configured with the base URL's trailing
slash that adds its own ("…/v2//services.xml") still reaches the resource.
"""

from django.urls import re_path

from service_center.open311 import views

app_name = "open311"

_FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(r"^[/]?discovery" + _FMT, views.discovery, name="discovery"),
    re_path(r"^[/]?services" + _FMT, views.services, name="services"),
    re_path(r"^[/]?services/(?P<code>[^/.]+)" + _FMT, views.service_definition, name="service"),
    re_path(r"^[/]?requests" + _FMT, views.requests, name="requests"),
    re_path(r"^[/]?requests/(?P<number>[^/.]+)" + _FMT, views.service_request, name="request"),
    re_path(r"^[/]?tokens/(?P<token>[^/.]+)" + _FMT, views.token_lookup, name="token"),
]
