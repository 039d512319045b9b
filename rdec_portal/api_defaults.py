"""The classes that settings.REST_FRAMEWORK names as defaults.

DRF imports these while it builds APIView and GenericAPIView, so this module must not import
rest_framework.views, generics or viewsets (directly or through another package): that would be
a circular import. Everything else an app's api.py needs is in rdec_portal.api.
"""

import json

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, filters, pagination, parsers


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


class JSONParser(parsers.JSONParser):
    """Says where the JSON is broken, in the user's language, without the parser's internals."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Nested deeper than the interpreter's stack: no request of ours looks like that.
            raise exceptions.ParseError(_("The request body is nested too deeply.")) from None
        except exceptions.ParseError as exc:
            cause = exc.__context__
            if isinstance(cause, json.JSONDecodeError):
                message = _(
                    "The request body is not valid JSON (line %(line)d, column %(column)d)."
                ) % {"line": cause.lineno, "column": cause.colno}
            else:
                message = _("The request body is not valid JSON.")
            raise exceptions.ParseError(message) from None


class StrictOrderingFilter(filters.OrderingFilter):
    """An ordering outside the view's whitelist is a 400, not silently ignored; an asked ordering
    ends with the primary key, so ties have one order."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            allowed = {name for name, _label in self.get_valid_fields(queryset, view)}
            unknown = [field for field in fields if field.lstrip("-") not in allowed]
            if unknown:
                message = _("Cannot order by %(fields)s. Choose from: %(allowed)s.") % {
                    "fields": ", ".join(unknown),
                    "allowed": ", ".join(sorted(allowed)),
                }
                raise exceptions.ValidationError(
                    {self.ordering_param: [message]}, code="invalid_ordering"
                )
        ordering = super().get_ordering(request, queryset, view)
        # Rows equal in the asked fields come in the order they were made, not in whatever order
        # the database happens to return them (which differs between runs and pages).
        if params and ordering and not any(f.lstrip("-") in ("pk", "id") for f in ordering):
            ordering = [*ordering, "pk"]
        return ordering
