"""`/api/v1/accounts/`: the public agency list and "who am I"."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, permissions, serializers, throttling

from rdec_portal.accounts import roles
from rdec_portal.accounts.authentication import ApiTokenAuthentication, SessionAuthentication
from rdec_portal.accounts.filters import AgencyFilter
from rdec_portal.accounts.models import Agency, User
from rdec_portal.accounts.selectors import agency_list, user_profile
from rdec_portal.api import IsPortalStaff, PortalGenericViewSet, SingletonViewSet, router


class AgencySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Agency
        fields = ["code", "name_zh", "name_en", "short_name", "kind", "parent", "is_active"]


class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalGenericViewSet):
    """Every agency of the city government. Public: other systems map their codes to ours."""

    serializer_class = AgencySerializer
    permission_classes = [permissions.AllowAny]
    throttle_classes = [throttling.AnonRateThrottle, throttling.UserRateThrottle]
    lookup_field = "code"
    filterset_class = AgencyFilter
    ordering_fields = ["code", "name_zh", "name_en", "kind", "sort_order"]
    ordering = ["kind", "sort_order", "code"]

    def get_queryset(self):
        return agency_list()


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name_zh", "name_en"]


class RoleSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name")
    agency = AgencyBriefSerializer(allow_null=True)
    roles = serializers.SerializerMethodField()
    is_read_only = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "agency", "roles", "is_read_only"]

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, user) -> list[dict]:
        names = roles.role_names(user)
        return [
            {"code": code, "label": str(label)}
            for code, label in roles.ROLE_LABELS.items()
            if code in names
        ]

    def get_is_read_only(self, user) -> bool:
        return roles.is_read_only(user)


class MeViewSet(SingletonViewSet):
    """The signed-in user: name, home agency and roles."""

    # A user whose roles were all removed is refused, as on the portal's own pages.
    permission_classes = [IsPortalStaff]
    serializer_class = MeSerializer

    def get_object(self):
        profile = user_profile(user=self.request.user)
        # The permission check has read the role names: the answer reuses them.
        profile._role_names = roles.role_names(self.request.user)
        return profile


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token created in the portal. Send it as "
            "`Authorization: Bearer <key>` or `Authorization: Token <key>`.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


router.register("accounts/agencies", AgencyViewSet, basename="accounts-agency")
router.register("accounts/me", MeViewSet, basename="accounts-me")
