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


class EscalationAudience:
    """The people escalation notices may reach, read once for many escalations (a sweep's batch): the seats'
    occupants and the sponsors in one query, and every executive in one more only when some level falls back to
    them. escalation_recipients asks it instead of the database, so a batch costs the same queries for five levels
    as for five thousand, and one more per confidential account (its team, for the one rule:
    accounts.policies.recipients_who_may_open)."""

    def __init__(self, people: Iterable[User] = ()) -> None:
        self._people: dict[int, User | None] = {person.pk: person for person in people}
        self._executives: list[User] | None = None
        self._may_open: dict[int, dict[int, bool]] = {}  # account id -> person id -> may open it

    @classmethod
    def of(cls, person_ids: Iterable[int | None]) -> EscalationAudience:
        """The active people among these ids (owners' managers, department leads, executive sponsors)."""
        wanted = {pk for pk in person_ids if pk is not None}
        audience = cls(User.objects.filter(pk__in=wanted, is_active=True) if wanted else ())
        audience._people.update(dict.fromkeys(wanted - set(audience._people)))  # inactive, or gone
        return audience

    def person(self, pk: int | None) -> User | None:
        """The active person with this id; one read for an id not loaded (a seat filled meanwhile)."""
        if pk is None:
            return None
        if pk not in self._people:
            self._people[pk] = User.objects.filter(pk=pk, is_active=True).first()
        return self._people[pk]

    def executives(self) -> list[User]:
        if self._executives is None:
            self._executives = list(User.objects.filter(role=Role.EXECUTIVE, is_active=True))
        return self._executives

    def who_may_open(self, *, account: Account, candidates: list[User]) -> list[User]:
        """accounts.policies.recipients_who_may_open, asked once per account about everyone loaded (so a
        confidential account's team is read once), and again only for someone met later."""
        decided = self._may_open.get(account.pk)
        if decided is None:
            decided = self._may_open[account.pk] = {}
            everyone = [*candidates, *(person for person in self._people.values() if person is not None)]
            undecided = list({person.pk: person for person in everyone}.values())
        else:
            undecided = [person for person in candidates if person.pk not in decided]
        if undecided:
            allowed = {p.pk for p in account_policies.recipients_who_may_open(account=account, candidates=undecided)}
            decided.update({person.pk: person.pk in allowed for person in undecided})
        return [person for person in candidates if decided[person.pk]]


def escalation_recipients(
    *, seat: list[User], account: Account, audience: EscalationAudience | None = None
) -> list[User]:
    """Who one escalation level notifies (and may acknowledge it), never anyone who may not open the account:

    1. the active person in the seat the level names (the plan owner's manager, the department's lead, the
       account's executive sponsor), if they may open the account;
    2. else, when the seat is empty, names "an executive" (ANY_EXECUTIVE) or holds someone a confidential
       account's team excludes: the account's executive sponsor, when active and entitled;
    3. only when the account has no such sponsor: every active executive, so that no customer is dropped.

    So a level tells one person, not the executive floor, unless the account has no active sponsor to tell.
    `audience` holds the people read for a batch of escalations; without it they are read here.
    """
    audience = audience or EscalationAudience(seat)
    entitled = audience.who_may_open(account=account, candidates=seat)
    if entitled:
        return entitled
    sponsor = audience.person(account.executive_sponsor_id)
    if sponsor is not None and audience.who_may_open(account=account, candidates=[sponsor]):
        return [sponsor]
    return audience.executives()


def steps_owed_visible_to_assignees(steps: Iterable[PlanStep]) -> list[PlanStep]:
    """The steps whose assignee may open the plan: the weekly digest names no plan its reader cannot open."""
    return [s for s in steps if s.assignee is not None and can_open_plan(person=s.assignee, plan=s.plan)]
