# Cheaper writes of records (issue 3: import throughput). Every imported row updates each index of
# screening_record and, on PostgreSQL, goes through TOAST: a 100,000-record import spent more
# server time compressing raw/abstract with pglz and maintaining redundant indexes than parsing.
#
# - Indexes: review_id alone is the first column of both composite indexes; doi and pmid are
#   looked up by equality only, so their varchar_pattern_ops "_like" twins go (plain indexes
#   stay, renamed); is_canonical alone (a boolean, nearly always true) is never selective --
#   queries by review use (review, is_canonical, id).
# - PostgreSQL storage: raw and abstract are compressed with lz4 instead of pglz when the server
#   has it (PostgreSQL >= 14 built with lz4), several times less CPU for the same rows; rows stay
#   inline up to toast_tuple_target, so most records are neither compressed nor moved to the TOAST
#   table. Nothing changes on SQLite.

import django.db.models.deletion
from django.db import migrations, models

# A record row (raw + abstract + fields) is typically 4-7 KB: below this target it is stored
# as is, in one heap page; larger rows are compressed (lz4) until they fit.
TOAST_TUPLE_TARGET = 8160
COMPRESSED = ("raw", "abstract")


def _lz4(cursor) -> bool:
    cursor.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def cheap_storage(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = apps.get_model("screening", "Record")._meta.db_table
    with connection.cursor() as cursor:
        if _lz4(cursor):
            columns = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION lz4" for c in COMPRESSED)
            cursor.execute(f"ALTER TABLE {table} {columns}")
        cursor.execute(f"ALTER TABLE {table} SET (toast_tuple_target = {TOAST_TUPLE_TARGET})")


def default_storage(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    table = apps.get_model("screening", "Record")._meta.db_table
    with connection.cursor() as cursor:
        if _lz4(cursor):
            columns = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION DEFAULT" for c in COMPRESSED)
            cursor.execute(f"ALTER TABLE {table} {columns}")
        cursor.execute(f"ALTER TABLE {table} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [
        ("reviewapp", "0001_initial"),
        ("screening", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="record",
            name="doi",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="record",
            name="pmid",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name="record",
            name="is_canonical",
            field=models.BooleanField(default=True),
        ),
        migrations.AlterField(
            model_name="record",
            name="review",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="records",
                to="reviewapp.review",
            ),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(fields=["doi"], name="screening_record_doi"),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(fields=["pmid"], name="screening_record_pmid"),
        ),
        migrations.RunPython(cheap_storage, default_storage, elidable=False),
    ]
