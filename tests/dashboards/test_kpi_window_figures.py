"""The KPI page's stored figures (dashboards.KpiWindowFigures): equal to the live ones, per variant; refreshed
after the commit of a write, at most once per period; read only by the viewers they fit; never a day old."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actionplans.models import PlanStatus
from dashboards import services, tasks
from dashboards.models import KpiWindow, KpiWindowFigures
from dashboards.selectors import confidential_variant, kpi_overview, kpi_window_figures, stored_window_figures
from feedback import services as feedback_services
from organization.models import Role
from tests.dashboards.scale import bulk_accounts
from tests.factories import AccountFactory, ActionPlanFactory, ContactLogFactory, IssueFactory, UserFactory

pytestmark = pytest.mark.django_db

WINDOWS = [None, 30, 90]


@pytest.fixture
def data(alice: Any) -> dict[str, Any]:
    """Conversations, issues and plans over the last months, with a confidential account among them."""
    now = timezone.now()
    today = timezone.localdate(now)
    open_account = AccountFactory.create(owner=alice, tier=1)
    confidential = AccountFactory.create(is_confidential=True, tier=2)
    for days, rating, account in [(1, 5, open_account), (10, 2, open_account), (40, 4, open_account)]:
        ContactLogFactory.create(account=account, occurred_at=now - timedelta(days=days), rating=rating)
    ContactLogFactory.create(account=confidential, occurred_at=now - timedelta(days=2), rating=1)
    for days, hours, account in [(3, 2, open_account), (20, 7, open_account), (5, 30, confidential)]:
        raised = now - timedelta(days=days)
        IssueFactory.create(
            contact_log=None,
            raised_by=alice,
            account=account,
            raised_at=raised,
            acknowledged_at=raised + timedelta(hours=hours),
            resolved_at=raised + timedelta(days=1),
            status="resolved",
        )
    IssueFactory.create(contact_log=None, raised_by=alice, account=open_account, raised_at=now - timedelta(days=1))
    ActionPlanFactory.create(account=open_account, promise_on=today - timedelta(days=4))  # broken
    ActionPlanFactory.create(
        account=confidential,
        promise_on=today - timedelta(days=6),
        status=PlanStatus.RESOLVED,
        resolved_at=now - timedelta(days=8),
        resolution="Fixed before the date.",
    )
    return {"open": open_account, "confidential": confidential}


@pytest.mark.parametrize("days", WINDOWS)
def test_stored_figures_equal_the_live_ones_in_both_variants(data: Any, days: int | None) -> None:
    assert services.refresh_kpi_windows() == 6
    today = timezone.localdate()
    for with_confidential, viewer in [(True, services._SeesEverything()), (False, AnonymousUser())]:
        stored = stored_window_figures(with_confidential=with_confidential, today=today, days=days)
        assert stored is not None
        figures, month_to_date = stored
        live = kpi_window_figures(user=viewer, today=today, days=days)
        assert figures.tables == live.tables
        assert figures.previous == live.previous
        assert figures.by_channel == live.by_channel
        assert month_to_date == kpi_window_figures(user=viewer, today=today, days=None).tables[None][None]
        assert figures.computed_at is not None


def test_the_page_from_stored_figures_shows_what_it_computes_live(data: Any, erin: Any, alice: Any) -> None:
    today = timezone.localdate()
    live = {
        (person.pk, days): kpi_overview(user=person, today=today, days=days)
        for person in (erin, alice)
        for days in WINDOWS
    }
    services.refresh_kpi_windows()
    for (pk, days), before in live.items():
        person = erin if pk == erin.pk else alice
        after = kpi_overview(user=person, today=today, days=days)
        assert after.as_of is not None and before.as_of is None
        for name in ("current", "previous", "month_to_date", "by_department", "by_owner", "by_channel", "trend"):
            assert getattr(after, name) == getattr(before, name), (person.email, days, name)
    # Alice sees no confidential account: her figures leave out the confidential account's rating.
    assert kpi_overview(user=alice, today=today, days=30).current.ratings == 2
    assert kpi_overview(user=erin, today=today, days=30).current.ratings == 3


def test_each_viewer_reads_only_the_variant_that_fits_them(data: Any, erin: Any, alice: Any) -> None:
    on_team = UserFactory.create(role=Role.ACCOUNT_MANAGER)
    data["confidential"].owner = on_team
    data["confidential"].save()
    plan_owner = UserFactory.create(role=Role.STAFF)
    ActionPlanFactory.create(account=data["confidential"], owner=plan_owner, promise_on=timezone.localdate())
    assert confidential_variant(erin) is True
    assert confidential_variant(alice) is False
    assert confidential_variant(on_team) is None  # owns a confidential account: always live
    assert confidential_variant(plan_owner) is None  # owns a plan on one: always live

    services.refresh_kpi_windows()
    today = timezone.localdate()
    owner_view = kpi_overview(user=on_team, today=today, days=30)
    assert owner_view.as_of is None  # live, over exactly what they may see
    assert owner_view.current.ratings == 3  # the open account's two and their own confidential one
    assert kpi_overview(user=alice, today=today, days=30).as_of is not None


def test_figures_of_another_day_are_not_read(data: Any, erin: Any) -> None:
    services.refresh_kpi_windows(now=timezone.now() - timedelta(days=1))
    overview = kpi_overview(user=erin, today=timezone.localdate(), days=30)
    assert overview.as_of is None  # computed live rather than yesterday's figures
    assert KpiWindowFigures.objects.count() == 6


def test_a_refresh_is_queued_once_per_period_however_many_writes(erin: Any) -> None:
    with mock.patch.object(tasks.refresh_kpi_windows_task, "apply_async") as queue:
        services._queue_kpi_refresh()
        services._queue_kpi_refresh()
        assert queue.call_count == 1
        assert queue.call_args.kwargs["countdown"] == settings.KPI_REFRESH_SECONDS
        services.start_kpi_refresh()  # the queued task runs: the next write queues the next refresh
        services._queue_kpi_refresh()
        assert queue.call_count == 2


def test_a_logged_call_refreshes_the_stored_figures_after_its_commit(
    alice: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.KPI_REFRESH_AFTER_WRITES = True  # as in production (the test settings turn it off: eager tasks)
    account = AccountFactory.create(owner=alice)
    services.refresh_kpi_windows()
    assert KpiWindowFigures.objects.get(window=KpiWindow.DAYS_30, with_confidential=True).current["org"]["ratings"] == 0
    data = feedback_services.ContactLogInput(
        account=account,
        occurred_at=timezone.now() - timedelta(minutes=5),
        channel="phone",
        topics=["delivery"],
        summary="Deliveries are on time now.",
        rating=4,
    )
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.log_contact(author=alice, data=data, now=timezone.now())
    for row in KpiWindowFigures.objects.all():
        assert row.current["org"]["ratings"] == 1, row


def test_issue_and_plan_saves_ask_for_a_refresh(data: Any) -> None:
    with mock.patch.object(services, "request_kpi_refresh") as request:
        issue = data["open"].issues.first()
        issue.save()
        ActionPlanFactory.create(account=data["open"])
        data["open"].save()
        assert request.call_count == 3


@pytest.mark.parametrize("count", [10, 1000])
def test_the_kpi_page_from_stored_figures_runs_a_constant_number_of_queries(
    erin: Any, count: int, django_assert_num_queries: Any
) -> None:
    bulk_accounts(count)
    services.snapshot_kpis(day=timezone.localdate())
    services.refresh_kpi_windows()
    client = Client()
    client.force_login(erin)
    # session, user; the stored figures (the period and this month); department and owner names; snapshots;
    # unread notifications; the menu's departments; accounts reviewed on time (the tier rules, the accounts)
    with django_assert_num_queries(10):
        response = client.get(reverse("dashboards:kpis"))
    assert response.status_code == 200
    assert response.context["overview"].current.ratings == 10
    assert "Figures as of" in response.content.decode()


def test_the_beat_refresh_writes_every_period_and_variant(erin: Any) -> None:
    with time_machine.travel(timezone.now(), tick=False):
        assert tasks.refresh_kpi_windows_task.delay().get() == 6
    assert set(KpiWindowFigures.objects.values_list("window", "with_confidential")) == {
        (window, variant) for window in KpiWindow for variant in (True, False)
    }
    assert "kpi-window-figures" in settings.CELERY_BEAT_SCHEDULE
