"""A category's extra questions, in the shape of Open311 service-definition attributes.

Each question: code, datatype (string, number, text, datetime, singlevaluelist,
multivaluelist), required, order, text_zh, text_en and, for lists, values of {key, name_zh,
name_en}. The same list feeds the public form and, later, Open311 `services/{code}`.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rdec_portal.localise import localised

DATATYPES = {"string", "number", "text", "datetime", "singlevaluelist", "multivaluelist"}
LIST_TYPES = {"singlevaluelist", "multivaluelist"}


def validate_schema(questions) -> None:
    """Reject a malformed question list when the catalogue is loaded or edited."""
    if not isinstance(questions, list):
        raise ValidationError(_("Extra questions must be a list."))
    codes = set()
    for question in questions:
        code = question.get("code") if isinstance(question, dict) else None
        if not code or code in codes:
            raise ValidationError(_("Each extra question needs its own code."))
        codes.add(code)
        if question.get("datatype") not in DATATYPES:
            raise ValidationError(
                _("Question “%(code)s” has an unknown datatype."), params={"code": code}
            )
        if not question.get("text_zh") or not question.get("text_en"):
            raise ValidationError(
                _("Question “%(code)s” needs its text in both languages."), params={"code": code}
            )
        if question["datatype"] in LIST_TYPES and not question.get("values"):
            raise ValidationError(
                _("Question “%(code)s” needs its list of values."), params={"code": code}
            )


def question_text(question: dict) -> str:
    return localised(question, "text")


def value_name(value: dict) -> str:
    return localised(value, "name")


def _clean_one(question: dict, raw):
    datatype = question["datatype"]
    # The API passes answers as any JSON: a wrong type is a validation error, not a crash.
    if datatype == "multivaluelist":
        keys = {v["key"] for v in question["values"]}
        if raw is not None and not isinstance(raw, list):
            raise ValidationError(_("Choose from the list."))
        chosen = [item for item in (raw or []) if item]
        if any(not isinstance(item, str) or item not in keys for item in chosen):
            raise ValidationError(_("Choose from the list."))
        return chosen
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and datatype == "number":
        raw = str(raw)
    if raw is not None and not isinstance(raw, str):
        raise ValidationError(_("Enter text."))
    text = (raw or "").strip()
    if not text:
        return ""
    if datatype == "singlevaluelist" and text not in {v["key"] for v in question["values"]}:
        raise ValidationError(_("Choose from the list."))
    if datatype == "number":
        try:
            Decimal(text)
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number.")) from exc
    return text[:1000]


def clean_answers(questions: list[dict], raw: dict) -> dict:
    """The answers to keep, by question code; raises a dict of errors keyed by code."""
    answers, errors = {}, {}
    for question in sorted(questions, key=lambda q: q.get("order", 0)):
        code = question["code"]
        try:
            value = _clean_one(question, raw.get(code))
        except ValidationError as exc:
            errors[code] = exc.messages
            continue
        if question.get("required") and not value:
            errors[code] = [str(_("This question needs an answer."))]
        elif value:
            answers[code] = value
    if errors:
        raise ValidationError(errors)
    return answers
