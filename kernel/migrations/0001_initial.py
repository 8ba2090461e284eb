# The IdempotencyKey model moved here from the project package (connectivity 0002 created its table, which keeps
# its name): only Django's model state moves, the database is untouched.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('connectivity', '0002_idempotency_key'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='IdempotencyKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('principal', models.CharField(help_text='Who sent it: "client:<id>" or "user:<id>".', max_length=100)),
                        ('key', models.CharField(max_length=200)),
                        ('method', models.CharField(max_length=10)),
                        ('path', models.TextField()),
                        ('request_hash', models.CharField(help_text='SHA-256 of the canonical JSON body.', max_length=64)),
                        ('response_status', models.PositiveSmallIntegerField(blank=True, help_text='None while in progress.', null=True)),
                        ('response_body', models.JSONField(blank=True, null=True)),
                        ('response_headers', models.JSONField(blank=True, default=dict, help_text='Location and ETag, to replay them.')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={
                        'db_table': 'connectivity_idempotencykey',
                        'constraints': [models.UniqueConstraint(fields=('principal', 'key'), name='idempotency_key_per_principal')],
                    },
                ),
            ],
        ),
    ]
