"""The portal's URLs plus the floors' one bare view, used only while the benchmark runs."""

from django.urls import path

from bench.harness import floor_view
from rdec_portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/floor/<slug:name>/", floor_view, name="bench-floor"),
    *portal_urlpatterns,
]
