"""The one DRF router. Each app registers its viewsets from its own api.py (found by
autodiscovery), so this module never imports a business app."""

from django.utils.module_loading import autodiscover_modules
from rest_framework import pagination, routers


class PagePagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorPagination(pagination.CursorPagination):
    """For the big tables: a deep page costs what the first one does."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class PortalRouter(routers.DefaultRouter):
    include_format_suffixes = False


router = PortalRouter()


def discover() -> None:
    autodiscover_modules("api")
