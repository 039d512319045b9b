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
