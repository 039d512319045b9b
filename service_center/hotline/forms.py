"""The upload form for the call centre's monthly CSV. services.py checks the content."""

from django import forms
from django.utils.translation import gettext_lazy as _

from service_center.hotline.services import MAX_FILE_BYTES


class HotlineUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The call centre's monthly CSV"),
        help_text=_(
            "Columns 月份 (month), 來電類別 (type), 通數 (count); UTF-8 or Big5. Importing a "
            "month replaces its figures."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB: is it the monthly CSV?"))
        return upload
