"""Status counts kept by the database (issue 21): the records page with no filter read every
status of the review to count them by outcome and final reason (30 ms at 100,000 records).

Triggers append signed deltas to screening_statuscountdelta, (review, stage, outcome, final
reason, ±n), whatever wrote the statuses, as migration 0014's stamp does and for the same
reason: no write path can forget. Append-only: no transaction updates a shared counter row, so
50 reviewers deciding at once never queue here, and two transactions moving statuses X→Y and
Y→X cannot deadlock on it. On PostgreSQL:

- an UPDATE pays only when it moves a status to another key (outcome, final reason, stage or
  review): a row trigger WHEN the key changed, two rows appended. The decisions that only
  bump decisions_count call nothing.
- INSERT and DELETE are statement triggers with transition tables: one aggregated delta per
  key and statement, so an import, a restore, a merge or a deletion of 100,000 statuses
  appends a handful of rows, not 100,000.
- screening_fold_status_counts(review) replaces a review's deltas by their sums in one
  statement (DELETE … RETURNING feeding the INSERT of the sums): each delta is deleted once,
  by whichever fold's snapshot saw it committed, so sums hold under READ COMMITTED; a
  transaction-level advisory lock (try, never wait) keeps two folds of a review from running at
  once for nothing. The update trigger folds the review once in ~256 firings (at most once per
  transaction), the reader when it sums more than FOLD_AT rows (screening.models.status_counts).
- The statuses of a review being deleted append deltas only while the review exists, and a
  trigger on the review deletes its deltas: nothing is left behind, whichever goes first.

On SQLite (one writer at a time) plain row triggers. A later migration that makes Django
rebuild screening_recordstatus or reviewapp_review on SQLite (most ALTERs there) drops their
triggers and must create them again; tests/screening/status_counts fails if it does not.
The existing statuses are counted once here, after the triggers exist (the migration's
transaction holds the statuses meanwhile).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "screening_statuscountdelta"
COLUMNS = "review_id, stage, outcome, final_reason_id"
FOLD_LOCK = 28_004  # advisory lock namespace (see screening.identification.uploads)

PG_FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION screening_fold_status_counts(rid bigint) RETURNS boolean AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock({FOLD_LOCK}, mod(rid, 2147483648)::int) THEN
    RETURN false;
  END IF;
  WITH gone AS (
    DELETE FROM {TABLE} WHERE review_id = rid RETURNING {COLUMNS}, n
  )
  INSERT INTO {TABLE} ({COLUMNS}, n)
    SELECT {COLUMNS}, sum(n) FROM gone GROUP BY {COLUMNS} HAVING sum(n) <> 0;
  RETURN true;
END
$$ LANGUAGE plpgsql
""",
    f"""
CREATE OR REPLACE FUNCTION screening_status_count_updated() RETURNS trigger AS $$
BEGIN
  INSERT INTO {TABLE} ({COLUMNS}, n) VALUES
    (OLD.review_id, OLD.stage, OLD.outcome, OLD.final_reason_id, -1),
    (NEW.review_id, NEW.stage, NEW.outcome, NEW.final_reason_id, 1);
  -- Now and then, and at most once per transaction and review: a transaction moving 60,000
  -- statuses would otherwise fold again and again over its own dead rows (1.7 s).
  IF random() < 1.0 / 256
     AND current_setting('screening.status_fold_' || NEW.review_id, true) IS DISTINCT FROM '1'
  THEN
    PERFORM set_config('screening.status_fold_' || NEW.review_id, '1', true);
    PERFORM screening_fold_status_counts(NEW.review_id);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    f"""
CREATE OR REPLACE FUNCTION screening_status_count_inserted() RETURNS trigger AS $$
BEGIN
  INSERT INTO {TABLE} ({COLUMNS}, n)
    SELECT {COLUMNS}, count(*) FROM added_statuses GROUP BY {COLUMNS};
  RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    f"""
CREATE OR REPLACE FUNCTION screening_status_count_deleted() RETURNS trigger AS $$
BEGIN
  -- A review deleted earlier in this transaction keeps no deltas (its trigger removed them).
  INSERT INTO {TABLE} ({COLUMNS}, n)
    SELECT g.* FROM (
      SELECT {COLUMNS}, -count(*) FROM removed_statuses GROUP BY {COLUMNS}
    ) AS g
    WHERE EXISTS (SELECT 1 FROM reviewapp_review r WHERE r.id = g.review_id);
  RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    f"""
CREATE OR REPLACE FUNCTION screening_status_count_review_deleted() RETURNS trigger AS $$
BEGIN
  DELETE FROM {TABLE} WHERE review_id IN (SELECT id FROM removed_reviews);
  RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
]

KEY_CHANGED = (
    "OLD.outcome IS DISTINCT FROM NEW.outcome "
    "OR OLD.final_reason_id IS DISTINCT FROM NEW.final_reason_id "
    "OR OLD.stage IS DISTINCT FROM NEW.stage "
    "OR OLD.review_id IS DISTINCT FROM NEW.review_id"
)
KEY = "outcome, final_reason_id, stage, review_id"

PG_TRIGGERS = [
    (
        "screening_recordstatus_count_update",
        "screening_recordstatus",
        f"AFTER UPDATE OF {KEY} ON screening_recordstatus FOR EACH ROW WHEN ({KEY_CHANGED}) "
        "EXECUTE FUNCTION screening_status_count_updated()",
    ),
    (
        "screening_recordstatus_count_insert",
        "screening_recordstatus",
        "AFTER INSERT ON screening_recordstatus REFERENCING NEW TABLE AS added_statuses "
        "FOR EACH STATEMENT EXECUTE FUNCTION screening_status_count_inserted()",
    ),
    (
        "screening_recordstatus_count_delete",
        "screening_recordstatus",
        "AFTER DELETE ON screening_recordstatus REFERENCING OLD TABLE AS removed_statuses "
        "FOR EACH STATEMENT EXECUTE FUNCTION screening_status_count_deleted()",
    ),
    (
        "reviewapp_review_status_counts_delete",
        "reviewapp_review",
        "AFTER DELETE ON reviewapp_review REFERENCING OLD TABLE AS removed_reviews "
        "FOR EACH STATEMENT EXECUTE FUNCTION screening_status_count_review_deleted()",
    ),
]
PG_FUNCTION_NAMES = [
    "screening_status_count_updated()",
    "screening_status_count_inserted()",
    "screening_status_count_deleted()",
    "screening_status_count_review_deleted()",
    "screening_fold_status_counts(bigint)",
]


def _row(row: str, n: int) -> str:
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}, n) VALUES "
        f"({row}.review_id, {row}.stage, {row}.outcome, {row}.final_reason_id, {n});"
    )


SQLITE_TRIGGERS = [
    (
        "screening_recordstatus_count_update",
        f"AFTER UPDATE OF {KEY} ON screening_recordstatus "
        f"WHEN {KEY_CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} "
        f"BEGIN {_row('OLD', -1)} {_row('NEW', 1)} END",
    ),
    (
        "screening_recordstatus_count_insert",
        f"AFTER INSERT ON screening_recordstatus BEGIN {_row('NEW', 1)} END",
    ),
    (
        "screening_recordstatus_count_delete",
        "AFTER DELETE ON screening_recordstatus "
        "WHEN EXISTS (SELECT 1 FROM reviewapp_review WHERE id = OLD.review_id) "
        f"BEGIN {_row('OLD', -1)} END",
    ),
    (
        "reviewapp_review_status_counts_delete",
        f"AFTER DELETE ON reviewapp_review BEGIN DELETE FROM {TABLE} WHERE review_id = OLD.id; END",
    ),
]

BACKFILL = (
    f"INSERT INTO {TABLE} ({COLUMNS}, n) "
    f"SELECT {COLUMNS}, count(*) FROM screening_recordstatus GROUP BY {COLUMNS}"
)


def forward(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in PG_FUNCTIONS:
            execute(sql)
        for name, _table, body in PG_TRIGGERS:
            execute(f"CREATE TRIGGER {name} {body}")
    elif vendor == "sqlite":
        for name, body in SQLITE_TRIGGERS:
            execute(f"CREATE TRIGGER {name} {body}")
    else:
        return
    execute(BACKFILL)


def backward(apps, schema_editor):
    execute = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, table, _body in PG_TRIGGERS:
            execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in PG_FUNCTION_NAMES:
            execute(f"DROP FUNCTION IF EXISTS {function}")
    elif vendor == "sqlite":
        for name, _body in SQLITE_TRIGGERS:
            execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reviewapp", "0003_background_jobs"),
        ("screening", "0014_agreement_in_the_background"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatusCountDelta",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[("ta", "Title/abstract"), ("ft", "Full text")], max_length=2
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting decisions"),
                            ("included", "Included"),
                            ("excluded", "Excluded"),
                            ("conflict", "Conflict"),
                        ],
                        max_length=10,
                    ),
                ),
                ("n", models.BigIntegerField()),
                (
                    "final_reason",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="reviewapp.exclusionreason",
                    ),
                ),
                (
                    "review",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="reviewapp.review",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["review", "stage"], name="status_count_by_review")
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
