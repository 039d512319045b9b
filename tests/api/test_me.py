import pytest

from rdec_portal.accounts import roles
from tests.accounts.factories import UserFactory
from tests.api.utils import error_of

URL = "/api/v1/accounts/me/"


def test_me_answers_who_the_user_is(api, staff_a):
    api.force_authenticate(staff_a)

    response = api.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.json() == {
        "username": "staff_a",
        "full_name": "王小明",
        "email": "staff_a@example.kcg.gov.tw",
        "agency": {"code": "PWB", "name_zh": "高雄市政府工務局", "name_en": "Public Works Bureau"},
        "roles": [{"code": "agency_staff", "label": "Agency staff (承辦人)"}],
        "is_read_only": False,
    }


def test_mayors_office_is_read_only(api, mayor_office):
    api.force_authenticate(mayor_office)

    body = api.get(URL).json()

    assert body["is_read_only"] is True
    assert [role["code"] for role in body["roles"]] == [roles.MAYOR_OFFICE]


def test_a_user_without_an_agency_gets_null(api, db):
    api.force_authenticate(UserFactory(username="lonely", agency=None, roles=[roles.MAYOR_OFFICE]))

    body = api.get(URL).json()

    assert body["agency"] is None
    assert [role["code"] for role in body["roles"]] == [roles.MAYOR_OFFICE]


def test_an_account_whose_roles_were_removed_is_refused(api, staff_a):
    # As on the portal's pages: the account still logs in, but has nothing to do here.
    staff_a.groups.clear()
    api.force_authenticate(staff_a)

    response = api.get(URL)

    assert response.status_code == 403
    assert "username" not in response.json()


def test_me_needs_authentication(api, db):
    response = api.get(URL)

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_me_cannot_be_changed_yet(api, staff_a):
    api.force_authenticate(staff_a)

    response = api.patch(URL, {"email": "new@example.com"})

    assert response.status_code == 405
    staff_a.refresh_from_db()
    assert staff_a.email == "staff_a@example.kcg.gov.tw"


@pytest.mark.parametrize("role_count", [1, 5])
def test_me_query_count_does_not_grow_with_roles(
    api, agency_a, django_assert_num_queries, role_count
):
    user = UserFactory(username="many", agency=agency_a, roles=list(roles.ALL_ROLES[:role_count]))
    api.force_authenticate(user)

    # The user with the agency joined, then the role names.
    with django_assert_num_queries(2):
        body = api.get(URL).json()
    assert len(body["roles"]) == role_count
