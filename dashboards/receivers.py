"""What dashboards does when lower apps report a change (connected in DashboardsConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Account
from dashboards import tasks
from feedback.signals import conversations_changed


@receiver(conversations_changed, dispatch_uid="dashboards.fresh_health")
def refresh_health(sender: Any, account_ids: list[int], **kwargs: Any) -> None:
    """A logged call moves the account's last contact, its ratings and so its health: recompute it after the
    commit, in seconds rather than at night (the nightly run stays, and covers a broker that was down)."""
    for account_id in account_ids:
        tasks.recompute_account_health_task.delay_on_commit(account_id)


@receiver(conversations_changed, dispatch_uid="dashboards.fresh_rollups")
def refresh_rollups(sender: Any, account_ids: list[int], **kwargs: Any) -> None:
    """Recount those accounts' monthly rollups from their logs after the commit (the dashboard's sparklines and
    the customer-voice KPI read them): a recount, not an increment, so a retried or doubled task is harmless."""
    if account_ids:
        tasks.recount_account_months_task.delay_on_commit(list(account_ids))


@receiver(post_save, sender=Account, dispatch_uid="dashboards.rollups_follow_the_account")
def recount_after_account_change(sender: Any, instance: Account, created: bool, **kwargs: Any) -> None:
    """The rollups carry the account's owner and confidentiality (the KPI sums them without reading accounts):
    a save that may change either recounts the account after the commit. Set-based updates, which send no
    signal, are caught by the nightly run (services.recount_moved_accounts)."""
    update_fields = kwargs.get("update_fields")
    if created or (update_fields is not None and not {"owner", "owner_id", "is_confidential"} & set(update_fields)):
        return
    tasks.recount_account_months_task.delay_on_commit([instance.pk])
