from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import policies, selectors, services
from accounts.models import Account, AccountScore, PriorityChange, Segment, Tier
from kernel.versions import StaleVersion
from organization.models import Role
from tests.factories import AccountFactory, CriterionFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def criteria() -> tuple[Any, Any]:
    return CriterionFactory.create(name="Revenue", weight=D("3")), CriterionFactory.create(name="Growth", weight=D("1"))


def scored(name: str, revenue: str, growth: str, criteria: tuple[Any, Any], **extra: Any) -> Account:
    account = AccountFactory.create(name=name, **extra)
    AccountScore.objects.create(account=account, criterion=criteria[0], value=D(revenue))
    AccountScore.objects.create(account=account, criterion=criteria[1], value=D(growth))
    return account


def ranking() -> list[tuple[str, int, str, int]]:
    return [(a.name, a.rank, str(a.score), a.tier) for a in Account.objects.order_by("rank")]


def test_weighted_score_rank_and_tier_for_a_hand_computed_example(criteria: Any) -> None:
    scored("Alpha", "10", "0", criteria)  # (3×10 + 1×0) / 4 = 7.50 → Key
    scored("Bravo", "6", "10", criteria)  # (3×6 + 1×10) / 4 = 7.00 → Key
    scored("Charlie", "8", "8", criteria)  # (3×8 + 1×8) / 4 = 8.00 → Strategic (≥ 8.00)
    scored("Delta", "2", "4", criteria)  # (6 + 4) / 4 = 2.50 → Maintain (< 4.00)
    services.recompute_priorities(changed_by=None, now=timezone.now())
    assert ranking() == [
        ("Charlie", 1, "8.00", Tier.STRATEGIC),
        ("Alpha", 2, "7.50", Tier.KEY),
        ("Bravo", 3, "7.00", Tier.KEY),
        ("Delta", 4, "2.50", Tier.MAINTAIN),
    ]


def test_ties_are_broken_by_name_then_id(criteria: Any) -> None:
    scored("Zulu", "5", "5", criteria)
    scored("Echo", "5", "5", criteria)
    scored("Mike", "5", "5", criteria)
    services.recompute_priorities(changed_by=None, now=timezone.now())
    assert [(name, rank) for name, rank, _, _ in ranking()] == [("Echo", 1), ("Mike", 2), ("Zulu", 3)]


def test_a_missing_score_counts_as_zero_and_inactive_criteria_are_ignored(criteria: Any) -> None:
    account = AccountFactory.create(name="Only revenue")
    AccountScore.objects.create(account=account, criterion=criteria[0], value=D("8"))  # growth missing
    services.recompute_priorities(changed_by=None, now=timezone.now())
    assert Account.objects.get().score == D("6.00")  # 24 / 4
    criteria[1].is_active = False
    criteria[1].save()
    services.recompute_priorities(changed_by=None, now=timezone.now())
    assert Account.objects.get().score == D("8.00")  # 24 / 3


def test_changing_a_weight_reranks_and_records_the_tier_moves(criteria: Any, erin: Any) -> None:
    scored("Alpha", "10", "0", criteria)
    scored("Bravo", "0", "10", criteria)
    services.recompute_priorities(changed_by=None, now=timezone.now())
    assert [name for name, *_ in ranking()] == ["Alpha", "Bravo"]
    rules = {tier: (min_score, cadence) for tier, (min_score, cadence) in services_rules().items()}
    services.update_priority_settings(
        weights={criteria[0].pk: D("1"), criteria[1].pk: D("3")}, rules=rules, changed_by=erin, now=timezone.now()
    )
    assert ranking()[0][:2] == ("Bravo", 1)
    moves = PriorityChange.objects.filter(kind=PriorityChange.Kind.TIER, changed_by=erin)
    # Alpha: 7.50 (Key) → (1×10 + 3×0) / 4 = 2.50 (Maintain); Bravo: 2.50 (Maintain) → (0 + 3×10) / 4 = 7.50 (Key)
    assert {(m.account.name, m.before, m.after) for m in moves} == {
        ("Alpha", "Key", "Maintain"),
        ("Bravo", "Maintain", "Key"),
    }


def services_rules() -> dict[int, tuple[Decimal, int]]:
    rules = selectors.tier_rules()
    return {tier: (rules.min_score[tier], rules.cadence_days[tier]) for tier in rules.min_score}


def test_only_executives_change_priority_settings(criteria: Any, alice: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.update_priority_settings(weights={}, rules=services_rules(), changed_by=alice, now=timezone.now())


def test_tier_thresholds_must_descend(erin: Any) -> None:
    rules = services_rules()
    rules[Tier.KEY] = (D("9.00"), 30)  # above Strategic's 8.00
    with pytest.raises(ValidationError):
        services.update_priority_settings(weights={}, rules=rules, changed_by=erin, now=timezone.now())


def test_recompute_runs_a_constant_number_of_queries(criteria: Any, django_assert_num_queries: Any) -> None:
    owner = UserFactory.create(role=Role.ACCOUNT_MANAGER)
    segment = Segment.objects.create(name="National", slug="national")

    def make(count: int) -> None:
        start = Account.objects.count()
        rows = Account.objects.bulk_create(
            Account(name=f"Bulk {start + i:05d}", segment=segment, owner=owner) for i in range(count)
        )
        AccountScore.objects.bulk_create(
            AccountScore(account=a, criterion=criteria[0], value=D(i % 11)) for i, a in enumerate(rows)
        )

    make(10)
    services.recompute_priorities(changed_by=None, now=timezone.now())
    # savepoint, tier rules, total weight, 7 statements for scores/overrides/tiers/ranks, 8 for the due dates by
    # cadence and 1 for the chosen ones, release
    with django_assert_num_queries(20):
        services.recompute_priorities(changed_by=None, now=timezone.now())
    make(990)
    with django_assert_num_queries(20):
        services.recompute_priorities(changed_by=None, now=timezone.now())
    assert Account.objects.filter(rank=0).count() == 0
    assert sorted(Account.objects.values_list("rank", flat=True)) == list(range(1, 1001))


def test_a_manual_tier_needs_a_reason(criteria: Any, erin: Any) -> None:
    account = scored("Alpha", "2", "2", criteria)
    with pytest.raises(ValidationError):
        services.override_tier(
            account=account, tier=Tier.STRATEGIC, reason=" ", expires_on=None, changed_by=erin, now=timezone.now()
        )


def test_a_manual_tier_wins_until_it_expires(criteria: Any, erin: Any) -> None:
    now = timezone.now()
    account = scored("Alpha", "2", "2", criteria)  # 2.00 → Maintain
    services.override_tier(
        account=account,
        tier=Tier.STRATEGIC,
        reason="Reference site for the new product line",
        expires_on=timezone.localdate(now) + timedelta(days=30),
        changed_by=erin,
        now=now,
    )
    account.refresh_from_db()
    assert (account.tier, account.computed_tier, account.tier_override_by) == (Tier.STRATEGIC, Tier.MAINTAIN, erin)
    services.recompute_priorities(changed_by=None, now=now + timedelta(days=29))
    assert Account.objects.get().tier == Tier.STRATEGIC
    services.recompute_priorities(changed_by=None, now=now + timedelta(days=31))
    account.refresh_from_db()
    assert (account.tier, account.tier_override) == (Tier.MAINTAIN, None)
    kinds = list(account.priority_changes.order_by("id").values_list("kind", "note"))
    assert (PriorityChange.Kind.OVERRIDE, "override expired") in kinds


def test_recording_a_contact_moves_the_next_contact_due_by_the_tier_cadence(criteria: Any) -> None:
    account = scored("Alpha", "9", "9", criteria)  # Strategic: every 14 days
    services.recompute_priorities(changed_by=None, now=timezone.now())
    when = timezone.now() - timedelta(days=20)
    services.record_contact(account_id=account.pk, occurred_at=when)
    account.refresh_from_db()
    assert account.next_contact_due == timezone.localdate(when) + timedelta(days=14)
    assert account.is_overdue(timezone.localdate())
    services.record_contact(account_id=account.pk, occurred_at=when - timedelta(days=5))  # an older log
    account.refresh_from_db()
    assert account.last_contact_at == when


def test_a_stale_version_is_refused_and_nothing_changes(alice: Any) -> None:
    account = AccountFactory.create(name="Alpha", owner=alice)
    services.update_account(account=account, changed_by=alice, now=timezone.now(), expected_version=1, region="East")
    with pytest.raises(StaleVersion):
        services.update_account(
            account=account, changed_by=alice, now=timezone.now(), expected_version=1, region="West"
        )
    account.refresh_from_db()
    assert (account.region, account.version) == ("East", 2)


def test_changing_the_owner_is_recorded(alice: Any) -> None:
    account = AccountFactory.create(owner=alice)
    bob = UserFactory.create(full_name="Bob New", role=Role.ACCOUNT_MANAGER)
    services.update_account(account=account, changed_by=alice, now=timezone.now(), owner=bob)
    change = PriorityChange.objects.get(kind=PriorityChange.Kind.OWNER)
    assert (change.before, change.after, change.changed_by) == ("Alice Account", "Bob New", alice)


def test_an_account_cannot_be_given_to_a_staff_member_by_any_channel(alice: Any, bob: Any) -> None:
    account = AccountFactory.create(owner=alice)
    with pytest.raises(ValidationError) as refused:
        services.update_account(account=account, changed_by=alice, now=timezone.now(), owner=bob)
    assert "owner" in refused.value.message_dict
    account.refresh_from_db()
    assert account.owner == alice


def test_an_executive_who_is_no_editor_cannot_edit_an_account_in_the_service(alice: Any, erin: Any) -> None:
    account = AccountFactory.create(owner=alice, region="West")
    with pytest.raises(PermissionDenied):
        services.update_account(account=account, changed_by=erin, now=timezone.now(), region="East")
    account.refresh_from_db()
    assert account.region == "West"


def test_a_confidential_account_is_visible_only_to_its_people(alice: Any, bob: Any, erin: Any) -> None:
    secret = AccountFactory.create(is_confidential=True, owner=alice)
    public = AccountFactory.create()
    assert set(Account.objects.visible_to(bob)) == {public}
    assert set(Account.objects.visible_to(alice)) == {secret, public}
    assert set(Account.objects.visible_to(erin)) == {secret, public}
    services.set_team_member(account=secret, user=bob, role="engineering", can_edit=False)
    assert set(Account.objects.visible_to(bob)) == {secret, public}
    assert not policies.can_edit_account(person=bob, account=secret)
