"""Filing a petition through Open311: the petition service does the work, with channel "api".

The key holder is a partner system (the 1999 call-centre software, the city app, another
agency's system) acting for the citizen, so what the petition service asks of a citizen on the
web form is settled by the terms its key was issued under: the system shows the personal-data
notice (a petition with contact details is recorded as consented) and it has no emailed link
to confirm (the petition is confirmed at once and goes to the service centre's desk).
"""

from django.utils.text import Truncator

from service_center.open311.intake import Open311Submission
from service_center.petitions.models import Category, Channel, Petition
from service_center.petitions.services import PetitionDraft, petition_submit

SUBJECT_LENGTH = 60


def _subject(description: str) -> str:
    # Open311 has no subject: the first line of the description stands in for it.
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return Truncator(first_line).chars(SUBJECT_LENGTH)


def _full_name(first: str, last: str) -> str:
    # Chinese names read family name first without a space; Western names given name first.
    if first.isascii() and last.isascii():
        return " ".join(part for part in (first, last) if part)
    return f"{last}{first}"


def open311_request_submit(
    *,
    by,
    category: Category,
    submission: Open311Submission,
    language: str = "zh-hant",
    request=None,
) -> Petition:
    """File the petition; raises the petition service's PetitionError for a rule it breaks.

    With no description the service's name stands in, so a report that only picks a service and
    a place (as many apps send) is still taken.
    """
    description = submission.description or category.name
    contact = [submission.first_name, submission.last_name, submission.email, submission.phone]
    draft = PetitionDraft(
        category=category,
        subject=_subject(description),
        description=description,
        address=submission.address,
        latitude=submission.latitude,
        longitude=submission.longitude,
        answers=submission.answers,
        name=_full_name(submission.first_name, submission.last_name),
        email=submission.email,
        phone=submission.phone,
        has_consented=any(contact),
        channel=Channel.API,
        language=language,
        media_url="\n".join(submission.media_urls),
    )
    result = petition_submit(draft, by=by, request=request)
    return result.petition
