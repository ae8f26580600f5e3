"""Each status and report keeps its record's search (issue 21: PRISMA's counts put the works past
title/abstract in their column without reading the record table; see OfRecordSearch).

The copies are filled from the records, then made NOT NULL. On PostgreSQL the statuses' counting
index carries the search and the final reason too (INCLUDE: not part of the order), so grouping
the statuses of works past title/abstract, and the full-text statuses beside them, is an
index-only scan."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = [
    "DROP INDEX IF EXISTS screening_recordstatus_counts",
    "CREATE INDEX screening_recordstatus_counts ON screening_recordstatus"
    " (review_id, stage, outcome, record_id) INCLUDE (search_id, final_reason_id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS screening_recordstatus_counts",
    "CREATE INDEX screening_recordstatus_counts ON screening_recordstatus"
    " (review_id, stage, outcome, record_id)",
]


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


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


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
        migrations.RunPython(forward, backward),
    ]
