"""1999 hotline volumes: the call types, each monthly import and its counts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rdec_portal.localise import localised


class HotlineCallType(models.Model):
    """A category of 1999 call as the call-centre system counts it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hotline call type")
        verbose_name_plural = _("hotline call types")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")


class HotlineImport(models.Model):
    """One upload of the call centre's monthly CSV: who, when, which file and months."""

    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    months = models.JSONField(_("months"), default=list)
    row_count = models.PositiveIntegerField(_("rows"))
    total_calls = models.PositiveBigIntegerField(_("calls"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("hotline import")
        verbose_name_plural = _("hotline imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({', '.join(self.months)})"


class HotlineVolume(models.Model):
    """The number of 1999 calls of one type in one month."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    call_type = models.ForeignKey(
        HotlineCallType,
        verbose_name=_("call type"),
        on_delete=models.PROTECT,
        related_name="volumes",
    )
    count = models.PositiveIntegerField(_("calls"))
    source = models.ForeignKey(
        HotlineImport,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volumes",
    )

    class Meta:
        verbose_name = _("hotline volume")
        verbose_name_plural = _("hotline volumes")
        ordering = ["month", "call_type__sort_order"]
        constraints = [
            # One figure per month and type: a re-import replaces it, never adds a second.
            models.UniqueConstraint(fields=["month", "call_type"], name="sc_hotline_month_type"),
            # A month is stored as its first day, as the performance tables store it.
            models.CheckConstraint(condition=Q(month__day=1), name="sc_hotline_first_of_month"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.call_type_id}={self.count}"
