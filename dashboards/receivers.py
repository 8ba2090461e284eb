"""What dashboards does when lower apps report a change (connected in DashboardsConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from dashboards import tasks
from feedback.signals import conversations_changed


@receiver(conversations_changed, dispatch_uid="dashboards.fresh_health")
def refresh_health(sender: Any, account_ids: list[int], **kwargs: Any) -> None:
    """A logged call moves the account's last contact, its ratings and so its health: recompute it after the
    commit, in seconds rather than at night (the nightly run stays, and covers a broker that was down)."""
    for account_id in account_ids:
        tasks.recompute_account_health_task.delay_on_commit(account_id)
