from django.urls import path

from service_center.petitions import views, views_public

urlpatterns = [
    # Citizens, no login.
    path("petitions/new/", views_public.petition_new, name="petition_new"),
    path("petitions/thanks/", views_public.petition_thanks, name="petition_thanks"),
    path("petitions/confirm/<str:token>/", views_public.petition_confirm_view, name="confirm"),
    path("track/", views_public.track, name="track"),
    path("track/<str:number>/", views_public.track_case, name="track_case"),
    path("track/<str:number>/reopen/", views_public.track_reopen, name="track_reopen"),
    path("track/<str:number>/survey/", views_public.track_survey, name="track_survey"),
    # Staff.
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("queue/assign/", views.queue_assign, name="queue_assign"),
    path("queue/export.<slug:fmt>", views.queue_export, name="queue_export"),
    path("desk/", views.desk, name="desk"),
    path("desk/record/", views.record, name="record"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="case_action"),
    path(
        "requests/<int:pk>/<slug:decision>/",
        views.request_decide,
        name="request_decide",
    ),
]
