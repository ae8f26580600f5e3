"""An index for counting statuses (issue 21: the PRISMA page at 100,000+ records).

(review, stage, outcome, record): the works excluded at title/abstract are counted in record
order by an index-only scan, less the few duplicates (a merge anti join with the (review,
is_canonical, id) index), and the works included there are found by a range of it. Nothing
that a decision alone changes (a status's count of decisions) is in it, so such an update
stays heap-only. Nothing on SQLite."""

from django.db import migrations

from reviewapp.migration_sql import postgres_only

FORWARD = [
    "CREATE INDEX IF NOT EXISTS screening_recordstatus_counts ON screening_recordstatus"
    " (review_id, stage, outcome, record_id)",
]
BACKWARD = ["DROP INDEX IF EXISTS screening_recordstatus_counts"]


class Migration(migrations.Migration):
    dependencies = [("screening", "0011_record_import_indexes")]
    operations = [postgres_only(FORWARD, BACKWARD)]
