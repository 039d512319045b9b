from django.urls import reverse


def test_root_lists_every_registered_resource_for_anonymous_users(api, db):
    response = api.get("/api/v1/")

    assert response.status_code == 200
    listing = response.json()
    assert listing["accounts/agencies"] == "http://testserver/api/v1/accounts/agencies/"
    assert listing["accounts/me"] == "http://testserver/api/v1/accounts/me/"


def test_root_lists_resources_in_alphabetical_order(api, db):
    keys = list(api.get("/api/v1/").json())

    assert keys == sorted(keys)


def test_root_url_is_named_for_templates_and_clients(db):
    assert reverse("api-root") == "/api/v1/"
