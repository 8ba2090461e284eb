"""The permission matrix's push channels: what the product sends by itself reaches only people who may open it.

The route matrix (tests/test_permission_matrix.py) proves what each role can pull; this proves what is pushed.
For a normal and a confidential account, one customer story runs through the services with every role present:
a conversation raises two issues for Engineering, one is handed off to Quality, the other becomes a plan with a
step for someone outside the account team; the plan and the unacknowledged issue climb their escalation ladders;
the weekly "what you owe" digest and the email digests go out; webhook deliveries are written. Then every
notification, email, escalation notice and webhook delivery is held against the policies and the pages:

- a notification about the account goes only to someone who may open it, and its link opens (200) for them;
- an email names the account, its issues' words or its plans only to someone who may open it;
- everyone an escalation reached may open the record and acknowledge the escalation, so the ladder can stop;
- internal systems (webhooks) hear nothing of a confidential account.

Each case also checks that the entitled people did hear, so "no leak" never passes by sending nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from accounts import policies as account_policies
from accounts.models import Account, AccountTeamMember, Tier
from actionplans import policies as plan_policies
from actionplans import services as plan_services
from actionplans.models import ActionPlan, Escalation
from feedback import services as feedback_services
from feedback.models import Issue, Severity
from organization import services as organization_services
from organization.models import Notification, Role, User, WebhookDelivery, WebhookEvent, WebhookSubscription
from tests.factories import AccountFactory, ApiClientFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=AMS)


@dataclass
class Story:
    account: Account
    people: dict[str, User]
    plan: ActionPlan
    issues: list[Issue]
    secrets: list[str]  # text that names the account or quotes it: must reach only people who may open it


def person(name: str, role: str, department: Any, **extra: Any) -> User:
    return UserFactory.create(full_name=name.title(), email=f"{name}@example.com", role=role, department=department)


def tell_the_story(*, confidential: bool) -> Story:
    engineering = DepartmentFactory.create(name="Engineering", slug="engineering")
    quality = DepartmentFactory.create(name="Quality", slug="quality")
    sales = DepartmentFactory.create(name="Sales", slug="sales")
    people = {
        "staff": person("staff", Role.STAFF, engineering),  # Engineering, on no account team
        "team": person("team", Role.STAFF, engineering),  # Engineering, on the account team
        "lead": person("lead", Role.DEPARTMENT_LEAD, engineering),  # Engineering's lead, on no team
        "quality": person("quality", Role.STAFF, quality),  # receives the hand-off, on no team
        "quality_team": person("qteam", Role.STAFF, quality),  # receives the hand-off, on the team
        "quality_lead": person("qlead", Role.DEPARTMENT_LEAD, quality),
        "boss": person("boss", Role.DEPARTMENT_LEAD, sales),  # the account manager's manager, on no team
        "exec": person("exec", Role.EXECUTIVE, None),
        "sponsor": person("sponsor", Role.EXECUTIVE, None),
        "admin": person("admin", Role.ADMIN, None),
    }
    people["am"] = UserFactory.create(
        full_name="Am Owner",
        email="am@example.com",
        role=Role.ACCOUNT_MANAGER,
        department=sales,
        manager=people["boss"],
    )
    engineering.lead, quality.lead = people["lead"], people["quality_lead"]
    engineering.save()
    quality.save()
    account = AccountFactory.create(
        name="Zebra Secret Works" if confidential else "Open Door Ltd",
        owner=people["am"],
        executive_sponsor=people["sponsor"],
        is_confidential=confidential,
    )
    Account.objects.filter(pk=account.pk).update(tier=Tier.STRATEGIC)
    account.refresh_from_db()
    for member in (people["team"], people["quality_team"]):
        AccountTeamMember.objects.create(account=account, user=member, role="engineering")
    client, _ = ApiClientFactory.create(department=engineering, can_write=True)
    WebhookSubscription.objects.create(
        api_client=client, url="https://hooks.example.test/in", secret="s3cret", events=list(WebhookEvent.values)
    )

    log = feedback_services.log_contact(
        author=people["am"],
        data=feedback_services.ContactLogInput(
            account=account,
            occurred_at=MONDAY,
            channel="phone",
            summary="Quarterly call with the plant manager.",
            issues=[
                feedback_services.IssueInput(engineering, "The housings crack at minus twenty", Severity.CRITICAL),
                feedback_services.IssueInput(engineering, "Spare parts take three weeks to arrive", Severity.HIGH),
            ],
        ),
        now=MONDAY,
    )
    cracked, spares = log.issues.order_by("pk")
    feedback_services.hand_off_issue(
        issue=cracked, to_department=quality, note="Material question", by=people["team"], now=MONDAY
    )
    plan = plan_services.create_plan(
        account=account,
        title="Cut spare-part lead time",
        owner=people["am"],
        department=engineering,
        due_on=date(2026, 11, 24),
        created_by=people["am"],
        now=MONDAY,
        issues=[spares],
        steps=[plan_services.StepInput(title="Audit the spares stock", assignee=people["staff"])],
    )
    later = MONDAY + timedelta(days=21)
    plan_services.run_sweep(now=later)
    plan_services.send_weekly_digests(now=later)
    for user_id in Notification.objects.values_list("user_id", flat=True).distinct():
        organization_services.send_notification_digest(user_id=user_id, now=later)
    secrets = [account.name, cracked.verbatim, spares.verbatim, plan.title, "Audit the spares stock"]
    return Story(account=account, people=people, plan=plan, issues=[cracked, spares], secrets=secrets)


def mentions(text: str, story: Story) -> bool:
    urls = [f"/issues/{issue.pk}/" for issue in story.issues] + [f"/plans/{story.plan.pk}/"]
    return any(secret in text for secret in story.secrets) or any(url in text for url in urls)


def may_open(user: User, story: Story) -> bool:
    return account_policies.can_open_account(person=user, account=story.account)


def leaks(story: Story) -> list[str]:
    """Every push that reached someone who may not open what it is about."""
    found = []
    for note in Notification.objects.select_related("user"):
        text = f"{note.title}\n{note.body}\n{note.url}"
        if mentions(text, story) and not may_open(note.user, story):
            found.append(f"notification {note.kind} to {note.user.email}: {note.title}")
    users = {u.email: u for u in User.objects.all()}
    for email in mail.outbox:
        text = f"{email.subject}\n{email.body}"
        for address in email.to:
            if mentions(text, story) and not may_open(users[address], story):
                found.append(f"email to {address}: {email.subject}")
    for escalation in Escalation.objects.prefetch_related("notified"):
        for user in escalation.notified.all():
            if not (
                may_open(user, story) and plan_policies.can_acknowledge_escalation(person=user, escalation=escalation)
            ):
                found.append(f"escalation level {escalation.level} to {user.email}, who cannot open or acknowledge it")
    if story.account.is_confidential:
        found += [f"webhook {d.event}" for d in WebhookDelivery.objects.all() if story.account.pk in _ids(d.payload)]
    return found


def _ids(payload: Any) -> set[Any]:
    """The account ids a webhook payload names (`{"issue": {"account": 7, …}}`)."""
    inner = next(iter(payload.values())) if isinstance(payload, dict) and payload else {}
    return {inner.get("account")} if isinstance(inner, dict) else set()


def notified(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))


@pytest.mark.parametrize("confidential", [False, True], ids=["normal", "confidential"])
def test_every_push_reaches_only_people_who_may_open_it(confidential: bool) -> None:
    story = tell_the_story(confidential=confidential)

    assert leaks(story) == []


@pytest.mark.parametrize("confidential", [False, True], ids=["normal", "confidential"])
def test_each_notification_link_opens_for_the_person_it_was_sent_to(confidential: bool) -> None:
    tell_the_story(confidential=confidential)
    browser = Client()
    answers = set()
    for note in Notification.objects.exclude(url="").select_related("user"):
        browser.force_login(note.user)
        answers.add((note.kind, browser.get(note.url).status_code))
    assert {status for _, status in answers} == {200}
    assert {"issue.routed", "issue.handed_off", "plan.escalated", "issue.escalated"} <= {kind for kind, _ in answers}


def test_a_normal_accounts_news_reaches_the_whole_department_and_internal_systems() -> None:
    tell_the_story(confidential=False)

    assert notified("issue.routed") == {"staff@example.com", "team@example.com", "lead@example.com"}
    assert notified("issue.handed_off") == {"quality@example.com", "qteam@example.com", "qlead@example.com"}
    assert "boss@example.com" in notified("plan.escalated")  # the owner's manager, first on the ladder
    assert "lead@example.com" in notified("issue.escalated")
    assert "staff@example.com" in notified("digest.weekly")  # their step on the plan
    assert {"staff@example.com", "lead@example.com"} <= {address for m in mail.outbox for address in m.to}
    assert {d.event for d in WebhookDelivery.objects.all()} >= {"issue.raised", "plan.created", "plan.escalated"}


def test_a_confidential_accounts_news_reaches_its_team_and_the_executives_only() -> None:
    story = tell_the_story(confidential=True)

    assert notified("issue.routed") == {"team@example.com"}
    assert notified("issue.handed_off") == {"qteam@example.com"}
    # The seats on the ladders (the owner's manager, Engineering's lead) may not open the account: its executive
    # sponsor, who may, is told instead (and in their own seat), not every executive; the sponsor can acknowledge.
    assert notified("plan.escalated") == {"sponsor@example.com"}
    assert notified("issue.escalated") == {"sponsor@example.com"}
    weekly = Notification.objects.filter(kind="digest.weekly")
    assert all(story.plan.title not in n.body for n in weekly.filter(user=story.people["staff"]))
    assert weekly.filter(user=story.people["am"], body__contains=story.plan.title).exists()
    assert WebhookDelivery.objects.count() == 0
    assert "staff@example.com" not in {address for m in mail.outbox for address in m.to}
