from django.urls import path

from rdec_portal.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("metric/<str:code>/", views.metric_detail_view, name="metric"),
    path("export/<slug:fmt>/", views.export_view, name="export"),
    path("months/<str:month>/close/", views.month_close_view, name="month-close"),
    path("months/<str:month>/reopen/", views.month_reopen_view, name="month-reopen"),
    path("months/<str:month>/recompute/", views.month_recompute_view, name="month-recompute"),
]
