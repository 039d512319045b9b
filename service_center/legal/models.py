"""Legal consultation: venues, volunteer lawyers, the rota's sessions, slots, bookings and records."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rdec_portal.localise import localised


class ConsultationTopic(models.TextChoices):
    """The fixed list the monthly report counts consultations by."""

    FAMILY = "family", _("Family and marriage")
    INHERITANCE = "inheritance", _("Inheritance")
    LABOUR = "labour", _("Labour and employment")
    TENANCY = "tenancy", _("Tenancy")
    CONSUMER = "consumer", _("Consumer disputes")
    TRAFFIC_ACCIDENT = "traffic_accident", _("Traffic accidents")
    CRIMINAL = "criminal", _("Criminal matters")
    PROPERTY = "property", _("Land and property")
    DEBT = "debt", _("Debts and loans")
    OTHER = "other", _("Other")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class LegalVenue(models.Model):
    """Where volunteer lawyers give free consultations: the service centre or a district office.

    The venue's agency scopes it: a district office's staff see their own venue only."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    address = models.CharField(_("address"), max_length=200, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="legal_venues",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("legal consultation venue")
        verbose_name_plural = _("legal consultation venues")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")


class Lawyer(models.Model):
    """A volunteer lawyer. Bar number and contact details are personal data: staff pages only."""

    name = models.CharField(_("name"), max_length=100)
    bar_number = models.CharField(
        _("bar certificate number"),
        max_length=40,
        unique=True,
        help_text=_("As on the lawyer's certificate, e.g. (107)台檢證字第12345號."),
    )
    specialities = models.JSONField(
        _("specialities"), default=list, blank=True, help_text=_("Consultation topic codes.")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("volunteer lawyer")
        verbose_name_plural = _("volunteer lawyers")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def speciality_labels(self) -> list[str]:
        labels = dict(ConsultationTopic.choices)
        return [str(labels[code]) for code in self.specialities if code in labels]


class LegalSession(models.Model):
    """One line of the rota: a weekly session (Tuesdays 14:00–17:00) or a single dated one."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        DATED = "dated", _("On one date")

    venue = models.ForeignKey(
        LegalVenue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="sessions"
    )
    lawyer = models.ForeignKey(
        Lawyer,
        verbose_name=_("lawyer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    kind = models.CharField(_("repeats"), max_length=10, choices=Kind.choices)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    on_date = models.DateField(_("date"), null=True, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_until = models.DateField(_("until"), null=True, blank=True)
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per consultation"), default=20)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rota session")
        verbose_name_plural = _("rota sessions")
        ordering = ["venue", "kind", "weekday", "on_date", "start_time", "id"]
        indexes = [
            # Slot generation reads the active sessions.
            models.Index(fields=["is_active", "venue"], name="sc_legalsession_active"),
        ]
        constraints = [
            # A weekly session names its weekday, a dated one its date; never both.
            models.CheckConstraint(
                condition=Q(kind="weekly", weekday__isnull=False, on_date__isnull=True)
                | Q(kind="dated", weekday__isnull=True, on_date__isnull=False),
                name="sc_legalsession_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__gte=0, weekday__lte=6),
                name="sc_legalsession_weekday_range",
            ),
            # A session ends after it starts (no session runs past midnight).
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="sc_legalsession_ends_after_start",
            ),
            # Slots shorter than 10 minutes or longer than 3 hours are typing mistakes.
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=10, slot_minutes__lte=180),
                name="sc_legalsession_slot_minutes",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="sc_legalsession_valid_range",
            ),
        ]

    def __str__(self):
        when = self.on_date.isoformat() if self.on_date else self.get_weekday_display()
        return f"{self.venue_id} {when} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class LegalSlot(models.Model):
    """One bookable consultation generated from a session: one citizen, one lawyer, one time."""

    session = models.ForeignKey(
        LegalSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="slots"
    )
    # Copied from the session, so scoping and the day's list read it without a join.
    venue = models.ForeignKey(
        LegalVenue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="slots"
    )
    lawyer = models.ForeignKey(
        Lawyer,
        verbose_name=_("lawyer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slots",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_withdrawn = models.BooleanField(_("withdrawn"), default=False)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation slot")
        verbose_name_plural = _("consultation slots")
        ordering = ["starts_at", "id"]
        indexes = [
            # The day's list per venue and the free slots of the coming weeks.
            models.Index(fields=["venue", "starts_at"], name="sc_legalslot_venue_time"),
            models.Index(fields=["starts_at"], name="sc_legalslot_time"),
        ]
        constraints = [
            # Generating the same range twice creates no second slot.
            models.UniqueConstraint(fields=["session", "starts_at"], name="sc_legalslot_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="sc_legalslot_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.venue_id} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ATTENDED = "attended", _("Consulted")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")


# A booking in these states holds its slot; a cancelled one frees it.
LIVE_BOOKING_STATUSES = (BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


class BookingChannel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    PHONE = "phone", _("By phone")
    WEB = "web", _("Online")


class LegalBooking(models.Model):
    """A citizen's appointment in a slot. Name, phone and email are personal data: staff of the
    venue and the service centre only, each view audited."""

    reference = models.CharField(_("booking number"), max_length=12, unique=True)
    slot = models.ForeignKey(
        LegalSlot, verbose_name=_("slot"), on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=BookingStatus.choices,
        default=BookingStatus.BOOKED,
        db_index=True,
    )
    channel = models.CharField(_("booked"), max_length=20, choices=BookingChannel.choices)
    citizen_name = models.CharField(_("name"), max_length=100)
    citizen_phone = models.CharField(_("phone"), max_length=30)
    citizen_email = models.EmailField(_("email"), blank=True)
    topic = models.CharField(_("topic"), max_length=20, choices=ConsultationTopic.choices)
    summary = models.CharField(_("the question in a sentence"), max_length=500, blank=True)
    needs = models.CharField(
        _("assistance needed"),
        max_length=200,
        blank=True,
        help_text=_("For example a sign-language or Vietnamese interpreter, or step-free access."),
    )
    has_consented = models.BooleanField(_("consented to the personal-data notice"), default=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("booked at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    # Set when the contact details were removed, some time after the consultation (services.py).
    contact_removed_at = models.DateTimeField(_("contact details removed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultation booking")
        verbose_name_plural = _("consultation bookings")
        ordering = ["-booked_at", "-id"]
        constraints = [
            # One citizen per slot, even when two counters book it at the same moment.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status__in=["booked", "attended", "no_show"]),
                name="sc_legalbooking_one_per_slot",
            ),
            # A cancelled booking says when; a live one has no cancellation time.
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="sc_legalbooking_cancelled_at",
            ),
        ]

    def __str__(self):
        return self.reference


class LegalConsultation(models.Model):
    """What a consultation was about. The topic feeds the monthly counts; the note is staff-only.

    Usually recorded from its booking; a walk-in seen in a free slot has no booking."""

    booking = models.OneToOneField(
        LegalBooking,
        verbose_name=_("booking"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation",
    )
    venue = models.ForeignKey(
        LegalVenue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="consultations"
    )
    lawyer = models.ForeignKey(
        Lawyer,
        verbose_name=_("lawyer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=20, choices=ConsultationTopic.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultation record")
        verbose_name_plural = _("consultation records")
        ordering = ["-held_on", "-id"]
        indexes = [
            # The monthly counts by venue and topic, and the venue agency's monthly metric.
            models.Index(fields=["held_on", "venue", "topic"], name="sc_legalconsult_month"),
        ]

    def __str__(self):
        return f"{self.venue_id} {self.held_on} {self.topic}"
