"""Read-only API: /api/v1/performance/metrics/ (the MonthlyMetric rows the user may see) and
/api/v1/performance/metric-definitions/ (the registered metrics)."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from rdec_portal.accounts.roles import Line
from rdec_portal.api import IsPortalStaff, PagePagination, router
from rdec_portal.performance import registry, selectors
from rdec_portal.performance.forms import MonthField
from rdec_portal.performance.models import MonthlyMetric
from rdec_portal.performance.months import iso_month


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.Filter):
    """A month as text (2026-10 or 115/10), not the date the model column holds."""

    field_class = MonthField


class MonthlyMetricFilter(django_filters.FilterSet):
    month = MonthFilter(field_name="month", help_text="A month: 2026-10 or ROC 115/10.")
    month_from = MonthFilter(field_name="month", lookup_expr="gte", help_text="From this month.")
    month_to = MonthFilter(field_name="month", lookup_expr="lte", help_text="To this month.")
    agency = django_filters.CharFilter(field_name="agency__code", help_text="Agency code.")
    line = django_filters.ChoiceFilter(choices=Line.choices)
    code = django_filters.CharFilter(field_name="code", help_text="Metric code.")

    class Meta:
        model = MonthlyMetric
        fields = ["month", "month_from", "month_to", "agency", "line", "code"]


class MonthlyMetricSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField(help_text="ISO 8601 year and month, e.g. 2026-10.")
    agency = serializers.CharField(source="agency.code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = MonthlyMetric
        fields = [
            "id",
            "month",
            "agency",
            "agency_name",
            "line",
            "code",
            "value",
            "numerator",
            "denominator",
            "computed_at",
        ]
        read_only_fields = fields

    def get_month(self, obj) -> str:
        return iso_month(obj.month)


class MonthlyMetricViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MonthlyMetricSerializer
    permission_classes = [IsPortalStaff]
    filterset_class = MonthlyMetricFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["month", "agency__code", "code", "value"]
    ordering = ["-month", "code", "agency__code"]
    pagination_class = PagePagination

    def get_queryset(self):
        return selectors.monthly_metrics_for(self.request.user)


class MetricDefinitionSerializer(serializers.Serializer):
    code = serializers.CharField()
    line = serializers.ChoiceField(choices=Line.choices)
    label = serializers.CharField()
    description = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.ChoiceField(choices=registry.Direction.choices)
    kind = serializers.ChoiceField(choices=registry.Kind.choices)
    scale = serializers.DecimalField(max_digits=16, decimal_places=4)
    target = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    min_count = serializers.IntegerField()


class MetricDefinitionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The registered metrics, so a client can label and judge the figures it reads."""

    serializer_class = MetricDefinitionSerializer
    permission_classes = [IsPortalStaff]
    pagination_class = None
    filter_backends = []

    @extend_schema(responses=MetricDefinitionSerializer(many=True))
    def list(self, request, *args, **kwargs):
        serializer = self.get_serializer(registry.metrics(), many=True)
        return Response(serializer.data)


router.register("performance/metrics", MonthlyMetricViewSet, basename="performance-metric")
router.register(
    "performance/metric-definitions",
    MetricDefinitionViewSet,
    basename="performance-metric-definition",
)
