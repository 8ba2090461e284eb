"""The domain services tell subscribed internal systems what happened, inside their own transactions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Tier
from actionplans import services as plan_services
from actionplans.models import PlanStatus
from feedback import services as feedback_services
from organization.models import Role, WebhookDelivery
from organization.webhooks import services as webhooks
from tests.factories import AccountFactory, ApiClientFactory, UserFactory

pytestmark = pytest.mark.django_db
EVERYTHING = ["issue.raised", "plan.created", "plan.escalated", "plan.resolved", "account.priority_changed"]


@pytest.fixture
def subscribed(engineering: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # refused by default; nothing is sent there in these tests
    client, _ = ApiClientFactory.create(department=engineering, can_write=True)
    webhooks.create_subscription(api_client=client, url="http://127.0.0.1:9/hook", events=EVERYTHING)


def events() -> list[str]:
    return list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))


def test_logging_an_issue_emits_issue_raised(subscribed: None, alice: Any, engineering: Any) -> None:
    account = AccountFactory.create(owner=alice)
    feedback_services.log_contact(
        author=alice,
        now=timezone.now(),
        data=feedback_services.ContactLogInput(
            account=account,
            occurred_at=timezone.now(),
            channel="phone",
            summary="Noisy gearbox.",
            issues=[feedback_services.IssueInput(department=engineering, verbatim="Noisy gearbox.")],
        ),
    )
    assert events() == ["issue.raised"]
    assert WebhookDelivery.objects.get().payload["issue"]["verbatim"] == "Noisy gearbox."


def test_a_plans_life_emits_created_escalated_and_resolved(subscribed: None, engineering: Any) -> None:
    boss = UserFactory.create(role=Role.DEPARTMENT_LEAD)
    owner = UserFactory.create(role=Role.ACCOUNT_MANAGER, manager=boss, department=engineering)
    account = AccountFactory.create(owner=owner)
    plan = plan_services.create_plan(
        account=account,
        title="Fix it",
        owner=owner,
        department=engineering,
        created_by=owner,
        due_on=timezone.localdate() - timedelta(days=30),
        now=timezone.now(),
    )
    plan_services.escalate_plan(plan_id=plan.pk, now=timezone.now())
    plan_services.change_status(
        plan=plan, status=PlanStatus.RESOLVED, resolution="Fixed.", by=owner, now=timezone.now()
    )
    assert events()[0] == "plan.created"
    assert events()[-1] == "plan.resolved"
    assert "plan.escalated" in events()


def test_a_manual_tier_emits_priority_changed(subscribed: None, erin: Any) -> None:
    account = AccountFactory.create()
    account_services.override_tier(
        account=account,
        tier=Tier.STRATEGIC,
        reason="Reference customer",
        expires_on=None,
        changed_by=erin,
        now=timezone.now(),
    )
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.event == "account.priority_changed"
    assert delivery.payload["account"]["tier"] == "strategic"


def test_nothing_is_emitted_about_confidential_accounts(
    subscribed: None, alice: Any, erin: Any, engineering: Any
) -> None:
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    feedback_services.log_contact(
        author=alice,
        now=timezone.now(),
        data=feedback_services.ContactLogInput(
            account=secret,
            occurred_at=timezone.now(),
            channel="phone",
            summary="Merger talk.",
            issues=[feedback_services.IssueInput(department=engineering, verbatim="Merger talk.")],
        ),
    )
    account_services.override_tier(
        account=secret, tier=Tier.STRATEGIC, reason="Merger", expires_on=None, changed_by=erin, now=timezone.now()
    )
    assert events() == []
