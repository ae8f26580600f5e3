"""Fewer index entries for each record an import writes (issue 21: 12 → 8 on PostgreSQL), none
that a query needs (docs/benchmarks.md, "Import CPU, third pass": EXPLAIN ANALYZE before and
after at 110,000 records):

- `doi` and `pmid` go: the only query on them (the records page's identifier search) ORs them
  with `source_key`, which has no index, so it never used them (a scan of the review's rows
  with them or without);
- `year` goes: a year filter is always within a review, and the planner took the review's
  `screening_record_facets` (review, search, year, language) or the primary key for it, with
  the year index there or not;
- the cluster's index keeps only the records that have one (`WHERE cluster_id IS NOT NULL`): an
  import writes NULL, and every query on it (a cluster's members, `IN` a list of clusters, the
  join of the screening panel, the foreign key's own check when a cluster is deleted, PRISMA's
  `cluster IS NOT NULL`) is strict, so it implies the condition and still uses the index.

Both databases (Django declares the indexes); SQLite's queries are the same ones.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# The decision stamp's triggers (SQLite loses screening_record's when Django rebuilds it).
_STAMP = importlib.import_module("screening.migrations.0014_agreement_in_the_background")


# SQLite rebuilds screening_record for the AlterField below, which drops its triggers.
RECORD_TRIGGERS_AGAIN_BACKWARDS, RECORD_TRIGGERS_AGAIN = _STAMP.record_triggers_again()


class Migration(migrations.Migration):
    dependencies = [
        ("reviewapp", "0003_background_jobs"),
        ("screening", "0017_record_search_review_key"),
    ]

    operations = [
        RECORD_TRIGGERS_AGAIN_BACKWARDS,
        migrations.AddIndex(
            model_name="record",
            index=models.Index(
                condition=models.Q(("cluster__isnull", False)),
                fields=["cluster"],
                name="screening_record_clustered",
            ),
        ),
        migrations.AlterField(
            model_name="record",
            name="cluster",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="members",
                to="screening.duplicatecluster",
            ),
        ),
        migrations.RemoveIndex(model_name="record", name="screening_record_doi"),
        migrations.RemoveIndex(model_name="record", name="screening_record_pmid"),
        migrations.AlterField(
            model_name="record",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        RECORD_TRIGGERS_AGAIN,
    ]
