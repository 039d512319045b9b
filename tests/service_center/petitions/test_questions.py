import pytest
from django.core.exceptions import ValidationError

from service_center.petitions.questions import clean_answers, validate_schema

QUESTIONS = [
    {
        "code": "lamp_id",
        "datatype": "string",
        "required": False,
        "order": 1,
        "text_zh": "路燈編號",
        "text_en": "Lamp number",
    },
    {
        "code": "state",
        "datatype": "singlevaluelist",
        "required": True,
        "order": 2,
        "text_zh": "狀況",
        "text_en": "State",
        "values": [{"key": "out", "name_zh": "不亮", "name_en": "Out"}],
    },
    {
        "code": "depth",
        "datatype": "number",
        "required": False,
        "order": 3,
        "text_zh": "深度",
        "text_en": "Depth",
    },
]


def test_answers_keep_only_what_was_given():
    assert clean_answers(QUESTIONS, {"state": "out", "lamp_id": " A123 ", "depth": ""}) == {
        "state": "out",
        "lamp_id": "A123",
    }


def test_a_required_question_and_a_bad_choice_are_errors_by_code():
    with pytest.raises(ValidationError) as exc:
        clean_answers(QUESTIONS, {"depth": "deep"})
    assert set(exc.value.message_dict) == {"state", "depth"}
    with pytest.raises(ValidationError):
        clean_answers(QUESTIONS, {"state": "burning"})


def test_a_malformed_schema_is_refused():
    validate_schema(QUESTIONS)
    with pytest.raises(ValidationError):
        validate_schema([{"code": "x", "datatype": "colour", "text_zh": "x", "text_en": "x"}])
    with pytest.raises(ValidationError):
        validate_schema([QUESTIONS[0], QUESTIONS[0]])
    with pytest.raises(ValidationError):
        validate_schema([{**QUESTIONS[1], "values": []}])
