from django.urls import path

from service_center.dispatch import views

# Dispatch photos and the citizen's confirmation of the fix.
urlpatterns = [
    path(
        "track/<str:number>/photos/<int:attachment_pk>/",
        views.track_photo,
        name="track_photo",
    ),
    path("track/<str:number>/fixed/", views.track_fixed, name="track_fixed"),
    path("track/<str:number>/not-fixed/", views.track_not_fixed, name="track_not_fixed"),
    path("cases/<int:pk>/dispatch/photos/", views.case_photos, name="case_photos"),
]
