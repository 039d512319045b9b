from django.urls import path

from service_center import views

app_name = "service_center"

urlpatterns = [
    path("", views.home, name="home"),
]
