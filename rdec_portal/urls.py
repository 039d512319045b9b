from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from rdec_portal import api, views
from rdec_portal.accounts.roles import Line

api.discover()

admin.site.site_header = "高雄市政府研考會入口網 管理"
admin.site.site_title = "RDEC Portal admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/lines/<slug:slug>/", views.line_unavailable, name="line-unavailable"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("rdec_portal.accounts.urls")),
    path("workflow/", include("rdec_portal.workflow.urls")),
    path("performance/", include("rdec_portal.performance.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api.router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api.docs, name="api-docs"),
]

# A business line's pages appear once its app is installed: /research/, /service-center/, ...
for line in Line:
    if apps.is_installed(line.value):
        urlpatterns.append(path(f"{views.line_slug(line.value)}/", include(f"{line.value}.urls")))

# Open311 GeoReport v2 lives at the path clients expect, outside its line's prefix; by module
# path only, so the core still imports no business app.
if apps.is_installed("service_center"):
    urlpatterns.append(path("open311/v2/", include("service_center.open311.urls")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Last: any other URL under /api/ is a JSON 404 in the API error shape, not the HTML page.
urlpatterns.append(re_path(r"^api/", api.not_found))
