"""The service centre's pages under one namespace, `service_center:`: each feature's urls.py adds
its own patterns (without a namespace of its own), in this order."""

from django.urls import include, path

app_name = "service_center"

urlpatterns = [
    path("", include("service_center.petitions.urls")),
    path("", include("service_center.replies.urls")),
    path("", include("service_center.legal.urls")),
    path("", include("service_center.hotline.urls")),
    path("", include("service_center.nearby.urls")),
    path("", include("service_center.dispatch.urls")),
]
