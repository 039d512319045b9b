from django import forms
from django.contrib import admin

from rdec_portal.workflow.admin import AuditedModelAdmin
from service_center.replies.models import ReplyTemplate
from service_center.replies.services import check_placeholders


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["agency", "category", "title", "body", "is_active"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        check_placeholders(body)
        return body


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(AuditedModelAdmin):
    """Staff keep templates on the staff pages; the admin is for administrators' corrections."""

    form = ReplyTemplateForm
    list_display = ["title", "agency", "category", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["title", "body"]
    list_select_related = ["agency", "category"]
    raw_id_fields = ["agency", "category"]

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: the audit log keeps referring to the template.
        return False
