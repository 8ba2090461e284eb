"""Demo customers: segments, priority criteria, scored and ranked accounts with contacts, needs and wants."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts import services
from accounts.models import (
    Account,
    AccountScore,
    AccountStatus,
    AccountTeamMember,
    BuyingRole,
    CustomerContact,
    PriorityCriterion,
    Segment,
    TeamRole,
)
from kernel.seeding import SeedContext
from organization.models import Role

SEGMENTS = [("Multinational", "multinational"), ("National", "national"), ("Local enterprise", "local-enterprise")]
CRITERIA = [
    ("Revenue", "Annual revenue with us, and its share of the customer's spend.", "30"),
    ("Growth potential", "Where the customer's business, and our share of it, is heading.", "25"),
    ("Strategic fit", "How well their needs match what we are best at.", "20"),
    ("Reference value", "Would their name and story win us other customers?", "15"),
    ("Risk of loss", "How likely we are to lose them without attention (high = at risk).", "10"),
]
INDUSTRIES = ["Automotive", "Food processing", "Pharmaceuticals", "Energy", "Aerospace", "Mining", "Packaging"]
REGIONS = ["North", "South", "East", "West", "Central", "Export"]
PREFIX = [
    "Acme",
    "Borealis",
    "Cobalt",
    "Delta",
    "Everline",
    "Fjord",
    "Granite",
    "Helix",
    "Ionic",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nordic",
]
SUFFIX = ["Industries", "Works", "Systems", "Holdings", "Manufacturing", "Group", "Technologies", "Foods"]
NEEDS = [
    "Shorter lead times",
    "Fewer line stoppages",
    "Predictable pricing",
    "Faster on-site service",
    "Compliance paperwork",
    "Spare parts on consignment",
    "Clearer invoices",
    "Remote diagnostics",
]
WANTS = [
    "Being consulted early on new products",
    "A named engineer who knows their plant",
    "Executive attention",
    "Recognition as a reference customer",
    "Plant visits by our team",
    "Hearing about problems before they do",
]
FIRST = ["Ana", "Bram", "Carla", "Dirk", "Elif", "Femke", "Gert", "Hilde", "Ivan", "Joost", "Karin", "Lars"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters"]
TITLES = ["Plant manager", "Purchasing director", "Maintenance lead", "CFO", "Quality engineer", "Operator"]


def seed(ctx: SeedContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    segments = [Segment.objects.create(name=name, slug=slug) for name, slug in SEGMENTS]
    criteria = [
        PriorityCriterion.objects.create(name=name, description=text, weight=Decimal(weight), order=i)
        for i, (name, text, weight) in enumerate(CRITERIA)
    ]
    users = ctx.shared["users"]
    managers = [u for u in users if u.role == Role.ACCOUNT_MANAGER]
    alice = next(u for u in managers if u.email == "alice@example.com")
    executives = [u for u in users if u.role == Role.EXECUTIVE]
    others = [u for u in users if u.role in {Role.STAFF, Role.DEPARTMENT_LEAD}]

    count = ctx.pick(small=200, large=50_000)
    accounts = []
    for i in range(count):
        owner = alice if i % 12 == 0 else rng.choice(managers)
        contacted = rng.random() < 0.9
        accounts.append(
            Account(
                name=f"{rng.choice(PREFIX)} {rng.choice(SUFFIX)} {i + 1:05d}",
                external_id=f"ERP-{100000 + i}",
                segment=rng.choices(segments, weights=[1, 3, 6])[0],
                industry=rng.choice(INDUSTRIES),
                region=rng.choice(REGIONS),
                status=rng.choices(list(AccountStatus.values), weights=[5, 80, 10, 5])[0],
                owner=owner,
                executive_sponsor=rng.choice(executives) if rng.random() < 0.2 else None,
                is_confidential=rng.random() < 0.05,
                needs=rng.sample(NEEDS, 2),
                wants=rng.sample(WANTS, 2),
                last_contact_at=now - timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 23))
                if contacted
                else None,
            )
        )
    accounts = Account.objects.bulk_create(ctx.progress(accounts, total=count, desc="accounts"), batch_size=2000)

    def scores() -> list[AccountScore]:
        rows = []
        for account in accounts:
            strength = rng.betavariate(2, 3) * 10  # most customers are ordinary, a few stand out
            for criterion in criteria:
                value = min(10.0, max(0.0, rng.gauss(strength, 1.5)))
                rows.append(AccountScore(account=account, criterion=criterion, value=Decimal(f"{value:.1f}")))
        return rows

    AccountScore.objects.bulk_create(
        ctx.progress(scores(), total=count * len(criteria), desc="scores"), batch_size=5000
    )

    def contacts() -> list[CustomerContact]:
        rows = []
        for account in accounts:
            for _ in range(ctx.pick(small=rng.randint(2, 4), large=5)):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                rows.append(
                    CustomerContact(
                        account=account,
                        name=f"{first} {last}",
                        title=rng.choice(TITLES),
                        email=f"{first.lower()}.{last.lower().replace(' ', '')}@customer{account.pk}.example",
                        phone=f"+31 6 {rng.randint(10_000_000, 99_999_999)}",
                        buying_role=rng.choice(list(BuyingRole.values)),
                        influence=rng.randint(1, 5),
                        needs=rng.sample(NEEDS, 1),
                        wants=rng.sample(WANTS, 1),
                    )
                )
        return rows

    contact_rows = contacts()
    CustomerContact.objects.bulk_create(
        ctx.progress(contact_rows, total=len(contact_rows), desc="contacts"), batch_size=5000
    )
    team = [
        AccountTeamMember(account=account, user=member, role=rng.choice(list(TeamRole.values)), can_edit=False)
        for account in accounts[: ctx.pick(small=count, large=5000)]
        for member in rng.sample(others, 2)
    ]
    AccountTeamMember.objects.bulk_create(team, batch_size=5000, ignore_conflicts=True)
    services.recompute_priorities(changed_by=None, now=now, note="demo data")
    ctx.shared["accounts"] = accounts
