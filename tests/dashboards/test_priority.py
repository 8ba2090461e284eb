"""The priority-account dashboard: page, CSV export and API, scoped to the viewer, in a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account, Tier
from actionplans.models import Escalation, PlanStatus
from tests.dashboards.scale import bulk_accounts
from tests.factories import (
    AccountFactory,
    ActionPlanFactory,
    ContactLogFactory,
    IssueFactory,
)

pytestmark = pytest.mark.django_db


def ranked(name: str, rank: int, tier: int = Tier.STRATEGIC, **extra: Any) -> Account:
    account = AccountFactory.create(name=name, **extra)
    Account.objects.filter(pk=account.pk).update(rank=rank, tier=tier)
    account.refresh_from_db()
    return account


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def busy() -> Account:
    """Rank 1: contacted 20 days ago (Strategic: every 14), 2 critical + 1 low open issue (and one resolved),
    one overdue plan, one open escalation, ratings in two months."""
    account = ranked("Busy Bee Corp", 1)
    now = timezone.now()
    ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=20), rating=5)
    ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=70), rating=2)
    Account.objects.filter(pk=account.pk).update(
        last_contact_at=now - timedelta(days=20), next_contact_due=timezone.localdate() - timedelta(days=6)
    )
    IssueFactory.create_batch(2, contact_log__account=account, severity="critical")
    IssueFactory.create(contact_log__account=account, severity="low")
    IssueFactory.create(contact_log__account=account, severity="high", status="resolved", resolved_at=now)
    overdue = ActionPlanFactory.create(account=account, overdue=True)
    ActionPlanFactory.create(
        account=account, overdue=True, status=PlanStatus.RESOLVED, resolution="Fixed", resolved_at=now
    )
    Escalation.objects.create(plan=overdue, level=1, target="owner", escalated_at=now)
    return account


def test_the_dashboard_lists_accounts_in_rank_order_with_what_shows_they_are_looked_after(
    erin: Any, busy: Account
) -> None:
    ranked("Quiet Quay Ltd", 2, tier=Tier.KEY)

    response = logged_in(erin).get(reverse("dashboards:priority"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.account.name for row in rows] == ["Busy Bee Corp", "Quiet Quay Ltd"]
    first = rows[0]
    assert (first.days_since_contact, first.cadence_days, first.contact_status) == (20, 14, "overdue")
    assert (first.account.open_critical, first.account.open_high, first.account.open_low) == (2, 0, 1)
    assert (first.account.overdue_plans, first.account.open_escalations) == (1, 1)
    assert sum(value is not None for value in first.ratings) == 2  # two months with a rating, the rest gaps
    html = response.content.decode()
    assert "2 critical" in html and "6 days overdue" in html
    assert 'aria-label="Rating by month:' in html  # the sparkline's numbers, for screen readers


def test_totals_count_every_selected_account_not_only_the_page(erin: Any, busy: Account) -> None:
    for rank in range(2, 60):
        ranked(f"Filler {rank:02d}", rank, tier=Tier.CORE)

    response = logged_in(erin).get(reverse("dashboards:priority"))

    totals = response.context["totals"]
    assert len(response.context["rows"]) == 50
    assert totals.accounts == 59
    assert totals.open_issues == {"critical": 2, "high": 0, "medium": 0, "low": 1}
    assert (totals.overdue_plans, totals.open_escalations) == (1, 1)


def test_open_escalations_count_those_through_a_plan_and_through_an_issue(erin: Any) -> None:
    account = ranked("Escalated", 1)
    other = ranked("Not selected", 2, segment=account.segment, region="South")
    now = timezone.now()
    open_issue = IssueFactory.create(account=account, severity="critical")
    closed_issue = IssueFactory.create(account=account, status="closed")
    plan = ActionPlanFactory.create(account=account)
    Escalation.objects.create(plan=plan, level=1, target="owner", escalated_at=now)
    Escalation.objects.create(issue=open_issue, level=1, target="owner", escalated_at=now)
    Escalation.objects.create(issue=open_issue, level=2, target="owner", escalated_at=now, acknowledged_at=now)
    Escalation.objects.create(issue=closed_issue, level=1, target="owner", escalated_at=now)
    Escalation.objects.create(issue=IssueFactory.create(account=other), level=1, target="owner", escalated_at=now)

    everything = logged_in(erin).get(reverse("dashboards:priority")).context["totals"]
    north = logged_in(erin).get(reverse("dashboards:priority"), {"region": "North"}).context["totals"]

    assert everything.open_escalations == 3  # the plan's, the open issue's, the other account's
    assert north.open_escalations == 2  # only the selected accounts'


def test_filters_select_by_tier_segment_region_and_owner(erin: Any, busy: Account) -> None:
    key = ranked("Keystone Key", 2, tier=Tier.KEY, region="South")
    client = logged_in(erin)

    def names(**query: Any) -> list[str]:
        return [row.account.name for row in client.get(reverse("dashboards:priority"), query).context["rows"]]

    assert names(tier=Tier.KEY) == ["Keystone Key"]
    assert names(region="south") == ["Keystone Key"]
    assert names(segment=busy.segment.slug) == ["Busy Bee Corp"]
    assert names(owner=key.owner_id) == ["Keystone Key"]


def test_a_confidential_account_is_neither_listed_nor_counted_for_someone_off_its_team(
    erin: Any, bob: Any, busy: Account
) -> None:
    Account.objects.filter(pk=busy.pk).update(is_confidential=True)
    ranked("Open Book Inc", 2)

    for_bob = logged_in(bob).get(reverse("dashboards:priority")).context
    for_erin = logged_in(erin).get(reverse("dashboards:priority")).context

    assert [row.account.name for row in for_bob["rows"]] == ["Open Book Inc"]
    assert (for_bob["totals"].accounts, for_bob["totals"].open_issue_total, for_bob["totals"].overdue_plans) == (
        1,
        0,
        0,
    )
    assert (for_erin["totals"].accounts, for_erin["totals"].open_issue_total) == (2, 3)


@pytest.mark.parametrize("count", [10, 1000])
def test_the_dashboard_page_runs_a_constant_number_of_queries(
    erin: Any, count: int, django_assert_num_queries: Any
) -> None:
    bulk_accounts(count)
    client = logged_in(erin)
    # session, user, count, page, tier cadences, sparkline ratings, 4 totals, unread notifications, the user's
    # department, filter choices (segments, owners)
    with django_assert_num_queries(14):
        response = client.get(reverse("dashboards:priority"))
    assert response.status_code == 200


def test_the_export_is_what_the_filters_select_on_every_page(erin: Any, busy: Account) -> None:
    for rank in range(2, 60):
        ranked(f"Filler {rank:02d}", rank, tier=Tier.CORE)

    response = logged_in(erin).get(reverse("dashboards:priority-export"), {"tier": Tier.STRATEGIC})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]

    assert response["Content-Type"].startswith("text/csv")
    assert [row["account"] for row in rows] == ["Busy Bee Corp"]
    assert rows[0]["open_critical_issues"] == "2" and rows[0]["contact_status"] == "overdue"
    assert rows[0]["days_since_contact"] == "20" and rows[0]["open_escalations"] == "1"
    everything = logged_in(erin).get(reverse("dashboards:priority-export"))
    assert len(list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))) == 1 + 59  # type: ignore[attr-defined]


def test_an_export_is_audited_with_its_filters(erin: Any, busy: Account) -> None:
    from organization.models import AuditEvent

    logged_in(erin).get(reverse("dashboards:priority-export"), {"tier": Tier.KEY})

    event = AuditEvent.objects.get(kind="export")
    assert event.user == erin and event.detail == {"export": "priority-accounts", "tier": str(Tier.KEY)}


def test_the_export_leaves_out_confidential_accounts_for_someone_off_the_team(bob: Any, busy: Account) -> None:
    Account.objects.filter(pk=busy.pk).update(is_confidential=True)
    response = logged_in(bob).get(reverse("dashboards:priority-export"))
    assert "Busy Bee Corp" not in b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]


# --- API ---------------------------------------------------------------------------------------------------------


def test_the_priority_api_serves_rows_with_severities_cadence_and_twelve_months(
    api: APIClient, read_token: str, busy: Account
) -> None:
    ranked("Second Best", 2, tier=Tier.KEY)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")

    response = api.get(reverse("api:priority-accounts"), {"tier": "strategic"})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["name"] == "Busy Bee Corp" and row["tier"] == "strategic"
    assert row["open_issues"] == {"critical": 2, "high": 0, "medium": 0, "low": 1}
    assert (row["overdue_plans"], row["open_escalations"], row["contact_status"]) == (1, 1, "overdue")
    assert (
        len(row["ratings_by_month"]) == 12 and row["ratings_by_month"][-1]["month"] == f"{timezone.localdate():%Y-%m}"
    )


def test_an_api_client_never_sees_a_confidential_account_on_the_dashboard(
    api: APIClient, read_token: str, busy: Account
) -> None:
    Account.objects.filter(pk=busy.pk).update(is_confidential=True)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")
    assert api.get(reverse("api:priority-accounts")).json()["results"] == []


@pytest.mark.parametrize("count", [10, 1000])
def test_the_priority_api_runs_a_constant_number_of_queries(
    api: APIClient, read_token: str, count: int, django_assert_num_queries: Any
) -> None:
    bulk_accounts(count)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {read_token}")
    api.get(reverse("api:priority-accounts"))  # the token's first use of the hour is recorded once
    # the page and the sparkline ratings (the token's client and the tier cadences are cached by then)
    with django_assert_num_queries(2):
        response = api.get(reverse("api:priority-accounts"))
    assert len(response.json()["results"]) == min(count, 50)
