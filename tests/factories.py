"""factory-boy factories for the domain; each scoped row is created inside its workspace."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from cxloop.accounts.models import Department, Membership, Role, User, Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer, Order, Segment
from cxloop.experiences.models import Experience, Source
from cxloop.experiences.scoring import emotion_for_outcome, outcome_for_score
from cxloop.journeys.models import Journey, Stage, Touchpoint

PASSWORD = "correct horse battery staple"


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class ScopedFactory(factory.django.DjangoModelFactory):
    """Creates the row bound to its workspace, as application code would."""

    class Meta:
        abstract = True

    workspace = factory.SubFactory(WorkspaceFactory)

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> object:
        with bind_workspace(kwargs["workspace"]):
            return super()._create(model_class, *args, **kwargs)


class DepartmentFactory(ScopedFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


class SegmentFactory(ScopedFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")


class CustomerFactory(ScopedFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"C-{n:05d}")
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.org")
    language = "uk"


class OrderFactory(ScopedFactory):
    class Meta:
        model = Order

    customer = factory.SubFactory(CustomerFactory, workspace=factory.SelfAttribute("..workspace"))
    external_id = factory.Sequence(lambda n: f"O-{n:06d}")
    placed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    amount = Decimal("420.00")


class ExperienceFactory(ScopedFactory):
    class Meta:
        model = Experience

    class Params:
        nps = 9

    customer = factory.SubFactory(CustomerFactory, workspace=factory.SelfAttribute("..workspace"))
    occurred_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    source = Source.SURVEY
    scale = "nps"
    score = factory.SelfAttribute("nps")
    outcome = factory.LazyAttribute(lambda o: outcome_for_score(o.score, o.scale))
    emotion = factory.LazyAttribute(lambda o: emotion_for_outcome(o.outcome))
    text = "Fast delivery, thank you"
    language = "en"


class ExpectationFactory(ScopedFactory):
    class Meta:
        model = "customers.Expectation"

    kind = "individual"
    customer = factory.SubFactory(CustomerFactory, workspace=factory.SelfAttribute("..workspace"))
    text = "Delivery within two days"
    noted_on = factory.LazyFunction(lambda: timezone.localdate())


class JourneyFactory(ScopedFactory):
    class Meta:
        model = Journey

    name = factory.Sequence(lambda n: f"Journey {n}")
    kind = Journey.Kind.PURCHASE


class StageFactory(ScopedFactory):
    class Meta:
        model = Stage

    journey = factory.SubFactory(JourneyFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n + 1)


class TouchpointFactory(ScopedFactory):
    class Meta:
        model = Touchpoint

    stage = factory.SubFactory(StageFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    channel = "site"
    position = factory.Sequence(lambda n: n + 1)


class SurveyFactory(ScopedFactory):
    """A survey made from a template by the service, as a manager would: questions included."""

    class Meta:
        model = "feedback.Survey"

    kind = "nps"
    name = factory.Sequence(lambda n: f"Survey {n}")
    touchpoint = None

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> object:
        from cxloop.feedback.services import create_survey_from_template

        workspace = kwargs.pop("workspace")
        with bind_workspace(workspace):
            return create_survey_from_template(workspace, kwargs.pop("kind"), **kwargs)
