"""The bare baseline (bench.bare) answers with the API's own body: checked here on rows built in memory, no server.

`make bench` also compares one live response of each endpoint byte for byte (`bare.same_body` in its results).
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import orjson
from rest_framework.renderers import JSONRenderer

from accounts.api.serializers import TIER_NAMES, AccountDetailSerializer, AccountSerializer
from accounts.models import Account, Segment
from bench import bare
from feedback.api.serializers import IssueHandoffSerializer, IssueSerializer
from organization.models import User

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SIGNALS = [
    {"key": "contact", "max": 30, "label": "Contact within cadence", "detail": "last contact 5 days ago", "points": 30},
    {"key": "ratings", "max": 25, "label": "Rating and its trend", "detail": "average 3.5", "points": 17.5},
]
CADENCE = {1: 14, 2: 30, 3: 90, 4: 180}
TODAY = date(2026, 3, 10)


def _account() -> Account:
    account = Account(
        id=7,
        external_id="ERP-7",
        name="Nordwind Logistik",
        segment=Segment(id=2, name="Industrial", slug="industrial"),
        industry="Logistics",
        region="DACH",
        status="active",
        owner=User(id=3, full_name="Ada Owner", email="ada@example.com"),
        executive_sponsor_id=None,
        is_confidential=False,
        rank=12,
        tier=2,
        score=Decimal("6.75"),
        last_contact_at=datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC),
        next_contact_due=date(2026, 3, 9),
        needs=["Faster spare parts"],
        wants=["Executive attention"],
        health=55,
        health_signals=SIGNALS,
        health_at_risk=True,
        version=4,
        created_at=datetime(2025, 7, 1, 8, 0, tzinfo=UTC),
        updated_at=datetime(2026, 3, 1, 9, 30, 1, tzinfo=UTC),
    )
    account.owner_id = 3
    return account


def _row(account: Account) -> tuple[object, ...]:
    """The account as ACCOUNT_API_PAGE_SQL returns it on a connection in the Amsterdam time zone."""
    local = {f: getattr(account, f).astimezone(AMSTERDAM) for f in ("last_contact_at", "created_at", "updated_at")}
    return (
        account.pk,
        account.external_id,
        account.name,
        account.segment.slug,
        account.industry,
        account.region,
        account.status,
        account.owner_id,
        account.owner.full_name,
        account.executive_sponsor_id,
        account.is_confidential,
        account.rank,
        account.tier,
        account.score,
        local["last_contact_at"],
        account.next_contact_due,
        account.needs,
        account.wants,
        account.health,
        account.health_signals,
        account.health_at_risk,
        account.version,
        local["created_at"],
        local["updated_at"],
    )


def test_an_account_row_is_the_api_body_byte_for_byte():
    account = _account()
    api = JSONRenderer().render(AccountSerializer(account, context={"cadence_days": CADENCE, "today": TODAY}).data)

    assert orjson.dumps(bare.account_row(_row(account), cadence_days=CADENCE, today=TODAY)) == api


def test_the_detail_row_adds_the_contact_ids_as_the_api_does():
    body = bare.account_row((*_row(_account()), [5, 9]), cadence_days=CADENCE, today=TODAY)

    assert list(body) == AccountDetailSerializer.Meta.fields
    assert body["contacts"] == [5, 9]


def test_tier_names_match_the_api():
    assert bare.TIER_NAMES == TIER_NAMES


def test_an_issue_row_has_the_api_keys_in_order_with_its_pending_handoff():
    handoff = {
        "id": 3,
        "from_department": 1,
        "from_department_name": "Quality",
        "to_department": 2,
        "to_department_name": "Billing",
        "note": "Theirs.",
        "handed_off_by": 4,
        "handed_off_at": "2026-03-01T10:00:00.5+01:00",
    }
    moment = datetime(2026, 3, 1, 10, 0, tzinfo=AMSTERDAM)
    row = (1, None, 7, "Nordwind", "high", 1, "Quality", "Late.", "open", 3, "Ada", moment, None, None, None)
    body = bare.issue_row((*row, handoff, 1, moment, moment))

    assert list(body) == IssueSerializer.Meta.fields
    assert list(body["pending_handoff"]) == IssueHandoffSerializer.Meta.fields
    assert body["pending_handoff"]["handed_off_at"] == "2026-03-01T10:00:00.500000+01:00"
    assert body["raised_at"] == "2026-03-01T10:00:00+01:00"


def test_a_page_is_drfs_cursor_envelope():
    rows = [(rank,) for rank in range(1, bare.PAGE_SIZE + 2)]
    page = bare.cursor_page(
        rows,
        lambda row: {"rank": row[0]},
        position=lambda row: row[0],
        base="http://127.0.0.1/api/v1/accounts",
        query={"cursor": "cD0z"},
        came_by_cursor=True,
    )

    assert list(page) == ["next", "previous", "results"]
    assert len(page["results"]) == bare.PAGE_SIZE
    assert page["next"] == "http://127.0.0.1/api/v1/accounts?cursor=cD01MA%3D%3D"  # p=50
    assert page["previous"] == "http://127.0.0.1/api/v1/accounts?cursor=cj0xJnA9MQ%3D%3D"  # r=1&p=1
