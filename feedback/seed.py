"""Demo conversations over two years, with issues in the customers' own words routed to departments."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Account
from feedback.models import Channel, ContactLog, Issue, IssueStatus, Severity, Topic
from kernel.seeding import SeedContext

SAYINGS: dict[str, list[str]] = {
    Topic.DELIVERY: [
        "The last three shipments arrived a week late and our line stood still.",
        "Delivery has been reliable since you changed carriers, keep it that way.",
    ],
    Topic.QUALITY: [
        "We found hairline cracks in two housings from batch 114.",
        "Scrap rate on your parts went from 2% to 6% this quarter.",
    ],
    Topic.FIELD_SERVICE: [
        "Your technician fixed the press in an hour, the operators loved him.",
        "We waited four days for a service visit; that is not acceptable for us.",
    ],
    Topic.BILLING: [
        "Invoices reference order numbers we never use, our accounts team cannot match them.",
        "We were billed twice for the March maintenance contract.",
    ],
    Topic.PRICING: [
        "Your competitor offered 8% less for the same volume.",
        "We understand the surcharge, but we need to know about it a quarter ahead.",
    ],
    Topic.PRODUCT_PERFORMANCE: [
        "The new controller firmware cut our changeover time in half.",
        "The pump overheats at full load in summer.",
    ],
    Topic.BUSINESS_RELATIONSHIP: [
        "We would like to see your engineering lead at our plant once a year.",
        "You are the only supplier who calls us before we call you.",
    ],
    Topic.OTHER: ["Our new CEO starts in June and will review all suppliers."],
}
ROUTE: dict[str, str] = {
    Topic.DELIVERY: "quality",
    Topic.QUALITY: "quality",
    Topic.FIELD_SERVICE: "field-service",
    Topic.BILLING: "billing",
    Topic.PRICING: "sales",
    Topic.PRODUCT_PERFORMANCE: "engineering",
    Topic.BUSINESS_RELATIONSHIP: "sales",
    Topic.OTHER: "sales",
}
COMMENTS = ["", "", "Fine, as usual.", "Better than last year.", "You need to listen more.", "Very responsive team."]


def seed(ctx: SeedContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    accounts = ctx.shared["accounts"]
    departments = ctx.shared["departments"]
    owners = {a.pk: a.owner_id for a in accounts}
    total = ctx.pick(small=2_000, large=1_000_000)
    issue_share = 0.3
    topics = list(Topic.values)
    logs: list[ContactLog] = []
    plan: list[tuple[int, str]] = []  # per log: (log index, topic) of the issue it raises
    for i in range(total):
        account = accounts[rng.randrange(len(accounts))]
        occurred = now - timedelta(days=rng.uniform(0, 730))
        topic = rng.choice(topics)
        rating = rng.choices([None, 1, 2, 3, 4, 5], weights=[20, 3, 7, 20, 30, 20])[0]
        logs.append(
            ContactLog(
                account_id=account.pk,
                occurred_at=occurred,
                channel=rng.choices(list(Channel.values), weights=[15, 10, 35, 20, 15, 5])[0],
                topics=[topic] + ([rng.choice(topics)] if rng.random() < 0.3 else []),
                summary=rng.choice(SAYINGS[topic]),
                rating=rating,
                rating_comment=rng.choice(COMMENTS) if rating else "",
                author_id=owners[account.pk],
            )
        )
        if rng.random() < issue_share:
            plan.append((i, topic))
    logs = ContactLog.objects.bulk_create(ctx.progress(logs, total=total, desc="contact logs"), batch_size=5000)
    through = ContactLog.our_participants.through
    through.objects.bulk_create(
        (through(contactlog_id=log.pk, user_id=log.author_id) for log in logs), batch_size=10000
    )

    def issues() -> list[Issue]:
        rows = []
        for index, topic in plan:
            log = logs[index]
            age = now - log.occurred_at
            if age > timedelta(days=60):
                status = rng.choices(
                    [IssueStatus.CLOSED, IssueStatus.RESOLVED, IssueStatus.PLANNED], weights=[6, 3, 1]
                )[0]
            else:
                status = rng.choice([IssueStatus.NEW, IssueStatus.ACKNOWLEDGED, IssueStatus.PLANNED])
            acknowledged = (
                log.occurred_at + timedelta(hours=rng.uniform(0.5, 96)) if status != IssueStatus.NEW else None
            )
            resolved = (
                log.occurred_at + timedelta(days=rng.uniform(2, 45))
                if status in {IssueStatus.RESOLVED, IssueStatus.CLOSED}
                else None
            )
            rows.append(
                Issue(
                    contact_log_id=log.pk,
                    account_id=log.account_id,
                    severity=rng.choices(list(Severity.values), weights=[30, 45, 20, 5])[0],
                    department=departments[ROUTE[topic]],
                    verbatim=log.summary,
                    status=status,
                    raised_by_id=log.author_id,
                    raised_at=log.occurred_at,
                    acknowledged_at=acknowledged,
                    acknowledged_by_id=log.author_id if acknowledged else None,
                    resolved_at=resolved,
                )
            )
        return rows

    Issue.objects.bulk_create(ctx.progress(issues(), total=len(plan), desc="issues"), batch_size=5000)
    # The accounts' cadence clocks follow the latest conversation, set-based.
    latest = (
        ContactLog.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(m=Max("occurred_at"))
        .values("m")
    )
    Account.objects.update(last_contact_at=Subquery(latest))
    account_services.refresh_contact_due()
