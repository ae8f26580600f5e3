"""One foreign key for a record's search and review (issue 21: an import's server CPU).

Each imported row was checked against three keys: its review, its search and its import job.
On PostgreSQL the review's and the search's keys become one composite key (search_id,
review_id) -> screening_search (id, review_id): one index lookup per row where there were two
(docs/benchmarks.md, "Import CPU, third pass"), and the database now also refuses a record
whose review is not its search's review, which every write path already respects.

- a unique constraint on the search's (id, review), which the composite key points at (both
  databases: Django declares it);
- the record's review keeps no key of its own (db_constraint=False): its search's review is
  checked by the composite key, its existence by the search's own key to its review;
- PostgreSQL only: the search's plain key is replaced by the composite key, DEFERRABLE
  INITIALLY DEFERRED like Django's (pgcopy sets it IMMEDIATE during COPY like the others).
  Django's state keeps the search's key as declared; on PostgreSQL it is this composite one.
  SQLite keeps the plain key on search.
"""

import importlib

from django.db import migrations, models

from reviewapp.migration_sql import postgres_only

# The decision stamp's triggers (SQLite loses screening_record's when Django rebuilds it).
_STAMP = importlib.import_module("screening.migrations.0014_agreement_in_the_background")

# The name Django gave the search's key (a hash of the table and column names: the same on
# every database migrated by 0001).
SEARCH_KEY = "screening_record_search_id_c4d70af2_fk_screening_search_id"
FORWARD = [
    f"ALTER TABLE screening_record DROP CONSTRAINT IF EXISTS {SEARCH_KEY}",
    "ALTER TABLE screening_record ADD CONSTRAINT screening_record_search_review_fk"
    " FOREIGN KEY (search_id, review_id) REFERENCES screening_search (id, review_id)"
    " DEFERRABLE INITIALLY DEFERRED",
]
BACKWARD = [
    "ALTER TABLE screening_record DROP CONSTRAINT IF EXISTS screening_record_search_review_fk",
    f"ALTER TABLE screening_record ADD CONSTRAINT {SEARCH_KEY}"
    " FOREIGN KEY (search_id) REFERENCES screening_search (id) DEFERRABLE INITIALLY DEFERRED",
]


# SQLite rebuilds screening_record for the AlterField below, which drops its triggers.
RECORD_TRIGGERS_AGAIN_BACKWARDS, RECORD_TRIGGERS_AGAIN = _STAMP.record_triggers_again()


class Migration(migrations.Migration):
    dependencies = [("screening", "0016_decision_stamp_leaves_with_its_review")]
    operations = [
        RECORD_TRIGGERS_AGAIN_BACKWARDS,
        migrations.AddConstraint(
            model_name="search",
            constraint=models.UniqueConstraint(
                fields=("id", "review"), name="screening_search_id_review"
            ),
        ),
        migrations.AlterField(
            model_name="record",
            name="review",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.CASCADE,
                related_name="records",
                to="reviewapp.review",
            ),
        ),
        postgres_only(FORWARD, BACKWARD),
        RECORD_TRIGGERS_AGAIN,
    ]
