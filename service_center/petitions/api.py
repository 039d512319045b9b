"""`/api/v1/service-center/petitions/`: the staff API. Workflow steps are POST actions that call
the same services as the pages; the list is scoped like the work queue and cursor-paginated."""

from datetime import timedelta

from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from rdec_portal.accounts.models import Agency, User
from rdec_portal.api import (
    CursorPagination,
    IsPortalStaff,
    PortalGenericViewSet,
    ROCDateField,
    ROCDateFilter,
    StrictBooleanFilter,
    router,
)
from rdec_portal.workflow.audit import audit_personal_data_view
from service_center.petitions import permissions, selectors, services, steps
from service_center.petitions.models import (
    ADDRESS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    OPEN_STATUSES,
    PHONE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    Category,
    Channel,
    NotHandledReason,
    Petition,
    PetitionEvent,
    PetitionRequest,
    Status,
)
from service_center.petitions.privacy import PETITIONER_FIELDS, petition_mask

# ---- output ------------------------------------------------------------------------------------


class PetitionSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # Null until the case is assigned / when no district is known: the schema says so.
    lead_agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Petition
        fields = [
            "id",
            "number",
            "status",
            "channel",
            "category",
            "lead_agency",
            "assignee",
            "district",
            "subject",
            "received_at",
            "confirmed_at",
            "due_at",
            "replied_at",
            "closed_at",
            "is_overdue",
            "is_anonymous",
        ]

    def get_is_overdue(self, petition) -> bool:
        return petition.is_overdue(self.context.get("now"))

    def to_representation(self, petition):
        data = super().to_representation(petition)
        request = self.context.get("request")
        # A list row: the subject is masked for who may not see the petitioner.
        if (
            "show_personal" not in self.context
            and request is not None
            and not permissions.can_see_personal_data(request.user, petition)
        ):
            data["subject"] = petition_mask(petition)(data["subject"])
        return data


# What PetitionSerializer prints (and is_overdue reads), for the list's .only().
LIST_FIELDS = [
    *(
        f
        for f in PetitionSerializer.Meta.fields
        if f not in ("category", "lead_agency", "district", "is_overdue")
    ),
    "category__code",
    "lead_agency__code",
    "district__code",
    # Read to mask the subject for who may not see the petitioner.
    *PETITIONER_FIELDS,
]


class EventSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PetitionEvent
        fields = ["kind", "is_public", "actor", "agency", "text", "created_at"]


class PetitionerSerializer(serializers.Serializer):
    name = serializers.CharField(source="petitioner_name")
    email = serializers.CharField(source="petitioner_email")
    phone = serializers.CharField(source="petitioner_phone")
    address = serializers.CharField(source="petitioner_address")


class PetitionDetailSerializer(PetitionSerializer):
    supporting_agencies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    events = serializers.SerializerMethodField()
    petitioner = serializers.SerializerMethodField()
    # A plain code here: the reason's choices are documented once, on the not-handled step.
    not_handled_reason = serializers.CharField(read_only=True)
    allowed_steps = serializers.SerializerMethodField(
        help_text=_(
            "The workflow steps (POST actions) the user may take on the case in its present "
            "state, as the case page offers them."
        )
    )

    class Meta(PetitionSerializer.Meta):
        fields = [
            *PetitionSerializer.Meta.fields,
            "description",
            "address",
            "latitude",
            "longitude",
            "answers",
            "reply",
            "supporting_agencies",
            "is_confidential",
            "merged_into",
            "not_handled_reason",
            "reopen_count",
            "events",
            "petitioner",
            "allowed_steps",
        ]

    def get_allowed_steps(self, petition) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [step.name for step in steps.allowed_steps(request.user, petition)]

    def get_events(self, petition) -> list[dict]:
        return EventSerializer(selectors.case_events(petition), many=True).data

    def get_petitioner(self, petition) -> dict | None:
        """Only for the handling agency and the service centre; the view audits it."""
        if not self.context.get("show_personal"):
            return None
        return PetitionerSerializer(petition).data

    def to_representation(self, petition):
        data = super().to_representation(petition)
        if not self.context.get("show_personal"):
            # Nor the details typed into the free text (supporting agencies, mayor's office).
            mask = petition_mask(petition)
            data["subject"], data["description"] = mask(data["subject"]), mask(data["description"])
        return data


# ---- input -------------------------------------------------------------------------------------


def _agency_field(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.active(), **kwargs
    )


class AssignInput(serializers.Serializer):
    agency = _agency_field()
    supporting = _agency_field(many=True, required=False)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class AcceptInput(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class TextInput(serializers.Serializer):
    text = serializers.CharField(max_length=REPLY_MAX_LENGTH)


class NoteInput(TextInput):
    text = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class TransferInput(serializers.Serializer):
    agency = _agency_field()
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class TransferRequestInput(serializers.Serializer):
    agency = _agency_field(required=False, allow_null=True)
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class NotHandledInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=NotHandledReason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class MergeInput(serializers.Serializer):
    into = serializers.CharField(
        max_length=20, help_text=_("The case number of the case that answers both.")
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NOTE_MAX_LENGTH
    )


class ExtensionInput(serializers.Serializer):
    new_due_on = ROCDateField()
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class RecordInput(serializers.Serializer):
    """A petition recorded by the service centre on a citizen's behalf."""

    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.active())
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH)
    address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ADDRESS_MAX_LENGTH
    )
    latitude = serializers.DecimalField(
        max_digits=12, decimal_places=8, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=12, decimal_places=8, required=False, allow_null=True
    )
    answers = serializers.DictField(required=False, default=dict)
    name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=NAME_MAX_LENGTH
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254)
    phone = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=PHONE_MAX_LENGTH
    )
    postal_address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=ADDRESS_MAX_LENGTH
    )
    has_consented = serializers.BooleanField(default=False)
    is_confidential = serializers.BooleanField(default=False)
    idempotency_key = serializers.CharField(
        required=False, max_length=64, allow_null=True, default=None
    )

    def validate_channel(self, value):
        if value == Channel.WEB:
            raise serializers.ValidationError(_("Web petitions come through the public form."))
        return value


class RecordedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="petition.pk")
    number = serializers.CharField(source="petition.number")
    secret = serializers.CharField(allow_null=True, help_text=_("Shown once: tell the citizen."))


# ---- list ----------------------------------------------------------------------------------------


class PetitionFilter(filters.FilterSet):
    # No join behind these, so no duplicates: DISTINCT would sort the whole filtered set
    # (two million rows for the service centre) before taking a page.
    status = filters.MultipleChoiceFilter(choices=Status.choices, distinct=False)
    channel = filters.MultipleChoiceFilter(choices=Channel.choices, distinct=False)
    category = filters.CharFilter(method="filter_code", label=_("Category code"))
    district = filters.CharFilter(method="filter_code", label=_("District code"))
    lead_agency = filters.CharFilter(method="filter_code", label=_("Lead agency code"))
    overdue = StrictBooleanFilter(method="filter_overdue", label=_("Overdue"))
    # Bounded: a huge number would overflow timedelta (a 500), and no deadline is years away.
    due_within = filters.NumberFilter(
        method="filter_due_within", label=_("Due within (days)"), min_value=0, max_value=3650
    )
    received_from = ROCDateFilter(method="filter_received", label=_("Received from"))
    received_to = ROCDateFilter(method="filter_received", label=_("Received to"))
    q = filters.CharFilter(method="filter_q", label=_("Search number or text"))

    class Meta:
        model = Petition
        fields = ["status", "channel", "category", "district", "lead_agency"]

    def filter_overdue(self, queryset, name, value):
        late = queryset.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
        return late if value else queryset.exclude(pk__in=late.values("pk"))

    def filter_due_within(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(
            status__in=OPEN_STATUSES, due_at__gte=now, due_at__lt=now + timedelta(days=int(value))
        )

    def filter_code(self, queryset, name, value):
        # The code's id as a value (a subquery run once), not a join: the planner then walks
        # the (field, received_at) index in order instead of sorting every matching case.
        model = Category if name == "category" else Agency
        pk = Subquery(model.objects.filter(code=value).order_by().values("pk")[:1])
        return queryset.filter(**{f"{name}_id": pk})

    def filter_received(self, queryset, name, value):
        # Local days as a range on received_at itself, which its indexes serve; a __date lookup
        # converts every row's time first and reads the whole table.
        days = selectors.QueueFilters(**{name: value})
        return selectors.filter_queue(queryset, days, now=timezone.now()).order_by()

    def filter_q(self, queryset, name, value):
        return selectors.filter_queue(
            queryset, selectors.QueueFilters(q=value), now=timezone.now()
        ).order_by()


class PetitionPagination(CursorPagination):
    ordering = ("-received_at", "-id")


# The input each step of the table (steps.py) reads in the API.
STEPS = {
    "assign": AssignInput,
    "accept": AcceptInput,
    "reply": TextInput,
    "close": None,
    "note": NoteInput,
    "transfer": TransferInput,
    "transfer-request": TransferRequestInput,
    "not-handled": NotHandledInput,
    "merge": MergeInput,
    "extension": ExtensionInput,
}


ACTION_NAMES = [
    *(name.replace("-", "_") for name in STEPS),
    "extension_decision",
    "transfer_decision",
]


def _step_action(name: str):
    """A POST action for one workflow step: `/petitions/{id}/<name>/`."""

    def view(self, request, pk=None):
        return self._step(name)

    view.__name__ = name.replace("-", "_")
    routed = action(detail=True, methods=["post"], url_path=name, url_name=name)(view)
    return extend_schema(request=STEPS[name], responses=PetitionSerializer)(routed)


# ---- deciding extension and transfer requests, bulk assignment ---------------------------------

BULK_MAX = 200


class RequestSerializer(serializers.ModelSerializer):
    proposed_agency = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = PetitionRequest
        fields = [
            "id",
            "kind",
            "state",
            "reason",
            "proposed_due_at",
            "proposed_agency",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class DecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Decline"))]
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH
    )
    request = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "The id of the request you decide, from …/requests/. If given and it is no longer "
            "the one waiting, nothing is decided."
        ),
    )


class BulkAssignInput(serializers.Serializer):
    petitions = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=BULK_MAX
    )
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    def validate_assignee(self, user):
        if user.agency_id is None or user.agency_id != self.context["agency_id"]:
            raise serializers.ValidationError(_("Choose a handler of your own agency."))
        return user


class BulkAssignedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class BulkErrorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    detail = serializers.CharField()


class BulkAssignResultSerializer(serializers.Serializer):
    assigned = BulkAssignedSerializer(many=True)
    errors = BulkErrorSerializer(many=True)


def _decide(viewset, kind: str) -> Response:
    petition = viewset.get_object()
    decision = steps.DECISIONS[kind]
    if not decision.may(viewset.request.user, petition):
        raise exceptions.PermissionDenied(_("You may not decide this request."))
    data = viewset._input(DecisionInput)
    pending = petition.requests.filter(kind=kind, state=PetitionRequest.State.PENDING).first()
    if pending is None or data["request"] not in (None, pending.pk):
        raise exceptions.ValidationError(
            {"request": [_("No such request is waiting for a decision on this case.")]}
        )
    decided = decision.run(
        pending,
        by=viewset.request.user,
        approve=data["decision"] == "approve",
        note=data["note"],
        request=viewset.request,
    )
    return Response(RequestSerializer(decided).data)


def _decision_action(kind: str):
    """`POST /petitions/{id}/<kind>-decision/`: approve or decline the case's pending request
    (a case has at most one of each kind waiting)."""

    def view(self, request, pk=None):
        return _decide(self, kind)

    view.__name__ = f"{kind}_decision"
    routed = action(
        detail=True, methods=["post"], url_path=f"{kind}-decision", url_name=f"{kind}-decision"
    )(view)
    return extend_schema(request=DecisionInput, responses=RequestSerializer)(routed)


def _requests_action():
    """`GET /petitions/{id}/requests/`: the case's extension and transfer requests, newest first."""

    def view(self, request, pk=None):
        petition = self.get_object()
        rows = petition.requests.select_related("proposed_agency").order_by("-requested_at", "-id")
        return Response(RequestSerializer(rows, many=True).data)

    view.__name__ = "case_requests"
    # One case's requests are few: a plain list, not a page.
    routed = action(
        detail=True,
        methods=["get"],
        url_path="requests",
        url_name="requests",
        pagination_class=None,
    )(view)
    # The queue's filters do not apply to one case's requests.
    return extend_schema(request=None, responses=RequestSerializer(many=True), filters=False)(
        routed
    )


def _bulk_assign(request) -> Response:
    """Give cases of the user's agency to one handler, case by case, as the work queue does."""
    agency_id = permissions.bulk_assign_agency_id(request.user)
    if agency_id is None:
        raise exceptions.PermissionDenied(_("Only staff of an agency assign its cases."))
    serializer = BulkAssignInput(data=request.data, context={"agency_id": agency_id})
    serializer.is_valid(raise_exception=True)
    result = services.petitions_bulk_assign(
        petitions=serializer.validated_data["petitions"],
        by=request.user,
        assignee=serializer.validated_data["assignee"],
        request=request,
    )
    return Response(
        {
            "assigned": [{"id": p.pk, "number": p.number} for p in result.assigned],
            "errors": [
                {"id": e.id, "number": e.petition and e.petition.number, "detail": e.detail}
                for e in result.errors
            ],
        }
    )


def _bulk_assign_action():
    """`POST /petitions/bulk-assign/`: a case that cannot be given is listed under `errors`,
    the others are given (200 either way)."""

    def view(self, request):
        return _bulk_assign(request)

    view.__name__ = "bulk_assign"
    routed = action(detail=False, methods=["post"], url_path="bulk-assign", url_name="bulk-assign")(
        view
    )
    return extend_schema(request=BulkAssignInput, responses=BulkAssignResultSerializer)(routed)


# A step the case's state or the people involved do not allow: services.PetitionError, answered
# as a 400 under non_field_errors with one of these codes.
STEP_ERROR_CODES = [
    "bad_status",
    "invalid",
    "required",
    "wrong_agency",
    "same_agency",
    "self",
    "bad_target",
    "pending",
    "decided",
    "no_agency",
]


@extend_validation_errors(
    STEP_ERROR_CODES, field_name="non_field_errors", actions=[*ACTION_NAMES, "create"]
)
@extend_validation_errors(["invalid"], field_name="channel", actions=["create"])
@extend_validation_errors(["invalid"], field_name="assignee", actions=["bulk_assign"])
# The service names the due date it checks (new_due_at), the end of the day new_due_on gives.
@extend_validation_errors(["invalid"], field_name="new_due_at", actions=["extension"])
class PetitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalGenericViewSet):
    """Petitions the user may see: an agency's own and supported cases; all for the service
    centre and the mayor's office. Another agency's case is a 404."""

    permission_classes = [IsPortalStaff]
    pagination_class = PetitionPagination
    filterset_class = PetitionFilter
    ordering_fields = ["received_at", "due_at", "number", "id"]
    ordering = ["-received_at", "-id"]

    def get_queryset(self):
        if self.action == "list":
            # The list gives the handler's id only: no join on the accounts table for 50 rows.
            queue = selectors.queue_base(self.request.user).select_related(None)
            # Only the printed columns: no description (up to 4,000 characters) or personal
            # data read and thrown away fifty times a page.
            return queue.select_related("category", "lead_agency", "district").only(*LIST_FIELDS)
        return selectors.petitions_for(self.request.user)

    def get_serializer_class(self):
        return PetitionDetailSerializer if self.action == "retrieve" else PetitionSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def retrieve(self, request, *args, **kwargs):
        petition = self.get_object()
        show = permissions.can_see_personal_data(request.user, petition)
        if show:
            audit_personal_data_view(
                actor=request.user, obj=petition, fields=PETITIONER_FIELDS, request=request
            )
        context = {**self.get_serializer_context(), "show_personal": show}
        return Response(PetitionDetailSerializer(petition, context=context).data)

    @extend_schema(request=RecordInput, responses={201: RecordedSerializer})
    def create(self, request):
        if not permissions.is_service_desk(request.user):
            raise exceptions.PermissionDenied(_("Only the service centre records petitions."))
        data = self._input(RecordInput)
        result = services.petition_submit(
            services.PetitionDraft(**data), by=request.user, request=request
        )
        return Response(RecordedSerializer(result).data, status=status.HTTP_201_CREATED)

    def _input(self, serializer_class) -> dict:
        if serializer_class is None:
            return {}
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _step(self, name: str):
        petition = self.get_object()
        step = steps.STEPS[name]
        # Who may: the table's rule. When: the service refuses a step the state does not allow
        # (a 400 `bad_status`), as it always has in the API.
        if not step.may(self.request.user, petition):
            raise exceptions.PermissionDenied(_("You may not take this step on this case."))
        step.run(petition, self._input(STEPS[name]), by=self.request.user, request=self.request)
        petition.refresh_from_db()
        return Response(PetitionSerializer(petition, context=self.get_serializer_context()).data)

    assign = _step_action("assign")
    accept = _step_action("accept")
    reply = _step_action("reply")
    close = _step_action("close")
    note = _step_action("note")
    transfer = _step_action("transfer")
    transfer_request = _step_action("transfer-request")
    not_handled = _step_action("not-handled")
    merge = _step_action("merge")
    extension = _step_action("extension")
    extension_decision = _decision_action(PetitionRequest.Kind.EXTENSION)
    transfer_decision = _decision_action(PetitionRequest.Kind.TRANSFER)
    case_requests = _requests_action()
    bulk_assign = _bulk_assign_action()


router.register("service-center/petitions", PetitionViewSet, basename="service-center-petition")
