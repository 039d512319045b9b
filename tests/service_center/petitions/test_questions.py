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


MULTI = {
    "code": "kinds",
    "datatype": "multivaluelist",
    "required": False,
    "order": 4,
    "text_zh": "種類",
    "text_en": "Kinds",
    "values": [{"key": "a", "name_zh": "甲", "name_en": "A"}],
}


@pytest.mark.parametrize(
    "raw",
    [
        {"state": "out", "lamp_id": {"x": 1}},
        {"state": ["out"]},
        {"state": "out", "lamp_id": True},
        {"state": "out", "kinds": 5},
        {"state": "out", "kinds": [{"a": 1}]},
        {"state": "out", "kinds": [["a"]]},
    ],
    ids=[
        "dict-for-text",
        "list-for-choice",
        "bool-for-text",
        "number-for-list",
        "dict-in-list",
        "list-in-list",
    ],
)
def test_answers_of_the_wrong_json_type_are_refused_not_a_crash(raw):
    # The API takes answers as any JSON: a wrong type must be a validation error, not a 500.
    with pytest.raises(ValidationError):
        clean_answers([*QUESTIONS, MULTI], raw)


def test_a_number_answer_may_be_a_json_number():
    assert clean_answers(QUESTIONS, {"state": "out", "depth": 12}) == {
        "state": "out",
        "depth": "12",
    }
