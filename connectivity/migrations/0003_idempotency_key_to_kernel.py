# IdempotencyKey now belongs to the shared kernel (kernel 0001 takes over its state); its table stays as it is.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("connectivity", "0002_idempotency_key"),
        ("kernel", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
        ),
    ]
