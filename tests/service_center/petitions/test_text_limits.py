"""Staff free text has a length limit, on the page and in the API (issue 11, item 15)."""

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from service_center.petitions import api, forms
from service_center.petitions.models import (
    ADDRESS_MAX_LENGTH,
    ANSWER_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    PetitionEvent,
    Status,
)
from tests.service_center.conftest import NOW
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory

FORM_FIELDS = [
    (forms.AssignForm, "note", NOTE_MAX_LENGTH),
    (forms.TransferForm, "reason", REASON_MAX_LENGTH),
    (forms.TransferRequestForm, "reason", REASON_MAX_LENGTH),
    (forms.NotHandledForm, "note", NOTE_MAX_LENGTH),
    (forms.NoteForm, "text", NOTE_MAX_LENGTH),
    (forms.ReplyForm, "text", REPLY_MAX_LENGTH),
    (forms.ExtensionForm, "reason", REASON_MAX_LENGTH),
]

INPUT_FIELDS = [
    (api.AssignInput, "note", NOTE_MAX_LENGTH),
    (api.NotHandledInput, "note", NOTE_MAX_LENGTH),
    (api.TextInput, "text", REPLY_MAX_LENGTH),
    (api.NoteInput, "text", NOTE_MAX_LENGTH),
    (api.TransferInput, "reason", REASON_MAX_LENGTH),
    (api.TransferRequestInput, "reason", REASON_MAX_LENGTH),
    (api.ExtensionInput, "reason", REASON_MAX_LENGTH),
    (api.MergeInput, "note", NOTE_MAX_LENGTH),
    (api.RecordInput, "name", NAME_MAX_LENGTH),
    (api.RecordInput, "phone", PHONE_MAX_LENGTH),
    (api.RecordInput, "postal_address", ADDRESS_MAX_LENGTH),
    (api.RecordInput, "address", ADDRESS_MAX_LENGTH),
    (api.DecisionInput, "note", REASON_MAX_LENGTH),
]


@pytest.mark.parametrize(("form_class", "field", "limit"), FORM_FIELDS)
def test_every_staff_text_field_has_its_limit(db, form_class, field, limit):
    assert form_class.base_fields[field].max_length == limit
    form = form_class({field: "字" * (limit + 1)})
    with translation.override("zh-hant"):
        assert not form.is_valid()
        assert str(limit) in form.errors[field][0] and "至多" in form.errors[field][0]


@pytest.mark.parametrize(("serializer", "field", "limit"), INPUT_FIELDS)
def test_every_api_text_input_has_its_limit(db, serializer, field, limit):
    assert serializer().fields[field].max_length == limit
    too_long = serializer(data={field: "字" * (limit + 1)})
    just_right = serializer(data={field: "字" * limit})
    too_long.is_valid()
    just_right.is_valid()
    assert field in too_long.errors
    assert field not in just_right.errors


def test_a_question_answered_in_a_textarea_is_capped():
    field = forms._question_field(
        {"code": "q", "datatype": "text", "text_zh": "說明", "text_en": "Details"}
    )
    assert field.max_length == ANSWER_MAX_LENGTH


@pytest.fixture
def case(frozen, agency_a):
    return AssignedPetitionFactory(
        category=CategoryFactory(agency=agency_a), due_at=NOW, status=Status.IN_PROGRESS
    )


def _action(petition, name):
    return reverse("service_center:case_action", args=[petition.pk, name])


def test_a_note_over_the_limit_is_refused_on_the_page_and_nothing_is_saved(client, staff_a, case):
    client.force_login(staff_a)
    with translation.override("zh-hant"):
        refused = client.post(_action(case, "note"), {"text": "註" * (NOTE_MAX_LENGTH + 1)})
    assert refused.status_code == 400
    assert f"{NOTE_MAX_LENGTH}" in refused.content.decode()
    assert not PetitionEvent.objects.filter(kind=PetitionEvent.Kind.NOTE).exists()

    accepted = client.post(_action(case, "note"), {"text": "註" * NOTE_MAX_LENGTH})
    assert accepted.status_code == 302
    assert PetitionEvent.objects.get(kind=PetitionEvent.Kind.NOTE).text == "註" * NOTE_MAX_LENGTH


def test_a_reply_over_the_limit_is_refused_on_the_page(client, staff_a, case):
    client.force_login(staff_a)
    refused = client.post(_action(case, "reply"), {"text": "覆" * (REPLY_MAX_LENGTH + 1)})
    case.refresh_from_db()
    assert refused.status_code == 400 and case.reply == ""

    assert client.post(_action(case, "reply"), {"text": "覆" * REPLY_MAX_LENGTH}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REPLIED and len(case.reply) == REPLY_MAX_LENGTH


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _step(petition, name):
    return reverse(f"service-center-petition-{name}", args=[petition.pk])


def test_the_api_refuses_a_note_over_the_limit_and_saves_nothing(staff_a, case):
    client = _api(staff_a)
    with translation.override("zh-hant"):
        refused = client.post(
            _step(case, "note"),
            {"text": "註" * (NOTE_MAX_LENGTH + 1)},
            format="json",
            HTTP_ACCEPT_LANGUAGE="zh-hant",
        )
    assert refused.status_code == 400
    assert str(NOTE_MAX_LENGTH) in str(refused.json())
    assert not PetitionEvent.objects.filter(kind=PetitionEvent.Kind.NOTE).exists()

    accepted = client.post(_step(case, "note"), {"text": "註" * NOTE_MAX_LENGTH}, format="json")
    assert accepted.status_code == 200


def test_the_api_refuses_a_reply_over_the_limit(staff_a, case):
    client = _api(staff_a)
    refused = client.post(
        _step(case, "reply"), {"text": "覆" * (REPLY_MAX_LENGTH + 1)}, format="json"
    )
    case.refresh_from_db()
    assert refused.status_code == 400 and case.reply == ""

    accepted = client.post(_step(case, "reply"), {"text": "覆" * REPLY_MAX_LENGTH}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == Status.REPLIED
