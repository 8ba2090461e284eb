from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.models import Account, AccountScore, PriorityCriterion, Tier
from tests.factories import AccountFactory, CriterionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def revenue() -> PriorityCriterion:
    return CriterionFactory.create(name="Revenue", weight=Decimal("1"))


def ranked(names_scores: list[tuple[str, str]], criterion: PriorityCriterion, **extra: Any) -> list[Account]:
    accounts = []
    for name, score in names_scores:
        account = AccountFactory.create(name=name, **extra)
        AccountScore.objects.create(account=account, criterion=criterion, value=Decimal(score))
        accounts.append(account)
    services.recompute_priorities(changed_by=None, now=timezone.now())
    return accounts


def row_names(html: str) -> list[str]:
    import re

    return re.findall(r'<a href="/accounts/\d+/">([^<]+)</a>', html)


def test_the_account_list_is_in_rank_order(client: Any, alice: Any, revenue: Any) -> None:
    ranked([("Low", "2"), ("High", "9"), ("Mid", "5")], revenue)
    client.force_login(alice)
    assert row_names(client.get(reverse("accounts:list")).content.decode()) == ["High", "Mid", "Low"]


def test_filtering_by_tier_keeps_the_filter_in_the_url_and_answers_htmx_with_rows_only(
    client: Any, alice: Any, revenue: Any
) -> None:
    ranked([("Strategic one", "9"), ("Maintain one", "1")], revenue)
    client.force_login(alice)
    response = client.get(
        reverse("accounts:list"), {"tier": Tier.STRATEGIC}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="account-rows"
    )
    html = response.content.decode()
    assert row_names(html) == ["Strategic one"]
    assert "<html" not in html and 'id="account-rows"' in html


@pytest.mark.parametrize("count", [1, 50])
def test_the_account_list_query_count_does_not_grow(
    client: Any, alice: Any, django_assert_num_queries: Any, count: int
) -> None:
    AccountFactory.create_batch(count, owner=alice)
    client.force_login(alice)
    # session, user, the user's department and unread notifications (navbar), page count, page rows (+segment,
    # owner), tier counts, and the owner and segment filter choices
    with django_assert_num_queries(9):
        response = client.get(reverse("accounts:list"))
    assert len(row_names(response.content.decode())) == count


def test_a_confidential_account_is_hidden_from_others_everywhere_on_the_pages(
    client: Any, alice: Any, bob: Any, revenue: Any
) -> None:
    secret, _ = ranked([("Secret Corp", "9"), ("Open Corp", "5")], revenue, owner=alice)
    Account.objects.filter(pk=secret.pk).update(is_confidential=True)
    client.force_login(bob)
    listing = client.get(reverse("accounts:list"), {"q": "Corp"}).content.decode()
    assert row_names(listing) == ["Open Corp"]
    assert "1 account<" in listing  # the count excludes it too
    assert client.get(reverse("accounts:detail", args=[secret.pk])).status_code == 404
    assert client.get(reverse("accounts:edit", args=[secret.pk])).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("accounts:detail", args=[secret.pk])).status_code == 200


def test_the_detail_page_explains_the_rank(client: Any, alice: Any, revenue: Any) -> None:
    (account,) = ranked(
        [("Alpha", "8.5")], revenue, owner=alice, needs=["Shorter lead times"], wants=["A named engineer"]
    )
    client.force_login(alice)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Rank 1" in html and "Strategic" in html and "Revenue" in html
    assert "Shorter lead times" in html and "A named engineer" in html


def test_creating_an_account_with_errors_keeps_the_input_and_saves_nothing(client: Any, alice: Any) -> None:
    client.force_login(alice)
    response = client.post(reverse("accounts:create"), {"name": "", "industry": "Mining", "owner": alice.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert 'value="Mining"' in html
    assert Account.objects.count() == 0


def test_staff_cannot_add_accounts(client: Any, bob: Any) -> None:
    client.force_login(bob)
    assert client.get(reverse("accounts:create")).status_code == 403


def test_a_stale_edit_is_refused_with_a_message(client: Any, alice: Any) -> None:
    account = AccountFactory.create(owner=alice, name="Alpha")
    client.force_login(alice)
    form = {
        "name": "Alpha renamed",
        "segment": account.segment.pk,
        "status": "active",
        "owner": alice.pk,
        "region": "North",
        "version": 1,
    }
    assert client.post(reverse("accounts:edit", args=[account.pk]), form).status_code == 302
    stale = client.post(reverse("accounts:edit", args=[account.pk]), {**form, "name": "Alpha again"})
    assert "changed by someone else" in stale.content.decode()
    assert Account.objects.get().name == "Alpha renamed"


def test_an_edit_without_the_version_it_started_from_saves_nothing(client: Any, alice: Any) -> None:
    account = AccountFactory.create(owner=alice, name="Alpha")
    client.force_login(alice)
    form = {"name": "Blind overwrite", "segment": account.segment.pk, "status": "active", "owner": alice.pk}

    response = client.post(reverse("accounts:edit", args=[account.pk]), form)

    assert response.status_code == 200
    assert Account.objects.get().name == "Alpha"


def test_only_the_owner_team_editors_and_admins_edit(client: Any, alice: Any, bob: Any) -> None:
    account = AccountFactory.create(owner=alice)
    client.force_login(bob)
    assert client.get(reverse("accounts:edit", args=[account.pk])).status_code == 403
    services.set_team_member(account=account, user=bob, role="engineering", can_edit=True)
    assert client.get(reverse("accounts:edit", args=[account.pk])).status_code == 200


def test_priority_settings_are_for_executives(client: Any, alice: Any) -> None:
    client.force_login(alice)
    assert client.get(reverse("accounts:priority-settings")).status_code == 403


def priority_form(criteria: list[PriorityCriterion], **weights: str) -> dict[str, Any]:
    data: dict[str, Any] = {f"weight_{c.pk}": weights.get(c.name, str(c.weight)) for c in criteria}
    rules = selectors.tier_rules()
    for tier in Tier.values:
        data[f"min_score_{tier}"] = str(rules.min_score[tier])
        data[f"cadence_{tier}"] = str(rules.cadence_days[tier])
    return data


def test_the_preview_counts_tier_moves_and_changes_nothing(client: Any, erin: Any) -> None:
    revenue = CriterionFactory.create(name="Revenue", weight=Decimal("1"))
    growth = CriterionFactory.create(name="Growth", weight=Decimal("0"))
    alpha = AccountFactory.create(name="Alpha")
    AccountScore.objects.create(account=alpha, criterion=revenue, value=Decimal("9"))
    AccountScore.objects.create(account=alpha, criterion=growth, value=Decimal("1"))
    services.recompute_priorities(changed_by=None, now=timezone.now())
    client.force_login(erin)
    data = {**priority_form([revenue, growth], Growth="1"), "preview": "1"}  # score → 5.00: Strategic → Core
    response = client.post(
        reverse("accounts:priority-settings"), data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="preview"
    )
    html = response.content.decode()
    assert "<strong>1</strong> account would change tier" in html
    assert "<td>Strategic</td><td>Core</td>" in html
    assert Account.objects.get().tier == Tier.STRATEGIC
    assert PriorityCriterion.objects.get(name="Growth").weight == 0


def test_saving_priority_settings_reranks_the_list(client: Any, erin: Any) -> None:
    revenue = CriterionFactory.create(name="Revenue", weight=Decimal("1"))
    growth = CriterionFactory.create(name="Growth", weight=Decimal("0"))
    for name, r, g in [("Big now", "9", "1"), ("Big later", "2", "9")]:
        account = AccountFactory.create(name=name)
        AccountScore.objects.create(account=account, criterion=revenue, value=Decimal(r))
        AccountScore.objects.create(account=account, criterion=growth, value=Decimal(g))
    services.recompute_priorities(changed_by=None, now=timezone.now())
    client.force_login(erin)
    client.post(
        reverse("accounts:priority-settings"),
        {**priority_form([revenue, growth], Revenue="1", Growth="3"), "save": "1"},
    )
    assert row_names(client.get(reverse("accounts:list")).content.decode()) == ["Big later", "Big now"]


def test_call_next_lists_my_due_accounts_strategic_first(client: Any, alice: Any, revenue: Any) -> None:
    ranked([("Core overdue", "5"), ("Strategic due", "9"), ("Someone else's", "9")], revenue, owner=alice)
    other = UserFactory.create()
    Account.objects.filter(name="Someone else's").update(owner=other)
    Account.objects.update(next_contact_due=timezone.localdate())
    Account.objects.filter(name="Core overdue").update(next_contact_due=timezone.localdate() - timedelta(days=30))
    client.force_login(alice)
    html = client.get(reverse("accounts:call-next")).content.decode()
    assert html.index("Strategic due") < html.index("Core overdue")
    assert "Someone else" not in html
