"""Every installation starts with a business calendar and sensible escalation ladders (editable in the admin).

The defaults are data, written here once: the values are copied into this file, never imported from live code,
so this migration means the same thing whatever the code around it becomes. Nothing else creates these rows;
a read that finds the calendar missing falls back to an unsaved one (actionplans.selectors.business_calendar).
"""

from django.db import migrations

CALENDAR = {
    "name": "default",
    "timezone": "Europe/Amsterdam",
    "workdays": [1, 2, 3, 4, 5],
    "start_hour": 8,
    "end_hour": 18,
    "holidays": [],
}

# Per trigger and account tier (1 Strategic, 2 Key, 3 Core, 4 Maintain): (business hours, target) per level.
# Strategic accounts climb faster; critical issues twice as fast again (CRITICAL_FACTOR).
LADDERS = {
    "plan_overdue": {
        1: [(8, "owner_manager"), (24, "department_lead"), (56, "executive_sponsor")],
        2: [(24, "owner_manager"), (72, "department_lead"), (168, "executive_sponsor")],
        3: [(24, "owner_manager"), (72, "department_lead"), (168, "any_executive")],
        4: [(40, "owner_manager"), (120, "department_lead")],
    },
    "issue_unacknowledged": {
        1: [(4, "department_lead"), (16, "any_executive")],
        2: [(8, "department_lead"), (40, "any_executive")],
        3: [(16, "department_lead")],
        4: [(24, "department_lead")],
    },
}
SEVERITIES = ["low", "medium", "high", "critical"]
CRITICAL_FACTOR = 0.5


def create_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Idempotent: an existing calendar or policy level is left as the admin edited it."""
    calendar = apps.get_model("actionplans", "BusinessCalendar")
    policy = apps.get_model("actionplans", "EscalationPolicy")
    calendar.objects.get_or_create(name=CALENDAR["name"], defaults=CALENDAR)
    rows = []
    for trigger, ladder in LADDERS.items():
        for tier, levels in ladder.items():
            for severity in SEVERITIES:
                factor = CRITICAL_FACTOR if severity == "critical" else 1.0
                for level, (hours, target) in enumerate(levels, start=1):
                    rows.append(
                        policy(
                            tier=tier,
                            severity=severity,
                            trigger=trigger,
                            level=level,
                            delay_hours=max(1, int(hours * factor)),
                            target=target,
                        )
                    )
    policy.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("actionplans", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
