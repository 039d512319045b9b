from django.urls import path

from rdec_portal.workflow import views

app_name = "workflow"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_mark_all_read, name="inbox-read-all"),
    path("inbox/<int:pk>/", views.notification_open, name="notification-open"),
    path("calendar/", views.working_calendar, name="calendar"),
]
