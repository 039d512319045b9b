from django import forms
from django.core.exceptions import ValidationError

from rdec_portal.forms import ServiceErrorsMixin, add_service_errors


class _Form(ServiceErrorsMixin, forms.Form):
    subject = forms.CharField()


def _bound():
    form = _Form({"subject": "A pothole"})
    assert form.is_valid()
    return form


def test_an_error_naming_a_field_goes_beside_that_field():
    form = _bound()
    add_service_errors(form, ValidationError({"subject": "Too short."}))
    assert form.errors == {"subject": ["Too short."]}


def test_an_error_naming_a_field_the_form_lacks_goes_on_top():
    form = _bound()
    add_service_errors(form, ValidationError({"category": "Closed.", "subject": "Too short."}))
    assert form.non_field_errors() == ["Closed."]
    assert form.errors["subject"] == ["Too short."]


def test_a_plain_message_goes_on_top():
    form = _bound()
    form.add_service_errors(ValidationError("The case is already closed."))
    assert form.non_field_errors() == ["The case is already closed."]
    assert "subject" not in form.errors
