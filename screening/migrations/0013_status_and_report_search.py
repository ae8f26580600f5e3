"""Each status and report keeps its record's search (issue 21: PRISMA's counts put the works past
title/abstract in their column without reading the record table; see OfRecordSearch).

The copies are filled from the records, then made NOT NULL. On PostgreSQL a partial index holds
the statuses of those works only (included at title/abstract, or at full text) with their
search, outcome and reason, so grouping them is an index-only scan of a few entries. Not a
wider counting index: the whole review's exclusions are counted from that one, and including
more in it made PostgreSQL prefer a bitmap scan of the heap for them."""

import django.db.models.deletion
from django.db import migrations, models

from reviewapp.migration_sql import postgres_only

FORWARD = [
    "CREATE INDEX IF NOT EXISTS screening_recordstatus_beyond ON screening_recordstatus"
    " (review_id, stage, record_id) INCLUDE (outcome, search_id, final_reason_id)"
    " WHERE stage = 'ft' OR outcome = 'included'",
]
BACKWARD = ["DROP INDEX IF EXISTS screening_recordstatus_beyond"]


def copy_searches(apps, schema_editor):
    for table in ("screening_recordstatus", "screening_report"):
        schema_editor.execute(
            f"UPDATE {table} SET search_id = r.search_id FROM screening_record r"
            f" WHERE r.id = {table}.record_id"
        )
    if schema_editor.connection.vendor == "postgresql":
        # The new foreign keys' checks are deferred to commit; NOT NULL cannot be set on a table
        # with pending checks, so run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def search_copy(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        null=null,
        db_index=False,
        editable=False,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to="screening.search",
    )


class Migration(migrations.Migration):
    dependencies = [("screening", "0012_status_counts_index")]
    operations = [
        migrations.AddField("recordstatus", "search", search_copy(null=True)),
        migrations.AddField("report", "search", search_copy(null=True)),
        migrations.RunPython(copy_searches, migrations.RunPython.noop),
        migrations.AlterField("recordstatus", "search", search_copy(null=False)),
        migrations.AlterField("report", "search", search_copy(null=False)),
        postgres_only(FORWARD, BACKWARD),
    ]
