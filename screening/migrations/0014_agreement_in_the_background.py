"""Agreement computed in the background (issue 21), and the stamp that tells when it is stale.

DecisionStamp.n counts the transactions that changed what agreement is computed from: a
decision inserted, changed or deleted; a record's outcome at a stage; a record merged into
another or split off again (is_canonical). Triggers bump it, not the services, so that no
write path (a service, a bulk import, a restore, a merge, raw SQL) can forget to.

On PostgreSQL they are constraint triggers DEFERRABLE INITIALLY DEFERRED: they fire at commit,
after everything else the transaction locked, so the one row per review they update is held
only for the commit itself (50 reviewers deciding at once queue there for microseconds), and
what a commit does after taking it is only checking foreign keys (key-share locks, which
nothing here blocks: de-duplication locks the review FOR NO KEY UPDATE), so no lock order can
deadlock. They update the row once per transaction and review (a transaction-local setting
remembers it: the other rows' firings only read it), so a history import of 60,000 decisions
costs its commit no more than the noise of its foreign-key checks (docs/benchmarks.md). A
stored agreement whose stamp was read before its decisions is fresh exactly while no
transaction committed a change since. On SQLite (one writer at a time) they are plain row
triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

# The three tables whose changes a stored agreement depends on: (table, event, condition).
WATCHED = [
    ("screening_decision", "INSERT OR UPDATE OR DELETE", ""),
    ("screening_recordstatus", "INSERT OR DELETE", ""),
    ("screening_recordstatus", "UPDATE OF outcome", "OLD.outcome IS DISTINCT FROM NEW.outcome"),
    ("screening_record", "UPDATE OF is_canonical", "OLD.is_canonical <> NEW.is_canonical"),
]

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION screening_bump_decision_stamp() RETURNS trigger AS $$
DECLARE
  rid bigint;
  done text;
BEGIN
  IF TG_OP = 'DELETE' THEN rid := OLD.review_id; ELSE rid := NEW.review_id; END IF;
  done := 'screening.decision_stamp_' || rid;
  IF current_setting(done, true) = '1' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config(done, '1', true);
  -- A review deleted in this transaction keeps no stamp (its row went with it).
  INSERT INTO screening_decisionstamp (review_id, n)
    SELECT rid, 1 WHERE EXISTS (SELECT 1 FROM reviewapp_review WHERE id = rid)
  ON CONFLICT (review_id) DO UPDATE SET n = screening_decisionstamp.n + 1;
  RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

SQLITE_BUMP = """
INSERT INTO screening_decisionstamp (review_id, n)
  SELECT {row}.review_id, 1 WHERE EXISTS (SELECT 1 FROM reviewapp_review WHERE id = {row}.review_id)
ON CONFLICT (review_id) DO UPDATE SET n = n + 1;
"""


def _name(table: str, event: str) -> str:
    return f"{table}_stamp_{event.split()[0].lower()}"


def forward(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(PG_FUNCTION)
        for table, event, condition in WATCHED:
            when = f"WHEN ({condition}) " if condition else ""
            execute(
                f"CREATE CONSTRAINT TRIGGER {_name(table, event)} AFTER {event} ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {when}"
                "EXECUTE FUNCTION screening_bump_decision_stamp()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        sqlite_triggers(execute)


def sqlite_triggers(execute, only: str | None = None) -> None:
    """Create the SQLite triggers (those of the table `only`, if given). A later migration that
    makes Django rebuild one of these tables on SQLite (most ALTERs there) drops its triggers
    and calls this again for it (0017 and 0018 do for screening_record)."""
    for table, event, condition in WATCHED:
        if only is not None and table != only:
            continue
        for one in event.split(" OR "):
            row = "OLD" if one == "DELETE" else "NEW"
            when = f"WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')} " if condition else ""
            execute(f"DROP TRIGGER IF EXISTS {_name(table, one)}")
            execute(
                f"CREATE TRIGGER {_name(table, one)} AFTER {one} ON {table} {when}"
                f"BEGIN {SQLITE_BUMP.format(row=row)} END"
            )


def record_triggers_again() -> tuple[migrations.RunPython, migrations.RunPython]:
    """(first, last) operations of a later migration that makes SQLite rebuild screening_record:
    they make its triggers again after the rebuild, migrating forward (last) or back (first)."""

    def again(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            sqlite_triggers(schema_editor.execute, only="screening_record")

    noop = migrations.RunPython.noop
    return migrations.RunPython(noop, again), migrations.RunPython(again, noop)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, event, _condition in WATCHED:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, event)} ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS screening_bump_decision_stamp()")
    elif schema_editor.connection.vendor == "sqlite":
        for table, event, _condition in WATCHED:
            for one in event.split(" OR "):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, one)}")


class Migration(migrations.Migration):
    dependencies = [
        ("reviewapp", "0003_background_jobs"),
        ("screening", "0013_status_and_report_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="DecisionStamp",
            fields=[
                (
                    "review",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="reviewapp.review",
                    ),
                ),
                ("n", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="StoredAgreement",
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
                        choices=[("ta", "Title/abstract"), ("ft", "Full text")],
                        default="ta",
                        max_length=2,
                    ),
                ),
                (
                    "scope",
                    models.CharField(
                        choices=[
                            ("lead", "Leads: every record whose decisions are all in"),
                            ("reviewer", "Reviewers: resolved records only"),
                        ],
                        max_length=10,
                    ),
                ),
                ("stamp", models.BigIntegerField(blank=True, null=True)),
                ("computed_at", models.DateTimeField(blank=True, null=True)),
                ("summary", models.JSONField(blank=True, default=dict)),
                (
                    "job",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="reviewapp.job",
                    ),
                ),
                (
                    "review",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reviewapp.review",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("review", "stage", "scope"), name="one_stored_agreement_per_scope"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
