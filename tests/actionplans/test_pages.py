from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Tier
from actionplans import selectors, services
from actionplans.models import COMPLAINT_TEMPLATE, ActionPlan, PlanStatus
from feedback.models import IssueStatus
from organization.models import Role
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    DepartmentFactory,
    IssueFactory,
    PlanStepFactory,
    UserFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def plan_titles(html: str) -> list[str]:
    return re.findall(r'<a href="/plans/\d+/">([^<]+)</a>', html)


def section(html: str, key: str) -> str:
    """The HTML of one what-I-owe group."""
    match = re.search(rf'<section [^>]*id="{key}">(.*?)</section>', html, flags=re.S)
    assert match, f"no section {key}"
    return match.group(1)


@pytest.fixture
def billing() -> Any:
    return DepartmentFactory.create(name="Billing", slug="billing")


@pytest.fixture
def owed_to(bob: Any, alice: Any) -> dict[str, ActionPlan]:
    """Bob's plans, one per group, and a step of Alice's plan assigned to him."""
    plans = {
        "overdue": ActionPlanFactory.create(title="Late credit note", owner=bob, overdue=True),
        "this week": ActionPlanFactory.create(title="Swap the valve", owner=bob, due_on=days_from_today(3)),
        "promise": ActionPlanFactory.create(
            title="Retrain the crew", owner=bob, due_on=days_from_today(3), promise_on=days_from_today(2)
        ),
        "later": ActionPlanFactory.create(title="Review the contract", owner=bob, due_on=days_from_today(30)),
        "done": ActionPlanFactory.create(
            title="Already fixed", owner=bob, overdue=True, status=PlanStatus.RESOLVED, resolution="Fixed."
        ),
        "alices": ActionPlanFactory.create(title="Alice's plan", owner=alice, due_on=days_from_today(30)),
    }
    PlanStepFactory.create(
        plan=plans["alices"], title="Call the site manager", assignee=bob, due_on=days_from_today(-1)
    )
    return plans


def test_what_i_owe_groups_my_active_plans_and_open_steps_each_once(owed_to: dict[str, ActionPlan], bob: Any) -> None:
    owed = selectors.what_i_owe(user=bob, today=timezone.localdate())
    assert [p.title for p in owed.overdue.plans] == ["Late credit note"]
    assert [s.title for s in owed.overdue.steps] == ["Call the site manager"]
    assert [p.title for p in owed.due_this_week.plans] == ["Swap the valve"]
    assert [p.title for p in owed.promises_at_risk.plans] == ["Retrain the crew"]
    assert [p.title for p in owed.later.plans] == ["Review the contract"]
    assert owed.total == 5  # each once; the resolved plan and Alice's own plan are not Bob's to deliver


def test_the_what_i_owe_page_says_each_state_in_words(client: Any, owed_to: dict[str, ActionPlan], bob: Any) -> None:
    client.force_login(bob)
    html = client.get(reverse("actionplans:mine")).content.decode()
    overdue = section(html, "overdue")
    assert "Late credit note" in overdue and "Call the site manager" in overdue
    assert "3 days overdue" in overdue and "due-red" in overdue  # colour and words
    assert "due in 3 days" in section(html, "due-this-week")
    assert "due in 2 days" in section(html, "promises-at-risk")
    assert "Already fixed" not in html


def test_the_plans_nav_link_goes_to_what_i_owe_and_is_active_there(client: Any, bob: Any) -> None:
    client.force_login(bob)
    html = client.get(reverse("actionplans:list")).content.decode()
    assert 'class="nav-link active" aria-current="page" href="/plans/mine/">Plans</a>' in html


@pytest.fixture
def spread(alice: Any, bob: Any, billing: Any, engineering: Any) -> None:
    strategic = AccountFactory.create(name="Strategic Co")
    Account.objects.filter(pk=strategic.pk).update(tier=Tier.STRATEGIC)
    ActionPlanFactory.create(
        title="Engineering late", account=strategic, owner=alice, department=engineering, overdue=True
    )
    ActionPlanFactory.create(title="Billing on time", owner=bob, department=billing)
    ActionPlanFactory.create(
        title="Billing resolved", owner=bob, department=billing, status=PlanStatus.RESOLVED, resolution="Done."
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Engineering late", "Billing on time"]),  # active plans, strategic accounts first
        ({"status": "all"}, ["Engineering late", "Billing on time", "Billing resolved"]),
        ({"status": "resolved"}, ["Billing resolved"]),
        ({"department": "billing"}, ["Billing on time"]),
        ({"owner": "bob"}, ["Billing on time"]),
        ({"tier": Tier.STRATEGIC}, ["Engineering late"]),
        ({"overdue": "true"}, ["Engineering late"]),
        ({"overdue": "false"}, ["Billing on time"]),
    ],
)
def test_the_plan_list_filters(
    client: Any, alice: Any, bob: Any, billing: Any, spread: None, filters: dict[str, Any], expected: list[str]
) -> None:
    params = {k: {"billing": billing.pk, "bob": bob.pk}.get(v, v) for k, v in filters.items()}
    client.force_login(alice)
    assert plan_titles(client.get(reverse("actionplans:list"), params).content.decode()) == expected


def test_filtering_with_htmx_answers_with_the_rows_only(client: Any, alice: Any, spread: None) -> None:
    client.force_login(alice)
    response = client.get(
        reverse("actionplans:list"), {"overdue": "true"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="plan-rows"
    )
    html = response.content.decode()
    assert plan_titles(html) == ["Engineering late"]
    assert "<html" not in html and 'id="plan-rows"' in html


@pytest.mark.parametrize("count", [1, 30])
def test_the_plan_list_query_count_does_not_grow(
    client: Any, bob: Any, django_assert_num_queries: Any, count: int
) -> None:
    for plan in ActionPlanFactory.create_batch(count, owner=bob):
        plan.issues.set([IssueFactory.create(account=plan.account, contact_log__account=plan.account)])
    client.force_login(bob)
    # session, user, department and unread count (navbar), page count, page rows (+account, owner, department),
    # their issues, and the department and owner filter choices
    with django_assert_num_queries(9):
        response = client.get(reverse("actionplans:list"))
    assert len(plan_titles(response.content.decode())) == count


@pytest.mark.parametrize("count", [1, 30])
def test_the_what_i_owe_query_count_does_not_grow(
    client: Any, bob: Any, alice: Any, django_assert_num_queries: Any, count: int
) -> None:
    ActionPlanFactory.create_batch(count, owner=bob, overdue=True)
    PlanStepFactory.create_batch(count, assignee=bob, plan__owner=alice)
    client.force_login(bob)
    # session, user, department and unread count (navbar), my plans (+account, department), my steps (+plan, account)
    with django_assert_num_queries(6):
        response = client.get(reverse("actionplans:mine"))
    assert response.content.decode().count("Step of <a") == count


# Monday 23 Nov 2026 is due; business hours Mon–Fri 08–18 Amsterdam.
WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=AMS)


def planned(*, owner: Any, department: Any, due_on: date, now: datetime) -> ActionPlan:
    return services.create_plan(
        account=AccountFactory.create(),
        title="Replace the cracked housings",
        owner=owner,
        department=department,
        due_on=due_on,
        created_by=owner,
        now=now,
    )


def test_the_sla_clock_runs_until_the_end_of_the_due_date(
    client: Any, bob: Any, engineering: Any, time_machine: Any
) -> None:
    time_machine.move_to(WEDNESDAY_10, tick=False)
    plan = planned(owner=bob, department=engineering, due_on=date(2026, 11, 27), now=WEDNESDAY_10)
    client.force_login(bob)
    html = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert "Running" in html and "28 business hours left" in html  # Wed 10–18, Thu, Fri


def test_the_sla_clock_is_breached_past_the_due_date(
    client: Any, bob: Any, engineering: Any, time_machine: Any
) -> None:
    time_machine.move_to(WEDNESDAY_10, tick=False)
    plan = planned(owner=bob, department=engineering, due_on=date(2026, 11, 23), now=WEDNESDAY_10)
    client.force_login(bob)
    html = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert "Breached" in html and "12 business hours past due" in html  # Tue 08–18, Wed 08–10
    assert "next escalation" in html


def test_the_sla_clock_pauses_while_waiting_on_the_customer(
    client: Any, bob: Any, engineering: Any, time_machine: Any
) -> None:
    time_machine.move_to(WEDNESDAY_10, tick=False)
    plan = planned(owner=bob, department=engineering, due_on=date(2026, 11, 23), now=WEDNESDAY_10)
    services.change_status(plan=plan, status=PlanStatus.WAITING, by=bob, now=WEDNESDAY_10)
    time_machine.move_to(WEDNESDAY_10 + timedelta(days=1), tick=False)
    client.force_login(bob)
    html = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert "Paused" in html and "waiting on the customer since" in html
    assert "12 business hours past due" in html  # frozen when the wait began
    assert "next escalation" not in html


def test_a_done_plan_stops_the_clock(bob: Any) -> None:
    plan = ActionPlanFactory.create(owner=bob, overdue=True, status=PlanStatus.CONFIRMED, resolution="Fixed.")
    assert selectors.sla_clock(plan=plan, now=timezone.now()).state == "stopped"


def test_resolving_without_a_resolution_shows_the_error_and_changes_nothing(client: Any, bob: Any) -> None:
    plan = ActionPlanFactory.create(owner=bob)
    client.force_login(bob)
    response = client.post(
        reverse("actionplans:status", args=[plan.pk]),
        {"status-status": PlanStatus.RESOLVED, "status-resolution": "", "status-version": plan.version},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="id_status-resolution_error">Say how it was resolved\.', html)
    plan.refresh_from_db()
    assert (plan.status, plan.version) == (PlanStatus.OPEN, 1)


def test_confirming_needs_the_customers_words(client: Any, bob: Any) -> None:
    plan = ActionPlanFactory.create(owner=bob)
    client.force_login(bob)
    html = client.post(
        reverse("actionplans:status", args=[plan.pk]),
        {"status-status": PlanStatus.CONFIRMED, "status-resolution": "New seals.", "status-version": plan.version},
    ).content.decode()
    assert "Record what the customer said when confirming." in html
    assert ActionPlan.objects.get(pk=plan.pk).status == PlanStatus.OPEN


def test_resolving_with_a_resolution_resolves_the_plan(client: Any, bob: Any) -> None:
    plan = ActionPlanFactory.create(owner=bob)
    client.force_login(bob)
    response = client.post(
        reverse("actionplans:status", args=[plan.pk]),
        {"status-status": PlanStatus.RESOLVED, "status-resolution": "New seals.", "status-version": plan.version},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.resolution) == (PlanStatus.RESOLVED, "New seals.")


def edit_data(plan: ActionPlan, **changes: Any) -> dict[str, Any]:
    data = {
        "title": plan.title,
        "owner": plan.owner_id,
        "due_on": plan.due_on.isoformat(),
        "promise_on": plan.promise_on.isoformat() if plan.promise_on else "",
        "version": plan.version,
    } | changes
    return {f"edit-{k}": v for k, v in data.items()}


def test_setting_the_promise_date_records_when_we_told_the_customer(client: Any, bob: Any) -> None:
    plan = ActionPlanFactory.create(owner=bob)
    client.force_login(bob)
    promise = days_from_today(5)
    response = client.post(reverse("actionplans:edit", args=[plan.pk]), edit_data(plan, promise_on=promise))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.promise_on == promise and plan.promised_at is not None


def test_the_date_fields_show_dates_the_browser_understands(client: Any, bob: Any) -> None:
    plan = ActionPlanFactory.create(owner=bob, due_on=date(2026, 12, 31), promise_on=date(2026, 12, 24))
    client.force_login(bob)
    html = client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    assert 'type="date" name="edit-due_on" value="2026-12-31"' in html
    assert 'type="date" name="edit-promise_on" value="2026-12-24"' in html


def test_a_stale_edit_is_refused(client: Any, bob: Any) -> None:
    plan = ActionPlanFactory.create(owner=bob, title="Original")
    stale = edit_data(plan, title="Mine")
    services.update_plan(plan=plan, by=bob, now=timezone.now(), expected_version=1, title="Theirs")
    client.force_login(bob)
    html = client.post(reverse("actionplans:edit", args=[plan.pk]), stale).content.decode()
    assert "changed by someone else" in html
    assert ActionPlan.objects.get(pk=plan.pk).title == "Theirs"


def test_a_promise_in_the_past_is_a_field_error(client: Any, bob: Any) -> None:
    plan = ActionPlanFactory.create(owner=bob)
    client.force_login(bob)
    html = client.post(
        reverse("actionplans:edit", args=[plan.pk]), edit_data(plan, promise_on=days_from_today(-1))
    ).content.decode()
    assert re.search(r'id="id_edit-promise_on_error">A promise date cannot be in the past\.', html)


def test_a_plan_of_a_confidential_account_is_hidden_from_outsiders(client: Any, alice: Any, bob: Any) -> None:
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    plan = ActionPlanFactory.create(account=secret, title="Secret plan")
    client.force_login(bob)
    assert client.get(reverse("actionplans:detail", args=[plan.pk])).status_code == 404
    assert client.post(reverse("actionplans:status", args=[plan.pk]), {}).status_code == 404
    assert "Secret plan" not in client.get(reverse("actionplans:list"), {"status": "all"}).content.decode()


def test_creating_a_plan_from_an_issue_plans_the_issue_with_the_complaint_steps(
    client: Any, bob: Any, engineering: Any
) -> None:
    issue = IssueFactory.create(department=engineering, verbatim="The pump overheats at full load.")
    client.force_login(bob)
    response = client.post(reverse("actionplans:from-issue", args=[issue.pk]))
    plan = ActionPlan.objects.get()
    assert response.url == reverse("actionplans:detail", args=[plan.pk])
    issue.refresh_from_db()
    assert issue.status == IssueStatus.PLANNED
    assert [s.title for s in plan.steps.all()] == COMPLAINT_TEMPLATE
    assert (plan.title, plan.owner, plan.department) == ("The pump overheats at full load.", bob, engineering)


def test_the_inbox_offers_create_plan_only_for_issues_without_one(client: Any, bob: Any, engineering: Any) -> None:
    IssueFactory.create(department=engineering)
    IssueFactory.create(department=engineering, status=IssueStatus.PLANNED)
    client.force_login(bob)
    assert client.get(reverse("feedback:inbox")).content.decode().count(">Create plan</button>") == 1


def test_creating_a_plan_twice_gives_one_plan(client: Any, bob: Any, engineering: Any) -> None:
    issue = IssueFactory.create(department=engineering)
    client.force_login(bob)
    first = client.post(reverse("actionplans:from-issue", args=[issue.pk]))
    second = client.post(reverse("actionplans:from-issue", args=[issue.pk]))
    assert first.url == second.url and ActionPlan.objects.count() == 1


def test_another_department_cannot_plan_for_an_issue(client: Any, engineering: Any, billing: Any) -> None:
    issue = IssueFactory.create(department=engineering)
    client.force_login(UserFactory.create(department=billing))
    assert client.post(reverse("actionplans:from-issue", args=[issue.pk])).status_code == 403
    assert not ActionPlan.objects.exists()


def test_staff_outside_the_department_cannot_change_the_status(client: Any, engineering: Any, billing: Any) -> None:
    plan = ActionPlanFactory.create(department=engineering)
    client.force_login(UserFactory.create(role=Role.STAFF, department=billing))
    response = client.post(
        reverse("actionplans:status", args=[plan.pk]),
        {"status-status": PlanStatus.CANCELLED, "status-version": plan.version},
    )
    assert response.status_code == 403
    assert ActionPlan.objects.get(pk=plan.pk).status == PlanStatus.OPEN
    assert (
        'action="/plans/' + str(plan.pk) + '/status/"'
        not in client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    )


def test_ticking_a_step_with_htmx_answers_with_the_row(client: Any, bob: Any) -> None:
    step = PlanStepFactory.create(plan__owner=bob, title="Listen")
    client.force_login(bob)
    response = client.post(reverse("actionplans:step-toggle", args=[step.pk]), {"done": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and f'id="step-{step.pk}"' in html and 'aria-checked="true"' in html
    assert 'name="done" value="0"' in html  # ticking it again reopens it
    step.refresh_from_db()
    assert step.done_at is not None


def test_the_person_an_escalation_reached_acknowledges_it(client: Any, engineering: Any) -> None:
    boss = UserFactory.create(role=Role.DEPARTMENT_LEAD, department=engineering)
    owner = UserFactory.create(role=Role.ACCOUNT_MANAGER, department=engineering, manager=boss)
    plan = planned(owner=owner, department=engineering, due_on=days_from_today(-60), now=timezone.now())
    (escalation, *_) = services.escalate_plan(plan_id=plan.pk, now=timezone.now())
    client.force_login(owner)
    assert ">Acknowledge</button>" not in client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    client.force_login(boss)
    assert ">Acknowledge</button>" in client.get(reverse("actionplans:detail", args=[plan.pk])).content.decode()
    client.post(reverse("actionplans:escalation-acknowledge", args=[escalation.pk]))
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == boss


def test_the_issue_page_offers_a_plan_then_links_to_it(client: Any, bob: Any, engineering: Any) -> None:
    issue = IssueFactory.create(department=engineering)
    client.force_login(bob)
    assert ">Create plan</button>" in client.get(reverse("feedback:issue-detail", args=[issue.pk])).content.decode()
    client.post(reverse("actionplans:from-issue", args=[issue.pk]))
    html = client.get(reverse("feedback:issue-detail", args=[issue.pk])).content.decode()
    assert ">Create plan</button>" not in html
    assert f'href="/plans/{ActionPlan.objects.get().pk}/">Plan: ' in html


# --- Plans from anywhere (issue 14) ------------------------------------------------------------------------------


def test_a_new_plan_starts_from_the_account_page_with_steps(client: Any, alice: Any) -> None:
    account = AccountFactory.create(owner=alice, name="Planned Ltd")
    department = DepartmentFactory.create(name="Service")
    client.force_login(alice)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    url = f"{reverse('actionplans:new')}?account={account.pk}"
    assert f'href="{url}"' in page
    form = client.get(url).content.decode()
    assert f'<option value="{account.pk}" selected>' in form
    answer = client.post(
        url,
        {
            "account": account.pk,
            "title": "Visit the plant and retrain the drivers",
            "owner": alice.pk,
            "department": department.pk,
            "due_on": days_from_today(10).isoformat(),
            "promise_on": days_from_today(14).isoformat(),
            "steps": "Call the plant manager\r\n\r\nRetrain the drivers\r\n",
        },
    )
    plan = ActionPlan.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("actionplans:detail", args=[plan.pk])
    assert (plan.account, plan.owner, plan.department, plan.promise_on) == (
        account,
        alice,
        department,
        days_from_today(14),
    )
    assert list(plan.steps.values_list("title", flat=True)) == ["Call the plant manager", "Retrain the drivers"]


def test_the_new_plan_form_refuses_an_owner_and_department_the_person_may_not_choose(client: Any, bob: Any) -> None:
    account = AccountFactory.create()
    other = DepartmentFactory.create(name="Billing")
    client.force_login(bob)
    answer = client.post(
        reverse("actionplans:new"),
        {"account": account.pk, "title": "Not mine", "owner": bob.pk, "department": other.pk, "due_on": "2027-01-01"},
    )
    assert answer.status_code == 200 and "Nothing was saved." in answer.content.decode()
    assert not ActionPlan.objects.exists()


def test_the_plan_list_offers_a_new_plan(client: Any, alice: Any) -> None:
    client.force_login(alice)
    assert f'href="{reverse("actionplans:new")}"' in client.get(reverse("actionplans:list")).content.decode()


def test_no_new_plan_button_for_someone_who_can_plan_nothing_for_the_account(client: Any) -> None:
    account = AccountFactory.create()
    nobody = UserFactory.create(role=Role.STAFF, department=None)
    client.force_login(nobody)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert reverse("actionplans:new") not in html


def test_an_unchanged_plan_edit_keeps_the_version(client: Any) -> None:
    plan = ActionPlanFactory.create(promise_on=days_from_today(5))
    client.force_login(plan.owner)
    form = {
        "edit-title": plan.title,
        "edit-owner": plan.owner_id,
        "edit-due_on": plan.due_on.isoformat(),
        "edit-promise_on": plan.promise_on.isoformat(),
        "edit-version": plan.version,
    }
    client.post(reverse("actionplans:edit", args=[plan.pk]), form)
    before = plan.version
    plan.refresh_from_db()
    assert (plan.version, plan.history.count()) == (before, 1)
