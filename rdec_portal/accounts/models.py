import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rdec_portal.localise import localised


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Agency(models.Model):
    """A Kaohsiung City Government agency: a first-level bureau, a district office or an enterprise."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("Bureau or commission (局處)")
        DISTRICT = "district", _("District office (區公所)")
        ENTERPRISE = "enterprise", _("Public enterprise (事業機構)")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    pcc_code = models.CharField(
        _("PCC agency code"),
        max_length=20,
        blank=True,
        help_text=_(
            "The agency's code in the Public Construction Commission tender system (wkut)."
        ),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["kind", "sort_order", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the language of the current request."""
        return localised(self, "name")


class User(AbstractUser):
    """A staff account. Citizens never log in; they track petitions with a case number and secret."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("home agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # The monthly "active staff per agency" metric and agency user lists filter on these.
            models.Index(fields=["agency", "is_active"], name="accounts_user_agency_active"),
        ]

    def __str__(self):
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    def get_full_name(self):
        # Chinese names read family name first, without a space.
        return f"{self.last_name}{self.first_name}".strip()


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the key is shown once, on creation."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(key: str) -> str:
        return _hash_key(key)

    def revoke(self, *, when=None) -> None:
        self.revoked_at = when or timezone.now()
        self.save(update_fields=["revoked_at"])
