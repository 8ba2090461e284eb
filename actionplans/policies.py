"""Who may see and do what with action plans, steps and escalations; asked by the services, the pages, the API
and every push (escalation notices, promise reminders, the weekly "what you owe" digest).

A plan is open to whoever may open its account, and to its owner. A confidential account's plan is only ever given
to someone who may open the account (its owner, its team, executives, admins): reassigning it to anyone else is
refused, and an escalation that reassigns picks among those people, so the owner grant never widens who sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts import policies as account_policies
from accounts.models import Account
from actionplans.models import ActionPlan, Escalation, PlanStep
from feedback import policies as feedback_policies
from feedback.models import Issue
from organization.models import Department, Role, User


def can_open_plan(*, person: Any, plan: ActionPlan) -> bool:
    person_id = getattr(person, "pk", None)
    return (person_id is not None and plan.owner_id == person_id) or account_policies.can_open_account(
        person=person, account=plan.account
    )


def _leads(person: Any, department_id: int | None) -> bool:
    return getattr(person, "role", None) == Role.DEPARTMENT_LEAD and getattr(person, "department_id", None) == (
        department_id
    )


def can_change_plan(*, person: Any, plan: ActionPlan) -> bool:
    """The owner, the lead of the plan's department, executives and admins (its status, its fields, any step)."""
    if not can_open_plan(person=person, plan=plan):
        return False
    return (
        bool(getattr(person, "is_admin", False) or getattr(person, "is_executive", False))
        or plan.owner_id == getattr(person, "pk", None)
        or _leads(person, plan.department_id)
    )


def can_tick_step(*, person: Any, step: PlanStep) -> bool:
    plan = step.plan
    if can_change_plan(person=person, plan=plan):
        return True
    return step.assignee_id == getattr(person, "pk", None) and can_open_plan(person=person, plan=plan)


def can_plan_for_issue(*, person: Any, issue: Issue) -> bool:
    """Turning an issue into a plan is for the department that owns it (and executives and admins). Whether the
    issue still needs one (not resolved, no plan yet) is the service's to say."""
    return feedback_policies.can_open_issue(person=person, issue=issue) and (
        account_policies.sees_everything(person)
        or feedback_policies.acts_for_department(person=person, department=issue.department)
    )


def may_own_plan(*, user: User, account: Account) -> bool:
    """Whom a plan may be given to: an active person who may open its account."""
    return user.is_active and account_policies.can_open_account(person=user, account=account)


def can_create_plan(*, person: Any, account: Account, owner: User, department: Department) -> bool:
    """Executives and admins plan for anyone; the account's editors (its owner, team members who edit) for their
    account; a department's lead for their department; everyone else only plans they own themselves, for their
    own department. An API client (no pk) acts for a system, on the accounts it may open. Who may own the plan is
    checked apart: may_own_plan."""
    if not account_policies.can_open_account(person=person, account=account):
        return False
    if getattr(person, "pk", None) is None or account_policies.sees_everything(person):
        return True
    if _leads(person, department.pk) or account_policies.can_edit_account(person=person, account=account):
        return True
    return owner.pk == person.pk and feedback_policies.acts_for_department(person=person, department=department)


def can_start_plan(*, person: Any, account: Account) -> bool:
    """Whether some plan for the account is one `person` may create (can_create_plan with an owner and a
    department they may choose): the "New plan" buttons ask this. A person without a department who neither edits
    the account nor sees everything can plan nothing."""
    if not account_policies.can_open_account(person=person, account=account):
        return False
    if getattr(person, "pk", None) is None or account_policies.sees_everything(person):
        return True
    if getattr(person, "role", None) == Role.DEPARTMENT_LEAD and getattr(person, "department_id", None):
        return True
    if account_policies.can_edit_account(person=person, account=account):
        return True
    return getattr(person, "department_id", None) is not None and may_own_plan(user=person, account=account)


def can_start_any_plan(*, person: Any) -> bool:
    """Whether the plan list offers "New plan": to whoever may start a plan for some account (can_start_plan
    decides per account): executives and admins, department members, account managers for their accounts."""
    return (
        account_policies.sees_everything(person)
        or getattr(person, "department_id", None) is not None
        or getattr(person, "role", None) == Role.ACCOUNT_MANAGER
    )


def can_acknowledge_escalation(*, person: Any, escalation: Escalation, notified: Iterable[User] | None = None) -> bool:
    """The people it reached, and executives and admins; `notified` may be passed where it is prefetched."""
    if account_policies.sees_everything(person):
        return True
    reached = escalation.notified.all() if notified is None else notified
    return any(p.pk == getattr(person, "pk", None) for p in reached)


def escalation_recipients(*, seat: list[User], account: Account) -> list[User]:
    """Who an escalation notice goes to, so that whoever hears of it may open and acknowledge it:

    1. the people in the seat the level names (the owner's manager, the department's lead, the sponsor) who may
       open the account;
    2. when nobody is left (an empty seat, a level that names "an executive", or nobody in the seat entitled to a
       confidential account), the account's executive sponsor, who sees everything;
    3. only an account with no active sponsor falls back to every active executive: a customer is never dropped,
       but a level does not tell the whole executive floor what one sponsor can take.
    """
    entitled = account_policies.recipients_who_may_open(account=account, candidates=seat)
    if entitled:
        return entitled
    sponsor = account.executive_sponsor
    if sponsor is not None and sponsor.is_active and account_policies.can_open_account(person=sponsor, account=account):
        return [sponsor]
    return list(User.objects.filter(role=Role.EXECUTIVE, is_active=True))


def steps_owed_visible_to_assignees(steps: Iterable[PlanStep]) -> list[PlanStep]:
    """The steps whose assignee may open the plan: the weekly digest names no plan its reader cannot open."""
    return [s for s in steps if s.assignee is not None and can_open_plan(person=s.assignee, plan=s.plan)]
