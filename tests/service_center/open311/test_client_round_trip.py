"""What an existing Open311 client does, step by step, the way FixMyStreet's client does it:
discover the endpoint, read the services and a definition, POST form-encoded XML, resolve the
answer (by id, or through tokens/), and poll requests.xml by id. Also: XML that any parser reads."""

import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import urlencode, urljoin, urlsplit

from django.core.cache import cache

from service_center.open311.render import to_xml
from service_center.petitions.models import Petition
from tests.service_center.factories import PetitionFactory
from tests.service_center.open311.conftest import BASE, parse


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def test_a_client_files_and_follows_a_request(client, frozen, lamp, api_key, settings):
    cache.clear()
    settings.SITE_URL = "http://testserver"
    discovery = xml(client.get(f"{BASE}discovery.xml"))
    endpoint = discovery.find("endpoints/endpoint")
    assert "application/json" in [f.text for f in endpoint.findall("formats/format")]
    base = endpoint.findtext("url")

    def url(resource, **params):
        # Clients join the base URL and the resource; keep only the path for the test client.
        path = urlsplit(urljoin(base, resource)).path
        return f"{path}?{urlencode(params)}" if params else path

    services = xml(client.get(url("services.xml", jurisdiction_id="kcg.gov.tw")))
    service = services.find("service")
    assert service.findtext("metadata") == "true"
    code = service.findtext("service_code")
    definition = xml(client.get(url(f"services/{code}.xml", jurisdiction_id="kcg.gov.tw")))
    required = [
        a.findtext("code")
        for a in definition.findall("attributes/attribute")
        if a.findtext("required") == "true"
    ]
    assert required == ["lamp_state"]

    created = xml(
        client.post(
            url("requests.xml"),
            urlencode(
                {
                    "jurisdiction_id": "kcg.gov.tw",
                    "api_key": api_key,
                    "service_code": code,
                    "lat": "22.627010",
                    "long": "120.301435",
                    "email": "reporter@example.net",
                    "first_name": "Anna",
                    "last_name": "Lee",
                    "description": "title: Lamp out\n\ndetail: Dark all night\n\nurl: https://fms.example/r/1",
                    "media_url": "https://fms.example/photo/1.jpeg",
                    "attribute[lamp_state]": "out",
                    "attribute[fixmystreet_id]": "1",
                }
            ),
            content_type="application/x-www-form-urlencoded; charset=utf-8",
        )
    )
    assert created.tag == "service_requests"
    request_id = created.findtext("request/service_request_id")
    assert created.find("request/token") is None
    assert request_id == Petition.objects.get().number

    token = xml(client.get(url(f"tokens/{request_id}.xml", jurisdiction_id="kcg.gov.tw")))
    assert token.findtext("request/service_request_id") == request_id

    polled = xml(
        client.get(url("requests.xml", jurisdiction_id="kcg.gov.tw", service_request_id=request_id))
    )
    [request] = polled.findall("request")
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == code
    assert request.findtext("lat") == "22.62701"
    assert request.findtext("media_url") == "https://fms.example/photo/1.jpeg"

    [as_json] = parse(client.get(url(f"requests/{request_id}.json")))
    assert as_json["service_request_id"] == request_id
    assert as_json["description"].startswith("title: Lamp out")


def test_text_that_looks_like_markup_stays_text(client, frozen, lamp):
    petition = PetitionFactory(
        category=lamp,
        description='<script>alert("x")</script> & </description><status>closed',
        latitude=Decimal("22.620000"),
        longitude=Decimal("120.310000"),
    )
    root = xml(client.get(f"{BASE}requests/{petition.number}.xml"))
    assert root.findtext("request/description") == (
        '<script>alert("x")</script> & </description><status>closed'
    )
    assert root.findtext("request/status") == "open"


def test_characters_xml_cannot_carry_are_dropped_not_sent(db):
    document = to_xml(
        [{"description": "bell\x07 nul\x00 ok\t\n 路燈 \U0001f4a1"}], "service_requests"
    )
    root = ET.fromstring(document)  # noqa: S314 - our own output
    assert root.findtext("request/description") == "bell nul ok\t\n 路燈 \U0001f4a1"
