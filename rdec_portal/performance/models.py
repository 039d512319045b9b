from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rdec_portal.accounts.roles import Line


class MonthlyMetric(models.Model):
    """One metric value for one agency, business line and month. The dashboard reads only this."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    line = models.CharField(_("business line"), max_length=20, choices=Line.choices)
    code = models.CharField(_("metric"), max_length=64)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    numerator = models.DecimalField(
        _("numerator"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("monthly metric")
        verbose_name_plural = _("monthly metrics")
        constraints = [
            # The rollup upserts on this key, so running it twice leaves one row.
            models.UniqueConstraint(
                fields=["month", "agency", "line", "code"], name="performance_metric_unique"
            ),
            # A month is stored as its first day; any other day would split one month in two.
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="performance_metric_first_of_month"
            ),
        ]
        indexes = [
            # The dashboard: one metric over 12 months, across agencies.
            models.Index(fields=["code", "month"], name="performance_metric_code_month"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.agency_id} {self.code}={self.value}"


class ClosedMonth(models.Model):
    """A month the mayor's office has received: the rollup no longer changes its figures."""

    month = models.DateField(_("month"), unique=True)
    closed_at = models.DateTimeField(_("closed"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        constraints = [
            # The same first-of-month key as MonthlyMetric, so the closed check matches exactly.
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="performance_closedmonth_first_of_month"
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class RollupStamp(models.Model):
    """One row, rewritten by every rollup in its transaction: the key under which the dashboard
    caches what it built from the figures, so a committed rollup is seen at once."""

    token = models.UUIDField(_("token"))
    written_at = models.DateTimeField(_("written"), auto_now=True)

    class Meta:
        verbose_name = _("rollup stamp")
        verbose_name_plural = _("rollup stamps")

    def __str__(self):
        return f"{self.token} {self.written_at:%Y-%m-%d %H:%M}"
