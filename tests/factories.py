"""Synthetic test data. Personas: alice (account manager), bob (department member), erin (executive)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from organization import services as organization_services
from organization.models import ApiClient, Department, Role, User

PASSWORD = "correct horse battery staple"


class DepartmentFactory(DjangoModelFactory):  # type: ignore[type-arg]
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department {n}")  # type: ignore[attr-defined]
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))  # type: ignore[attr-defined]


class UserFactory(DjangoModelFactory):  # type: ignore[type-arg]
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")  # type: ignore[attr-defined]
    full_name = factory.Faker("name")  # type: ignore[attr-defined]
    role = Role.STAFF
    department = factory.SubFactory(DepartmentFactory)  # type: ignore[attr-defined]
    password = Password(PASSWORD)


class ApiClientFactory(factory.base.Factory):  # type: ignore[type-arg]
    """Goes through the service, as the command and admin do: `create()` returns (client, token)."""

    class Meta:
        model = ApiClient

    name = factory.Sequence(lambda n: f"system-{n}")  # type: ignore[attr-defined]
    department = factory.SubFactory(DepartmentFactory)  # type: ignore[attr-defined]
    can_read = True
    can_write = False

    @classmethod
    def _create(cls, model_class: type[ApiClient], *args: Any, **kwargs: Any) -> tuple[ApiClient, str]:
        return organization_services.create_api_client(**kwargs)


class SegmentFactory(DjangoModelFactory):  # type: ignore[type-arg]
    class Meta:
        model = "accounts.Segment"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Segment {n}")  # type: ignore[attr-defined]
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))  # type: ignore[attr-defined]


class CriterionFactory(DjangoModelFactory):  # type: ignore[type-arg]
    class Meta:
        model = "accounts.PriorityCriterion"

    name = factory.Sequence(lambda n: f"Criterion {n}")  # type: ignore[attr-defined]
    weight = Decimal("1")


class AccountFactory(DjangoModelFactory):  # type: ignore[type-arg]
    """A bare account row. Call accounts.services.recompute_priorities after scoring to get ranks and tiers."""

    class Meta:
        model = "accounts.Account"

    name = factory.Sequence(lambda n: f"Customer {n:04d}")  # type: ignore[attr-defined]
    segment = factory.SubFactory(SegmentFactory)  # type: ignore[attr-defined]
    owner = factory.SubFactory(UserFactory, role=Role.ACCOUNT_MANAGER)  # type: ignore[attr-defined]
    region = "North"


class ContactFactory(DjangoModelFactory):  # type: ignore[type-arg]
    class Meta:
        model = "accounts.CustomerContact"

    account = factory.SubFactory(AccountFactory)  # type: ignore[attr-defined]
    name = factory.Sequence(lambda n: f"Contact {n}")  # type: ignore[attr-defined]
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")  # type: ignore[attr-defined]


class ContactLogFactory(DjangoModelFactory):  # type: ignore[type-arg]
    class Meta:
        model = "feedback.ContactLog"

    account = factory.SubFactory(AccountFactory)  # type: ignore[attr-defined]
    occurred_at = factory.LazyFunction(timezone.now)  # type: ignore[attr-defined]
    channel = "phone"
    topics = factory.LazyFunction(lambda: ["delivery"])  # type: ignore[attr-defined]
    summary = factory.Sequence(lambda n: f"The customer said thing number {n}.")  # type: ignore[attr-defined]
    author = factory.LazyAttribute(lambda o: o.account.owner)  # type: ignore[attr-defined]


class IssueFactory(DjangoModelFactory):  # type: ignore[type-arg]
    class Meta:
        model = "feedback.Issue"

    contact_log = factory.SubFactory(ContactLogFactory)  # type: ignore[attr-defined]
    account = factory.LazyAttribute(lambda o: o.contact_log.account)  # type: ignore[attr-defined]
    department = factory.SubFactory(DepartmentFactory)  # type: ignore[attr-defined]
    verbatim = factory.Sequence(lambda n: f"Problem number {n}, in their words.")  # type: ignore[attr-defined]
    raised_by = factory.LazyAttribute(lambda o: o.contact_log.author)  # type: ignore[attr-defined]
    raised_at = factory.LazyFunction(timezone.now)  # type: ignore[attr-defined]


def days_from_today(days: int) -> Any:
    from datetime import timedelta  # appended section: plan dates are relative to today

    return timezone.localdate() + timedelta(days=days)


class ActionPlanFactory(DjangoModelFactory):  # type: ignore[type-arg]
    """A bare plan row (no escalation clock): use actionplans.services.create_plan when the clock matters."""

    class Meta:
        model = "actionplans.ActionPlan"
        skip_postgeneration_save = True

    class Params:
        overdue = factory.Trait(  # type: ignore[attr-defined]
            due_on=factory.LazyFunction(lambda: days_from_today(-3))  # type: ignore[attr-defined]
        )

    account = factory.SubFactory(AccountFactory)  # type: ignore[attr-defined]
    title = factory.Sequence(lambda n: f"Plan number {n}")  # type: ignore[attr-defined]
    owner = factory.LazyAttribute(lambda o: o.account.owner)  # type: ignore[attr-defined]
    department = factory.SubFactory(DepartmentFactory)  # type: ignore[attr-defined]
    due_on = factory.LazyFunction(lambda: days_from_today(14))  # type: ignore[attr-defined]
    created_by = factory.LazyAttribute(lambda o: o.owner)  # type: ignore[attr-defined]

    @factory.post_generation  # type: ignore[attr-defined, untyped-decorator]
    def issues(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.issues.set(extracted)


class PlanStepFactory(DjangoModelFactory):  # type: ignore[type-arg]
    class Meta:
        model = "actionplans.PlanStep"

    plan = factory.SubFactory(ActionPlanFactory)  # type: ignore[attr-defined]
    title = factory.Sequence(lambda n: f"Step {n}")  # type: ignore[attr-defined]
    order = factory.Sequence(lambda n: n)  # type: ignore[attr-defined]


class AccountReviewFactory(DjangoModelFactory):  # type: ignore[type-arg]
    """A joint account review; `completed=True` for one held and closed at `scheduled_for`."""

    class Meta:
        model = "reviews.AccountReview"

    class Params:
        completed = factory.Trait(  # type: ignore[attr-defined]
            state="completed",
            started_at=factory.SelfAttribute("scheduled_for"),  # type: ignore[attr-defined]
            completed_at=factory.SelfAttribute("scheduled_for"),  # type: ignore[attr-defined]
        )

    account = factory.SubFactory(AccountFactory)  # type: ignore[attr-defined]
    scheduled_for = factory.LazyFunction(timezone.now)  # type: ignore[attr-defined]
    created_by = factory.LazyAttribute(lambda o: o.account.owner)  # type: ignore[attr-defined]
