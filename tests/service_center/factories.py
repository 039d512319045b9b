from datetime import timedelta

import factory
from django.utils import timezone

from service_center.petitions.models import (
    Category,
    Channel,
    Petition,
    PetitionEvent,
    Status,
    Topic,
)
from tests.accounts.factories import AgencyFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    topic = Topic.ROADS
    code = factory.Sequence(lambda n: f"cat-{n}")
    name_zh = factory.Sequence(lambda n: f"類別{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    agency = factory.SubFactory(AgencyFactory)
    limit_working_days = 6
    limit_hours = None


class DispatchCategoryFactory(CategoryFactory):
    code = factory.Sequence(lambda n: f"dispatch-{n}")
    limit_working_days = None
    limit_hours = 24
    is_dispatch = True
    nearby_radius_m = 50


class PetitionFactory(factory.django.DjangoModelFactory):
    """A confirmed web petition waiting for the service centre to assign it."""

    class Meta:
        model = Petition

    number = factory.Sequence(lambda n: f"1151126-{n + 1:04d}")
    secret_hash = "0" * 64
    channel = Channel.WEB
    status = Status.VERIFIED
    category = factory.SubFactory(CategoryFactory)
    subject = "路燈不亮"
    description = "自由路與民族路口的路燈連續三晚不亮。"
    address = "高雄市三民區自由一路與民族一路口"
    petitioner_name = "陳小華"
    petitioner_email = "citizen@example.com"
    petitioner_phone = "0912345678"
    has_consented = True
    received_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)


class AssignedPetitionFactory(PetitionFactory):
    status = Status.ASSIGNED
    lead_agency = factory.SelfAttribute("category.agency")
    assigned_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=8))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PetitionEvent

    petition = factory.SubFactory(PetitionFactory)
    kind = PetitionEvent.Kind.NOTE
    text = "備註"
