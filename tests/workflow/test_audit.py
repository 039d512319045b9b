import datetime
import importlib
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from rdec_portal.accounts import roles
from rdec_portal.accounts.models import Agency
from rdec_portal.workflow.admin import AuditedModelAdmin
from rdec_portal.workflow.audit import (
    REDACTED,
    audit_changes,
    audit_history,
    audit_personal_data_view,
    audit_record,
    audit_snapshot,
)
from rdec_portal.workflow.models import AuditEntry

trigger_migration = importlib.import_module(
    "rdec_portal.workflow.migrations.0002_auditentry_append_only_trigger"
)


def test_record_stores_who_what_when_and_address(staff_a, agency_a):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    moment = datetime.datetime(2025, 4, 2, 6, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        entry = audit_record(
            actor=staff_a,
            action=AuditEntry.Action.UPDATE,
            obj=agency_a,
            changes={"short_name": ["", "工務局"]},
            request=request,
        )
    entry.refresh_from_db()
    assert entry.actor == staff_a
    assert entry.actor_repr == str(staff_a)
    assert entry.at == moment
    assert entry.object_id == str(agency_a.pk)
    assert entry.object_repr == str(agency_a)
    assert entry.changes == {"short_name": ["", "工務局"]}
    assert entry.ip_address == "10.1.2.3"


def test_anonymous_actor_is_recorded_without_a_user(db, agency_a):
    from django.contrib.auth.models import AnonymousUser

    entry = audit_record(actor=AnonymousUser(), action=AuditEntry.Action.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.actor_repr == ""
    assert entry.content_type is None


def test_changes_lists_only_fields_that_differ(agency_a):
    before = audit_snapshot(agency_a)
    agency_a.short_name = "工務局"
    agency_a.sort_order = 7
    changes = audit_changes(before, agency_a)
    assert changes == {"short_name": ["", "工務局"], "sort_order": [0, 7]}


def test_changes_for_a_creation_and_a_deletion(agency_a):
    created = audit_changes(None, agency_a, ["code", "kind"])
    deleted = audit_changes(agency_a, None, ["code", "kind"])
    assert created == {"code": [None, "PWB"], "kind": [None, "bureau"]}
    assert deleted == {"code": ["PWB", None], "kind": ["bureau", None]}


def test_changes_record_foreign_keys_by_key_and_dates_as_iso(agency_a, agency_b):
    before = audit_snapshot(agency_a, ["parent", "updated_at"])
    agency_a.parent = agency_b
    agency_a.save()
    changes = audit_changes(before, agency_a, ["parent", "updated_at"])
    assert changes["parent"] == [None, agency_b.pk]
    assert changes["updated_at"][1] == agency_a.updated_at.isoformat()


def test_changes_follow_many_to_many_roles(staff_a):
    before = audit_snapshot(staff_a, ["groups"])
    staff_a.groups.add(Group.objects.get_or_create(name=roles.AGENCY_SUPERVISOR)[0])
    changes = audit_changes(before, staff_a, ["groups"])
    assert changes == {
        "groups": [[roles.AGENCY_STAFF], [roles.AGENCY_STAFF, roles.AGENCY_SUPERVISOR]]
    }


def test_secrets_are_redacted_but_their_change_is_recorded(staff_a):
    before = audit_snapshot(staff_a)
    staff_a.set_password("another-long-password")
    changes = audit_changes(before, staff_a)
    assert changes == {"password": [REDACTED, REDACTED]}
    assert staff_a.password not in str(changes)


def test_default_snapshot_skips_the_automatic_key_and_timestamps(agency_a):
    snapshot = audit_snapshot(agency_a)
    assert not {"id", "created_at", "updated_at"} & set(snapshot)
    assert snapshot["code"] == "PWB"


def test_personal_data_view_records_the_fields_seen(staff_a, colleague_a):
    request = RequestFactory().get("/")
    entry = audit_personal_data_view(
        actor=staff_a, obj=colleague_a, fields=["phone", "email"], request=request
    )
    assert entry.action == AuditEntry.Action.VIEW_PERSONAL_DATA
    assert entry.changes == {"viewed_fields": ["phone", "email"]}
    assert entry.object_id == str(colleague_a.pk)


def test_history_is_the_objects_rows_newest_first(staff_a, agency_a, agency_b):
    start = datetime.datetime(2025, 4, 2, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        first = audit_record(actor=staff_a, action=AuditEntry.Action.CREATE, obj=agency_a)
        audit_record(actor=staff_a, action=AuditEntry.Action.CREATE, obj=agency_b)
        clock.shift(datetime.timedelta(minutes=5))
        second = audit_record(actor=staff_a, action=AuditEntry.Action.UPDATE, obj=agency_a)
    assert list(audit_history(agency_a)) == [second, first]


def test_history_of_an_object_is_one_query(staff_a, agency_a, django_assert_num_queries):
    for _ in range(20):
        audit_record(actor=staff_a, action=AuditEntry.Action.UPDATE, obj=agency_a)
    with django_assert_num_queries(1):
        entries = list(audit_history(agency_a))
        names = {entry.actor.username for entry in entries}
    assert names == {"staff_a"}


def test_model_refuses_to_change_or_delete_a_row(staff_a):
    entry = audit_record(actor=staff_a, action=AuditEntry.Action.LOGIN, obj=staff_a)
    entry.action = AuditEntry.Action.LOGOUT
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditEntry.Action.LOGIN


def _trigger_installed() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'workflow_auditentry_append_only'"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                ["workflow_auditentry_append_only"],
            )
        return cursor.fetchone()[0] == 1


def test_database_refuses_update_and_delete_on_postgresql(staff_a):
    entry = audit_record(actor=staff_a, action=AuditEntry.Action.LOGIN, obj=staff_a)
    if connection.vendor != "postgresql":
        # SQLite is for laptops: the migration must leave it alone rather than fail.
        assert not _trigger_installed()
        return
    assert _trigger_installed()
    for statement in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="logout"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            statement()
    assert AuditEntry.objects.get(pk=entry.pk).action == AuditEntry.Action.LOGIN


class _RecordingEditor:
    def __init__(self, vendor):
        self.connection = SimpleNamespace(vendor=vendor, alias="default", ops=connection.ops)
        self.executed = []

    def execute(self, sql, params=None):
        self.executed.append(sql)


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_trigger_migration_runs_only_on_postgresql(vendor):
    operation = trigger_migration.Migration.operations[0]
    forwards, backwards = _RecordingEditor(vendor), _RecordingEditor(vendor)
    operation.database_forwards("workflow", forwards, None, None)
    operation.database_backwards("workflow", backwards, None, None)
    if vendor == "postgresql":
        assert any("CREATE TRIGGER" in sql for sql in forwards.executed)
        assert any("DROP TRIGGER" in sql for sql in backwards.executed)
    else:
        assert forwards.executed == backwards.executed == []


def test_trigger_migration_reverses_cleanly(staff_a):
    if connection.vendor != "postgresql":
        assert not _trigger_installed()
        return
    operation = trigger_migration.Migration.operations[0]
    entry = audit_record(actor=staff_a, action=AuditEntry.Action.LOGIN, obj=staff_a)
    with transaction.atomic(), connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("workflow", editor, None, None)
        assert not _trigger_installed()
        # Without the trigger a correction is possible again (e.g. to repair a bad import).
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="fixed")
        operation.database_forwards("workflow", editor, None, None)
    assert _trigger_installed()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "fixed"


class _ChildInline(admin.TabularInline):
    model = Agency
    fk_name = "parent"
    fields = ["code", "name_zh", "name_en", "kind"]
    extra = 1


class _AgencyWithChildrenAdmin(AuditedModelAdmin):
    fields = ["code", "name_zh", "name_en", "kind", "sort_order", "is_active"]
    inlines = [_ChildInline]


def _post_with_inlines(user, parent, children, new_child=None, delete=()):
    data = {
        "code": parent.code,
        "name_zh": parent.name_zh,
        "name_en": parent.name_en,
        "kind": parent.kind,
        "sort_order": "0",
        "is_active": "on",
        "children-TOTAL_FORMS": str(len(children) + 1),
        "children-INITIAL_FORMS": str(len(children)),
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "1000",
    }
    for index, child in enumerate(children):
        prefix = f"children-{index}-"
        data |= {
            f"{prefix}id": str(child.pk),
            f"{prefix}parent": str(parent.pk),
            f"{prefix}code": child.code,
            f"{prefix}name_zh": child.name_zh,
            f"{prefix}name_en": child.name_en,
            f"{prefix}kind": child.kind,
        }
        if child in delete:
            data[f"{prefix}DELETE"] = "on"
    last = f"children-{len(children)}-"
    data |= {f"{last}parent": str(parent.pk)}
    if new_child:
        data |= {f"{last}{field}": value for field, value in new_child.items()}
    request = RequestFactory().post("/", data)
    request.user = user
    request._dont_enforce_csrf_checks = True
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = _AgencyWithChildrenAdmin(Agency, admin.site)
    return model_admin.changeform_view(request, str(parent.pk))


def test_admin_mixin_audits_inline_rows_added_changed_and_deleted(administrator, agency_a):
    kept = Agency.objects.create(
        code="C1", name_zh="一科", name_en="One", parent=agency_a, kind="bureau"
    )
    dropped = Agency.objects.create(
        code="C2", name_zh="二科", name_en="Two", parent=agency_a, kind="bureau"
    )
    kept.name_en = "Section One"
    response = _post_with_inlines(
        administrator,
        agency_a,
        [kept, dropped],
        new_child={"code": "C3", "name_zh": "三科", "name_en": "Three", "kind": "bureau"},
        delete=[dropped],
    )
    assert response.status_code == 302
    created = AuditEntry.objects.filter(action="create").get()
    assert created.changes["code"] == [None, "C3"]
    updates = AuditEntry.objects.filter(action="update", object_id=str(kept.pk)).get()
    assert updates.changes == {"name_en": ["One", "Section One"]}
    deleted = AuditEntry.objects.filter(action="delete").get()
    assert deleted.object_id == str(dropped.pk) and deleted.changes["code"] == ["C2", None]
    # And the parent itself, unchanged, still gets its row: an admin save is a staff write.
    assert AuditEntry.objects.filter(action="update", object_id=str(agency_a.pk)).exists()
    assert not Agency.objects.filter(code="C2").exists()
