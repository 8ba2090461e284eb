"""What lower apps' pages offer from action plans (kernel.actions): an account's plans and "New plan"; an issue's
plan, or "Create plan" for those who may plan for it; "New plan" from a conversation."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts import actions as account_actions
from accounts.models import Account
from actionplans import policies
from feedback import actions as feedback_actions
from feedback.models import ContactLog, Issue, IssueStatus
from kernel.actions import Action


@account_actions.header.register("actionplans.plans")
def account_plans(account: Account, person: Any) -> list[Action]:
    return [Action(label="Plans", url=f"{reverse('actionplans:list')}?account={account.pk}&status=all")]


@account_actions.header.register("actionplans.new")
def new_plan_for_account(account: Account, person: Any) -> list[Action]:
    if not policies.can_start_plan(person=person, account=account):
        return []
    return [Action(label="New plan", url=f"{reverse('actionplans:new')}?account={account.pk}")]


@feedback_actions.log.register("actionplans.new")
def new_plan_from_conversation(log: ContactLog, person: Any) -> list[Action]:
    """A plan for what the customer said: its account and first words prefilled."""
    if not policies.can_start_plan(person=person, account=log.account):
        return []
    return [Action(label="New plan", url=f"{reverse('actionplans:new')}?log={log.pk}", style="outline-primary")]


@feedback_actions.issue.register("actionplans.create")
def create_plan_for_issue(issue: Issue, person: Any) -> list[Action]:
    """A new or acknowledged issue has no plan yet: offer one to whoever may plan for it."""
    if issue.status not in {IssueStatus.NEW, IssueStatus.ACKNOWLEDGED}:
        return []
    if not policies.can_plan_for_issue(person=person, issue=issue):
        return []
    return [
        Action(
            label="Create plan",
            url=reverse("actionplans:from-issue", args=[issue.pk]),
            method="post",
            style="outline-primary",
            hint="The customer's words, the complaint steps, due in a week.",
        )
    ]


@feedback_actions.issue_page.register("actionplans.plans")
def issue_plans(issue: Issue, person: Any) -> list[Action]:
    """The issue's plans the person may open, each with its status and promise date."""
    actions = []
    for plan in issue.plans.all():
        if policies.can_open_plan(person=person, plan=plan):
            promised = f" · promised for {plan.promise_on:%-d %b %Y}" if plan.promise_on else ""
            label = f"Plan: {plan.title} · {plan.get_status_display()}{promised}"
            actions.append(Action(label=label, url=reverse("actionplans:detail", args=[plan.pk]), style="link"))
    return actions
