"""Full-text search indexes, PostgreSQL only (SQLite searches with a plain LIKE, see feedback.selectors)."""

from django.db import migrations

from feedback.selectors import ISSUE_DOCUMENT, LOG_DOCUMENT


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS contactlog_search ON feedback_contactlog USING GIN (({LOG_DOCUMENT}))")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS issue_search ON feedback_issue USING GIN (({ISSUE_DOCUMENT}))")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS contactlog_search")
    schema_editor.execute("DROP INDEX IF EXISTS issue_search")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
