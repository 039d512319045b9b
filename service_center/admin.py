from django import forms
from django.contrib import admin

from rdec_portal.workflow.admin import AuditedModelAdmin
from service_center.models import (
    Attachment,
    Category,
    HotlineCallType,
    HotlineImport,
    HotlineVolume,
    Lawyer,
    LegalBooking,
    LegalConsultation,
    LegalSession,
    LegalSlot,
    LegalVenue,
    Petition,
    PetitionEvent,
    PetitionRequest,
    ReplyTemplate,
    SurveyAnswer,
)
from service_center.questions import validate_schema
from service_center.reply_templates import check_placeholders


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
class PetitionAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


# --- legal consultation and hotline volumes ------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rota, slots, bookings, records and volumes change on the staff pages, through the services
    (which withdraw slots, check the state and audit); the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalVenue)
class LegalVenueAdmin(AuditedModelAdmin):
    list_display = ["code", "name_zh", "agency", "sort_order", "is_active"]
    list_select_related = ["agency"]
    raw_id_fields = ["agency"]

    def has_delete_permission(self, request, obj=None):
        # Switch a venue off instead: its slots and bookings point at it.
        return False


@admin.register(Lawyer)
class LawyerAdmin(AuditedModelAdmin):
    list_display = ["name", "bar_number", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "bar_number"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegalSession)
class LegalSessionAdmin(ReadOnlyAdmin):
    list_display = ["venue", "kind", "weekday", "on_date", "start_time", "end_time", "lawyer"]
    list_filter = ["venue", "kind", "is_active"]
    list_select_related = ["venue", "lawyer"]


@admin.register(LegalSlot)
class LegalSlotAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "venue", "lawyer", "is_withdrawn"]
    list_filter = ["venue", "is_withdrawn"]
    list_select_related = ["venue", "lawyer"]
    date_hierarchy = "starts_at"
    show_full_result_count = False


@admin.register(LegalBooking)
class LegalBookingAdmin(ReadOnlyAdmin):
    """Without the citizen's name and contact: their views are audited on the staff pages."""

    list_display = ["reference", "slot", "status", "channel", "topic", "booked_at"]
    list_filter = ["status", "channel", "topic"]
    search_fields = ["reference"]
    list_select_related = ["slot"]
    fields = ["reference", "slot", "status", "channel", "topic", "booked_by", "booked_at"]
    readonly_fields = fields
    show_full_result_count = False


@admin.register(LegalConsultation)
class LegalConsultationAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "venue", "topic", "lawyer"]
    list_filter = ["venue", "topic"]
    list_select_related = ["venue", "lawyer"]
    fields = ["held_on", "venue", "lawyer", "topic", "booking", "recorded_by"]
    readonly_fields = fields
    date_hierarchy = "held_on"
    show_full_result_count = False


@admin.register(HotlineCallType)
class HotlineCallTypeAdmin(AuditedModelAdmin):
    """New call types are added here before a file that uses them is imported."""

    list_display = ["code", "name_zh", "name_en", "sort_order", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HotlineImport)
class HotlineImportAdmin(ReadOnlyAdmin):
    list_display = ["imported_at", "file_name", "row_count", "total_calls", "imported_by"]
    list_select_related = ["imported_by"]


@admin.register(HotlineVolume)
class HotlineVolumeAdmin(ReadOnlyAdmin):
    list_display = ["month", "call_type", "count"]
    list_filter = ["call_type"]
    list_select_related = ["call_type"]
