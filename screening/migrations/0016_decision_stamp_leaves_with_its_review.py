"""A review's decision stamp goes with the review on SQLite, whatever is deleted first.

Migration 0014's SQLite triggers write a stamp for a decision or status deleted while its
review exists. When the stamps were deleted before such a row and the review after it (a
test database's flush deletes table by table, in no set order), the stamp written meanwhile
named a review that no longer existed, and the commit failed on its foreign key. A trigger on
the review now deletes its stamp, as migration 0015's does for its counts. PostgreSQL needs
none: its stamp triggers fire at commit and write nothing for a review that is gone.
"""

from django.db import migrations

TRIGGER = "reviewapp_review_decision_stamp_delete"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER DELETE ON reviewapp_review "
            "BEGIN DELETE FROM screening_decisionstamp WHERE review_id = OLD.id; END"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("screening", "0015_status_counts_kept_by_triggers")]

    operations = [migrations.RunPython(forward, backward)]
