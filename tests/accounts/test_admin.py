"""The Django admin: who may use it, that every write is audited, that the audit log is read-only."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency, ApiToken, User
from rdec_portal.accounts.services import api_token_create
from rdec_portal.workflow.audit import audit_record
from rdec_portal.workflow.models import AuditEntry, CalendarOverride
from tests.accounts.factories import UserFactory

MODELS = [
    "accounts_agency",
    "accounts_user",
    "auth_group",
    "accounts_apitoken",
    "workflow_calendaroverride",
    "workflow_auditentry",
    "workflow_outboxmessage",
    "workflow_deadline",
    "workflow_notification",
]


@pytest.fixture
def role_admin(rdec_agency):
    """An administrator by role, not a superuser: what the commission actually hands out."""
    return UserFactory(
        username="role_admin", agency=rdec_agency, roles=[roles.ADMINISTRATOR], is_staff=True
    )


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def _entries(action):
    return AuditEntry.objects.filter(action=action).order_by("id")


@pytest.mark.parametrize("model", MODELS)
def test_every_admin_list_opens_for_a_superuser(admin_client, model):
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200


def test_agency_staff_cannot_open_the_admin(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("admin:accounts_agency_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    ("model", "status"),
    [
        ("accounts_agency", 200),
        ("accounts_user", 200),
        ("auth_group", 200),
        ("workflow_calendaroverride", 200),
        ("workflow_auditentry", 200),
        ("workflow_outboxmessage", 403),
        ("accounts_apitoken", 403),
    ],
)
def test_administrator_role_reaches_what_it_manages(client, role_admin, model, status):
    client.force_login(role_admin)
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == status


def test_administrator_role_cannot_make_anyone_a_superuser(client, role_admin, staff_a):
    client.force_login(role_admin)
    response = client.get(reverse("admin:accounts_user_change", args=[staff_a.pk]))
    form = response.context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields


# Audited writes ---------------------------------------------------------------------------


def _agency_data(**overrides):
    data = {
        "code": "EPB",
        "name_zh": "高雄市政府環境保護局",
        "name_en": "Environmental Protection Bureau",
        "short_name": "",
        "kind": Agency.Kind.BUREAU,
        "parent": "",
        "pcc_code": "",
        "sort_order": "0",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_adding_changing_and_deleting_an_agency_is_audited(admin_client, administrator):
    add = admin_client.post(reverse("admin:accounts_agency_add"), _agency_data())
    assert add.status_code == 302
    agency = Agency.objects.get(code="EPB")
    created = _entries(AuditEntry.Action.CREATE).get()
    assert created.actor == administrator
    assert created.object_id == str(agency.pk)
    assert created.changes["code"] == [None, "EPB"]
    assert created.changes["kind"] == [None, "bureau"]

    change_url = reverse("admin:accounts_agency_change", args=[agency.pk])
    admin_client.post(change_url, _agency_data(short_name="環保局", sort_order="3"))
    updated = _entries(AuditEntry.Action.UPDATE).get()
    assert updated.changes["short_name"] == ["", "環保局"]
    assert updated.changes["sort_order"] == [0, 3]
    assert "code" not in updated.changes

    delete_url = reverse("admin:accounts_agency_delete", args=[agency.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    deleted = _entries(AuditEntry.Action.DELETE).get()
    assert deleted.object_id == str(agency.pk)
    assert deleted.changes["code"] == ["EPB", None]
    assert not Agency.objects.filter(code="EPB").exists()


def test_bulk_delete_audits_each_object(admin_client, db):
    agencies = [Agency.objects.create(code=f"X{n}", name_zh="局", name_en="X") for n in range(3)]
    response = admin_client.post(
        reverse("admin:accounts_agency_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in agencies],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert sorted(_entries(AuditEntry.Action.DELETE).values_list("object_id", flat=True)) == sorted(
        str(a.pk) for a in agencies
    )


def _user_data(user, **overrides):
    data = {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "email": user.email,
        "agency": user.agency_id,
        "title": "",
        "phone": "",
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [],
    }
    return {**data, **overrides}


def test_changing_a_users_roles_records_before_and_after(admin_client, staff_a):
    supervisor = Group.objects.get_or_create(name=roles.AGENCY_SUPERVISOR)[0]
    staff = Group.objects.get(name=roles.AGENCY_STAFF)
    url = reverse("admin:accounts_user_change", args=[staff_a.pk])
    response = admin_client.post(
        url, _user_data(staff_a, groups=[staff.pk, supervisor.pk], title="科員")
    )
    assert response.status_code == 302
    entry = _entries(AuditEntry.Action.UPDATE).get()
    assert entry.object_id == str(staff_a.pk)
    assert entry.changes["groups"] == [
        [roles.AGENCY_STAFF],
        [roles.AGENCY_STAFF, roles.AGENCY_SUPERVISOR],
    ]
    assert entry.changes["title"] == ["", "科員"]


def test_adding_a_user_is_audited_without_the_password(admin_client, agency_a):
    staff = Group.objects.get_or_create(name=roles.AGENCY_STAFF)[0]
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a-long-enough-password-1",
            "password2": "a-long-enough-password-1",
            "last_name": "林",
            "first_name": "新人",
            "email": "newcomer@example.kcg.gov.tw",
            "agency": agency_a.pk,
            "groups": [staff.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert user.agency == agency_a and roles.role_names(user) == {roles.AGENCY_STAFF}
    entry = _entries(AuditEntry.Action.CREATE).get()
    assert entry.changes["username"] == [None, "newcomer"]
    assert entry.changes["password"] == [None, "[redacted]"]
    assert user.password not in str(entry.changes)


def test_setting_a_password_in_the_admin_is_audited(admin_client, administrator, staff_a):
    url = reverse("admin:auth_user_password_change", args=[staff_a.pk])
    new = "an-admin-chosen-password-9"
    response = admin_client.post(
        url, {"usable_password": "true", "password1": new, "password2": new}
    )
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password(new)
    entry = _entries(AuditEntry.Action.UPDATE).get()
    assert entry.actor == administrator
    assert entry.changes == {"password": ["[redacted]", "[redacted]"]}


def test_a_refused_password_in_the_admin_is_not_audited(admin_client, staff_a, password):
    url = reverse("admin:auth_user_password_change", args=[staff_a.pk])
    data = {"usable_password": "true", "password1": "short", "password2": "short"}
    assert admin_client.post(url, data).status_code == 200
    staff_a.refresh_from_db()
    assert staff_a.check_password(password)
    assert not _entries(AuditEntry.Action.UPDATE).exists()


def test_calendar_override_records_who_created_it(admin_client, administrator):
    response = admin_client.post(
        reverse("admin:workflow_calendaroverride_add"),
        {"date": "2025-07-25", "kind": "day_off", "reason": "颱風停班"},
    )
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    assert override.created_by == administrator
    assert override.date == datetime.date(2025, 7, 25)
    entry = _entries(AuditEntry.Action.CREATE).get()
    assert entry.changes["date"] == [None, "2025-07-25"]
    assert entry.changes["created_by"] == [None, administrator.pk]


def test_admin_can_revoke_a_token_with_an_action(admin_client, staff_a):
    token, _ = api_token_create(user=staff_a, name="sync")
    response = admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
    assert ApiToken.objects.count() == 1


# The audit log in the admin ---------------------------------------------------------------


@pytest.fixture
def entry(staff_a):
    return audit_record(actor=staff_a, action=AuditEntry.Action.LOGIN, obj=staff_a)


def test_audit_log_has_no_add_change_or_delete_even_for_a_superuser(admin_client, entry):
    assert admin_client.get(reverse("admin:workflow_auditentry_add")).status_code == 403
    change_url = reverse("admin:workflow_auditentry_change", args=[entry.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(change_url, {"action": "logout"}).status_code == 403
    delete_url = reverse("admin:workflow_auditentry_delete", args=[entry.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        reverse("admin:workflow_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.action == AuditEntry.Action.LOGIN


def test_audit_log_filters_by_action_and_searches_by_actor(admin_client, staff_a, staff_b):
    audit_record(actor=staff_a, action=AuditEntry.Action.LOGIN, obj=staff_a)
    audit_record(actor=staff_b, action=AuditEntry.Action.LOGOUT, obj=staff_b)
    url = reverse("admin:workflow_auditentry_changelist")
    by_action = admin_client.get(url, {"action__exact": "logout"})
    assert [e.actor for e in by_action.context["cl"].result_list] == [staff_b]
    by_actor = admin_client.get(url, {"q": "staff_a"})
    assert {e.actor for e in by_actor.context["cl"].result_list} == {staff_a}


def _list_queries(client, url) -> int:
    # Counted is a page after the first: the first also fills the caches (the unread count).
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_audit_log_list_queries_do_not_grow_with_rows(admin_client, staff_a, agency_a):
    url = reverse("admin:workflow_auditentry_changelist")
    audit_record(actor=staff_a, action=AuditEntry.Action.UPDATE, obj=agency_a)
    with_one = _list_queries(admin_client, url)
    for _ in range(19):
        audit_record(actor=staff_a, action=AuditEntry.Action.UPDATE, obj=agency_a)
    assert _list_queries(admin_client, url) == with_one


def test_user_list_queries_do_not_grow_with_users(admin_client, agency_a, agency_b):
    url = reverse("admin:accounts_user_changelist")
    UserFactory(username="u0", agency=agency_a, roles=[roles.AGENCY_STAFF])
    with_few = _list_queries(admin_client, url)
    for n in range(1, 20):
        agency = agency_a if n % 2 else agency_b
        UserFactory(username=f"u{n}", agency=agency, roles=[roles.AGENCY_STAFF])
    assert _list_queries(admin_client, url) == with_few


def test_user_search_finds_a_full_chinese_name(admin_client, agency_a):
    UserFactory(username="chen", last_name="陳", first_name="大文", agency=agency_a)
    UserFactory(username="lin", last_name="林", first_name="小華", agency=agency_a)
    response = admin_client.get(reverse("admin:accounts_user_changelist"), {"q": "陳大文"})
    assert [u.username for u in response.context["cl"].result_list] == ["chen"]


def test_user_list_filters_by_agency_kind_and_role(admin_client, agency_a):
    district = Agency.objects.create(
        code="D-X", name_zh="區公所", name_en="District", kind=Agency.Kind.DISTRICT
    )
    UserFactory(username="in_district", agency=district, roles=[roles.AGENCY_SUPERVISOR])
    url = reverse("admin:accounts_user_changelist")
    by_kind = admin_client.get(url, {"agency__kind__exact": "district"})
    assert [u.username for u in by_kind.context["cl"].result_list] == ["in_district"]
    supervisor = Group.objects.get(name=roles.AGENCY_SUPERVISOR)
    by_role = admin_client.get(url, {"groups__id__exact": supervisor.pk})
    assert [u.username for u in by_role.context["cl"].result_list] == ["in_district"]
