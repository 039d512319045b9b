from django.urls import reverse

from rdec_portal.accounts.roles import Line


def test_public_home_is_in_traditional_chinese_by_default(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert 'lang="zh-Hant-TW"' in response.content.decode()


def test_staff_home_needs_login(client, db):
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_staff_home_shows_agency_roles_and_lines(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("staff-home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert staff_a.agency.name_zh in body
    for line in Line:
        assert str(line.label) in body


def test_a_line_without_its_app_says_it_is_not_available(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("line-unavailable", args=["research"]))
    assert response.status_code == 200
    assert "尚未開放" in response.content.decode() or "not available" in response.content.decode()


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
