"""An index for counting statuses (issue 21: the PRISMA page at 100,000+ records).

(review, stage, outcome, record): the works excluded at title/abstract are counted in record
order by an index-only scan, less the few duplicates (a merge anti join with the (review,
is_canonical, id) index), and the works included there are found by a range of it. Nothing
that a decision alone changes (a status's count of decisions) is in it, so such an update
stays heap-only. Nothing on SQLite."""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS screening_recordstatus_counts ON screening_recordstatus"
    " (review_id, stage, outcome, record_id)",
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
    dependencies = [("screening", "0011_record_import_indexes")]
    operations = [migrations.RunPython(forward, backward)]
