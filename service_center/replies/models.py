"""Reply templates: starting texts for the reply to a citizen."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from service_center.petitions.models import DESCRIPTION_MAX_LENGTH, Category


class ReplyTemplate(models.Model):
    """A starting text for the reply to a citizen; the handler edits it before sending.

    An agency's supervisors keep their agency's templates; the service centre keeps the
    city-wide ones (no agency). Placeholders such as {number} are filled from the case.
    """

    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petition_reply_templates",
        help_text=_("Empty: a city-wide template from the service centre."),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reply_templates",
        help_text=_("Offered only for cases of this category; empty: for every category."),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.CharField(_("text"), max_length=DESCRIPTION_MAX_LENGTH)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["title", "id"]
        indexes = [
            # The picker on the case page and the list page: an agency's active templates.
            models.Index(fields=["agency", "is_active"], name="sc_replytemplate_agency"),
        ]
        constraints = [
            # A title names one template in the picker: unique within an agency ...
            models.UniqueConstraint(
                fields=["agency", "title"],
                condition=Q(agency__isnull=False),
                name="sc_replytemplate_agency_title",
            ),
            # ... and among the city-wide ones (NULL agencies would not collide above).
            models.UniqueConstraint(
                fields=["title"],
                condition=Q(agency__isnull=True),
                name="sc_replytemplate_citywide_title",
            ),
        ]

    def __str__(self):
        return self.title
