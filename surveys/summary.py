"""What the surveys say about an account over a period, for summaries built above surveys (the joint review's pack,
through accounts.summary): the responses submitted in it, their advocacy, and each dimension's year-over-year change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q

from accounts import policies as account_policies
from accounts import summary
from accounts.models import Account
from surveys import yearly
from surveys.models import SurveyResponse


@summary.register("surveys")
def survey_section(
    account: Account, viewer: Any, since: datetime | None, until: datetime
) -> summary.SummarySection | None:
    """None when the viewer may not open the account or nobody has answered a survey yet. Two queries."""
    if not account_policies.can_open_account(person=viewer, account=account):
        return None
    period = SurveyResponse.objects.visible_to(viewer).submitted().filter(account=account, submitted_at__lt=until)
    if since is not None:
        period = period.filter(submitted_at__gte=since)
    figures = period.aggregate(
        answered=Count("pk"),
        recommend=Avg("recommend"),
        again=Count("pk", filter=Q(choose_again=True)),
        asked_again=Count("pk", filter=Q(choose_again__isnull=False)),
    )
    comparison = yearly.account_year_over_year(account=account)
    if not figures["answered"] and comparison.current_year is None:
        return None
    lines = [f"{figures['answered']} survey response{'' if figures['answered'] == 1 else 's'} in the period"]
    if figures["recommend"] is not None:
        lines.append(f"Would recommend us: {figures['recommend']:.1f} / 10 on average")
    if figures["asked_again"]:
        lines.append(f"Would choose us again: {figures['again']} of {figures['asked_again']}")
    for row in comparison.rows:
        if row.change is not None:
            trend = "declined" if row.declined else "held" if row.change == 0 else "improved"
            lines.append(
                f"{row.label}: {row.previous:.1f} → {row.current:.1f} "
                f"({comparison.previous_year} → {comparison.current_year}, {trend})"
            )
    return summary.SummarySection(key="surveys", title="Surveys", lines=lines)
