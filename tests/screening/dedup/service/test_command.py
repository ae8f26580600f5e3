"""`manage.py dedup` prints what it did; `export_records --set all` then carries cluster ids."""

from __future__ import annotations

import csv
import io

from django.core.management import call_command

from screening.models import DuplicateCluster

from .factories import article, pair_of_searches, uncertain_pair


def _review_with_duplicates(team):
    medline, embase = pair_of_searches(team.review)
    a = article(medline)
    b = article(embase, abstract="An abstract.")
    c = article(medline, title="A different study", doi="10.1/x", authors=["Brown, A"])
    uncertain_pair(team.review)
    return a, b, c


def test_dedup_command_prints_clusters_found_auto_merged_and_queued(team):
    _review_with_duplicates(team)
    out = io.StringIO()

    call_command("dedup", "--review", team.review.slug, stdout=out)

    text = out.getvalue()
    assert "Clusters found: 1" in text
    assert "Auto-merged: 2" in text
    assert "Queued: 1 new pairs" in text


def test_export_of_all_records_gives_each_record_its_cluster_id(team, tmp_path):
    a, b, c = _review_with_duplicates(team)
    call_command("dedup", "--review", team.review.slug, stdout=io.StringIO())
    canonical = DuplicateCluster.objects.get().canonical_id
    target = tmp_path / "all.csv"

    call_command(
        "export_records", "--review", team.review.slug, "--set", "all", "--format", "csv",
        "-o", str(target), stderr=io.StringIO(),
    )  # fmt: skip

    rows = {int(r["id"]): r for r in csv.DictReader(target.open(encoding="utf-8"))}
    assert len(rows) == team.review.records.count()
    assert rows[a.pk]["cluster_id"] == rows[b.pk]["cluster_id"] == str(canonical)
    assert rows[c.pk]["cluster_id"] == str(c.pk)
