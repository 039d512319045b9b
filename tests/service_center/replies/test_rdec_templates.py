"""RDEC's own reply templates: RDEC staff of the other lines belong to the RDEC agency, but reach
the service centre's templates only through its role (issue 11, item 6). The city-wide ones
stay in everyone's list."""

import pytest
from django.urls import reverse

from rdec_portal.accounts import roles
from rdec_portal.accounts.roles import Line
from service_center.replies import permissions, selectors
from service_center.replies.models import ReplyTemplate
from tests.accounts.factories import UserFactory

OTHER_LINES = [line for line in Line if line != Line.SERVICE_CENTER]


@pytest.fixture
def templates(rdec_agency):
    return {
        "rdec": ReplyTemplate.objects.create(
            agency=rdec_agency, title="研考會回覆", body="已處理。"
        ),
        "citywide": ReplyTemplate.objects.create(agency=None, title="通用回覆", body="感謝來信。"),
    }


@pytest.mark.parametrize("line", OTHER_LINES, ids=str)
def test_other_lines_see_only_the_city_wide_templates(client, rdec_user, templates, line):
    user = rdec_user(line)
    assert set(selectors.reply_templates_for(user)) == {templates["citywide"]}
    assert not permissions.can_manage(user, templates["rdec"])
    client.force_login(user)
    url = reverse("service_center:reply_template_edit", args=[templates["rdec"].pk])
    assert client.get(url).status_code == 404


def test_rdecs_supervisor_and_the_service_centre_keep_rdecs_templates(
    rdec_agency, desk_user, templates
):
    supervisor = UserFactory(agency=rdec_agency, roles=[roles.AGENCY_SUPERVISOR])
    assert set(selectors.reply_templates_for(supervisor)) == set(templates.values())
    assert permissions.can_manage(supervisor, templates["rdec"])
    assert set(selectors.reply_templates_for(desk_user)) == set(templates.values())
