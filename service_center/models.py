"""Petitions from every channel: the categories that route them and the case record itself.

The petitioner's personal data lives in the Petition row (one place to protect and audit), but
public pages and public APIs read only the fields listed in PUBLIC_FIELDS.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rdec_portal.localise import localised

# Kaohsiung's land area (the 38 districts). Dongsha and Taiping islands, administered by Qijin
# district, are far outside it and are not reported through this portal.
KAOHSIUNG_BBOX = {
    "lat_min": Decimal("22.40"),
    "lat_max": Decimal("23.50"),
    "lon_min": Decimal("120.15"),
    "lon_max": Decimal("121.05"),
}
DESCRIPTION_MAX_LENGTH = 4000


class Topic(models.TextChoices):
    """The groups the public form shows categories under."""

    ROADS = "roads", _("Roads, sidewalks and street lights")
    WATER = "water", _("Drains and flooding")
    TRAFFIC = "traffic", _("Traffic and transport")
    ENVIRONMENT = "environment", _("Environment, cleaning and pollution")
    PARKS = "parks", _("Parks and trees")
    SAFETY = "safety", _("Police and fire safety")
    BUILDING = "building", _("Buildings and land")
    ANIMALS = "animals", _("Animal protection")
    HEALTH = "health", _("Health and food safety")
    SOCIAL = "social", _("Welfare, labour and education")
    CITY = "city", _("City services and suggestions")


class CategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Category(models.Model):
    """A kind of petition, routed to the agency responsible for it, with its handling limit."""

    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, db_index=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=200)
    hint_zh = models.CharField(_("hint (Chinese)"), max_length=300, blank=True)
    hint_en = models.CharField(_("hint (English)"), max_length=300, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("responsible agency"),
        on_delete=models.PROTECT,
        related_name="petition_categories",
    )
    limit_working_days = models.PositiveSmallIntegerField(
        _("handling limit (working days)"), null=True, blank=True
    )
    limit_hours = models.PositiveSmallIntegerField(
        _("handling limit (calendar hours)"),
        null=True,
        blank=True,
        help_text=_("For dispatch hazards: the report-back clock in calendar hours."),
    )
    is_dispatch = models.BooleanField(_("dispatch case"), default=False)
    nearby_radius_m = models.PositiveIntegerField(
        _("nearby radius (metres)"),
        default=0,
        help_text=_("Open cases of this category within this distance are offered as duplicates."),
    )
    questions = models.JSONField(
        _("extra questions"),
        default=list,
        blank=True,
        help_text=_("Open311-style attributes: code, datatype, required, order, text, values."),
    )
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition category")
        verbose_name_plural = _("petition categories")
        ordering = ["topic", "sort_order", "code"]
        constraints = [
            # Exactly one clock: working days, or calendar hours for dispatch hazards.
            models.CheckConstraint(
                condition=(Q(limit_working_days__isnull=False) & Q(limit_hours__isnull=True))
                | (Q(limit_working_days__isnull=True) & Q(limit_hours__isnull=False)),
                name="sc_category_one_limit",
            ),
            # Dispatch cases run on the 24-hour report-back clock, never on working days.
            models.CheckConstraint(
                condition=Q(is_dispatch=False) | Q(limit_hours__isnull=False),
                name="sc_category_dispatch_hours",
            ),
            # The Executive Yuan points cap any petition handling limit at 30 days.
            models.CheckConstraint(
                condition=Q(limit_working_days__isnull=True)
                | Q(limit_working_days__gte=1, limit_working_days__lte=30),
                name="sc_category_limit_days_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def hint(self) -> str:
        return localised(self, "hint")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    COUNTER = "counter", _("Service counter")
    PHONE_1999 = "phone_1999", _("1999 hotline")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    APP = "app", _("Mobile app")
    API = "api", _("API")
    MAYOR_MAILBOX = "mayor_mailbox", _("Mayor's mailbox")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received, awaiting confirmation")
    VERIFIED = "verified", _("Confirmed, awaiting assignment")
    ASSIGNED = "assigned", _("Assigned to an agency")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    NOT_HANDLED = "not_handled", _("Not handled")
    MERGED = "merged", _("Merged into another case")
    # A web petition whose sender never confirmed it within the link's 3 days: never processed.
    EXPIRED = "expired", _("Expired: never confirmed")


# The agency still owes the citizen an answer in these states; the deadline runs.
OPEN_STATUSES = (Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS)
# An agency works the case in these states.
AGENCY_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)
FINAL_STATUSES = (Status.CLOSED, Status.NOT_HANDLED, Status.MERGED, Status.EXPIRED)
# Cases a citizen may still say "me too" to (nearby.py): confirmed and not finished. A replied
# case counts: a dispatch fix is settled only when the citizen confirms it.
FOLLOWABLE_STATUSES = (Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REPLIED)


class NotHandledReason(models.TextChoices):
    """Administrative Procedure Act art. 173 and the Executive Yuan points, pt 14."""

    NO_CONTENT = "no_content", _("No concrete content")
    NO_IDENTITY = "no_identity", _("No real name or contact details")
    REPEAT = "repeat", _("Repeats a matter already properly answered")
    MULTI_SENT = "multi_sent", _("Sent to several agencies; another agency is competent")


class PetitionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())


class Petition(models.Model):
    """One petition (陳情) from any channel, from receipt to closing."""

    number = models.CharField(_("case number"), max_length=20, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    idempotency_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="petitions"
    )
    lead_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("lead agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions_led",
    )
    supporting_agencies = models.ManyToManyField(
        "accounts.Agency",
        verbose_name=_("supporting agencies"),
        blank=True,
        related_name="petitions_supported",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="petitions_handled",
    )
    district = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"kind": "district"},
        related_name="petitions_in_district",
    )
    subject = models.CharField(_("subject"), max_length=200)
    # A CharField, not a TextField, so the database enforces the 4,000-character limit too.
    description = models.CharField(_("description"), max_length=DESCRIPTION_MAX_LENGTH)
    address = models.CharField(_("address or place"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    answers = models.JSONField(_("answers to the category questions"), default=dict, blank=True)
    # Links an API client sent (Open311 media_url): kept as text, never fetched.
    media_url = models.CharField(
        _("media links"),
        max_length=2600,
        blank=True,
        help_text=_("Photos or other media an API client linked to, one address per line."),
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hant")

    # Personal data: shown only to the handling agency and the service centre, each view audited.
    petitioner_name = models.CharField(_("name"), max_length=100, blank=True)
    petitioner_email = models.EmailField(_("email"), blank=True)
    petitioner_phone = models.CharField(_("phone"), max_length=30, blank=True)
    petitioner_address = models.CharField(_("postal address"), max_length=300, blank=True)
    has_consented = models.BooleanField(_("consented to the personal-data notice"), default=False)
    is_confidential = models.BooleanField(_("keep identity confidential"), default=False)
    is_anonymous = models.BooleanField(
        _("no real name or contact"),
        default=False,
        help_text=_("The agency may decline to handle it (Administrative Procedure Act art. 173)."),
    )

    received_at = models.DateTimeField(_("received"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Stored when the clock stops (reply or "not handled"): working days cannot be counted in
    # SQL, and the monthly average and median read this column.
    working_days_to_close = models.PositiveSmallIntegerField(
        _("working days to close"), null=True, blank=True, editable=False
    )
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reply = models.TextField(_("reply"), blank=True)
    not_handled_reason = models.CharField(
        _("reason not handled"), max_length=20, choices=NotHandledReason.choices, blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_at", "-id"]
        indexes = [
            # The agency work queue: its cases by status, soonest due first.
            models.Index(fields=["lead_agency", "status", "due_at"], name="sc_petition_queue_due"),
            # The agency work queue sorted or filtered by date received.
            models.Index(fields=["lead_agency", "-received_at"], name="sc_petition_queue_recv"),
            # The service centre's desk across agencies: by status, newest first.
            models.Index(fields=["status", "-received_at"], name="sc_petition_status_recv"),
            # Filters by channel and by date range.
            models.Index(fields=["channel", "-received_at"], name="sc_petition_channel_recv"),
            models.Index(fields=["-received_at", "-id"], name="sc_petition_received"),
            # The queue filtered by category or district, newest first or in a date range: the
            # foreign keys' own indexes leave a bitmap of a whole category's years to sort.
            models.Index(fields=["category", "-received_at"], name="sc_petition_category_recv"),
            models.Index(fields=["district", "-received_at"], name="sc_petition_district_recv"),
            # The monthly metrics count the month's replies, closures and reopenings: without
            # these each such metric reads the whole table for every month rolled up.
            models.Index(
                fields=["replied_at"],
                name="sc_petition_replied",
                condition=Q(replied_at__isnull=False),
            ),
            models.Index(
                fields=["closed_at"],
                name="sc_petition_closed",
                condition=Q(closed_at__isnull=False),
            ),
            models.Index(
                fields=["reopened_at"],
                name="sc_petition_reopened",
                condition=Q(reopened_at__isnull=False),
            ),
            # "Overdue" and "due within N days" read only open cases.
            models.Index(
                fields=["due_at"],
                name="sc_petition_open_due",
                condition=Q(status__in=["verified", "assigned", "in_progress"]),
            ),
            # Nearby open cases of a category: a bounding box on the point (nearby.py).
            models.Index(
                fields=["category", "latitude", "longitude"],
                name="sc_petition_nearby",
                condition=Q(
                    status__in=["verified", "assigned", "in_progress", "replied"],
                    latitude__isnull=False,
                ),
            ),
        ]
        constraints = [
            # A point has both coordinates or none.
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="sc_petition_point_complete",
            ),
            # A point lies in Kaohsiung.
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | Q(
                    latitude__gte=KAOHSIUNG_BBOX["lat_min"],
                    latitude__lte=KAOHSIUNG_BBOX["lat_max"],
                    longitude__gte=KAOHSIUNG_BBOX["lon_min"],
                    longitude__lte=KAOHSIUNG_BBOX["lon_max"],
                ),
                name="sc_petition_point_in_kaohsiung",
            ),
            # A merged case always points at the case it was merged into, and only then.
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="sc_petition_merged_into",
            ),
            # "Not handled" always carries its legal reason.
            models.CheckConstraint(
                condition=~Q(status="not_handled") | ~Q(not_handled_reason=""),
                name="sc_petition_not_handled_reason",
            ),
            # A citizen may reopen a case once.
            models.CheckConstraint(
                condition=Q(reopen_count__lte=1), name="sc_petition_reopen_once"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < (now or timezone.now())


class PetitionNumberSequence(models.Model):
    """The last case number issued on a day; its row lock serialises numbering."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.last}"


class PetitionEvent(models.Model):
    """One line of a case's history. Public lines are shown to the citizen when tracking."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Received")
        CONFIRMED = "confirmed", _("Confirmed")
        ASSIGNED = "assigned", _("Assigned")
        ACCEPTED = "accepted", _("Taken on by a handler")
        TRANSFERRED = "transferred", _("Transferred to another agency")
        TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
        TRANSFER_REJECTED = "transfer_rejected", _("Transfer request declined")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_APPROVED = "extension_approved", _("Deadline extended")
        EXTENSION_REJECTED = "extension_rejected", _("Extension declined")
        NOTE = "note", _("Internal note")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed")
        NOT_HANDLED = "not_handled", _("Not handled")
        MERGED = "merged", _("Merged")
        REOPENED = "reopened", _("Reopened")
        EXPIRED = "expired", _("Expired: never confirmed")

    # No index of its own: sc_event_petition_time (petition, created_at) serves every lookup by
    # case and the cascade, and one index fewer is written for each of millions of events.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    is_public = models.BooleanField(_("shown to the citizen"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")
        ordering = ["created_at", "id"]
        indexes = [
            # A case's history, in order, on the case and tracking pages.
            models.Index(fields=["petition", "created_at"], name="sc_event_petition_time"),
        ]

    def __str__(self):
        return f"{self.petition_id} {self.kind}"


class PetitionRequest(models.Model):
    """A handler's request for an extension (a supervisor decides) or a transfer (RDEC decides)."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("Extension")
        TRANSFER = "transfer", _("Transfer")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Declined")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    reason = models.TextField(_("reason"))
    proposed_due_at = models.DateTimeField(_("proposed due date"), null=True, blank=True)
    proposed_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("proposed agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension or transfer request")
        verbose_name_plural = _("extension and transfer requests")
        ordering = ["-requested_at"]
        constraints = [
            # One open request of each kind per case: the decider answers it before another.
            models.UniqueConstraint(
                fields=["petition", "kind"],
                condition=Q(state="pending"),
                name="sc_request_one_pending_per_kind",
            ),
            # An extension always names its new date (a transfer may leave the agency to RDEC).
            models.CheckConstraint(
                condition=Q(kind="extension", proposed_due_at__isnull=False) | Q(kind="transfer"),
                name="sc_request_has_proposal",
            ),
        ]

    def __str__(self):
        return f"{self.petition_id} {self.kind} {self.state}"


def attachment_path(instance, filename: str) -> str:
    # The stored name is the content hash: no citizen-chosen name reaches the file system.
    today = timezone.localdate()
    return f"petitions/{today:%Y/%m}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    """A file sent with a petition, its type checked from its bytes, images stripped of metadata."""

    class Role(models.TextChoices):
        PETITION = "petition", _("Sent with the petition")
        # Dispatch cases: the handling agency's photos on arrival and after the work (dispatch.py).
        BEFORE = "before", _("Photo before the work")
        AFTER = "after", _("Photo after the work")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, default=Role.PETITION, db_index=True
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    is_public = models.BooleanField(_("shown to the citizen"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        constraints = [
            # Before and after photos are photos: the tracking page shows them as images.
            models.CheckConstraint(
                condition=Q(role="petition") | Q(content_type__in=["image/jpeg", "image/png"]),
                name="sc_attachment_photo_is_image",
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def extension(self) -> str:
        from service_center.files import EXTENSIONS

        return EXTENSIONS.get(self.content_type, "")


class SurveyAnswer(models.Model):
    """The citizen's view after the reply, asked as two questions: the outcome and the service.

    Kaohsiung dropped a single-question survey because answers polarised; asking about the
    result and about how the case was handled separately keeps the two apart.
    """

    class Score(models.IntegerChoices):
        VERY_DISSATISFIED = 1, _("Very dissatisfied")
        DISSATISFIED = 2, _("Dissatisfied")
        NEUTRAL = 3, _("Neither")
        SATISFIED = 4, _("Satisfied")
        VERY_SATISFIED = 5, _("Very satisfied")

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, related_name="survey")
    outcome = models.PositiveSmallIntegerField(
        _("satisfaction with the outcome"), choices=Score.choices
    )
    service = models.PositiveSmallIntegerField(
        _("satisfaction with the service"), choices=Score.choices
    )
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction survey answer")
        verbose_name_plural = _("satisfaction survey answers")
        constraints = [
            # Scores are on the five-point scale.
            models.CheckConstraint(
                condition=Q(outcome__gte=1, outcome__lte=5, service__gte=1, service__lte=5),
                name="sc_survey_scores_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.petition_id}: {self.outcome}/{self.service}"


# --- legal consultation -------------------------------------------------------------------------


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
    # Set when the contact details were removed, some time after the consultation (legal.py).
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


# --- hotline volumes ----------------------------------------------------------------------------


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


class PetitionFollower(models.Model):
    """A citizen who said "me too" to an open case instead of filing it again (nearby.py).

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
