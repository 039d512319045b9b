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
# The longest staff text each input takes (forms and API alike; service_center/README.md): what
# a real reply, note or reason needs, with room to spare. Without them a 2 MB note was stored
# and served on every view of its case.
REPLY_MAX_LENGTH = 5000  # a reply to the citizen: the longest real ones run to about 2,500
NOTE_MAX_LENGTH = 2000  # a note: internal, to an agency, or the explanation of "not handled"
REASON_MAX_LENGTH = 1000  # why a case moves or its due date changes (the petitioner is told)
ANSWER_MAX_LENGTH = 1000  # an answer to a category's extra question (what the service keeps)
NAME_MAX_LENGTH = 100  # as Petition.petitioner_name
PHONE_MAX_LENGTH = 30  # as Petition.petitioner_phone
ADDRESS_MAX_LENGTH = 300  # as Petition.address and Petition.petitioner_address


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
# Cases a citizen may still say "me too" to (nearby/): confirmed and not finished. A replied
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
            # Nearby open cases of a category: a bounding box on the point (nearby/selectors.py).
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
        # Dispatch cases: the handling agency's photos on arrival and after the work
        # (dispatch/services.py).
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
        from service_center.petitions.files import EXTENSIONS

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
