"""Open311 fixtures: a category with extra questions, a partner system's API key, and helpers
that fetch a resource in either format and read it back as plain Python data."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from rdec_portal.accounts import roles
from rdec_portal.accounts.services import api_token_create
from service_center.open311.render import ITEM_TAGS
from tests.accounts.factories import UserFactory
from tests.service_center.factories import CategoryFactory

BASE = "/open311/v2/"
QUESTIONS = [
    {
        "code": "lamp_state",
        "datatype": "singlevaluelist",
        "required": True,
        "order": 2,
        "text_zh": "路燈狀況",
        "text_en": "What is wrong",
        "values": [
            {"key": "out", "name_zh": "不亮", "name_en": "Out"},
            {"key": "flicker", "name_zh": "閃爍", "name_en": "Flickering"},
        ],
    },
    {
        "code": "lamp_id",
        "datatype": "string",
        "required": False,
        "order": 1,
        "text_zh": "路燈編號",
        "text_en": "Lamp number",
    },
    {
        "code": "when",
        "datatype": "multivaluelist",
        "required": False,
        "order": 5,
        "text_zh": "時段",
        "text_en": "When",
        "values": [
            {"key": "night", "name_zh": "夜間", "name_en": "At night"},
            {"key": "day", "name_zh": "白天", "name_en": "By day"},
        ],
    },
]


@pytest.fixture
def lamp(agency_a):
    return CategoryFactory(
        code="street-light",
        name_zh="路燈故障",
        name_en="Street light out",
        hint_zh="路燈不亮或閃爍。",
        hint_en="A street light that is out or flickering.",
        agency=agency_a,
        limit_working_days=None,
        limit_hours=24,
        is_dispatch=True,
        questions=QUESTIONS,
    )


@pytest.fixture
def system_account(rdec_agency):
    """A partner system's account: the service centre's role, as docs/open311.md asks."""
    return UserFactory(username="app-1999", agency=rdec_agency, roles=[roles.RDEC_SERVICE_CENTER])


@pytest.fixture
def api_key(system_account):
    _token, key = api_token_create(user=system_account, name="1999 call centre")
    return key


@pytest.fixture
def client():
    # A real client enforces CSRF as a browser would: the POST must be exempt.
    return Client(enforce_csrf_checks=True)


def _from_xml(element):
    if element.tag in ITEM_TAGS:
        return [_from_xml(child) for child in element]
    if len(element):
        return {child.tag: _from_xml(child) for child in element}
    return element.text or ""


def parse(response):
    """The body as plain data: JSON as it is, XML the Spark way (lists from wrapper elements)."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    return _from_xml(root)


def as_xml_text(data):
    """JSON data as the XML carries it: every value a string, null empty, booleans lowercase."""
    if isinstance(data, list):
        return [as_xml_text(item) for item in data]
    if isinstance(data, dict):
        return {key: as_xml_text(value) for key, value in data.items()}
    if data is None:
        return ""
    if isinstance(data, bool):
        return "true" if data else "false"
    return str(data)


def fetch_both(client, path, *, language=None, **params):
    """GET the resource as .json and .xml; assert both carry the same data; return the JSON."""
    headers = {"Accept-Language": language} if language else {}
    as_json = client.get(f"{BASE}{path}.json", params, headers=headers)
    as_xml = client.get(f"{BASE}{path}.xml", params, headers=headers)
    assert as_json.status_code == as_xml.status_code
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    assert as_xml["Content-Type"] == "text/xml; charset=utf-8"
    assert as_xml.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert parse(as_xml) == as_xml_text(parse(as_json))
    return as_json.status_code, parse(as_json)
