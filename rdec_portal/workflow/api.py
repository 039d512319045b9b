"""`/api/v1/workflow/`: the user's own inbox and the working-day calendar."""

from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from rdec_portal.api import (
    CursorPagination,
    IsPortalStaff,
    PortalGenericViewSet,
    ROCDateField,
    ROCDateFilter,
    SingletonViewSet,
    StrictBooleanFilter,
    router,
)
from rdec_portal.workflow import calendar
from rdec_portal.workflow.models import CalendarOverride, Notification
from rdec_portal.workflow.notifications import (
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
)

# ---- Notifications -------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at", "is_read"]

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications changed to read."))


class NotificationFilter(filters.FilterSet):
    is_read = StrictBooleanFilter(field_name="read_at", method="filter_is_read", label=_("Read"))
    created_from = ROCDateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created on or after")
    )
    created_to = ROCDateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created on or before")
    )

    class Meta:
        model = Notification
        fields = ["is_read", "created_from", "created_to"]

    def filter_is_read(self, queryset, name, value):
        return queryset.filter(read_at__isnull=not value)


class InboxPagination(CursorPagination):
    # An inbox grows for as long as the user works here; a cursor keeps every page cheap.
    ordering = ("-created_at", "-id")


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalGenericViewSet):
    """The signed-in user's own inbox. Another user's notification is a 404."""

    serializer_class = NotificationSerializer
    permission_classes = [IsPortalStaff]
    pagination_class = InboxPagination
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return notifications_for(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], url_path="mark-read")
    def mark_read(self, request, pk=None):
        notification = self.get_object()
        notification_mark_read(notification=notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="mark-all-read")
    def mark_all_read(self, request):
        marked = notifications_mark_all_read(recipient=request.user)
        return Response(MarkedSerializer({"marked": marked}).data)


# ---- Calendar --------------------------------------------------------------------------------

# The holiday data covers these years; a date outside them is a typing mistake, not a question.
FIRST_DAY = date(1912, 1, 1)
LAST_DAY = date(2100, 12, 31)
MAX_DAYS = 1000


class WorkingDaysQuerySerializer(serializers.Serializer):
    start = ROCDateField(help_text=_("Day 0: 2025-01-27 or 114/01/27."))
    days = serializers.IntegerField(
        min_value=0, max_value=MAX_DAYS, help_text=_("How many working days after day 0.")
    )

    def validate_start(self, value):
        if not FIRST_DAY <= value <= LAST_DAY:
            raise serializers.ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
                code="out_of_range",
            )
        return value


class SkippedDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=["weekend", "holiday", "day_off"])
    reason = serializers.CharField(help_text=_("The holiday's name or the day off's reason."))


class WorkingDaysSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    due = serializers.DateField(help_text=_("The working day `days` working days after day 0."))
    skipped = SkippedDaySerializer(many=True, help_text=_("Non-working days from start to due."))


def _skipped(day: calendar.Day) -> dict:
    if day.override_kind:
        return {"date": day.date, "kind": "day_off", "reason": day.override_reason}
    if day.holiday:
        return {"date": day.date, "kind": "holiday", "reason": day.holiday}
    return {"date": day.date, "kind": "weekend", "reason": str(_("Weekend"))}


def skipped_days(start: date, end: date) -> list[dict]:
    """The non-working days from start to end, each with why it is not worked."""
    result = []
    month = date(start.year, start.month, 1)
    while month <= end:
        for day in calendar.month_days(month.year, month.month):
            if start <= day.date <= end and not day.is_working_day:
                result.append(_skipped(day))
        month = (month + timedelta(days=32)).replace(day=1)
    return result


# The query parameters are validated by WorkingDaysQuerySerializer: its codes, in the schema.
@extend_validation_errors(
    [*WorkingDaysQuerySerializer().fields["start"].error_messages, "out_of_range"],
    field_name="start",
    actions=["list"],
)
@extend_validation_errors(
    list(WorkingDaysQuerySerializer().fields["days"].error_messages),
    field_name="days",
    actions=["list"],
)
class WorkingDaysViewSet(SingletonViewSet):
    """Deadline arithmetic as the portal does it: weekends, holidays, 補班 and typhoon days."""

    permission_classes = [IsPortalStaff]
    serializer_class = WorkingDaysSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True, description=_("2025-01-27 or 114/01/27")),
            OpenApiParameter("days", int, required=True, description=_("0 to 1000")),
        ]
    )
    def list(self, request, *args, **kwargs):
        query = WorkingDaysQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, days = query.validated_data["start"], query.validated_data["days"]
        due = calendar.add_working_days(start, days)
        answer = {"start": start, "days": days, "due": due, "skipped": skipped_days(start, due)}
        return Response(self.get_serializer(answer).data)


class CalendarOverrideSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarOverride
        fields = ["date", "kind", "reason"]


class CalendarOverrideFilter(filters.FilterSet):
    date_from = ROCDateFilter(field_name="date", lookup_expr="gte", label=_("On or after"))
    date_to = ROCDateFilter(field_name="date", lookup_expr="lte", label=_("On or before"))

    class Meta:
        model = CalendarOverride
        fields = ["kind", "date_from", "date_to"]


class CalendarOverrideViewSet(mixins.ListModelMixin, PortalGenericViewSet):
    """Make-up workdays and typhoon days off that correct the holiday package."""

    queryset = CalendarOverride.objects.all()
    serializer_class = CalendarOverrideSerializer
    permission_classes = [IsPortalStaff]
    filterset_class = CalendarOverrideFilter
    ordering_fields = ["date"]
    ordering = ["-date"]


router.register("workflow/notifications", NotificationViewSet, basename="workflow-notification")
router.register(
    "workflow/calendar/working-days", WorkingDaysViewSet, basename="workflow-working-days"
)
router.register(
    "workflow/calendar/overrides", CalendarOverrideViewSet, basename="workflow-calendar-override"
)
