from django.contrib import admin
from django.urls import reverse

from rdec_portal.admin_helpers import ReadOnlyAdmin
from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.workflow.models import AuditEntry


def test_a_read_only_admin_lets_a_superuser_list_but_not_write(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("admin:performance_monthlymetric_changelist")).status_code == 200
    assert client.get(reverse("admin:performance_monthlymetric_add")).status_code == 403


def test_the_core_uses_the_one_read_only_admin():
    for model in (MonthlyMetric, AuditEntry):
        assert isinstance(admin.site._registry[model], ReadOnlyAdmin)
