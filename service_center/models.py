"""The models of every feature, imported here so that Django finds them under the one app label
`service_center` (and its one `migrations/` folder). Code imports a model from its feature's
own `models.py`; the migrations refer to `service_center.models.attachment_path`, kept here."""

from service_center.hotline.models import (  # noqa: F401
    HotlineCallType,
    HotlineImport,
    HotlineVolume,
)
from service_center.legal.models import (  # noqa: F401
    LIVE_BOOKING_STATUSES,
    BookingChannel,
    BookingStatus,
    ConsultationTopic,
    Lawyer,
    LegalBooking,
    LegalConsultation,
    LegalSession,
    LegalSlot,
    LegalVenue,
    Weekday,
)
from service_center.nearby.models import (  # noqa: F401
    PetitionFollower,
)
from service_center.petitions.models import (  # noqa: F401
    AGENCY_STATUSES,
    DESCRIPTION_MAX_LENGTH,
    FINAL_STATUSES,
    FOLLOWABLE_STATUSES,
    KAOHSIUNG_BBOX,
    OPEN_STATUSES,
    Attachment,
    Category,
    CategoryQuerySet,
    Channel,
    NotHandledReason,
    Petition,
    PetitionEvent,
    PetitionNumberSequence,
    PetitionQuerySet,
    PetitionRequest,
    Status,
    SurveyAnswer,
    Topic,
    attachment_path,
)
from service_center.replies.models import (  # noqa: F401
    ReplyTemplate,
)
