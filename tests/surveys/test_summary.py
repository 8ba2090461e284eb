"""The surveys' section of an account summary (accounts.summary), which the joint review's pack shows without
importing surveys: what was answered in the period, and each dimension's change since the last annual survey."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts import summary
from feedback.models import Topic
from organization.models import Role, User
from tests.factories import AccountFactory, UserFactory
from tests.surveys.answered import answer

pytestmark = pytest.mark.django_db
UNTIL = datetime(2027, 1, 1, tzinfo=UTC)


def _surveys(account: object, viewer: User, since: datetime | None) -> list[str] | None:
    sections = {s.key: s for s in summary.account_summary(account=account, user=viewer, since=since, until=UNTIL)}  # type: ignore[arg-type]
    return None if "surveys" not in sections else sections["surveys"].lines


def test_the_section_tells_the_periods_answers_and_each_dimensions_change(alice: User) -> None:
    account = AccountFactory.create(owner=alice)
    answer(account, year=2025, scores={Topic.DELIVERY: 5, Topic.QUALITY: 3}, recommend=9, choose_again=True)
    answer(account, year=2026, scores={Topic.DELIVERY: 2, Topic.QUALITY: 4}, recommend=6, choose_again=False)

    lines = _surveys(account, alice, since=datetime(2026, 1, 1, tzinfo=UTC))

    assert lines == [
        "1 survey response in the period",
        "Would recommend us: 6.0 / 10 on average",
        "Would choose us again: 0 of 1",
        "Delivery: 5.0 → 2.0 (2025 → 2026, declined)",
        "Quality: 3.0 → 4.0 (2025 → 2026, improved)",
    ]
    assert _surveys(account, alice, since=None)[:3] == [  # type: ignore[index]
        "2 survey responses in the period",
        "Would recommend us: 7.5 / 10 on average",
        "Would choose us again: 1 of 2",
    ]


def test_no_section_for_an_account_nobody_answered_nor_for_whoever_may_not_open_it(alice: User) -> None:
    assert _surveys(AccountFactory.create(owner=alice), alice, since=None) is None
    confidential = AccountFactory.create(owner=alice, is_confidential=True)
    answer(confidential, year=2026, scores={Topic.BILLING: 1}, recommend=2)
    outsider = UserFactory.create(role=Role.STAFF)

    assert _surveys(confidential, outsider, since=None) is None
    assert _surveys(confidential, alice, since=None) is not None
