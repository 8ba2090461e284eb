"""Demo account teams and joint reviews: each Strategic and Key account gets a team from the departments that
serve it and a history of reviews on its tier's cadence, with decisions (most made into plans) and, for some,
the next review already scheduled. Small scale only: the large seeder (connectivity.seeding_large) loads its
own rows."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import Account, AccountTeamMember, TeamRole
from actionplans.models import ActionPlan, PlanStatus
from kernel.seeding import SeedContext
from organization.models import User
from reviews import pack
from reviews.models import AccountReview, ReviewDecision, ReviewState

ROLE_BY_DEPARTMENT = {
    "rnd": TeamRole.RND,
    "engineering": TeamRole.ENGINEERING,
    "quality": TeamRole.QUALITY,
    "field-service": TeamRole.SERVICE,
    "billing": TeamRole.BILLING,
}
DECISIONS = [
    "Send an engineer to the plant for a two-day audit",
    "Share the quality figures with their buyer every month",
    "Offer a field-service visit before the summer peak",
    "Correct the invoicing of spare parts",
    "Run a joint design session on the next model",
    "Give them early access to the R&D road map",
]


def seed(ctx: SeedContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    months = account_selectors.review_months()
    accounts = list(
        Account.objects.filter(tier__in=list(months)).select_related("owner").order_by("rank")[: ctx.pick(500, 0)]
    )
    people = list(
        User.objects.filter(is_active=True, department__slug__in=list(ROLE_BY_DEPARTMENT)).select_related("department")
    )
    people_by_pk = {p.pk: p for p in people}
    members = [
        AccountTeamMember(
            account=account,
            user=person,
            role=ROLE_BY_DEPARTMENT[person.department.slug] if person.department else TeamRole.SALES,
            can_edit=rng.random() < 0.3,
        )
        for account in accounts
        for person in rng.sample(people, min(3, len(people)))
        if person.pk != account.owner_id
    ]
    AccountTeamMember.objects.bulk_create(members, ignore_conflicts=True)
    team = {
        account_id: [people_by_pk[user_id] for user_id in user_ids if user_id in people_by_pk]
        for account_id, user_ids in _teams([a.pk for a in accounts]).items()
    }

    for account in ctx.progress(accounts, desc="account reviews"):
        colleagues = team.get(account.pk, [])
        if not colleagues:
            continue
        every = months[account.tier]
        held = [account_selectors.add_months(today, -every * n) for n in range(rng.randint(1, 3), 0, -1)]
        since = None
        for day in held:
            moment = timezone.make_aware(datetime.combine(day, time(10)))
            review = AccountReview.objects.create(
                account=account,
                scheduled_for=moment,
                state=ReviewState.COMPLETED,
                created_by=account.owner,
                since=since,
                started_at=moment,
                completed_at=moment + timedelta(hours=2),
                notes={"issues": "Walked through the open issues department by department."},
                pack=pack.build_pack(account=account, viewer=account.owner, since=since, until=moment),
            )
            review.internal_attendees.set(colleagues)
            review.present_internal.set(colleagues[:2])
            for text in rng.sample(DECISIONS, 2):
                owner = rng.choice(colleagues)
                promise = day + timedelta(days=rng.randint(20, 60))
                plan = None
                if rng.random() < 0.8 and owner.department is not None:
                    plan = ActionPlan.objects.create(
                        account=account,
                        title=text,
                        owner=owner,
                        department=owner.department,
                        due_on=promise,
                        promise_on=promise,
                        promised_at=moment,
                        status=PlanStatus.RESOLVED if promise < today else PlanStatus.IN_PROGRESS,
                        resolved_at=(
                            timezone.make_aware(
                                datetime.combine(promise - timedelta(days=rng.randint(-5, 10)), time(15))
                            )
                            if promise < today
                            else None
                        ),
                        resolution="Done as agreed in the joint review." if promise < today else "",
                        created_by=account.owner,
                    )
                if owner.department is not None:
                    ReviewDecision.objects.create(
                        review=review,
                        text=text,
                        owner=owner,
                        department=owner.department,
                        promise_on=promise,
                        plan=plan,
                        created_by=account.owner,
                    )
            since = review.completed_at
        if account.tier == 1 and rng.random() < 0.5:
            upcoming = AccountReview.objects.create(
                account=account,
                scheduled_for=timezone.make_aware(
                    datetime.combine(today + timedelta(days=rng.randint(3, 20)), time(10))
                ),
                created_by=account.owner,
                since=since,
            )
            upcoming.internal_attendees.set(colleagues)
            upcoming.customer_attendees.set(list(account.contacts.filter(is_active=True)[:2]))


def _teams(account_ids: list[int]) -> dict[int, list[int]]:
    rows = AccountTeamMember.objects.filter(account_id__in=account_ids).values_list("account_id", "user_id")
    teams: dict[int, list[int]] = {}
    for account_id, user_id in rows:
        teams.setdefault(account_id, []).append(user_id)
    return teams
