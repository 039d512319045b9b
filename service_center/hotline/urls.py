from django.urls import path

from service_center.hotline import views

# 1999 hotline volumes: the 12-month table, one month, the CSV import, exports.
urlpatterns = [
    path("hotline/", views.volumes, name="hotline"),
    path("hotline/import/", views.upload, name="hotline_import"),
    path("hotline/example.csv", views.example, name="hotline_example"),
    path("hotline/export.<slug:fmt>", views.export, name="hotline_export"),
    path("hotline/<str:month>/", views.month, name="hotline_month"),
]
