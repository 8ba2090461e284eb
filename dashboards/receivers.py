"""What dashboards does when lower apps report a change (connected in DashboardsConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Account
from actionplans.models import ActionPlan
from dashboards import services, tasks
from feedback.models import Issue
from feedback.signals import conversations_changed
from surveys.events import responses_changed


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


@receiver(conversations_changed, dispatch_uid="dashboards.fresh_kpis_after_conversations")
def refresh_kpis_after_conversations(sender: Any, account_ids: list[int], **kwargs: Any) -> None:
    """A conversation (and the issues it raised) moves coverage, ratings and response speed: refresh the KPI
    page's stored figures after the commit, debounced (services.request_kpi_refresh)."""
    services.request_kpi_refresh()


@receiver(post_save, sender=Issue, dispatch_uid="dashboards.fresh_kpis_after_issue")
@receiver(post_save, sender=ActionPlan, dispatch_uid="dashboards.fresh_kpis_after_plan")
@receiver(post_save, sender=Account, dispatch_uid="dashboards.fresh_kpis_after_account")
def refresh_kpis_after_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """An issue acknowledged or resolved, a plan resolved or its promise moved, an account's tier, status, owner
    or confidentiality changed: refresh the KPI page's stored figures after the commit, debounced. Set-based
    writes, which send no signal, are caught by beat's refresh (settings.CELERY_BEAT_SCHEDULE)."""
    if created and sender is Account:
        return  # a new account has no conversation, issue or plan yet; its tier comes from a set-based update
    services.request_kpi_refresh()


@receiver(responses_changed, dispatch_uid="dashboards.fresh_after_survey_answers")
def refresh_after_survey_answers(sender: Any, account_ids: list[int], **kwargs: Any) -> None:
    """A submitted survey moves the survey KPIs and the account's "satisfied but at risk" flag (which reads the
    latest answer's advocacy): refresh both, as after a conversation. Sent on commit already."""
    services.request_kpi_refresh()
    for account_id in account_ids:
        tasks.recompute_account_health_task.delay_on_commit(account_id)
