"""Monthly rollups: each figure the executive pages read from them equals the figure counted from the logs."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Account, AccountTeamMember
from dashboards import services
from dashboards.models import AccountMonthRollup
from dashboards.selectors import kpi_tables, monthly_ratings, rating_plan
from feedback import services as feedback_services
from feedback.models import ContactLog
from organization.models import Role, User
from tests.factories import AccountFactory, ContactLogFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


def window(first: date, last: date) -> tuple[datetime, datetime]:
    """Whole local days first..last, as the KPI page asks for them."""
    return at(first, 0), at(last + timedelta(days=1), 0)


@pytest.fixture
def history(alice: User, bob: User) -> dict[str, Any]:
    """Two departments' owners, a confidential account of alice's that bob may not see (and carol may, through
    the team), logs across four months with an empty September, unrated and deleted logs, and two logs either
    side of midnight at a month's end (local time)."""
    sales, service = DepartmentFactory.create(name="Sales"), DepartmentFactory.create(name="Service")
    User.objects.filter(pk=alice.pk).update(department=sales)
    dora = UserFactory.create(role=Role.ACCOUNT_MANAGER, department=service)
    carol = UserFactory.create(role=Role.STAFF)
    open_account = AccountFactory.create(owner=dora)
    other = AccountFactory.create(owner=alice)
    secret = AccountFactory.create(owner=alice, is_confidential=True)
    AccountTeamMember.objects.create(account=secret, user=carol)
    logs = [
        (open_account, at(date(2026, 8, 5)), 5),
        (open_account, at(date(2026, 8, 30)), 2),
        (other, at(date(2026, 8, 31), 23, 30), 4),  # still August in Amsterdam
        (other, at(date(2026, 10, 1), 0, 30), 3),  # October in Amsterdam, September in UTC
        (open_account, at(date(2026, 10, 2)), 1),
        (open_account, at(date(2026, 10, 15)), None),  # no rating
        (secret, at(date(2026, 10, 16)), 1),
        (secret, at(date(2026, 10, 25)), 5),
        (other, at(date(2026, 10, 31), 23, 59), 4),
        (other, at(date(2026, 11, 1), 0, 1), 2),
        (open_account, at(date(2026, 11, 3)), 4),
        (secret, at(date(2026, 11, 19)), 3),
    ]
    for account, occurred_at, rating in logs:
        ContactLogFactory.create(account=account, occurred_at=occurred_at, rating=rating)
    deleted = ContactLogFactory.create(account=open_account, occurred_at=at(date(2026, 10, 20)), rating=5)
    ContactLog.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now(), deleted_reason="Logged twice.")
    services.rebuild_rollups()
    return {"dora": dora, "carol": carol, "secret": secret, "other": other, "open": open_account}


def ratings_from_logs(*, user: Any, start: datetime, end: datetime) -> dict[tuple[Any, Any], tuple[float, float, int]]:
    """The customer-voice KPI per scope, counted from the logs as the KPI page did before the rollups."""
    sums: dict[tuple[Any, Any], list[int]] = defaultdict(lambda: [0, 0, 0])
    for department, owner, rating_sum, total, good in (
        ContactLog.objects.visible_to(user)
        .filter(occurred_at__gte=start, occurred_at__lt=end, rating__isnull=False)
        .order_by()
        .values_list("account__owner__department_id", "account__owner_id")
        .annotate(s=Sum("rating"), t=Count("pk"), g=Count("pk", filter=Q(rating__gte=4)))
    ):
        scopes = [(None, None), *([("department", department)] if department else []), ("owner", owner)]
        for scope in scopes:
            for i, value in enumerate((rating_sum, total, good)):
                sums[scope][i] += value
    return {scope: (s / t, g / t, t) for scope, (s, t, g) in sums.items()}


def ratings_from_rollups(*, user: Any, start: datetime, end: datetime) -> dict[tuple[Any, Any], tuple[Any, Any, int]]:
    tables = kpi_tables(user=user, start=start, end=end)
    return {
        (scope, key): (kpi.rating_average, kpi.rating_share_4_5, kpi.ratings)
        for scope, table in tables.items()
        for key, kpi in table.items()
        if kpi.ratings
    }


def months_from_logs(*, user: Any, account_ids: list[int]) -> dict[int, dict[date, float]]:
    """The dashboard's sparkline values, averaged from the logs as the dashboard did before the rollups."""
    averages: dict[int, dict[date, float]] = defaultdict(dict)
    for account_id, month, average in (
        ContactLog.objects.visible_to(user)
        .filter(account_id__in=account_ids, rating__isnull=False, occurred_at__gte=at(date(2025, 12, 1), 0))
        .annotate(month=TruncMonth("occurred_at"))
        .order_by()
        .values_list("account_id", "month")
        .annotate(average=Avg("rating"))
    ):
        averages[account_id][timezone.localtime(month).date()] = round(float(average), 2)
    return averages


WINDOWS = {
    "one whole month": (date(2026, 10, 1), date(2026, 10, 31)),
    "this month to date": (date(2026, 11, 1), TODAY),
    "as many days before": (date(2026, 10, 12), date(2026, 10, 31)),
    "last 30 days": (date(2026, 10, 22), TODAY),
    "the 30 before": (date(2026, 9, 22), date(2026, 10, 21)),
    "last 90 days": (date(2026, 8, 23), TODAY),
    "most of a month, and the next": (date(2026, 10, 2), TODAY),
    "an empty month": (date(2026, 9, 1), date(2026, 9, 30)),
    "three days": (date(2026, 10, 15), date(2026, 10, 17)),
}


@pytest.mark.parametrize("persona", ["erin", "alice", "bob", "carol"])
@pytest.mark.parametrize("name", list(WINDOWS))
def test_customer_voice_from_rollups_equals_the_count_from_the_logs(
    history: dict[str, Any], persona: str, name: str, request: Any
) -> None:
    viewer = history["carol"] if persona == "carol" else request.getfixturevalue(persona)
    start, end = window(*WINDOWS[name])

    expected = ratings_from_logs(user=viewer, start=start, end=end)

    assert ratings_from_rollups(user=viewer, start=start, end=end) == expected


def test_a_window_in_utc_hours_is_counted_to_the_hour(history: dict[str, Any], erin: User) -> None:
    utc = timezone.get_fixed_timezone(0)
    start, end = datetime(2026, 8, 31, 22, tzinfo=utc), datetime(2026, 10, 31, 22, 30, tzinfo=utc)
    assert ratings_from_rollups(user=erin, start=start, end=end) == ratings_from_logs(user=erin, start=start, end=end)


def test_org_totals_count_a_confidential_account_only_for_those_who_may_see_it(
    history: dict[str, Any], erin: User, bob: User
) -> None:
    start, end = window(date(2026, 10, 1), date(2026, 10, 31))
    for_erin = ratings_from_rollups(user=erin, start=start, end=end)[(None, None)]
    for_bob = ratings_from_rollups(user=bob, start=start, end=end)[(None, None)]
    assert for_erin[2] == for_bob[2] + 2  # the secret account's two October ratings
    assert ("owner", history["secret"].owner_id) in ratings_from_rollups(
        user=bob, start=start, end=end
    )  # alice's other


@pytest.mark.parametrize("persona", ["erin", "bob"])
def test_the_sparklines_from_rollups_equal_the_averages_from_the_logs(
    history: dict[str, Any], persona: str, request: Any
) -> None:
    viewer = request.getfixturevalue(persona)
    ids = [history["open"].pk, history["other"].pk, history["secret"].pk]
    firsts = [date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 12)]

    expected = {
        pk: [months.get(first) for first in firsts]
        for pk, months in months_from_logs(user=viewer, account_ids=ids).items()
    }

    assert monthly_ratings(user=viewer, account_ids=ids, today=TODAY) == expected


def test_a_rebuild_counts_each_account_month_once_and_leaves_empty_months_out(history: dict[str, Any]) -> None:
    rows = {
        (r.month, r.contacts, r.ratings, r.rating_sum, r.ratings_4_5)
        for r in AccountMonthRollup.objects.filter(account=history["open"])
    }
    # August 5 and 2; October 1 and an unrated one (the deleted 5 left out); November 4. No September row.
    assert rows == {
        (date(2026, 8, 1), 2, 2, 7, 1),
        (date(2026, 10, 1), 2, 1, 1, 0),
        (date(2026, 11, 1), 1, 1, 4, 1),
    }
    assert services.rebuild_rollups() == AccountMonthRollup.objects.count() == 8  # again: the same rows


def test_a_recount_writes_what_the_logs_say_however_often_it_runs(history: dict[str, Any]) -> None:
    before = list(AccountMonthRollup.objects.order_by("account", "month").values_list("account", "month", "rating_sum"))
    services.recount_account_months(account_ids=[history["open"].pk, history["open"].pk, history["secret"].pk])
    services.recount_account_months(account_ids=[history["open"].pk])
    after = list(AccountMonthRollup.objects.order_by("account", "month").values_list("account", "month", "rating_sum"))
    assert after == before


def test_a_window_reads_whole_months_from_rollups_and_only_its_edges_from_the_logs() -> None:
    start, end = window(date(2026, 8, 23), TODAY)
    plan = rating_plan(start=start, end=end, now=at(TODAY, 15))
    assert plan.months == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert plan.add == [(start, at(date(2026, 9, 1), 0))]  # August 23–31: fewer days than August 1–22
    assert plan.subtract == [(end, at(date(2026, 12, 1), 0))]  # November after today: nothing logged yet


def test_a_conversation_logged_edited_and_deleted_after_the_rebuild_moves_the_figures_on_commit(
    rollups_by_hand: None,
    alice: User,
    erin: User,
    admin_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    account = AccountFactory.create(owner=alice)
    services.rebuild_rollups()
    now = timezone.now()
    month = timezone.localdate(now).replace(day=1)
    start, end = window(month, timezone.localdate(now))
    data = feedback_services.ContactLogInput(
        account=account, occurred_at=now - timedelta(minutes=1), channel="phone", summary="All good.", rating=5
    )

    with django_capture_on_commit_callbacks(execute=True):
        log = feedback_services.log_contact(author=alice, data=data, now=now)
    logged = ratings_from_rollups(user=erin, start=start, end=end)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.edit_contact_log(log=log, by=alice, now=now, rating=2)
    edited = ratings_from_rollups(user=erin, start=start, end=end)
    counted = ratings_from_logs(user=erin, start=start, end=end)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.delete_contact_log(log=log, by=admin_user, reason="Wrong account.", now=now)

    assert logged[("owner", alice.pk)] == (5, 1, 1)
    assert edited[("owner", alice.pk)] == (2, 0, 1)
    assert edited == counted  # the logs agree after the edit
    assert not AccountMonthRollup.objects.filter(account=account).exists()  # its only month emptied
    assert monthly_ratings(user=erin, account_ids=[account.pk], today=timezone.localdate(now)) == {}


def test_a_rolled_back_conversation_leaves_the_rollups_alone(
    rollups_by_hand: None, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    account = AccountFactory.create(owner=alice)
    now = timezone.now()
    data = feedback_services.ContactLogInput(
        account=account, occurred_at=now, channel="phone", summary="All good.", rating=5
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        feedback_services.log_contact(author=alice, data=data, now=now)
    assert callbacks  # queued for the commit, not run inside the transaction
    assert not AccountMonthRollup.objects.filter(account=account).exists()


def test_the_rebuild_command_reports_its_progress_and_what_it_wrote(history: dict[str, Any]) -> None:
    AccountMonthRollup.objects.all().delete()
    out = StringIO()
    call_command("rebuild_rollups", "--batch-size", "2", stdout=out)
    assert "2 of 3 accounts" in out.getvalue() and "3 of 3 accounts" in out.getvalue()
    assert "Rebuilt 8 account-months" in out.getvalue()
    assert AccountMonthRollup.objects.count() == 8
    assert Account.objects.count() == 3


def test_a_reassigned_or_newly_confidential_account_is_recounted_for_its_new_owner(
    rollups_by_hand: None, history: dict[str, Any], erin: User, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    start, end = window(date(2026, 10, 1), date(2026, 10, 31))
    account, dora = history["other"], history["dora"]

    with django_capture_on_commit_callbacks(execute=True):
        account_services.update_account(account=account, changed_by=None, now=timezone.now(), owner=dora)
    with django_capture_on_commit_callbacks(execute=True):
        account_services.update_account(account=account, changed_by=None, now=timezone.now(), is_confidential=True)

    assert set(AccountMonthRollup.objects.filter(account=account).values_list("owner", "is_confidential")) == {
        (dora.pk, True)
    }
    for viewer in (erin, bob):
        assert ratings_from_rollups(user=viewer, start=start, end=end) == ratings_from_logs(
            user=viewer, start=start, end=end
        )


def test_the_nightly_net_recounts_accounts_moved_by_a_set_based_update(history: dict[str, Any], erin: User) -> None:
    Account.objects.filter(pk=history["open"].pk).update(owner=history["carol"])  # no signal

    assert services.recount_moved_accounts() == 1
    assert services.recount_moved_accounts() == 0
    start, end = window(date(2026, 8, 1), TODAY)
    assert ratings_from_rollups(user=erin, start=start, end=end) == ratings_from_logs(user=erin, start=start, end=end)
