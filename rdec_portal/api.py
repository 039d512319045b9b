"""The one DRF router and the pieces every app's api.py shares.

Each app registers its viewsets from its own api.py (found by autodiscovery), so this module
never imports a business app:

    from rdec_portal.api import router
    router.register("service-center/petitions", PetitionViewSet, basename="petition")
"""

import re

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django_filters import rest_framework as django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.openapi import AutoSchema
from rest_framework import exceptions, permissions, routers, serializers, viewsets
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from rdec_portal.accounts import roles

# Re-exported: an app's api.py takes everything it needs from here.
from rdec_portal.api_defaults import CursorPagination, PagePagination, StrictOrderingFilter  # noqa: F401
from rdec_portal.forms import ROCDateField as ROCDateFormField

# DRF ships no zh-Hant text for these messages; naming them here puts them in the portal's own
# catalogue (which wins over DRF's), so every API error reads in the user's language.
DRF_MESSAGES = (
    _("Authentication credentials were not provided."),
    _("Incorrect authentication credentials."),
    _("Invalid token header. No credentials provided."),
    _("Invalid token header. Token string should not contain spaces."),
    _("Invalid token header. Token string should not contain invalid characters."),
    _('Unsupported media type "{media_type}" in request.'),
    _("Could not satisfy the request Accept header."),
    _("Request was throttled."),
    _("Expected available in {wait} second."),
    _("Expected available in {wait} seconds."),
    _("Malformed request."),
    _("Invalid cursor"),
)


class PortalRootView(routers.APIRootView):
    """`/api/v1/`: every registered resource, in alphabetical order, for anyone."""

    permission_classes = [permissions.AllowAny]

    def get(self, request, *args, **kwargs):
        listing = super().get(request, *args, **kwargs).data
        return Response(dict(sorted(listing.items())))


class PortalRouter(routers.DefaultRouter):
    include_format_suffixes = False
    APIRootView = PortalRootView


router = PortalRouter()


def discover() -> None:
    autodiscover_modules("api")


class PortalExceptionHandler(ExceptionHandler):
    """A service's domain error (a Django ValidationError) is a 400 with the service's message."""

    def convert_known_exceptions(self, exc):
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(serializers.as_serializer_error(exc))
        return super().convert_known_exceptions(exc)


class ROCDateField(serializers.DateField):
    """A date in ISO 8601 or the ROC calendar (114/04/02), as people type it; output is ISO."""

    def to_internal_value(self, value):
        try:
            day = ROCDateFormField().to_python(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None
        if day is None:
            # An empty value (`?start=`) is no date: a 400, never None for a validator to meet.
            self.fail("required")
        return day


class ROCDateFilter(django_filters.DateFilter):
    """A date query parameter that takes ISO 8601 or ROC dates."""

    field_class = ROCDateFormField


class IsPortalStaff(permissions.BasePermission):
    """A signed-in user with a role: an account whose roles were all removed gets a 403."""

    def has_permission(self, request, view):
        return roles.is_staff_user(request.user)


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true or false, nothing else: a typo must not silently switch the filter off."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class PortalAutoSchema(AutoSchema):
    """drf-standardized-errors' schema, plus the 400 StrictOrderingFilter answers for an
    ordering outside the view's list (attr `ordering`, code `invalid_ordering`)."""

    def _get_extra_validation_errors(self):
        extra = super()._get_extra_validation_errors()
        ordered = (
            self.method == "GET"
            and self._is_list_view()
            and getattr(self.view, "ordering_fields", None)
            and any(issubclass(b, StrictOrderingFilter) for b in self.get_filter_backends())
        )
        if ordered:
            extra.setdefault("ordering", set()).add("invalid_ordering")
        return extra


def list_index_error_attrs(result, generator, request, public):
    """drf-spectacular postprocessing hook: an error on a list item is reported as
    `petitions.2`, which drf-standardized-errors documents as the literal `petitions.INDEX`.
    Document it as a pattern instead, and drop the discriminator that would need every literal."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, component in schemas.items():
        attr = component.get("properties", {}).get("attr", {})
        literals = attr.get("enum") or []
        if not any(".INDEX" in value for value in literals):
            continue
        (literal,) = literals
        pattern = "^" + re.escape(literal).replace("INDEX", r"\d+") + "$"
        component["properties"]["attr"] = {"type": "string", "pattern": pattern}
        ref = f"#/components/schemas/{name}"
        for other in schemas.values():
            if any(option.get("$ref") == ref for option in other.get("oneOf", [])):
                other.pop("discriminator", None)
    return result


class SingletonSchema(PortalAutoSchema):
    """A resource routed as `list` that answers one object (`/me/`), not a page of them."""

    def _is_list_view(self, serializer=None):
        return False


class PortalGenericViewSet(viewsets.GenericViewSet):
    """Parses the body of every write up front, so a broken body is a 400 or 415 even when the
    action ignores it: a client must not believe a malformed request worked."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Only for a method the view answers: any other stays a plain 405.
        handled = getattr(self, request.method.lower(), None) is not None
        if handled and request.method not in permissions.SAFE_METHODS:
            request.data  # noqa: B018 - parsing is the point


class SingletonViewSet(PortalGenericViewSet):
    """One object at the collection URL: `GET /api/v1/accounts/me/`."""

    schema = SingletonSchema()
    pagination_class = None
    filter_backends = []

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@authentication_classes([])
@permission_classes([permissions.AllowAny])
def not_found(request, *args, **kwargs):
    """Any /api/ URL no route matched: a JSON 404 in the error shape, not the HTML page."""
    django_request = request._request
    path = django_request.path_info
    if request.method in ("GET", "HEAD") and not path.endswith("/"):
        # The catch-all hides the path from APPEND_SLASH, so redirect here as it would have.
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            query = django_request.META.get("QUERY_STRING", "")
            target = django_request.path + "/" + (f"?{query}" if query else "")
            return redirect(target, permanent=True)
    raise exceptions.NotFound()


@require_safe
def docs(request):
    """Swagger UI from the npm package, started by a static script: the CSP allows no inline one.

    Staff only, like the schema it reads (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]): the staff
    API is described to the people who may use it. Open311 keeps its own public documentation.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not roles.is_staff_user(request.user):
        raise PermissionDenied
    return render(request, "api/docs.html")
