"""Many accounts quickly, for the constant-query tests of the dashboards' pages and endpoints."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Account, Tier
from organization.models import Role
from tests.factories import ActionPlanFactory, ContactLogFactory, IssueFactory, SegmentFactory, UserFactory


def bulk_accounts(count: int) -> None:
    """`count` ranked accounts of every tier across three owners; the first ten with a rated conversation, an
    acknowledged critical issue and an overdue plan, so every column and KPI has something to count."""
    segment = SegmentFactory.create()
    owners = UserFactory.create_batch(3, role=Role.ACCOUNT_MANAGER)
    Account.objects.bulk_create(
        Account(name=f"Bulk {i:04d}", segment=segment, owner=owners[i % 3], rank=i + 1, tier=Tier(i % 4 + 1))
        for i in range(count)
    )
    for account in Account.objects.order_by("rank")[:10]:
        ContactLogFactory.create(account=account, rating=3)
        IssueFactory.create(contact_log__account=account, severity="critical", acknowledged_at=timezone.now())
        ActionPlanFactory.create(account=account, overdue=True)
