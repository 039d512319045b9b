"""One answer, two formats: XML (required by the standard) and JSON (the Spark convention).

A response is plain Python data: a list is an XML wrapper element whose children all carry the
item tag the standard names for it (`services` → `service`, `service_requests` → `request`), a
dict is an element per key, and a scalar is text. JSON is the same data with lists as arrays,
so a top-level list is a top-level JSON array, as the standard's examples show.
"""

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only builds documents, never parses input

from django.http import HttpResponse

from service_center.open311.errors import Open311Error

CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
# The element name each list's items take, from the specification's examples.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "notes": "note",
}
# Characters XML 1.0 cannot carry at all, not even escaped (control characters, lone surrogates,
# U+FFFE/U+FFFF). ElementTree would write them and produce a document no client can parse.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    elif isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    else:
        element.text = _text(value)


def to_xml(data, root: str) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    # ElementTree escapes &, < and > in text; _text has removed what cannot be escaped.
    return (_DECLARATION + ET.tostring(element, encoding="unicode")).encode("utf-8")


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def render(data, *, root: str, fmt: str, status: int = 200) -> HttpResponse:
    """`root` is the XML root element: `services`, `service_definition`, `service_requests`,
    `discovery` or `errors`. JSON ignores it."""
    body = to_xml(data, root) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_error(error: Open311Error, fmt: str) -> HttpResponse:
    """The errors list in the asked format; XML, the required format, when the format is unknown."""
    data = [{"code": code, "description": description} for code, description in error.errors]
    response = render(
        data, root="errors", fmt=fmt if fmt in CONTENT_TYPES else "xml", status=error.status
    )
    for name, value in error.headers.items():
        response[name] = value
    return response
