"""Every write of the year-over-year proposals: propose a plan for each dimension that declined, then the owner
accepts it (an action plan, through actionplans' own service, once) or dismisses it with a reason.

A proposal names the account's owner, the department that owns the dimension (the routing detractor issues use,
surveys.selectors.department_for_dimension) and a promise date PROMISE_BUSINESS_DAYS working days ahead in the
business calendar actionplans counts in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Max
from django.utils import timezone

from accounts.models import Account
from actionplans import services as plan_services
from actionplans.models import ActionPlan
from actionplans.selectors import business_calendar
from organization.models import Department, User
from surveys import policies, selectors
from surveys.models import DeclineProposal, SurveyAnswer
from surveys.yearly import DIMENSION_LABELS, annual_scores, compare

PROMISE_BUSINESS_DAYS = 20  # about a month of working days to answer a decline the customer told us about
TWO_PLACES = Decimal("0.01")


def propose_plans(*, account_ids: Collection[int] | None = None, now: datetime) -> int:
    """Propose a plan for every dimension each account scored lower in its latest annual survey year than in the
    year before it answered. Idempotent: a decline proposed once (account, dimension, current campaign) is kept
    with its decision, a proposal still undecided follows the averages as more contacts answer, and one whose
    dimension no longer declined goes. Three queries and two writes whatever the number of accounts (the
    departments of the seven dimensions are looked up once each). Returns the proposals written."""
    answers = (
        SurveyAnswer.objects.all()
        if account_ids is None
        else SurveyAnswer.objects.filter(response__account_id__in=list(account_ids))
    )
    scores: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    campaigns: dict[int, dict[int, int]] = defaultdict(dict)
    for row in annual_scores(answers, "response__account_id").annotate(
        average=Avg("score"), campaign=Max("response__campaign_id")
    ):
        account_id, year = row["response__account_id"], row["year"]
        scores[account_id][year][row["dimension"]] = float(row["average"])
        campaigns[account_id][year] = max(campaigns[account_id].get(year, 0), row["campaign"])
    owners: dict[int, tuple[int, int | None]] = {
        pk: (owner, department)
        for pk, owner, department in Account.objects.filter(pk__in=list(scores)).values_list(
            "pk", "owner_id", "owner__department_id"
        )
    }
    departments: dict[str, Department | None] = {}
    promise = business_calendar().add_workdays(timezone.localdate(now), PROMISE_BUSINESS_DAYS)
    proposals: list[DeclineProposal] = []
    for account_id, years in scores.items():
        comparison = compare(years)
        if comparison.previous_year is None or comparison.current_year is None or account_id not in owners:
            continue
        for change in comparison.declined:
            if change.dimension not in departments:
                departments[change.dimension] = selectors.department_for_dimension(dimension=change.dimension)
            department = departments[change.dimension]
            # No department owns it (none was set up): the owner's own department answers for it.
            department_id = department.pk if department is not None else owners[account_id][1]
            if department_id is None or change.previous is None or change.current is None:
                continue
            proposals.append(
                DeclineProposal(
                    account_id=account_id,
                    dimension=change.dimension,
                    previous_campaign_id=campaigns[account_id][comparison.previous_year],
                    previous_score=Decimal(change.previous).quantize(TWO_PLACES),
                    current_campaign_id=campaigns[account_id][comparison.current_year],
                    current_score=Decimal(change.current).quantize(TWO_PLACES),
                    suggested_owner_id=owners[account_id][0],
                    department_id=department_id,
                    suggested_promise_on=promise,
                )
            )
    proposals = [p for p in proposals if p.current_score < p.previous_score]  # a decline even once rounded
    wanted = {(p.account_id, p.dimension, p.current_campaign_id): p for p in proposals}
    with transaction.atomic():
        existing = DeclineProposal.objects.all()
        if account_ids is not None:
            existing = existing.filter(account_id__in=list(account_ids))
        stale: list[int] = []
        changed: list[DeclineProposal] = []
        for pk, account_id, dimension, campaign_id, state, previous, current in existing.values_list(
            "pk", "account_id", "dimension", "current_campaign_id", "state", "previous_score", "current_score"
        ):
            fresh = wanted.pop((account_id, dimension, campaign_id), None)
            if state != DeclineProposal.State.PROPOSED:
                continue  # decided: it keeps the scores it was decided on
            if fresh is None:
                stale.append(pk)  # no longer a decline (more contacts answered), or an older survey's
            elif (fresh.previous_score, fresh.current_score) != (previous, current):
                fresh.pk = pk
                changed.append(fresh)
        if stale:
            DeclineProposal.objects.filter(pk__in=stale).delete()
        if changed:
            DeclineProposal.objects.bulk_update(changed, ["previous_score", "current_score"], batch_size=1000)
        # ignore_conflicts: a concurrent submit for the same account may have proposed the same decline.
        DeclineProposal.objects.bulk_create(wanted.values(), batch_size=1000, ignore_conflicts=True)
    return len(wanted) + len(changed)


def _locked(proposal: DeclineProposal) -> DeclineProposal:
    return (
        DeclineProposal.objects.select_for_update()
        .select_related("account", "department", "suggested_owner")
        .get(pk=proposal.pk)
    )


def plan_title(proposal: DeclineProposal) -> str:
    label = DIMENSION_LABELS.get(proposal.dimension, proposal.dimension)
    return f"{label}: satisfaction fell from {proposal.previous_score:.1f} to {proposal.current_score:.1f}"


@transaction.atomic
def accept_proposal(*, proposal: DeclineProposal, by: User, now: datetime) -> ActionPlan:
    """The owner takes the proposed plan: an action plan for the suggested owner and department, promised for the
    suggested date (tomorrow at the earliest once that date has passed). Once only: the proposal row is locked,
    so a double click or two tabs get the same plan back."""
    if not policies.can_decide_proposal(person=by, proposal=proposal):
        raise PermissionDenied("Only the account's owner, its editors, executives and admins decide on its proposals.")
    locked = _locked(proposal)
    if locked.state == DeclineProposal.State.ACCEPTED and locked.plan is not None:
        return locked.plan
    if locked.state == DeclineProposal.State.DISMISSED:
        raise ValidationError({"state": ["This proposal was dismissed; it cannot be accepted any more."]})
    today = timezone.localdate(now)
    promise = max(locked.suggested_promise_on, today + timedelta(days=1))
    plan = plan_services.create_plan(
        account=locked.account,
        title=plan_title(locked),
        owner=locked.suggested_owner,
        department=locked.department,
        due_on=promise,
        promise_on=promise,
        created_by=by,
        now=now,
    )
    DeclineProposal.objects.filter(pk=locked.pk).update(
        state=DeclineProposal.State.ACCEPTED, plan=plan, decided_by=by, decided_at=now
    )
    return plan


@transaction.atomic
def dismiss_proposal(*, proposal: DeclineProposal, by: User, reason: str, now: datetime) -> DeclineProposal:
    """The owner decides no plan is needed, and says why (required). Dismissing twice keeps the first reason."""
    if not policies.can_decide_proposal(person=by, proposal=proposal):
        raise PermissionDenied("Only the account's owner, its editors, executives and admins decide on its proposals.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why no plan is needed: the reason is kept with the proposal."]})
    locked = _locked(proposal)
    if locked.state == DeclineProposal.State.ACCEPTED:
        raise ValidationError({"state": ["This proposal was accepted: its plan is where to continue."]})
    if locked.state == DeclineProposal.State.PROPOSED:
        DeclineProposal.objects.filter(pk=locked.pk).update(
            state=DeclineProposal.State.DISMISSED, dismiss_reason=reason, decided_by=by, decided_at=now
        )
        locked.refresh_from_db()
    return locked
