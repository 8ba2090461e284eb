"""Who may do what with surveys, asked by the services, the pages and every push. Seeing a contact's answers is
opening their account (accounts.policies): a confidential account's answers stay with its people everywhere."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import policies as account_policies
from accounts.models import Account, AccountTeamMember
from organization.models import Role, User
from surveys.models import DeclineProposal, SurveyCampaign, SurveyInvitation


def _is_admin(person: Any) -> bool:
    return bool(getattr(person, "is_admin", False) or getattr(person, "is_superuser", False))


def can_start_campaign(*, person: Any) -> bool:
    """Admins and account managers start campaigns (an account manager only for their own accounts: below)."""
    if not getattr(person, "is_active", False):
        return False
    return _is_admin(person) or getattr(person, "role", None) == Role.ACCOUNT_MANAGER


def accounts_a_campaign_may_reach(*, person: Any) -> QuerySet[Account]:
    """The accounts `person` may survey: every account for an admin; for an account manager, the accounts they
    own or are on the team of (and may open: accounts.policies' rule, in SQL)."""
    if not can_start_campaign(person=person):
        return Account.objects.none()
    visible = Account.objects.visible_to(person)
    if _is_admin(person):
        return visible
    teams = AccountTeamMember.objects.filter(user_id=person.pk).values("account_id")
    return visible.filter(owner_id=person.pk) | visible.filter(pk__in=teams)


def can_view_campaigns(*, person: Any) -> bool:
    """Every signed-in person sees the campaigns and their totals; recipients only on accounts they may open."""
    return bool(getattr(person, "is_active", False))


def can_see_invitation(*, person: Any, invitation: SurveyInvitation) -> bool:
    return account_policies.can_open_account(person=person, account=invitation.account)


def can_revoke_invitation(*, person: Any, invitation: SurveyInvitation) -> bool:
    """A link is revoked by an admin, the campaign's starter or the account's owner, while it is still usable."""
    if invitation.completed_at is not None or invitation.revoked_at is not None:
        return False
    if not can_see_invitation(person=person, invitation=invitation):
        return False
    person_id = getattr(person, "pk", None)
    campaign: SurveyCampaign = invitation.campaign
    return _is_admin(person) or person_id in {campaign.created_by_id, invitation.account.owner_id}


def can_see_answers(*, person: Any, account: Account) -> bool:
    return account_policies.can_open_account(person=person, account=account)


def owner_to_tell(*, account: Account) -> list[User]:
    """Who hears that a customer's survey answer raised an issue: the account's owner, if active and allowed."""
    owner = account.owner
    if not owner.is_active:
        return []
    return account_policies.recipients_who_may_open(account=account, candidates=[owner])


def can_decide_proposal(*, person: Any, proposal: DeclineProposal) -> bool:
    """Who accepts or dismisses a proposed plan: its suggested owner, the account's editors (its owner, editing
    team members, admins) and executives, among those who may open the account."""
    if not account_policies.can_open_account(person=person, account=proposal.account):
        return False
    if getattr(person, "pk", None) is None:
        return False  # a person's decision: no internal system takes it
    if account_policies.sees_everything(person) or person.pk == proposal.suggested_owner_id:
        return True
    return account_policies.can_edit_account(person=person, account=proposal.account)
