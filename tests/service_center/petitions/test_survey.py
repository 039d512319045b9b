from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from service_center.petitions import services
from service_center.petitions.models import SurveyAnswer
from service_center.petitions.services import PetitionError
from tests.service_center.factories import AssignedPetitionFactory

TRACK = reverse("service_center:track")


@pytest.fixture
def replied(frozen, staff_a, category, desk_user):
    result = services.petition_submit(
        category=category, subject="路燈", description="不亮", by=desk_user, channel="counter"
    )
    services.petition_assign(petition=result.petition, agency=category.agency, by=desk_user)
    services.petition_reply(petition=result.petition, by=staff_a, text="已修復")
    return result


def test_the_citizen_answers_outcome_and_service_separately_once(client, replied, staff_a):
    petition = replied.petition
    client.post(TRACK, {"number": petition.number, "secret": replied.secret})
    page = client.get(reverse("service_center:track_case", args=[petition.number]))
    assert 'id="survey"' in page.content.decode()
    url = reverse("service_center:track_survey", args=[petition.number])

    assert client.post(url, {"outcome": "9", "service": "4"}).status_code == 400
    response = client.post(url, {"outcome": "2", "service": "5", "comment": "態度很好但問題沒解決"})

    assert response.status_code == 302
    answer = SurveyAnswer.objects.get(petition=petition)
    assert (answer.outcome, answer.service) == (2, 5)
    page = client.get(reverse("service_center:track_case", args=[petition.number]))
    assert 'id="survey"' not in page.content.decode()
    with pytest.raises(PetitionError) as exc:
        services.petition_survey_answer(petition=petition, outcome=3, service=3)
    assert exc.value.code == "answered"
    client.force_login(staff_a)
    staff_page = client.get(reverse("service_center:case", args=[petition.pk]))
    assert 'id="survey-result"' in staff_page.content.decode()


def test_no_survey_before_the_reply_or_after_30_days(frozen, replied, staff_a):
    open_case = AssignedPetitionFactory(category__agency=staff_a.agency)
    with pytest.raises(PetitionError) as exc:
        services.petition_survey_answer(petition=open_case, outcome=4, service=4)
    assert exc.value.code == "bad_status"
    frozen.shift(timedelta(days=31))
    with pytest.raises(PetitionError) as exc:
        services.petition_survey_answer(petition=replied.petition, outcome=4, service=4)
    assert exc.value.code == "too_late"


def test_the_database_keeps_scores_on_the_scale(frozen, replied):
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyAnswer.objects.create(petition=replied.petition, outcome=0, service=6)
