"""Demo departments and people: a lead per department, a reporting chain, and a named demo login per role."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from kernel.seeding import DEMO_PASSWORD, SeedContext
from organization.models import Department, Role, User

DEPARTMENTS = [
    ("Executive office", "executive-office"),
    ("Sales", "sales"),
    ("Engineering", "engineering"),
    ("Research & Development", "rnd"),
    ("Manufacturing & Quality", "quality"),
    ("Field Service", "field-service"),
    ("Billing", "billing"),
    ("Marketing", "marketing"),
]

# The personas of the docs and tests, so a demo can follow the same stories.
DEMO_USERS = [
    ("admin@example.com", "Ada Admin", Role.ADMIN, "executive-office"),
    ("erin@example.com", "Erin Executive", Role.EXECUTIVE, "executive-office"),
    ("alice@example.com", "Alice Account", Role.ACCOUNT_MANAGER, "sales"),
    ("dana@example.com", "Dana Lead", Role.DEPARTMENT_LEAD, "engineering"),
    ("bob@example.com", "Bob Builder", Role.STAFF, "engineering"),
]

FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jade",
    "Kai",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vik",
    "Wen",
    "Yara",
    "Zed",
]
LAST = [
    "Adler",
    "Brandt",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Novak",
    "Okafor",
]


def seed(ctx: SeedContext) -> None:
    password = make_password(DEMO_PASSWORD)  # hashed once: every demo user shares it
    departments = {
        slug: Department.objects.create(name=name, slug=slug)
        for name, slug in ctx.progress(DEPARTMENTS, desc="departments")
    }
    users: list[User] = []
    for email, name, role, slug in DEMO_USERS:
        users.append(
            User(
                email=email,
                full_name=name,
                role=role,
                department=departments[slug],
                password=password,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
        )
    per_department = ctx.pick(small=4, large=60)
    account_managers = ctx.pick(small=8, large=150)
    generated = 0
    for slug in departments:
        count = account_managers if slug == "sales" else per_department
        for _ in range(count):
            generated += 1
            name = f"{ctx.rng.choice(FIRST)} {ctx.rng.choice(LAST)}"
            role = Role.ACCOUNT_MANAGER if slug == "sales" else Role.STAFF
            if slug == "executive-office":
                role = Role.EXECUTIVE
            users.append(
                User(
                    email=f"{name.lower().replace(' ', '.')}.{generated}@example.com",
                    full_name=name,
                    role=role,
                    department=departments[slug],
                    password=password,
                )
            )
    created = User.objects.bulk_create(list(ctx.progress(users, desc="users")), batch_size=1000)

    # Leads and the escalation chain: each department's lead reports to an executive; members to their lead.
    erin = next(u for u in created if u.email == "erin@example.com")
    demo_emails = {email for email, *_ in DEMO_USERS}
    by_department: dict[int, list[User]] = {}
    for user in created:
        by_department.setdefault(user.department_id or 0, []).append(user)
    for department in departments.values():
        members = by_department[department.pk]
        lead = next((u for u in members if u.role == Role.DEPARTMENT_LEAD), None) or (
            erin if department.slug == "executive-office" else next(u for u in members if u.email not in demo_emails)
        )
        if lead.role in {Role.STAFF, Role.ACCOUNT_MANAGER}:
            lead.role = Role.DEPARTMENT_LEAD
        department.lead = lead
        lead.manager = None if lead.pk == erin.pk else erin
        for member in members:
            if member.pk not in {lead.pk, erin.pk} and member.role != Role.ADMIN:
                member.manager = lead
    User.objects.bulk_update(created, ["role", "manager"], batch_size=1000)
    Department.objects.bulk_update(departments.values(), ["lead"])
    ctx.shared["departments"] = departments
    ctx.shared["users"] = created
    ctx.shared["demo_logins"] = [(email, role.label) for email, _, role, _ in DEMO_USERS]
