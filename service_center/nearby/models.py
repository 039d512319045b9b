"""Followers: citizens who said "me too" to an open case nearby."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from service_center.petitions.models import Petition


class PetitionFollower(models.Model):
    """A citizen who said "me too" to an open case instead of filing it again (services.py).

    The email, if given, is personal data like the petitioner's: never on a public page or in
    the admin. It gets the case's updates (reply, closure) once its owner confirms it through
    the emailed link, which also stops them; only a hash of the link's token is stored.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hant")
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    confirmed_at = models.DateTimeField(_("updates confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("petition follower")
        verbose_name_plural = _("petition followers")
        ordering = ["created_at", "id"]
        constraints = [
            # "Me too" twice with one address counts once (the service lower-cases it).
            models.UniqueConstraint(
                fields=["petition", "email"],
                condition=~Q(email=""),
                name="sc_follower_once_per_email",
            ),
            # An address always has its link token, and only an address can be confirmed.
            models.CheckConstraint(
                condition=Q(email="", token_hash__isnull=True, confirmed_at__isnull=True)
                | (~Q(email="") & Q(token_hash__isnull=False)),
                name="sc_follower_token_with_email",
            ),
        ]

    def __str__(self):
        return f"{self.petition_id} #{self.pk}"
