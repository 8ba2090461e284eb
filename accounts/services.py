"""Every write to customer accounts and their strategic priority.

Recomputing priority is set-based: a fixed number of statements whatever the number of accounts, and the
tier and rank-band changes it causes are recorded with INSERT … SELECT in the same transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts import policies, selectors
from accounts.models import (
    Account,
    AccountScore,
    AccountTeamMember,
    CustomerContact,
    PriorityChange,
    PriorityCriterion,
    Tier,
    TierRule,
)
from kernel.versions import lock_version, save_version
from organization.models import User
from organization.webhooks import services as webhooks

# Rank bands recorded in history: moving between them is news, moving from 312 to 318 is not.
RANK_BANDS = [(1, 10), (11, 50), (51, 100), (101, 500), (501, 1000)]


def _label_sql(column: str) -> str:
    cases = " ".join(f"WHEN {value} THEN '{label}'" for value, label in Tier.choices)
    return f"CASE {column} {cases} END"


def _band_sql(column: str) -> str:
    cases = " ".join(f"WHEN {column} BETWEEN {lo} AND {hi} THEN '{lo}–{hi}'" for lo, hi in RANK_BANDS)
    return f"CASE WHEN {column} = 0 THEN '' {cases} ELSE '> {RANK_BANDS[-1][1]}' END"


def _tier_sql(rules: selectors.TierRules) -> tuple[str, str, list[Any]]:
    """SQL for the computed tier (by score thresholds) and the effective tier (an unexpired override wins)."""
    computed = "CASE WHEN score >= %s THEN 1 WHEN score >= %s THEN 2 WHEN score >= %s THEN 3 ELSE 4 END"
    params = [rules.min_score[Tier.STRATEGIC], rules.min_score[Tier.KEY], rules.min_score[Tier.CORE]]
    effective = (
        "CASE WHEN tier_override IS NOT NULL AND (tier_override_expires_on IS NULL OR tier_override_expires_on >= %s)"
        f" THEN tier_override ELSE ({computed}) END"
    )
    return computed, effective, params


@transaction.atomic
def recompute_priorities(*, changed_by: User | None, now: datetime, note: str = "") -> None:
    """Weighted scores, ranks, tiers and contact-due dates for every account, in a fixed number of statements."""
    rules = selectors.tier_rules()
    today = timezone.localdate(now)
    table = Account._meta.db_table
    events = PriorityChange._meta.db_table
    scores = AccountScore._meta.db_table
    criteria = PriorityCriterion._meta.db_table
    total_weight = sum(PriorityCriterion.objects.filter(is_active=True).values_list("weight", flat=True), Decimal(0))
    computed, effective, tier_params = _tier_sql(rules)
    with connection.cursor() as cursor:
        # 1. Weighted score 0–10: Σ(score × weight) / Σ(weight) over the active criteria; a missing score is 0.
        cursor.execute(
            f"UPDATE {table} SET score = ROUND(COALESCE((SELECT SUM(s.value * c.weight) FROM {scores} s"  # noqa: S608
            f" JOIN {criteria} c ON c.id = s.criterion_id WHERE s.account_id = {table}.id AND c.is_active), 0)"
            " / %s, 2)",
            [total_weight or Decimal(1)],
        )
        # 2. Expired overrides end here, and say so in the history.
        cursor.execute(
            f'INSERT INTO {events} (account_id, kind, "before", "after", note, changed_by_id, changed_at)'  # noqa: S608
            f" SELECT id, 'override', {_label_sql('tier_override')}, '', 'override expired', NULL, %s FROM {table}"
            " WHERE tier_override IS NOT NULL AND tier_override_expires_on < %s",
            [now, today],
        )
        cursor.execute(
            f"UPDATE {table} SET tier_override = NULL, tier_override_reason = '', tier_override_by_id = NULL,"  # noqa: S608
            " tier_override_at = NULL, tier_override_expires_on = NULL"
            " WHERE tier_override IS NOT NULL AND tier_override_expires_on < %s",
            [today],
        )
        # 3. Tier changes are recorded before they are applied (INSERT … SELECT), then applied.
        cursor.execute(
            f'INSERT INTO {events} (account_id, kind, "before", "after", note, changed_by_id, changed_at)'  # noqa: S608
            f" SELECT id, 'tier', {_label_sql('old_tier')}, {_label_sql('new_tier')}, %s, %s, %s FROM"
            f" (SELECT id, tier AS old_tier, {effective} AS new_tier FROM {table}) moved"
            " WHERE old_tier <> new_tier",
            [note, changed_by.pk if changed_by else None, now, today, *tier_params],
        )
        cursor.execute(
            f"UPDATE {table} SET computed_tier = {computed}, tier = {effective}",  # noqa: S608
            [*tier_params, today, *tier_params],
        )
        # 4. Rank: 1 = highest score; ties broken by name, then id, so the order is total and stable.
        ranked = f"SELECT id, ROW_NUMBER() OVER (ORDER BY score DESC, name ASC, id ASC) AS new_rank FROM {table}"  # noqa: S608
        cursor.execute(
            f'INSERT INTO {events} (account_id, kind, "before", "after", note, changed_by_id, changed_at)'  # noqa: S608
            f" SELECT a.id, 'rank_band', {_band_sql('a.rank')}, {_band_sql('r.new_rank')}, %s, %s, %s"
            f" FROM {table} a JOIN ({ranked}) r ON r.id = a.id"
            f" WHERE a.rank <> 0 AND {_band_sql('a.rank')} <> {_band_sql('r.new_rank')}",
            [note, changed_by.pk if changed_by else None, now],
        )
        cursor.execute(
            f"UPDATE {table} SET rank = r.new_rank FROM ({ranked}) r"  # noqa: S608
            f" WHERE r.id = {table}.id AND {table}.rank <> r.new_rank"
        )
    refresh_contact_due(rules=rules)


def refresh_contact_due(*, rules: selectors.TierRules | None = None) -> None:
    """next_contact_due = the date chosen in the last conversation, else day of last contact (or of creation) + the
    tier's cadence: one UPDATE per tier, and one for the chosen dates."""
    rules = rules or selectors.tier_rules()
    by_cadence = Account.objects.filter(next_contact_planned_on__isnull=True)
    for tier, days in rules.cadence_days.items():
        since = ExpressionWrapper(F("last_contact_at") + timedelta(days=days), output_field=DateTimeField())
        created = ExpressionWrapper(F("created_at") + timedelta(days=days), output_field=DateTimeField())
        by_cadence.filter(tier=tier, last_contact_at__isnull=False).update(next_contact_due=TruncDate(since))
        by_cadence.filter(tier=tier, last_contact_at__isnull=True).update(next_contact_due=TruncDate(created))
    Account.objects.filter(next_contact_planned_on__isnull=False).update(next_contact_due=F("next_contact_planned_on"))


@transaction.atomic
def update_priority_settings(
    *,
    weights: Mapping[int, Decimal],
    rules: Mapping[int, tuple[Decimal, int]],
    changed_by: User,
    now: datetime,
) -> None:
    """Executives change criterion weights, tier thresholds and cadences; every account is re-ranked at once."""
    if not policies.can_change_priority_settings(person=changed_by):
        raise PermissionDenied("Only executives and admins change priority settings.")
    _validate_rules(rules)
    changed = False
    for criterion in PriorityCriterion.objects.filter(pk__in=weights):
        if criterion.weight != weights[criterion.pk]:
            criterion.weight = weights[criterion.pk]
            criterion._change_reason = "weight changed"  # type: ignore[attr-defined]
            criterion.full_clean()
            criterion.save()
            changed = True
    stored = {rule.tier: (rule.min_score, rule.cadence_days) for rule in TierRule.objects.all()}
    for tier, (min_score, cadence) in rules.items():
        if stored.get(tier) != (min_score, cadence):
            TierRule.objects.update_or_create(tier=tier, defaults={"min_score": min_score, "cadence_days": cadence})
            changed = True
    if changed:  # the settings page saved as it was shown changes nothing, and re-ranks nobody
        recompute_priorities(changed_by=changed_by, now=now, note="priority settings changed")


def _validate_rules(rules: Mapping[int, tuple[Decimal, int]]) -> None:
    errors: dict[str, list[str]] = {}
    thresholds = [rules[tier][0] for tier in sorted(rules)]
    if any(a <= b for a, b in itertools.pairwise(thresholds)):
        errors["min_score"] = ["Each tier needs a higher minimum score than the tier below it."]
    if any(not 0 <= score <= 10 for score in thresholds):
        errors.setdefault("min_score", []).append("Minimum scores are between 0 and 10.")
    if any(not 1 <= cadence <= 730 for _, cadence in rules.values()):
        errors["cadence_days"] = ["Cadence is between 1 and 730 days."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_account_scores(*, account: Account, scores: Mapping[int, Decimal], changed_by: User, now: datetime) -> Account:
    """Score an account per criterion (0–10) and re-rank everyone; the weighted score change is recorded."""
    if not policies.can_score_account(person=changed_by, account=account):
        raise PermissionDenied("Only the account's editors and executives score it.")
    before, before_tier = account.score, account.tier
    for criterion_id, value in scores.items():
        if not Decimal(0) <= value <= Decimal(10):
            raise ValidationError({f"criterion_{criterion_id}": ["Scores are between 0 and 10."]})
        AccountScore.objects.update_or_create(account=account, criterion_id=criterion_id, defaults={"value": value})
    recompute_priorities(changed_by=changed_by, now=now, note=f"scores of {account.name} changed")
    account.refresh_from_db()
    if account.score != before:
        PriorityChange.objects.create(
            account=account,
            kind=PriorityChange.Kind.SCORE,
            before=str(before),
            after=str(account.score),
            changed_by=changed_by,
            changed_at=now,
        )
    _emit_priority_changed(account, before_tier=before_tier, now=now)
    return account


@transaction.atomic
def override_tier(
    *, account: Account, tier: int | None, reason: str, expires_on: date | None, changed_by: User, now: datetime
) -> Account:
    """Set (or clear, with tier=None) a manual tier. Setting one needs a reason; both are kept in history."""
    if not policies.can_override_tier(person=changed_by):
        raise PermissionDenied("Only executives and admins set a manual tier.")
    if tier is not None and not reason.strip():
        raise ValidationError({"reason": ["A manual tier needs a reason."]})
    if expires_on is not None and expires_on <= timezone.localdate(now):
        raise ValidationError({"expires_on": ["The override must expire in the future."]})
    before = account.get_tier_override_display() if account.tier_override else ""
    locked = lock_version(Account.objects, pk=account.pk)
    locked.tier_override = tier
    locked.tier_override_reason = reason.strip() if tier else ""
    locked.tier_override_by = changed_by if tier else None
    locked.tier_override_at = now if tier else None
    locked.tier_override_expires_on = expires_on if tier else None
    save_version(locked, by=changed_by, reason=reason.strip() or "override removed")
    PriorityChange.objects.create(
        account=account,
        kind=PriorityChange.Kind.OVERRIDE,
        before=before,
        after=Tier(tier).label if tier else "",
        note=reason.strip(),
        changed_by=changed_by,
        changed_at=now,
    )
    before_tier = account.tier
    recompute_priorities(changed_by=changed_by, now=now, note=reason.strip() or "override removed")
    account.refresh_from_db()
    _emit_priority_changed(account, before_tier=before_tier, now=now)
    return account


def _emit_priority_changed(account: Account, *, before_tier: int, now: datetime) -> None:
    """Tell subscribed systems (production scheduling favours Strategic accounts); never confidential ones."""
    if account.tier == before_tier or not policies.systems_may_learn_of(account=account):
        return
    webhooks.emit(
        event="account.priority_changed",
        now=now,
        payload={
            "account": {
                "id": account.pk,
                "external_id": account.external_id,
                "rank": account.rank,
                "tier_before": Tier(before_tier).label.lower(),
                "tier": Tier(account.tier).label.lower(),
                "score": account.score,
            }
        },
    )


ACCOUNT_FIELDS = [
    "name",
    "external_id",
    "segment",
    "industry",
    "region",
    "status",
    "owner",
    "executive_sponsor",
    "is_confidential",
    "needs",
    "wants",
]


def _check_people(account: Account, *, changed: Iterable[str] = ("owner", "executive_sponsor")) -> None:
    """The page offers only these people as owner and sponsor; the API and imports are held to the same."""
    errors: dict[str, list[str]] = {}
    if "owner" in changed and account.owner_id is not None and not policies.may_own_accounts(user=account.owner):
        errors["owner"] = ["Only an active account manager, department lead, executive or admin owns an account."]
    sponsor = account.executive_sponsor if "executive_sponsor" in changed else None
    if sponsor is not None and not policies.may_sponsor_accounts(user=sponsor):
        errors["executive_sponsor"] = ["Only an active executive or admin sponsors an account."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_account(*, created_by: User | None, now: datetime, **fields: Any) -> Account:
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown account fields: {', '.join(sorted(unknown))}")
    if created_by is not None and not policies.can_create_account(person=created_by):
        raise PermissionDenied("Account managers, department leads, executives and admins add accounts.")
    account = Account(**fields)
    _check_people(account)
    # The history names who the caller says acted (None: a system), not request.user, which for an API client
    # is a principal that is no User.
    account._history_user = created_by  # type: ignore[attr-defined]
    if account.external_id == "":
        account.external_id = None
    account.full_clean()
    account.save()
    recompute_priorities(changed_by=created_by, now=now, note=f"{account.name} added")
    account.refresh_from_db()
    return account


@transaction.atomic
def update_account(
    *, account: Account, changed_by: User | None, now: datetime, expected_version: int | None = None, **fields: Any
) -> Account:
    """Update fields under optimistic locking: with expected_version, a stale edit raises StaleVersion."""
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown account fields: {', '.join(sorted(unknown))}")
    locked = lock_version(Account.objects, pk=account.pk, expected_version=expected_version)
    if changed_by is not None and not policies.can_edit_account(person=changed_by, account=locked):
        raise PermissionDenied("Only the owner, team members who may edit, and admins change this account.")
    old_owner = locked.owner
    if fields.get("external_id") == "":
        fields["external_id"] = None  # stored as NULL, so that many accounts may have none
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    if not changed:  # an unchanged save (the edit page sent as it was shown): no new version, no history row
        return locked
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_people(locked, changed=changed)
    if locked.external_id == "":
        locked.external_id = None
    save_version(locked, by=changed_by)  # the history names who the caller says acted, as in create_account
    if locked.owner_id != old_owner.pk:
        PriorityChange.objects.create(
            account=locked,
            kind=PriorityChange.Kind.OWNER,
            before=str(old_owner),
            after=str(locked.owner),
            changed_by=changed_by,
            changed_at=now,
        )
    if "name" in changed:  # ties in score are broken by name
        recompute_priorities(changed_by=changed_by, now=now)
        locked.refresh_from_db()
    return locked


@transaction.atomic
def set_team_member(*, account: Account, user: User, role: str, can_edit: bool) -> AccountTeamMember:
    """Put someone on the team (or change their part) on a system's behalf, with no permission check: seeds and
    tests. People and API clients go through add_team_member / change_team_member, which ask the policy."""
    member = AccountTeamMember.objects.filter(account=account, user=user).first() or AccountTeamMember(
        account=account, user=user
    )
    member.role = role
    member.can_edit = can_edit
    member.full_clean()
    member.save()
    return member


def _check_may_manage_team(by: User | None, account: Account) -> None:
    if not policies.can_manage_team(person=by, account=account):
        raise PermissionDenied("Only the owner, team members who may edit, and admins change this account's team.")


@transaction.atomic
def add_team_member(
    *, account: Account, user: User, role: str, can_edit: bool = False, added_by: User | None
) -> AccountTeamMember:
    """Put someone from any department on the account's team. `added_by` None: an API client, for a system.

    A member opens the account (a confidential one too) and its timeline; with `can_edit`, changes it and its team.
    """
    _check_may_manage_team(added_by, account)
    Account.objects.select_for_update().filter(pk=account.pk).first()  # two adds of one person: one wins cleanly
    if not policies.may_join_team(user=user):
        raise ValidationError({"user": ["Only active people join an account team."]})
    if user.pk == account.owner_id:
        raise ValidationError({"user": ["The owner leads the account already."]})
    if AccountTeamMember.objects.filter(account=account, user=user).exists():
        raise ValidationError({"user": [f"{user.full_name or user.email} is on this account's team already."]})
    member = AccountTeamMember(account=account, user=user, role=role, can_edit=can_edit)
    member._history_user = added_by  # type: ignore[attr-defined]
    member.full_clean(validate_unique=False)
    member.save()
    return member


@transaction.atomic
def change_team_member(
    *, member: AccountTeamMember, role: str, can_edit: bool, changed_by: User | None
) -> AccountTeamMember:
    _check_may_manage_team(changed_by, member.account)
    if member.role == role and member.can_edit == can_edit:
        return member  # unchanged: no history row
    member.role = role
    member.can_edit = can_edit
    member._history_user = changed_by  # type: ignore[attr-defined]
    member.full_clean(validate_unique=False)
    member.save()
    return member


@transaction.atomic
def remove_team_member(*, member: AccountTeamMember, removed_by: User | None) -> None:
    """Take someone off the team: from now on a confidential account is closed to them (what they were told
    stays told; see docs/security.md)."""
    _check_may_manage_team(removed_by, member.account)
    member._history_user = removed_by  # type: ignore[attr-defined]
    member.delete()


CONTACT_FIELDS = ["name", "title", "email", "phone", "buying_role", "influence", "needs", "wants", "is_active"]


@transaction.atomic
def save_contact(*, account: Account, contact: CustomerContact | None = None, **fields: Any) -> CustomerContact:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown contact fields: {', '.join(sorted(unknown))}")
    if contact is not None and all(getattr(contact, name) == value for name, value in fields.items()):
        return contact  # an unchanged save writes nothing
    contact = contact or CustomerContact(account=account)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    return contact


def record_contact(
    *,
    account_id: int,
    occurred_at: datetime,
    next_contact_on: date | None = None,
    rules: selectors.TierRules | None = None,
) -> None:
    """Called by the feedback app when a one-on-one conversation is logged: moves the cadence clock forward. The
    next-contact date the person chose (`next_contact_on`) is when the account is due; without one, the tier's
    cadence from the conversation. An older conversation than the last one changes nothing."""
    account = Account.objects.only("tier", "last_contact_at").get(pk=account_id)
    if account.last_contact_at and account.last_contact_at >= occurred_at:
        return
    due = next_contact_on or selectors.next_contact_after(tier=account.tier, occurred_at=occurred_at, rules=rules)
    Account.objects.filter(pk=account_id).filter(
        Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=occurred_at)
    ).update(last_contact_at=occurred_at, next_contact_due=due, next_contact_planned_on=next_contact_on)


def reset_contact_clock(*, account_id: int, last_contact_at: datetime | None) -> None:
    """A conversation left the account (moved to the right one): its last contact is what remains, and it is due
    by the tier's cadence from then (or from its creation, with none left)."""
    Account.objects.filter(pk=account_id).update(last_contact_at=last_contact_at, next_contact_planned_on=None)
    account = Account.objects.only("tier", "created_at").get(pk=account_id)
    since = last_contact_at or account.created_at
    due = selectors.next_contact_after(tier=account.tier, occurred_at=since)
    Account.objects.filter(pk=account_id).update(next_contact_due=due)


def plan_next_contact(
    *, account_id: int, next_contact_on: date | None, rules: selectors.TierRules | None = None
) -> None:
    """The last conversation's next-contact date was corrected: the account is due then (None: by the cadence,
    counted from its last contact)."""
    account = Account.objects.only("tier", "last_contact_at").get(pk=account_id)
    due = next_contact_on
    if due is None and account.last_contact_at is not None:
        due = selectors.next_contact_after(tier=account.tier, occurred_at=account.last_contact_at, rules=rules)
    if due is not None:
        Account.objects.filter(pk=account_id).update(next_contact_due=due, next_contact_planned_on=next_contact_on)
