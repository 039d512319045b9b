"""Every staff page of the service centre is behind the core's staff guard."""

import pytest
from django.urls import reverse

STAFF_PAGES = [
    ("service_center:home", []),
    ("service_center:queue", []),
    ("service_center:queue_export", ["csv"]),
    ("service_center:desk", []),
    ("service_center:case", [1]),
    ("service_center:case_photos", [1]),
    ("service_center:reply_templates", []),
    ("service_center:legal_home", []),
    ("service_center:legal_stats_export", ["csv"]),
    ("service_center:hotline", []),
    ("service_center:hotline_export", ["csv"]),
    ("performance:dashboard", []),
]


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_a_user_whose_roles_were_removed_gets_the_no_role_page(client, staff_a, name, args):
    client.force_login(staff_a)
    staff_a.groups.clear()
    response = client.get(reverse(name, args=args))
    assert response.status_code == 403
    assert 'id="no-role"' in response.content.decode()


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, db, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
