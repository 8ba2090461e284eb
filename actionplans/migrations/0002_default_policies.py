"""Every installation starts with a business calendar and sensible escalation ladders (editable in the admin)."""

from django.db import migrations


def create_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    from actionplans.services import ISSUE_LADDER, PLAN_LADDER

    calendar = apps.get_model("actionplans", "BusinessCalendar")
    policy = apps.get_model("actionplans", "EscalationPolicy")
    calendar.objects.get_or_create(name="default", defaults={"workdays": [1, 2, 3, 4, 5]})
    rows = []
    for trigger, ladder in (("plan_overdue", PLAN_LADDER), ("issue_unacknowledged", ISSUE_LADDER)):
        for tier, levels in ladder.items():
            for severity in ("low", "medium", "high", "critical"):
                factor = 0.5 if severity == "critical" else 1.0
                for level, (hours, target) in enumerate(levels, start=1):
                    rows.append(policy(tier=int(tier), severity=severity, trigger=trigger, level=level,
                                       delay_hours=max(1, int(hours * factor)), target=str(target)))
    policy.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("actionplans", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
