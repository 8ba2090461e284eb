"""The home page answers "what now?" for each role: every number links to its list, counts only what its reader
may open, and the page runs the same number of queries for one row as for many."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, AccountHealthMonth, Tier
from actionplans.models import Escalation
from feedback.models import IssueHandoff, IssueStatus
from organization.models import Role, User
from organization.services import notify
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    DepartmentFactory,
    IssueFactory,
    UserFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def counts(html: str) -> dict[str, tuple[str, int]]:
    """Each number tile on the page: its test id → (the link, the number)."""
    tiles = re.finditer(r'href="([^"]*)" data-testid="(count-[a-z-]+)">\s*<span[^>]*>(\d+)</span>', html)
    return {m.group(2): (m.group(1).replace("&amp;", "&"), int(m.group(3))) for m in tiles}


def last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def fell(name: str, *, before: int, now: int, tier: int = Tier.STRATEGIC, **extra: Any) -> Account:
    account = AccountFactory.create(name=name, **extra)
    Account.objects.filter(pk=account.pk).update(tier=tier, health=now)
    AccountHealthMonth.objects.create(account=account, month=last_month(timezone.localdate()), health=before)
    return account


def confidential(**extra: Any) -> Account:
    account = AccountFactory.create(**extra)
    Account.objects.filter(pk=account.pk).update(is_confidential=True)
    account.refresh_from_db()
    return account


# --- Account manager ---------------------------------------------------------------------------------------------


def test_an_account_manager_sees_whom_to_call_what_they_owe_and_what_is_new(alice: User) -> None:
    due = AccountFactory.create(name="Due Soon Works", owner=alice, next_contact_due=days_from_today(2))
    AccountFactory.create(name="Far Away Works", owner=alice, next_contact_due=days_from_today(60))
    ActionPlanFactory.create(account=due, owner=alice, title="Fix the gearbox", overdue=True)
    ActionPlanFactory.create(account=due, owner=alice, title="Call back", promise_on=days_from_today(3))
    notify(users=[alice], kind="reply", title="Dana replied on Fix the gearbox", url="/plans/", dedupe_key="r1")

    html = logged_in(alice).get(reverse("home")).content.decode()

    assert counts(html) == {
        "count-calls": (reverse("accounts:call-next"), 1),
        "count-overdue": (reverse("actionplans:mine") + "#overdue", 1),
        "count-promises-at-risk": (reverse("actionplans:mine") + "#promises-at-risk", 1),
        "count-replies": (reverse("notifications"), 1),
    }
    assert "Due Soon Works" in html
    assert "Far Away Works" not in html
    assert "Fix the gearbox" in html
    assert "Dana replied on Fix the gearbox" in html


def test_an_account_managers_calls_leave_out_what_they_may_no_longer_open(alice: User) -> None:
    hidden = confidential(owner=UserFactory.create(role=Role.ACCOUNT_MANAGER), next_contact_due=days_from_today(1))
    ActionPlanFactory.create(account=hidden, owner=UserFactory.create(), overdue=True)

    html = logged_in(alice).get(reverse("home")).content.decode()

    assert counts(html)["count-calls"][1] == 0
    assert counts(html)["count-overdue"][1] == 0
    assert hidden.name not in html


# --- Department lead and staff -----------------------------------------------------------------------------------


def test_a_department_member_sees_new_issues_by_age_handoffs_and_plans_due(bob: User, engineering: Any) -> None:
    now = timezone.now()
    for days in (0, 2, 5, 10, 12):
        IssueFactory.create(department=engineering, raised_at=now - timedelta(days=days, hours=1))
    IssueFactory.create(department=engineering, status=IssueStatus.ACKNOWLEDGED)
    sales = DepartmentFactory.create(name="Sales", slug="sales")
    handed = IssueFactory.create(department=sales, status=IssueStatus.ACKNOWLEDGED, verbatim="Wrong invoice address.")
    IssueHandoff.objects.create(
        issue=handed,
        from_department=sales,
        to_department=engineering,
        note="Theirs",
        handed_off_by=UserFactory.create(),
        handed_off_at=now,
    )
    ActionPlanFactory.create(department=engineering, title="Late plan", overdue=True)
    ActionPlanFactory.create(department=engineering, title="Due Friday", due_on=days_from_today(3))
    ActionPlanFactory.create(department=engineering, title="Next quarter", due_on=days_from_today(90))

    response = logged_in(bob).get(reverse("home"))
    html = response.content.decode()

    assert counts(html) == {
        "count-unacknowledged": (reverse("feedback:inbox") + "?status=new", 5),
        "count-handoffs": (reverse("feedback:inbox"), 1),
        "count-plans-overdue": (f"{reverse('actionplans:list')}?overdue=true&department={engineering.pk}", 1),
        "count-mine": (reverse("actionplans:mine"), 0),
    }
    buckets = [(b.label, b.count) for b in response.context["queue"].unacknowledged]
    assert buckets == [("under a day", 1), ("1–3 days", 1), ("3–7 days", 1), ("over a week", 2)]
    assert response.context["queue"].plans_due_this_week == 1
    assert "Wrong invoice address." in html
    assert "Late plan" in html and "Due Friday" in html and "Next quarter" not in html


def test_the_unacknowledged_count_is_what_its_inbox_link_lists(bob: User, engineering: Any) -> None:
    issues = [IssueFactory.create(department=engineering) for _ in range(3)]
    IssueFactory.create(department=engineering, status=IssueStatus.ACKNOWLEDGED, verbatim="Already seen.")
    client = logged_in(bob)

    link, number = counts(client.get(reverse("home")).content.decode())["count-unacknowledged"]

    listed = client.get(link).content.decode()
    assert number == 3
    assert all(issue.verbatim in listed for issue in issues)
    assert "Already seen." not in listed


def test_a_department_lead_never_counts_an_issue_or_plan_of_a_confidential_account(engineering: Any) -> None:
    dana = UserFactory.create(role=Role.DEPARTMENT_LEAD, department=engineering)
    hidden = confidential()
    IssueFactory.create(department=engineering, account=hidden, contact_log__account=hidden)
    ActionPlanFactory.create(department=engineering, account=hidden, overdue=True)

    html = logged_in(dana).get(reverse("home")).content.decode()

    assert counts(html)["count-unacknowledged"][1] == 0
    assert counts(html)["count-plans-overdue"][1] == 0
    assert hidden.name not in html


def test_someone_in_no_department_is_told_so(db: Any) -> None:
    loner = UserFactory.create(role=Role.STAFF, department=None)

    html = logged_in(loner).get(reverse("home")).content.decode()

    assert "not in a department" in html


# --- Executive and admin -----------------------------------------------------------------------------------------


def test_an_executive_sees_priority_accounts_whose_health_fell_broken_promises_and_escalations(erin: User) -> None:
    fell("Falling Strategic", before=80, now=60)
    fell("Falling Core", before=80, now=60, tier=Tier.CORE)
    fell("Rising Key", before=50, now=70, tier=Tier.KEY)
    broken = ActionPlanFactory.create(title="Promised last week", promise_on=days_from_today(-5))
    ActionPlanFactory.create(title="Promised next week", promise_on=days_from_today(5))
    Escalation.objects.create(plan=broken, level=1, target="owner_manager", escalated_at=timezone.now())
    old = ActionPlanFactory.create(title="Escalated long ago")
    Escalation.objects.create(plan=old, level=1, target="owner_manager", escalated_at=timezone.now() - timedelta(9))

    html = logged_in(erin).get(reverse("home")).content.decode()

    tiles = counts(html)
    assert tiles["count-health-fell"] == (reverse("dashboards:priority") + "?tier=1&tier=2", 1)
    assert tiles["count-broken-promises"][1] == 1
    assert tiles["count-escalations"][1] == 1
    assert "Falling Strategic" in html and "Falling Core" not in html and "Rising Key" not in html
    assert "Promised last week" in html and "Promised next week" not in html
    assert "Escalated long ago" not in html


def test_an_admin_gets_the_executive_home(admin_user: User) -> None:
    html = logged_in(admin_user).get(reverse("home")).content.decode()

    assert "count-health-fell" in html and "count-broken-promises" in html


# --- Constant queries --------------------------------------------------------------------------------------------


def fill_everything(rows: int, *, alice: User, engineering: Any) -> None:
    now = timezone.now()
    for n in range(rows):
        account = fell(f"Account {n:03d}", before=90, now=50, owner=alice, next_contact_due=days_from_today(1))
        issue = IssueFactory.create(account=account, contact_log__account=account, department=engineering)
        plan = ActionPlanFactory.create(
            account=account, department=engineering, overdue=True, promise_on=date(2026, 1, 1)
        )
        Escalation.objects.create(plan=plan, level=1, target="owner_manager", escalated_at=now)
        sales = DepartmentFactory.create()
        handed = IssueFactory.create(account=account, contact_log__account=account, department=sales)
        IssueHandoff.objects.create(
            issue=handed,
            from_department=sales,
            to_department=engineering,
            note="-",
            handed_off_by=alice,
            handed_off_at=now,
        )
        notify(users=[alice], kind="reply", title=f"Reply {n}", dedupe_key=f"reply-{n}")
        assert issue.pk


@pytest.mark.parametrize("rows", [1, 12])
@pytest.mark.parametrize(
    ("persona", "queries"),
    [
        ("alice", 12),  # the layout's reads, new for you ×2, calls ×2, what I owe ×2, reviews due ×2 (tier rules)
        ("bob", 14),  # the layout's reads, new for you ×2, the department, its queue ×7, what I owe ×2
        ("erin", 14),  # the layout's reads, new for you ×2, health fell ×2, broken promises ×2, escalations ×2,
        # reviews due ×2 (the tier rules, then the accounts)
    ],
)
def test_each_home_runs_a_constant_number_of_queries(
    rows: int, persona: str, queries: int, request: Any, engineering: Any, django_assert_num_queries: Any
) -> None:
    alice = request.getfixturevalue("alice")
    fill_everything(rows, alice=alice, engineering=engineering)
    client = logged_in(request.getfixturevalue(persona))

    with django_assert_num_queries(queries):
        response = client.get(reverse("home"))

    assert response.status_code == 200
