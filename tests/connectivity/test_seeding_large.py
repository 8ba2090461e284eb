from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import Account, CustomerContact
from actionplans.models import ACTIVE_STATUSES, ActionPlan
from connectivity import seeding_large
from feedback.models import ContactLog, Issue

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the large seed loads with PostgreSQL's COPY; set DATABASE_URL"
)
FACTOR = 0.002  # 100 accounts, 2,000 logs: the large path's code at a size a test can afford
LOADED_TABLES = [model._meta.db_table for model in seeding_large.LOADED]


def seed_large(*args: str) -> None:
    call_command("seed_demo", "--scale", "large", "--quiet", *args, stdout=StringIO(), stderr=StringIO())


def index_definitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [LOADED_TABLES])
        return {row[0] for row in cursor.fetchall()}


@postgres_only
def test_large_seed_creates_the_counts_asked_for() -> None:
    seed_large("--scale-factor", str(FACTOR))

    counts = seeding_large.Counts().scaled(FACTOR)
    assert Account.objects.count() == counts.accounts
    assert CustomerContact.objects.count() == counts.contacts
    assert ContactLog.objects.count() == counts.logs
    assert Issue.objects.count() == counts.issues
    assert ActionPlan.objects.count() == counts.plans


@postgres_only
def test_large_seed_leaves_priorities_and_contact_clocks_consistent() -> None:
    seed_large("--scale-factor", str(FACTOR))

    latest = (
        ContactLog.objects.filter(account=OuterRef("pk")).order_by().values("account").annotate(m=Max("occurred_at"))
    )
    stale = Account.objects.annotate(latest=Subquery(latest.values("m"))).exclude(
        last_contact_at=Subquery(latest.values("m"))
    )
    assert not stale.exists()
    assert sorted(Account.objects.values_list("rank", flat=True)) == list(range(1, Account.objects.count() + 1))
    assert not Account.objects.filter(next_contact_due=None).exists()
    assert Account.objects.filter(tier=1).exists()  # scores were weighed: not everyone stayed in the default tier


@postgres_only
def test_large_seed_makes_about_one_plan_in_twenty_overdue() -> None:
    seed_large("--scale-factor", "0.01")

    today = timezone.localdate()
    overdue = ActionPlan.objects.filter(status__in=ACTIVE_STATUSES, due_on__lt=today).count()
    assert 0.02 < overdue / ActionPlan.objects.count() < 0.09
    assert not ActionPlan.objects.filter(Q(issues=None)).exists()  # every plan answers an issue


@postgres_only
def test_large_seed_rebuilds_every_index_it_dropped() -> None:
    before = index_definitions()

    seed_large("--scale-factor", str(FACTOR))

    assert index_definitions() == before


@postgres_only
def test_a_failed_load_leaves_the_indexes_in_place() -> None:
    before = index_definitions()

    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        connection.cursor() as cursor,
        seeding_large.without_secondary_indexes(cursor, LOADED_TABLES),
    ):
        assert index_definitions() < before
        raise RuntimeError("the load failed half way")

    assert index_definitions() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="checks the refusal on SQLite")
def test_large_seed_on_sqlite_says_it_needs_postgresql() -> None:
    err = StringIO()

    with pytest.raises(SystemExit):
        call_command("seed_demo", "--scale", "large", "--quiet", stdout=StringIO(), stderr=err)

    assert "needs PostgreSQL" in err.getvalue()
    assert not Account.objects.exists()


@postgres_only
def test_large_seed_adds_two_annual_surveys_half_answered_with_declines_proposed() -> None:
    from surveys.models import DeclineProposal, SurveyAnswer, SurveyInvitation, SurveyResponse

    seed_large("--scale-factor", str(FACTOR))

    counts = seeding_large.Counts().scaled(FACTOR)
    responses = SurveyResponse.objects.filter(submitted_at__isnull=False)
    assert responses.count() == counts.survey_responses  # 100,000 at full scale
    assert SurveyInvitation.objects.count() == 2 * counts.survey_responses
    assert responses.values("campaign").distinct().count() == 2
    assert SurveyAnswer.objects.filter(response__in=responses).count() == 9 * counts.survey_responses
    assert not SurveyAnswer.objects.filter(score__lt=1, question__kind="score").exists()
    assert DeclineProposal.objects.exists()
    assert all(p.current_score < p.previous_score for p in DeclineProposal.objects.all())
