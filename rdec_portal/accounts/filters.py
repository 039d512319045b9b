from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from rdec_portal.accounts.models import Agency
from rdec_portal.api import StrictBooleanFilter


class AgencyFilter(filters.FilterSet):
    # By code, as clients know agencies; an unknown code is a 400 rather than an empty list.
    parent = filters.ModelChoiceFilter(
        field_name="parent",
        to_field_name="code",
        queryset=Agency.objects.all(),
        label=_("Parent agency code"),
    )
    is_active = StrictBooleanFilter(label=_("Active"))
    q = filters.CharFilter(method="search", label=_("Search code and names"))

    class Meta:
        model = Agency
        fields = ["kind", "is_active", "parent"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(short_name__icontains=value)
        )
