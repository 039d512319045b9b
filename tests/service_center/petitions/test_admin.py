from django.urls import reverse

from tests.service_center.factories import PetitionFactory


def test_the_admin_lists_categories_and_petitions_without_personal_data(client, administrator):
    petition = PetitionFactory()
    client.force_login(administrator)

    assert client.get(reverse("admin:service_center_category_changelist")).status_code == 200
    assert client.get(reverse("admin:service_center_petition_changelist")).status_code == 200
    response = client.get(reverse("admin:service_center_petition_change", args=[petition.pk]))
    assert response.status_code == 200
    assert petition.petitioner_email not in response.content.decode()
    assert petition.subject in response.content.decode()


def test_the_service_centre_admins_of_service_written_rows_are_the_core_read_only_admin():
    from django.contrib import admin

    from rdec_portal.admin_helpers import ReadOnlyAdmin
    from service_center.hotline.models import HotlineVolume
    from service_center.legal.models import LegalBooking
    from service_center.petitions.models import Petition

    for model in (Petition, LegalBooking, HotlineVolume):
        assert isinstance(admin.site._registry[model], ReadOnlyAdmin)
