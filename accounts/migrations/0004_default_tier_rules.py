# The default tier rules as data (copied here, not imported from live code, so this migration means the same
# forever): a fresh database has them, and reads never have to create them.

from decimal import Decimal

from django.db import migrations

DEFAULTS = {  # tier: (minimum weighted score, contact cadence in days)
    1: (Decimal("8.00"), 14),  # Strategic
    2: (Decimal("6.50"), 30),  # Key
    3: (Decimal("4.00"), 90),  # Core
    4: (Decimal("0.00"), 180),  # Maintain
}


def create_default_tier_rules(apps, schema_editor):
    TierRule = apps.get_model("accounts", "TierRule")
    existing = set(TierRule.objects.values_list("tier", flat=True))
    TierRule.objects.bulk_create(
        TierRule(tier=tier, min_score=min_score, cadence_days=cadence)
        for tier, (min_score, cadence) in DEFAULTS.items()
        if tier not in existing
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_account_health'),
    ]

    operations = [
        migrations.RunPython(create_default_tier_rules, migrations.RunPython.noop),
    ]
