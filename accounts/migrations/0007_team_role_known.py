# A migration of its own: PostgreSQL refuses to alter a table with row updates pending in the same transaction.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_account_team"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="accountteammember",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("role__in", ["rnd", "engineering", "quality", "service", "billing", "sales", "executive_sponsor"])
                ),
                name="team_role_known",
            ),
        ),
    ]
