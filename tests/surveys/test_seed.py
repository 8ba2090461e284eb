"""The demo data has two years of annual surveys and pulses, answered at realistic rates, and a few declines."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Account
from surveys.models import DeclineProposal, SurveyCampaign, SurveyInvitation, SurveyKind, SurveyResponse

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_two_years_of_surveys_pulses_and_proposals_for_declines() -> None:
    call_command("seed_demo", "--quiet", "--seed", "1")

    annual = SurveyCampaign.objects.filter(kind=SurveyKind.ANNUAL)
    this_year = timezone.localdate().year
    assert sorted(c.created_at.year for c in annual) == [this_year - 1, this_year]
    invited = SurveyInvitation.objects.filter(campaign__in=annual).count()
    answered = SurveyResponse.objects.filter(campaign__in=annual, submitted_at__isnull=False).count()
    assert invited > 100 and 0.35 < answered / invited < 0.65  # about half the contacts answer
    assert SurveyCampaign.objects.filter(kind=SurveyKind.PULSE, plan__isnull=False).exists()
    assert SurveyResponse.objects.filter(campaign__kind=SurveyKind.PULSE, submitted_at__isnull=False).exists()
    proposals = DeclineProposal.objects.all()
    assert proposals.exists() and proposals.filter(suggested_owner__email="alice@example.com").exists()
    assert all(p.current_score < p.previous_score for p in proposals)
    declining = proposals.values("account").distinct().count()
    assert declining <= 0.15 * Account.objects.count()  # a few accounts declined; the rest answered as before


def test_the_kpi_page_of_the_demo_shows_nps_and_response_rate(client: Any) -> None:
    call_command("seed_demo", "--quiet", "--seed", "1")
    from organization.models import User

    client.force_login(User.objects.get(email="erin@example.com"))
    overview = client.get("/kpis/?days=90").context["overview"]

    assert overview.surveys.org.recommend >= 0 and len(overview.surveys.trend) == 12
    assert any(point.nps is not None for point in overview.surveys.trend)
