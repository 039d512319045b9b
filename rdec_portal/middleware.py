"""Core request and response policies that hold for every app: bounded, well-formed requests;
no copy of a personal answer in any cache."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


def _is_export(response) -> bool:
    return response.get("Content-Disposition", "").lower().startswith("attachment")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer a browser or proxy must not keep a copy of.

    That is every answer to a logged-in user or to a request carrying credentials (an API token),
    every answer under the prefixes in NO_STORE_PATH_PREFIXES (the staff API, the admin) and
    every download (exports, attachments). Public pages for anonymous visitors and static files
    (served before this middleware runs) keep their own caching headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.NO_STORE_PATH_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        if self._sensitive(request, response):
            # `private` replaces any `public`; max-age=0 any longer lifetime a view had set.
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response

    def _sensitive(self, request, response) -> bool:
        if request.path_info.startswith(self.prefixes) or _is_export(response):
            return True
        if "Authorization" in request.headers:
            return True
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated


_API_PREFIX = "/api/"


def _api_error(status: int, code: str, detail: str) -> JsonResponse:
    """An answer in the API's one error shape (docs/api.md)."""
    body = {
        "type": "client_error",
        "errors": [{"code": code, "detail": detail, "attr": None}],
    }
    return JsonResponse(body, status=status)


def _refuse(request, status: int, code: str, detail: str):
    if request.path_info.startswith(_API_PREFIX):
        return _api_error(status, code, detail)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


class RequestGuardMiddleware:
    """Refuses, before any view or form reads them, requests no view could answer sensibly.

    - A body over MAX_REQUEST_BODY_BYTES (the largest upload a form takes) is a 413 before a
      byte of it is read; a body that is not a file upload over DATA_UPLOAD_MAX_MEMORY_SIZE too
      (Django would read it and then answer 400; the API read JSON of any size).
    - A NUL byte in the path or a query value is a 400: no text the portal stores or looks up
      contains one, and PostgreSQL refuses it with an error.

    Runs after LocaleMiddleware, so the messages are in the visitor's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._too_large(request) or self._nul(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _too_large(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, "parse_error", _("The request's length is not a number."))
        content_type = request.META.get("CONTENT_TYPE", "")
        limit = settings.MAX_REQUEST_BODY_BYTES
        if not content_type.startswith("multipart/form-data"):
            limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if length > limit:
            detail = _("The request is too large: send at most %(mb)s MB.") % {
                "mb": f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
            }
            return _refuse(request, 413, "request_too_large", detail)
        return None

    def _nul(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            return _refuse(request, 400, "parse_error", _("The address contains a NUL character."))
        return None
