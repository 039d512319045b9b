from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from rdec_portal.guards import staff_required


@staff_required
def _page(request):
    return HttpResponse("reached")


def _get(user):
    request = RequestFactory().get("/somewhere/?page=2")
    request.user = user
    return _page(request)


def test_an_anonymous_visitor_is_sent_to_log_in_and_back(db):
    from django.contrib.auth.models import AnonymousUser

    response = _get(AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/somewhere/%3Fpage%3D2"


def test_a_user_without_a_role_gets_the_no_role_page(staff_a):
    staff_a.groups.clear()
    response = _get(staff_a)
    assert response.status_code == 403
    assert 'id="no-role"' in response.content.decode()


def test_staff_with_a_role_reach_the_view(staff_a):
    response = _get(staff_a)
    assert response.status_code == 200
    assert response.content == b"reached"


def test_the_accounts_module_still_offers_the_same_guard():
    from rdec_portal.accounts.views import staff_required as from_accounts

    assert from_accounts is staff_required
