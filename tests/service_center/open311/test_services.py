"""Discovery, the service list and service definitions, in both formats."""

import pytest

from tests.service_center.factories import CategoryFactory
from tests.service_center.open311.conftest import BASE, QUESTIONS, fetch_both, parse


def test_discovery_lists_this_endpoint_in_both_formats(client, lamp, settings):
    settings.SITE_URL = "https://rdec.kcg.gov.tw"

    status, data = fetch_both(client, "discovery")

    assert status == 200
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    assert data["contact"] and data["key_service"]
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "https://rdec.kcg.gov.tw/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] == "test"
    # The changeset moves when a service definition changes, so clients know to refresh.
    assert endpoint["changeset"] == data["changeset"] != ""


def test_the_changeset_moves_when_a_category_changes(client, lamp, time_machine):
    time_machine.move_to("2026-11-26T10:00:00+08:00", tick=False)
    lamp.save()
    before = fetch_both(client, "discovery")[1]["changeset"]
    time_machine.move_to("2026-11-27T10:00:00+08:00", tick=False)
    lamp.save()
    after = fetch_both(client, "discovery")[1]["changeset"]
    assert before == "2026-11-26T10:00:00+08:00"
    assert after == "2026-11-27T10:00:00+08:00"


def test_services_lists_active_categories(client, lamp, agency_a):
    CategoryFactory(code="noise", name_zh="噪音", name_en="Noise", agency=agency_a)
    CategoryFactory(code="retired", agency=agency_a, is_active=False)

    status, data = fetch_both(client, "services", language="en")

    assert status == 200
    by_code = {s["service_code"]: s for s in data}
    assert set(by_code) == {"street-light", "noise"}
    assert by_code["street-light"] == {
        "service_code": "street-light",
        "service_name": "Street light out",
        "description": "A street light that is out or flickering.",
        "metadata": True,
        "type": "realtime",
        "keywords": "路燈故障, Street light out",
        "group": "Roads, sidewalks and street lights",
    }
    assert by_code["noise"]["metadata"] is False


def test_services_answer_in_traditional_chinese_by_default(client, lamp):
    _status, data = fetch_both(client, "services")
    assert data[0]["service_name"] == "路燈故障"


def test_a_service_definition_carries_the_extra_questions(client, lamp):
    status, data = fetch_both(client, "services/street-light", language="en")

    assert status == 200
    assert data["service_code"] == "street-light"
    attributes = data["attributes"]
    # In the catalogue's order, renumbered 1, 2, 3 as the standard wants.
    assert [(a["code"], a["order"]) for a in attributes] == [
        ("lamp_id", 1),
        ("lamp_state", 2),
        ("when", 3),
    ]
    state = attributes[1]
    assert state["variable"] is True
    assert state["datatype"] == "singlevaluelist"
    assert state["required"] is True
    assert state["description"] == "What is wrong"
    assert state["values"] == [
        {"key": "out", "name": "Out"},
        {"key": "flicker", "name": "Flickering"},
    ]
    assert state["datatype_description"] == "One of the listed keys."
    assert "values" not in attributes[0]
    assert attributes[0]["datatype_description"] is None
    assert attributes[2]["datatype"] == "multivaluelist"
    assert len(QUESTIONS) == len(attributes)


def test_a_service_without_questions_has_an_empty_definition(client, agency_a):
    CategoryFactory(code="noise", agency=agency_a)
    status, data = fetch_both(client, "services/noise")
    assert status == 200
    assert data == {"service_code": "noise", "attributes": []}


@pytest.mark.parametrize("code", ["no-such-service", "retired"])
def test_an_unknown_or_retired_service_is_404_in_the_error_shape(client, agency_a, code):
    CategoryFactory(code="retired", agency=agency_a, is_active=False)

    status, data = fetch_both(client, f"services/{code}")

    assert status == 404
    [error] = data
    assert error["code"] == 404
    assert code in error["description"]


def test_the_errors_xml_uses_the_standards_elements(client, db):
    response = client.get(f"{BASE}services/nothing.xml")
    assert response.status_code == 404
    assert b"<errors><error><code>404</code><description>" in response.content


@pytest.mark.parametrize("jurisdiction", ["", "kcg.gov.tw", "KCG.gov.tw"])
def test_our_jurisdiction_or_none_is_accepted(client, lamp, jurisdiction):
    status, _data = fetch_both(client, "services", jurisdiction_id=jurisdiction)
    assert status == 200


def test_another_jurisdiction_is_404(client, lamp):
    status, data = fetch_both(client, "services", jurisdiction_id="sfgov.org")
    assert status == 404
    assert "sfgov.org" in data[0]["description"]


def test_an_unknown_format_is_404_in_xml(client, lamp):
    response = client.get(f"{BASE}services.html")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert parse(response)[0]["code"] == "404"


def test_a_doubled_slash_after_the_base_url_still_works(client, lamp):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert parse(response)[0]["service_code"] == "street-light"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_a_write_to_a_read_only_resource_is_405(client, lamp, method):
    response = getattr(client, method)(f"{BASE}services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert parse(response)[0]["code"] == 405
