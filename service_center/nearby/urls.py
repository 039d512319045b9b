from django.urls import path

from service_center.nearby import views_public

# Nearby open cases and "me too" (citizens).
urlpatterns = [
    path("petitions/nearby/", views_public.nearby_list, name="nearby"),
    path("petitions/<str:number>/me-too/", views_public.me_too, name="me_too"),
    path("follow/<str:token>/", views_public.follow_manage, name="follow_manage"),
]
