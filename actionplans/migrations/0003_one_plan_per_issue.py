"""One plan per issue, guarded by the database: a unique index on the issue column of the plan↔issue link.

Two clicks on "Create plan" at once could make two plans for one issue. The link table is Django's automatic
many-to-many table, so the index is plain SQL (the same statement on SQLite and PostgreSQL); the model still
says ManyToManyField, and actionplans.services.create_plan turns the refusal into a validation error.

An issue that already has several plans keeps the link to the one the "Create plan" button led to (the newest
that is not cancelled, else the newest); the other plans stay, without that link, so the index can be built.
"""

from django.db import migrations, models

TABLE = "actionplans_actionplan_issues"
INDEX = "actionplan_issue_one_plan"


def keep_one_plan_per_issue(apps, schema_editor):  # type: ignore[no-untyped-def]
    link = apps.get_model("actionplans", "ActionPlan").issues.through
    shared = (
        link.objects.values("issue_id").annotate(plans=models.Count("pk")).filter(plans__gt=1).values("issue_id")
    )
    by_issue = {}
    for pk, issue_id, status, created_at, plan_id in link.objects.filter(issue_id__in=shared).values_list(
        "pk", "issue_id", "actionplan__status", "actionplan__created_at", "actionplan_id"
    ):
        by_issue.setdefault(issue_id, []).append((status != "cancelled", created_at, plan_id, pk))
    extra = []
    for links in by_issue.values():
        links.sort(reverse=True)  # not cancelled first, then the newest
        extra += [pk for *_, pk in links[1:]]
    link.objects.filter(pk__in=extra).delete()


class Migration(migrations.Migration):
    dependencies = [("actionplans", "0002_default_policies")]
    operations = [
        migrations.RunPython(keep_one_plan_per_issue, migrations.RunPython.noop),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON {TABLE} (issue_id)",
            f"DROP INDEX {INDEX}",
        ),
    ]
