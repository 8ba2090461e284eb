"""`seed_demo --scale large`: a company-sized synthetic dataset on PostgreSQL, loaded with COPY in minutes.

Building a million model instances takes longer than the whole budget, so the rows of the big tables are written
as COPY text into in-memory buffers and streamed to PostgreSQL chunk by chunk. Before loading, the loaded tables'
secondary indexes and foreign keys are dropped; afterwards they are re-created from their own definitions
(`pg_indexes`, `pg_constraint`), inside the caller's transaction: an error rolls the DDL back with the data, so the
database is never left without them. What derives from the rows (each account's last contact, score, tier, rank
and contact-due date) is then set-based, by the same `accounts.services.recompute_priorities` the app uses.

People, departments and everything small come from the ordinary app seeders; this module replaces only the
accounts, feedback and actionplans seeders, whose row counts are the point.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from tqdm import tqdm

from accounts import seed as account_seed
from accounts import services as account_services
from accounts.models import (
    Account,
    AccountScore,
    AccountStatus,
    AccountTeamMember,
    BuyingRole,
    CustomerContact,
    PriorityCriterion,
    Segment,
    TeamRole,
)
from actionplans.models import COMPLAINT_TEMPLATE, ActionPlan, PlanStatus, PlanStep
from connectivity.seeding import seed_modules
from feedback import seed as feedback_seed
from feedback.models import Channel, ContactLog, Issue, IssueStatus, Severity, Topic
from kernel.seeding import SeedContext
from organization.models import Role, User
from surveys import proposals as survey_proposals
from surveys.models import SurveyAnswer, SurveyCampaign, SurveyInvitation, SurveyKind, SurveyResponse, SurveyVersion

# The app seeders this module stands in for at large scale.
REPLACED = frozenset({"accounts.seed", "feedback.seed", "actionplans.seed"})
NULL = r"\N"
CHUNK = 50_000  # rows per COPY round trip: big enough to amortise it, small enough to keep memory flat
YEARS_OF_HISTORY_DAYS = 730
PLANS_WITH_STEPS = 20_000  # the complaint template's steps on the first plans, as the small seeder does


@dataclass(frozen=True)
class Counts:
    """Rows to create. The defaults are the large scale; tests shrink them with `scaled`."""

    accounts: int = 50_000
    contacts: int = 250_000
    logs: int = 1_000_000
    issues: int = 300_000
    plans: int = 200_000
    team_accounts: int = 5_000
    survey_responses: int = 100_000  # two annual surveys, half of those invited answering

    def scaled(self, factor: float) -> Counts:
        return replace(self, **{f.name: max(1, math.ceil(getattr(self, f.name) * factor)) for f in fields(self)})


def is_supported() -> bool:
    return connection.vendor == "postgresql"


def seed(ctx: SeedContext, *, counts: Counts | None = None) -> Counts:
    """Run every app seeder, with the bulk loader in place of the accounts, feedback and actionplans ones."""
    if not is_supported():
        raise RuntimeError("seed_demo --scale large needs PostgreSQL (COPY); set DATABASE_URL=postgres://…")
    counts = counts or Counts()
    loaded = False
    for module in seed_modules():
        if module.__name__ not in REPLACED:
            module.seed(ctx)
        elif not loaded:
            _load(ctx, counts)
            loaded = True
    return counts


# --- loading ----------------------------------------------------------------------------------------------------


def _copy_text(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _implied_columns(model: Any, columns: list[str]) -> tuple[list[str], str]:
    """The model's other required columns, with their defaults: a field added later needs no change here."""
    named = {column.strip('"') for column in columns}
    extra: list[str] = []
    values: list[str] = []
    for field in model._meta.concrete_fields:
        if field.column in named or field.primary_key or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = timezone.now()
        elif field.has_default():
            value = field.get_default()
        else:
            raise ImproperlyConfigured(f"{model.__name__}.{field.name} has no default: the bulk loader must set it")
        extra.append(connection.ops.quote_name(field.column))
        values.append(_copy_text(value))
    return extra, "".join(f"\t{value}" for value in values)


class _CopyWriter:
    """Rows as COPY text, sent every CHUNK rows. Values are already text; callers never pass tabs or newlines."""

    def __init__(self, cursor: CursorWrapper, model: Any, columns: list[str], bar: tqdm[Any]) -> None:
        self.cursor = cursor
        extra, self.suffix = _implied_columns(model, columns)
        self.sql = f"COPY {model._meta.db_table} ({', '.join([*columns, *extra])}) FROM STDIN"
        self.bar = bar
        self.buffer = io.StringIO()
        self.pending = 0
        self.written = 0

    def row(self, values: list[str]) -> None:
        self.buffer.write("\t".join(values))
        self.buffer.write(self.suffix)
        self.buffer.write("\n")
        self.pending += 1
        if self.pending >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.buffer.seek(0)
            self.cursor.copy_expert(self.sql, self.buffer)
            self.bar.update(self.pending)
            self.written += self.pending
            self.buffer = io.StringIO()
            self.pending = 0


@contextmanager
def _copying(
    cursor: CursorWrapper, ctx: SeedContext, model: Any, columns: list[str], *, total: int, desc: str
) -> Iterator[_CopyWriter]:
    with tqdm(total=total, desc=desc, unit="row", disable=ctx.quiet, file=sys.stderr, leave=True) as bar:
        writer = _CopyWriter(cursor, model, columns, bar)
        yield writer
        writer.flush()


@contextmanager
def without_secondary_indexes(cursor: CursorWrapper, tables: list[str]) -> Iterator[list[str]]:
    """Drop the tables' secondary indexes and foreign keys for a bulk load; re-create them after, even on error.

    Indexes backing a primary key or a unique constraint stay (they are the constraints themselves), and so do
    partial indexes: they cover a few rows, and PostgreSQL does not print their predicate back in the form it was
    written (`status IN (…)` comes back as `= ANY (ARRAY[…])`, which prints differently again). The
    definitions are read back from the catalog, so an index added by a later migration is handled the same way.
    Inside a transaction an error rolls everything back, dropped indexes included; outside one, they are
    re-created before the error propagates.
    """
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema()"
        " AND i.tablename = ANY(%s) AND i.indexdef NOT LIKE '%% WHERE %%' AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
        " JOIN pg_class ic ON ic.oid = c.conindid WHERE ic.relname = i.indexname)"
        " ORDER BY i.tablename, i.indexname",
        [tables],
    )
    indexes: list[tuple[str, str]] = cursor.fetchall()
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid::regclass::text, conname",
        [tables],
    )
    foreign_keys: list[tuple[str, str, str]] = cursor.fetchall()
    # Dropping a foreign key alters the referenced table too, which PostgreSQL refuses while deferred checks on
    # it are pending (the people just seeded): run those checks now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table, name, _ in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    failed = False
    try:
        yield [name for name, _ in indexes]
    except BaseException:
        failed = True
        raise
    finally:
        if not (failed and connection.in_atomic_block):  # in a transaction, the rollback restores them
            _restore(cursor, [definition for _, definition in indexes], foreign_keys)


def _restore(cursor: CursorWrapper, indexes: list[str], foreign_keys: list[tuple[str, str, str]]) -> None:
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # sorts for index builds stay in memory
    for definition in tqdm(indexes, desc="indexes", unit="index", disable=not indexes, file=sys.stderr):
        cursor.execute(definition)
    for table, name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default for what follows


def _reset_sequences(cursor: CursorWrapper, models: list[Any]) -> None:
    for model in models:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",  # noqa: S608
            [table],
        )


def _next_id(cursor: CursorWrapper, model: Any) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
    return int(cursor.fetchone()[0])


LOADED: list[type[models.Model]] = [
    Account,
    AccountScore,
    CustomerContact,
    AccountTeamMember,
    ContactLog,
    ContactLog.our_participants.through,
    Issue,
    ActionPlan,
    ActionPlan.issues.through,
    PlanStep,
]


def _load(ctx: SeedContext, counts: Counts) -> None:
    now = timezone.now()
    rng = ctx.rng
    segments = [Segment.objects.create(name=name, slug=slug) for name, slug in account_seed.SEGMENTS]
    criteria = [
        PriorityCriterion.objects.create(name=name, description=text, weight=Decimal(weight), order=i)
        for i, (name, text, weight) in enumerate(account_seed.CRITERIA)
    ]
    users: list[User] = ctx.shared["users"]
    departments = ctx.shared["departments"]
    managers = [u.pk for u in users if u.role == Role.ACCOUNT_MANAGER]
    alice = next(u.pk for u in users if u.email == "alice@example.com")
    executives = [u.pk for u in users if u.role == Role.EXECUTIVE]
    others = [u.pk for u in users if u.role in {Role.STAFF, Role.DEPARTMENT_LEAD}]
    stamp = now.isoformat()

    with connection.cursor() as cursor, without_secondary_indexes(cursor, [m._meta.db_table for m in LOADED]):
        first = {model: _next_id(cursor, model) for model in LOADED}

        # Accounts: score, tier and rank are computed below, set-based, like every recompute.
        account_ids = list(range(first[Account], first[Account] + counts.accounts))
        owners: list[int] = []
        confidential = 0
        columns = [
            *("id", "name", "external_id", "segment_id", "industry", "region", "status", "owner_id"),
            *("executive_sponsor_id", "is_confidential", "needs", "wants", "score", "rank", "computed_tier"),
            *("tier", "tier_override_reason", "version", "created_at", "updated_at"),
        ]
        statuses, status_weights = list(AccountStatus.values), [5, 80, 10, 5]
        with _copying(cursor, ctx, Account, columns, total=counts.accounts, desc="accounts") as out:
            for i, pk in enumerate(account_ids):
                owner = alice if i % 12 == 0 else rng.choice(managers)
                owners.append(owner)
                secret = rng.random() < 0.05
                confidential += secret
                created = (now - timedelta(days=YEARS_OF_HISTORY_DAYS + rng.randint(0, 1500))).isoformat()
                out.row(
                    [
                        str(pk),
                        f"{rng.choice(account_seed.PREFIX)} {rng.choice(account_seed.SUFFIX)} {i + 1:05d}",
                        f"ERP-{100000 + i}",
                        str(rng.choices(segments, weights=[1, 3, 6])[0].pk),
                        rng.choice(account_seed.INDUSTRIES),
                        rng.choice(account_seed.REGIONS),
                        rng.choices(statuses, weights=status_weights)[0],
                        str(owner),
                        str(rng.choice(executives)) if rng.random() < 0.2 else NULL,
                        "t" if secret else "f",
                        json.dumps(rng.sample(account_seed.NEEDS, 2)),
                        json.dumps(rng.sample(account_seed.WANTS, 2)),
                        "0",
                        "0",
                        "4",
                        "4",
                        "",
                        "1",
                        created,
                        created,
                    ]
                )

        with _copying(
            cursor,
            ctx,
            AccountScore,
            ["account_id", "criterion_id", "value", "updated_at"],
            total=counts.accounts * len(criteria),
            desc="scores",
        ) as out:
            for pk in account_ids:
                strength = rng.betavariate(2, 3) * 10  # most customers are ordinary, a few stand out
                for criterion in criteria:
                    value = min(10.0, max(0.0, rng.gauss(strength, 1.5)))
                    out.row([str(pk), str(criterion.pk), f"{value:.1f}", stamp])

        contact_columns = "account_id name title email phone buying_role influence needs wants is_active created_at"
        contact_columns += " updated_at"
        with _copying(
            cursor, ctx, CustomerContact, contact_columns.split(), total=counts.contacts, desc="contacts"
        ) as out:
            roles = list(BuyingRole.values)
            for i in range(counts.contacts):
                account = account_ids[i % counts.accounts]
                first_name, last_name = rng.choice(account_seed.FIRST), rng.choice(account_seed.LAST)
                out.row(
                    [
                        str(account),
                        f"{first_name} {last_name}",
                        rng.choice(account_seed.TITLES),
                        f"{first_name.lower()}.{last_name.lower().replace(' ', '')}@customer{account}.example",
                        f"+31 6 {rng.randint(10_000_000, 99_999_999)}",
                        rng.choice(roles),
                        str(rng.randint(1, 5)),
                        json.dumps(rng.sample(account_seed.NEEDS, 1)),
                        json.dumps(rng.sample(account_seed.WANTS, 1)),
                        "t",
                        stamp,
                        stamp,
                    ]
                )

        team_roles = list(TeamRole.values)
        team_accounts = account_ids[: min(counts.team_accounts, counts.accounts)]
        with _copying(
            cursor,
            ctx,
            AccountTeamMember,
            ["account_id", "user_id", "role", "can_edit"],
            total=len(team_accounts) * 2,
            desc="account teams",
        ) as out:
            for pk in team_accounts:
                for member in rng.sample(others, 2):
                    out.row([str(pk), str(member), rng.choice(team_roles), "f"])

        plan_rows = _load_logs_and_issues(cursor, ctx, counts, account_ids, owners, departments, now)
        _load_plans(cursor, ctx, plan_rows, first, now)

        # Every log's author took part in it.
        through = ContactLog.our_participants.through._meta.db_table
        cursor.execute(
            f"INSERT INTO {through} (contactlog_id, user_id)"  # noqa: S608
            f" SELECT id, author_id FROM {ContactLog._meta.db_table} WHERE id >= %s",
            [first[ContactLog]],
        )
        _reset_sequences(cursor, LOADED)

    with connection.cursor() as cursor:
        # The accounts' cadence clocks follow their latest conversation; then score, tier, rank and due dates.
        table = Account._meta.db_table
        cursor.execute(
            f"UPDATE {table} a SET last_contact_at = latest.at FROM (SELECT account_id, MAX(occurred_at) AS at"  # noqa: S608
            f" FROM {ContactLog._meta.db_table} GROUP BY account_id) latest WHERE latest.account_id = a.id"
        )
        account_services.recompute_priorities(changed_by=None, now=now, note="demo data")
        for model in LOADED:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        _load_surveys(cursor, now=now, responses=counts.survey_responses)
        for model in SURVEYS_LOADED:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    survey_proposals.propose_plans(now=now)
    ctx.shared["account_count"] = counts.accounts
    ctx.shared["confidential_accounts"] = confidential


@dataclass(frozen=True)
class _PlannedIssue:
    """What a plan needs from the issue it answers."""

    issue_id: int
    account_id: int
    department_id: int
    author_id: int
    raised_at: datetime
    resolved_at: datetime | None
    verbatim: str
    status: str


def _load_logs_and_issues(
    cursor: CursorWrapper,
    ctx: SeedContext,
    counts: Counts,
    account_ids: list[int],
    owners: list[int],
    departments: dict[str, Any],
    now: datetime,
) -> list[_PlannedIssue]:
    rng = ctx.rng
    topics = list(Topic.values)
    channels, channel_weights = list(Channel.values), [15, 10, 35, 20, 15, 5]
    ratings, rating_weights = [NULL, "1", "2", "3", "4", "5"], [20, 3, 7, 20, 30, 20]
    severities, severity_weights = list(Severity.values), [30, 45, 20, 5]
    topic_json = {(a, b): json.dumps([a, b] if b else [a]) for a in topics for b in [*topics, ""]}
    route = {topic: str(departments[slug].pk) for topic, slug in feedback_seed.ROUTE.items()}
    old = now - timedelta(days=60)
    eligible = {IssueStatus.PLANNED, IssueStatus.RESOLVED, IssueStatus.CLOSED}
    raising = set(rng.sample(range(counts.logs), min(counts.issues, counts.logs)))
    log_id = _next_id(cursor, ContactLog)
    issue_id = _next_id(cursor, Issue)
    planned: list[_PlannedIssue] = []
    log_columns = "id account_id occurred_at channel topics summary rating rating_comment author_id"
    log_columns += " version created_at updated_at deleted_reason"
    issue_columns = "id contact_log_id account_id severity department_id verbatim status raised_by_id raised_at"
    issue_columns += " acknowledged_at acknowledged_by_id resolved_at version created_at updated_at"
    with (
        _copying(cursor, ctx, ContactLog, log_columns.split(), total=counts.logs, desc="contact logs") as logs,
        _copying(cursor, ctx, Issue, issue_columns.split(), total=len(raising), desc="issues") as issues,
    ):
        for i in range(counts.logs):
            index = rng.randrange(counts.accounts)
            account, author = account_ids[index], owners[index]
            occurred = now - timedelta(seconds=rng.uniform(0, YEARS_OF_HISTORY_DAYS * 86400))
            at = occurred.isoformat()
            topic = rng.choice(topics)
            summary = rng.choice(feedback_seed.SAYINGS[topic])
            rating = rng.choices(ratings, weights=rating_weights)[0]
            logs.row(
                [
                    str(log_id),
                    str(account),
                    at,
                    rng.choices(channels, weights=channel_weights)[0],
                    topic_json[topic, rng.choice(topics) if rng.random() < 0.3 else ""],
                    summary,
                    rating,
                    rng.choice(feedback_seed.COMMENTS) if rating != NULL else "",
                    str(author),
                    "1",
                    at,
                    at,
                    "",
                ]
            )
            if i in raising:
                if occurred < old:
                    status = rng.choices(
                        [IssueStatus.CLOSED, IssueStatus.RESOLVED, IssueStatus.PLANNED], weights=[6, 3, 1]
                    )[0]
                else:
                    status = rng.choice([IssueStatus.NEW, IssueStatus.ACKNOWLEDGED, IssueStatus.PLANNED])
                acknowledged = occurred + timedelta(hours=rng.uniform(0.5, 96)) if status != IssueStatus.NEW else None
                resolved = (
                    occurred + timedelta(days=rng.uniform(2, 45))
                    if status in {IssueStatus.RESOLVED, IssueStatus.CLOSED}
                    else None
                )
                department = route[topic]
                issues.row(
                    [
                        str(issue_id),
                        str(log_id),
                        str(account),
                        rng.choices(severities, weights=severity_weights)[0],
                        department,
                        summary,
                        status,
                        str(author),
                        at,
                        acknowledged.isoformat() if acknowledged else NULL,
                        str(author) if acknowledged else NULL,
                        resolved.isoformat() if resolved else NULL,
                        "1",
                        at,
                        (resolved or acknowledged or occurred).isoformat(),
                    ]
                )
                if status in eligible and len(planned) < counts.plans:
                    planned.append(
                        _PlannedIssue(issue_id, account, int(department), author, occurred, resolved, summary, status)
                    )
                issue_id += 1
            log_id += 1
    return planned


def _load_plans(
    cursor: CursorWrapper,
    ctx: SeedContext,
    issues: list[_PlannedIssue],
    first: dict[Any, int],
    now: datetime,
) -> None:
    """One plan per answered issue: done ones resolved or confirmed, a share of the active ones overdue (~5%)."""
    rng = ctx.rng
    today = timezone.localdate(now)
    stamp = now.isoformat()
    active = [PlanStatus.OPEN, PlanStatus.IN_PROGRESS, PlanStatus.IN_PROGRESS, PlanStatus.WAITING]
    plan_id = first[ActionPlan]
    columns = "id account_id title owner_id department_id status due_on promise_on promised_at resolution"
    columns += " resolved_at customer_confirmation confirmed_at paused_at paused_seconds next_escalation_at"
    columns += " version created_by_id created_at updated_at"
    links = io.StringIO()
    steps: list[tuple[int, bool]] = []
    with _copying(cursor, ctx, ActionPlan, columns.split(), total=len(issues), desc="action plans") as out:
        for issue in issues:
            due = timezone.localdate(issue.raised_at) + timedelta(days=rng.randint(5, 30))
            promise = due + timedelta(days=rng.randint(0, 7)) if rng.random() < 0.7 else None
            done = issue.status in {IssueStatus.RESOLVED, IssueStatus.CLOSED} and issue.resolved_at is not None
            if done:
                status = PlanStatus.CONFIRMED if rng.random() < 0.4 else PlanStatus.RESOLVED
            else:
                status = rng.choice(active)
                # About 40% of the active plans (about 5% of all plans) are past due; the rest are on schedule.
                if rng.random() < 0.6:
                    due = today + timedelta(days=rng.randint(1, 30))
                    promise = due + timedelta(days=rng.randint(0, 5)) if promise else None
            resolved = issue.resolved_at.isoformat() if done and issue.resolved_at else NULL
            confirmed = status == PlanStatus.CONFIRMED
            # Overdue plans are looked at by the first sweep, which escalates them exactly as it would live.
            sweep = status in {PlanStatus.OPEN, PlanStatus.IN_PROGRESS} and due < today
            created = issue.raised_at.isoformat()
            out.row(
                [
                    str(plan_id),
                    str(issue.account_id),
                    issue.verbatim[:120],
                    str(issue.author_id),
                    str(issue.department_id),
                    status,
                    due.isoformat(),
                    promise.isoformat() if promise else NULL,
                    (issue.raised_at + timedelta(days=1)).isoformat() if promise else NULL,
                    "Fixed and explained to the customer." if done else "",
                    resolved,
                    "Confirmed on the follow-up call." if confirmed else "",
                    resolved if confirmed else NULL,
                    stamp if status == PlanStatus.WAITING else NULL,
                    "0",
                    stamp if sweep else NULL,
                    "1",
                    str(issue.author_id),
                    created,
                    resolved if done else created,
                ]
            )
            links.write(f"{plan_id}\t{issue.issue_id}\n")
            if len(steps) < PLANS_WITH_STEPS and rng.random() < 0.5:
                steps.append((plan_id, done))
            plan_id += 1
    links.seek(0)
    cursor.copy_expert(f"COPY {ActionPlan.issues.through._meta.db_table} (actionplan_id, issue_id) FROM STDIN", links)
    with _copying(
        cursor,
        ctx,
        PlanStep,
        ["plan_id", "title", '"order"', "done_at"],
        total=len(steps) * len(COMPLAINT_TEMPLATE),
        desc="plan steps",
    ) as out:
        for plan, done in steps:
            for order, title in enumerate(COMPLAINT_TEMPLATE):
                out.row([str(plan), title, str(order), stamp if done else NULL])


# --- surveys ---------------------------------------------------------------------------------------------------

SURVEYS_LOADED: list[type[models.Model]] = [SurveyInvitation, SurveyResponse, SurveyAnswer]
# Each account's usual score (1–5) from its id, and whether it declined this year (one in sixteen): on the
# dimensions whose question position matches the account id modulo 3, two points lower, and advocacy with them.
# An account rates each dimension the same every year (its own offset from its usual score), so only the
# declining accounts' dimensions fall and propose plans.
_MOOD = "(CASE WHEN {a} %% 10 < 2 THEN 5 WHEN {a} %% 10 < 6 THEN 4 WHEN {a} %% 10 < 9 THEN 3 ELSE 2 END)"
_DECLINING = "({a} %% 16 = 0 AND {latest})"


def _load_surveys(cursor: CursorWrapper, *, now: datetime, responses: int) -> None:
    """Two annual perception surveys (last year's and this year's), each sent to up to two contacts per account
    until twice its share of `responses` are invited, every other invitation answered: `responses` responses in
    all, with their scores, recommend and choose-again, by INSERT … SELECT (no row passes through Python)."""
    version = SurveyVersion.objects.filter(template__slug="annual-perception").order_by("-number").first()
    if version is None:
        return
    per_campaign = math.ceil(responses / 2)
    tables = [model._meta.db_table for model in SURVEYS_LOADED]
    this_year = timezone.localdate(now).year
    with without_secondary_indexes(cursor, tables):
        for year in (this_year - 1, this_year):
            _load_survey_year(cursor, version=version, year=year, now=now, per_campaign=per_campaign)


def _load_survey_year(cursor: CursorWrapper, *, version: Any, year: int, now: datetime, per_campaign: int) -> None:
    """One year's annual survey: its campaign, invitations, responses and scored answers."""
    this_year = timezone.localdate(now).year
    invitations, answers = SurveyInvitation._meta.db_table, SurveyAnswer._meta.db_table
    table = SurveyResponse._meta.db_table
    contacts, questions = CustomerContact._meta.db_table, version.questions.model._meta.db_table
    started = datetime.combine(date(year, 3, 2), datetime.min.time(), tzinfo=timezone.get_current_timezone())
    campaign = SurveyCampaign.objects.create(
        version=version,
        kind=SurveyKind.ANNUAL,
        name=f"Customer perception survey {year}",
        created_at=started + timedelta(hours=9),
        state=SurveyCampaign.State.CLOSED if started + timedelta(days=60) < now else SurveyCampaign.State.SENT,
        expires_at=started + timedelta(days=60),
    )
    latest = "TRUE" if year == this_year else "FALSE"
    mood, declining = _MOOD.format(a="i.account_id"), _DECLINING.format(a="i.account_id", latest=latest)
    cursor.execute(
        f"INSERT INTO {invitations} (campaign_id, account_id, contact_id, email, nonce, state, sent_at,"  # noqa: S608
        " reminders_sent) SELECT %s, c.account_id, c.id, c.email, md5(c.id::text || %s), 'sent',"
        " %s + (c.id %% 120) * interval '1 minute', 0 FROM (SELECT id, account_id, email, ROW_NUMBER()"
        f" OVER (PARTITION BY account_id ORDER BY id) AS n FROM {contacts} WHERE email <> '') c"
        " WHERE c.n <= 2 ORDER BY c.id LIMIT %s",
        [campaign.pk, str(campaign.pk), campaign.created_at, 2 * per_campaign],
    )
    # Every other invitation answers, two hours to two weeks after it was sent (never in the future).
    cursor.execute(
        f"INSERT INTO {table} (invitation_id, campaign_id, account_id, contact_id, started_at, updated_at,"  # noqa: S608
        " submitted_at, recommend, choose_again) SELECT i.id, i.campaign_id, i.account_id, i.contact_id,"
        " s.at - interval '12 minutes', s.at, s.at, r.score, r.score >= 6 OR i.id %% 7 = 0"
        f" FROM {invitations} i"
        " CROSS JOIN LATERAL (SELECT LEAST(%s, i.sent_at + (2 + i.id %% 334) * interval '1 hour') AS at) s"
        f" CROSS JOIN LATERAL (SELECT LEAST(10, GREATEST(0, 2 * {mood} + i.id %% 5 - 2"
        f" - CASE WHEN {declining} THEN 3 ELSE 0 END)) AS score) r"
        " WHERE i.campaign_id = %s AND i.id %% 2 = 0 ORDER BY i.id LIMIT %s",
        [now - timedelta(minutes=5), campaign.pk, per_campaign],
    )
    cursor.execute(
        f"UPDATE {invitations} i SET completed_at = r.submitted_at, state = 'completed' FROM {table} r"  # noqa: S608
        " WHERE r.invitation_id = i.id AND r.campaign_id = %s",
        [campaign.pk],
    )
    mood, declining = _MOOD.format(a="r.account_id"), _DECLINING.format(a="r.account_id", latest=latest)
    cursor.execute(
        f"INSERT INTO {answers} (response_id, question_id, dimension, score, text, comment)"  # noqa: S608
        " SELECT r.id, q.id, q.dimension, CASE q.kind"
        f" WHEN 'score' THEN LEAST(5, GREATEST(1, {mood} + (r.account_id * 7 + q.position * 3) %% 5 / 2 - 1"
        f" - CASE WHEN {declining} AND (q.position + r.account_id) %% 3 = 0 THEN 2 ELSE 0 END))"
        " WHEN 'recommend' THEN r.recommend ELSE r.choose_again::int END, '', ''"
        f" FROM {table} r JOIN {questions} q ON q.version_id = %s"
        " AND q.kind IN ('score', 'recommend', 'choose_again') WHERE r.campaign_id = %s",
        [version.pk, campaign.pk],
    )
