from django.urls import path

from service_center.legal import views, views_public

# Legal consultation: the rota, lawyers, the day per venue, bookings, monthly counts.
urlpatterns = [
    path("legal/", views.home, name="legal_home"),
    path("legal/rota/", views.rota, name="legal_rota"),
    path("legal/rota/new/", views.session_edit, name="legal_session_new"),
    path("legal/rota/generate/", views.generate, name="legal_generate"),
    path("legal/rota/<int:pk>/", views.session_edit, name="legal_session_edit"),
    path("legal/lawyers/", views.lawyers, name="legal_lawyers"),
    path("legal/lawyers/new/", views.lawyer_edit, name="legal_lawyer_new"),
    path("legal/lawyers/<int:pk>/", views.lawyer_edit, name="legal_lawyer_edit"),
    path("legal/venues/<slug:code>/", views.day, name="legal_day"),
    path("legal/slots/<int:pk>/book/", views.book, name="legal_book"),
    path("legal/bookings/<int:pk>/", views.booking, name="legal_booking"),
    path(
        "legal/bookings/<int:pk>/<slug:action>/",
        views.booking_action,
        name="legal_booking_action",
    ),
    path("legal/stats/", views.stats, name="legal_stats"),
    path("legal/stats/export.<slug:fmt>", views.stats_export, name="legal_stats_export"),
    # Citizens, no login.
    path("legal-consultation/", views_public.book, name="legal_public"),
    path("legal-consultation/booked/", views_public.thanks, name="legal_public_thanks"),
    path(
        "legal-consultation/cancel/<str:token>/",
        views_public.cancel,
        name="legal_public_cancel",
    ),
]
