from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from rdec_portal import api, plugins, views

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

# Each installed business app's pages, at the prefixes its AppConfig declares (/service-center/,
# and e.g. Open311 at the path its clients expect): see rdec_portal/plugins.py.
for mount in plugins.url_mounts():
    urlpatterns.append(path(mount.prefix, include(mount.urlconf)))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Last: any other URL under /api/ is a JSON 404 in the API error shape, not the HTML page.
urlpatterns.append(re_path(r"^api/", api.not_found))
