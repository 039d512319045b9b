from django.urls import path

from service_center import (
    views,
    views_dispatch,
    views_hotline,
    views_legal,
    views_legal_public,
    views_nearby,
    views_public,
    views_replies,
)

app_name = "service_center"

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

# Reply templates: the list, creating, editing, (de)activating.
urlpatterns += [
    path("replies/", views_replies.template_list, name="reply_templates"),
    path("replies/new/", views_replies.template_new, name="reply_template_new"),
    path("replies/<int:pk>/", views_replies.template_edit, name="reply_template_edit"),
    path(
        "replies/<int:pk>/<slug:state>/",
        views_replies.template_set_active,
        name="reply_template_state",
    ),
]

# Legal consultation: the rota, lawyers, the day per venue, bookings, monthly counts.
urlpatterns += [
    path("legal/", views_legal.home, name="legal_home"),
    path("legal/rota/", views_legal.rota, name="legal_rota"),
    path("legal/rota/new/", views_legal.session_edit, name="legal_session_new"),
    path("legal/rota/generate/", views_legal.generate, name="legal_generate"),
    path("legal/rota/<int:pk>/", views_legal.session_edit, name="legal_session_edit"),
    path("legal/lawyers/", views_legal.lawyers, name="legal_lawyers"),
    path("legal/lawyers/new/", views_legal.lawyer_edit, name="legal_lawyer_new"),
    path("legal/lawyers/<int:pk>/", views_legal.lawyer_edit, name="legal_lawyer_edit"),
    path("legal/venues/<slug:code>/", views_legal.day, name="legal_day"),
    path("legal/slots/<int:pk>/book/", views_legal.book, name="legal_book"),
    path("legal/bookings/<int:pk>/", views_legal.booking, name="legal_booking"),
    path(
        "legal/bookings/<int:pk>/<slug:action>/",
        views_legal.booking_action,
        name="legal_booking_action",
    ),
    path("legal/stats/", views_legal.stats, name="legal_stats"),
    path("legal/stats/export.<slug:fmt>", views_legal.stats_export, name="legal_stats_export"),
    # Citizens, no login.
    path("legal-consultation/", views_legal_public.book, name="legal_public"),
    path("legal-consultation/booked/", views_legal_public.thanks, name="legal_public_thanks"),
    path(
        "legal-consultation/cancel/<str:token>/",
        views_legal_public.cancel,
        name="legal_public_cancel",
    ),
]

# 1999 hotline volumes: the 12-month table, one month, the CSV import, exports.
urlpatterns += [
    path("hotline/", views_hotline.volumes, name="hotline"),
    path("hotline/import/", views_hotline.upload, name="hotline_import"),
    path("hotline/example.csv", views_hotline.example, name="hotline_example"),
    path("hotline/export.<slug:fmt>", views_hotline.export, name="hotline_export"),
    path("hotline/<str:month>/", views_hotline.month, name="hotline_month"),
]

# Nearby open cases and "me too" (citizens); dispatch photos and the citizen's confirmation.
urlpatterns += [
    path("petitions/nearby/", views_nearby.nearby_list, name="nearby"),
    path("petitions/<str:number>/me-too/", views_nearby.me_too, name="me_too"),
    path("follow/<str:token>/", views_nearby.follow_manage, name="follow_manage"),
    path(
        "track/<str:number>/photos/<int:attachment_pk>/",
        views_dispatch.track_photo,
        name="track_photo",
    ),
    path("track/<str:number>/fixed/", views_dispatch.track_fixed, name="track_fixed"),
    path("track/<str:number>/not-fixed/", views_dispatch.track_not_fixed, name="track_not_fixed"),
    path("cases/<int:pk>/dispatch/photos/", views_dispatch.case_photos, name="case_photos"),
]
