"""The workflow of a petition, stated once: each step on a case, who may take it, in which
states the case page offers it, and the service it calls. The case page (`views.py`) shows the
forms of `allowed_steps()` and its POST handler takes only one of them; the API (`api.py`)
looks its actions up here too. The page and the API parse their input each their own way (a
Django form, a DRF serializer) into the same cleaned data, which `Step.run` hands to the
service.

Two checks, as before the table: `may` (who) refuses with a 403 on the page and in the API;
`states` (when) decides what the page offers, and a step the page does not offer is a 403 there.
The API does not pre-check the state: the service refuses a step the case's state does not
allow, a 400 with the code `bad_status`, which API clients rely on."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from rdec_portal.workflow.calendar import day_end
from service_center.petitions import permissions, selectors, services
from service_center.petitions.models import (
    AGENCY_STATUSES,
    OPEN_STATUSES,
    PetitionRequest,
    Status,
)
from service_center.petitions.services import PetitionError


@dataclass(frozen=True)
class Step:
    """One step on a case. `run(petition, data, by=, request=)` calls its service with the
    cleaned input (form or serializer); `may(user, petition)` says who may take it."""

    name: str
    label: str
    may: Callable
    states: frozenset
    run: Callable
    success: str

    def allowed(self, user, petition) -> bool:
        return petition.status in self.states and self.may(user, petition)


def _desk(user, petition) -> bool:
    return permissions.is_service_desk(user)


def _merge(petition, data, **common):
    target = selectors.petitions_for(common["by"]).filter(number=data["into"].strip()).first()
    if target is None:
        raise PetitionError({"into": _("No case has this number.")})
    return services.petition_merge(petition=petition, into=target, note=data["note"], **common)


_ANY = frozenset(Status.values)

# In the order the case page shows them.
STEPS: dict[str, Step] = {
    step.name: step
    for step in [
        Step(
            "assign",
            _("Assign the lead agency"),
            _desk,
            frozenset([Status.VERIFIED]),
            lambda petition, data, **common: services.petition_assign(
                petition=petition,
                agency=data["agency"],
                supporting=data.get("supporting", []),
                note=data["note"],
                **common,
            ),
            _("The case is assigned."),
        ),
        Step(
            "accept",
            _("Give to a handler"),
            permissions.can_handle,
            frozenset(AGENCY_STATUSES),
            lambda petition, data, **common: services.petition_accept(
                petition=petition, assignee=data.get("assignee"), **common
            ),
            _("The case has its handler."),
        ),
        Step(
            "reply",
            _("Reply to the citizen"),
            permissions.can_handle,
            frozenset(AGENCY_STATUSES),
            lambda petition, data, **common: services.petition_reply(
                petition=petition, text=data["text"], **common
            ),
            _("The reply is sent to the citizen."),
        ),
        Step(
            "extension",
            _("Ask for an extension"),
            permissions.can_handle,
            frozenset(AGENCY_STATUSES),
            lambda petition, data, **common: services.petition_extension_request(
                petition=petition,
                reason=data["reason"],
                new_due_at=day_end(data["new_due_on"]),
                **common,
            ),
            _("The extension request is waiting for a supervisor."),
        ),
        Step(
            "transfer-request",
            _("Ask to transfer"),
            permissions.can_handle,
            frozenset(AGENCY_STATUSES),
            lambda petition, data, **common: services.petition_transfer_request(
                petition=petition, reason=data["reason"], agency=data.get("agency"), **common
            ),
            _("The transfer request is waiting for the service centre."),
        ),
        Step(
            "transfer",
            _("Transfer"),
            _desk,
            frozenset(AGENCY_STATUSES),
            lambda petition, data, **common: services.petition_transfer(
                petition=petition, agency=data["agency"], reason=data["reason"], **common
            ),
            _("The case is transferred and the petitioner is told."),
        ),
        Step(
            "merge",
            _("Merge into another case"),
            _desk,
            frozenset([Status.RECEIVED, *OPEN_STATUSES]),
            _merge,
            _("The case is merged."),
        ),
        Step(
            "not-handled",
            _("Close as not handled"),
            _desk,
            frozenset(OPEN_STATUSES),
            lambda petition, data, **common: services.petition_mark_not_handled(
                petition=petition, reason=data["reason"], note=data["note"], **common
            ),
            _("The case is registered as not handled."),
        ),
        Step(
            "close",
            _("Close the case"),
            permissions.can_handle,
            frozenset([Status.REPLIED]),
            lambda petition, data, **common: services.petition_close(
                petition=petition, note=data.get("note", ""), **common
            ),
            _("The case is closed."),
        ),
        Step(
            "note",
            _("Add an internal note"),
            permissions.can_handle,
            _ANY,
            lambda petition, data, **common: services.petition_add_note(
                petition=petition, text=data["text"], **common
            ),
            _("The note is added."),
        ),
    ]
}


def allowed_steps(user, petition) -> list[Step]:
    """The steps the user may take on the case in its present state, in the page's order."""
    return [step for step in STEPS.values() if step.allowed(user, petition)]


@dataclass(frozen=True)
class Decision:
    """Deciding a pending request: who may, and the service that does it
    (`run(req, by=, approve=, note=, request=)`)."""

    may: Callable
    run: Callable
    success: str


DECISIONS: dict[str, Decision] = {
    PetitionRequest.Kind.EXTENSION: Decision(
        permissions.can_decide_extension,
        lambda req, **kwargs: services.petition_extension_decide(extension=req, **kwargs),
        _("The extension is decided."),
    ),
    PetitionRequest.Kind.TRANSFER: Decision(
        _desk,
        lambda req, **kwargs: services.petition_transfer_decide(transfer=req, **kwargs),
        _("The transfer request is decided."),
    ),
}
