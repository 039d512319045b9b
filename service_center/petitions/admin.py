from django import forms
from django.contrib import admin

from rdec_portal.admin_helpers import ReadOnlyAdmin
from service_center.petitions.models import (
    Attachment,
    Category,
    Petition,
    PetitionEvent,
    PetitionRequest,
    SurveyAnswer,
)
from service_center.petitions.questions import validate_schema


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "topic",
            "code",
            "name_zh",
            "name_en",
            "hint_zh",
            "hint_en",
            "agency",
            "limit_working_days",
            "limit_hours",
            "is_dispatch",
            "nearby_radius_m",
            "questions",
            "is_active",
            "sort_order",
        ]

    def clean_questions(self):
        questions = self.cleaned_data["questions"]
        validate_schema(questions)
        return questions


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = [
        "code",
        "name_zh",
        "topic",
        "agency",
        "limit_working_days",
        "limit_hours",
        "is_dispatch",
        "is_active",
    ]
    list_filter = ["topic", "is_dispatch", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["agency"]
    raw_id_fields = ["agency"]


class EventInline(admin.TabularInline):
    model = PetitionEvent
    fields = ["created_at", "kind", "is_public", "actor", "agency", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "sha256", "is_public"]
    readonly_fields = ["original_name", "content_type", "size", "sha256"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdmin):
    """A read-only view for administrators. Workflow steps happen on the staff pages, through the
    services, and the petitioner's personal data is left out: its views are audited there."""

    list_display = [
        "number",
        "status",
        "channel",
        "category",
        "lead_agency",
        "received_at",
        "due_at",
    ]
    list_filter = ["status", "channel", "category__topic"]
    search_fields = ["number", "subject"]
    list_select_related = ["category", "lead_agency"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    fields = [
        "number",
        "channel",
        "status",
        "category",
        "lead_agency",
        "supporting_agencies",
        "assignee",
        "district",
        "subject",
        "description",
        "address",
        "latitude",
        "longitude",
        "answers",
        "is_confidential",
        "is_anonymous",
        "received_at",
        "confirmed_at",
        "assigned_at",
        "due_at",
        "replied_at",
        "closed_at",
        "reply",
        "not_handled_reason",
        "merged_into",
    ]
    readonly_fields = fields
    inlines = [EventInline, AttachmentInline]


@admin.register(PetitionRequest)
class PetitionRequestAdmin(admin.ModelAdmin):
    list_display = ["petition", "kind", "state", "requested_by", "requested_at"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["petition", "proposed_agency", "requested_by", "decided_by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(admin.ModelAdmin):
    list_display = ["petition", "outcome", "service", "answered_at"]
    list_filter = ["outcome", "service"]
    raw_id_fields = ["petition"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
