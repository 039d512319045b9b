"""Core response policies that hold for every app: no copy of a personal answer in any cache."""

from django.conf import settings
from django.utils.cache import patch_cache_control


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
