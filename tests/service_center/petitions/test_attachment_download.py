"""Staff download a citizen's file under the extension of the type its content proved."""

from django.core.files.base import ContentFile
from django.urls import reverse

from service_center.models import Attachment
from tests.portal.test_uploads import MP3
from tests.service_center.factories import AssignedPetitionFactory, CategoryFactory


def test_an_mp3_uploaded_as_html_downloads_as_mp3(client, staff_a, agency_a):
    petition = AssignedPetitionFactory(category=CategoryFactory(agency=agency_a))
    item = Attachment.objects.create(
        petition=petition,
        file=ContentFile(MP3, name="stored.bin"),
        original_name="invoice.html",
        content_type="audio/mpeg",
        size=len(MP3),
        sha256="0" * 64,
    )
    client.force_login(staff_a)
    response = client.get(reverse("service_center:attachment", args=[petition.pk, item.pk]))
    assert response.status_code == 200
    assert 'filename="invoice.mp3"' in response["Content-Disposition"]
    assert response["Content-Type"] == "audio/mpeg"
