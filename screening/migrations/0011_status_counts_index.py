"""A covering index for counting statuses (issue 21: the PRISMA page and the overview's
screening progress at 100,000+ records).

(review, stage, outcome, record) INCLUDE (decisions_count, final_reason): the works excluded at
title/abstract are counted in record order, less the few duplicates (a merge anti join with the
(review, is_canonical, id) index), and the progress panel groups a stage's statuses by outcome,
decisions and reason, each by an index-only scan that never reads a status row.
Nothing on SQLite."""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS screening_recordstatus_counts ON screening_recordstatus"
    " (review_id, stage, outcome, record_id) INCLUDE (decisions_count, final_reason_id)",
]
BACKWARD = ["DROP INDEX IF EXISTS screening_recordstatus_counts"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("screening", "0010_dedup_keys")]
    operations = [migrations.RunPython(forward, backward)]
