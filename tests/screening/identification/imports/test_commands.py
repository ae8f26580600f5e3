"""import_records and export_records on the command line."""

from __future__ import annotations

import csv

import pytest
from django.core.management import CommandError, call_command

from reviewapp.models import Stage
from screening.models import DuplicateCluster, Outcome, Record, RecordStatus, Search

from .conftest import ris

pytestmark = pytest.mark.django_db


def test_import_records_creates_the_search_and_prints_the_report(team, tmp_path, capsys):
    path = tmp_path / "wos.ris"
    path.write_bytes(ris(3))
    call_command(
        "import_records", "--review", team.review.slug, "--source", "Web of Science",
        "--phase", "update", str(path),
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "Records imported: 3" in out and "Format: RIS (detected)" in out
    search = Search.objects.get(review=team.review)
    assert (search.source, search.phase, search.records.count()) == ("Web of Science", "update", 3)
    # The same source and phase again reuses the search.
    second = tmp_path / "more.ris"
    second.write_bytes(ris(2, start=50))
    call_command(
        "import_records", "--review", team.review.slug, "--source", "web of science",
        "--phase", "update", str(second),
    )  # fmt: skip
    assert Search.objects.count() == 1 and Record.objects.count() == 5


def test_import_records_exits_non_zero_on_a_malformed_file(team, tmp_path, capsys):
    path = tmp_path / "broken.ris"
    path.write_bytes(b"TY  - JOUR\nTI  - ok\nER  - \nTI  - orphan\nER  - \n")
    with pytest.raises(CommandError, match=r"Not imported: broken\.ris"):
        call_command("import_records", "--review", team.review.slug, "--source", "X", str(path))
    assert "Error: Line 4" in capsys.readouterr().out
    assert Record.objects.count() == 0


def test_import_records_exits_non_zero_on_a_refused_file(team, tmp_path, capsys):
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-1.4 whatever")
    with pytest.raises(CommandError):
        call_command("import_records", "--review", team.review.slug, "--source", "X", str(path))
    assert "We read: RIS" in capsys.readouterr().err


def _export(team, tmp_path, *args) -> list[dict]:
    out = tmp_path / "out.csv"
    call_command(
        "export_records", "--review", team.review.slug, *args, "--format", "csv", "-o", str(out)
    )
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_export_csv_has_the_agreed_columns_and_neutralises_formulas(team, tmp_path):
    search = Search.objects.create(review=team.review, source="Scopus")
    record = Record.objects.create(
        review=team.review, search=search, source_key="2-s2.0-1", title="=HYPERLINK(\"x\")",
        authors=["@Smith, J.", "Lee, K."], year=2020, journal="+Med Educ", volume="3",
        issue="2", pages="-5", doi="10.1/abc", pmid="123", language="English",
    )  # fmt: skip
    rows = _export(team, tmp_path)
    assert list(rows[0])[:14] == [
        "id", "source", "source_key", "cluster_id", "title", "authors", "year", "journal",
        "volume", "issue", "pages", "doi", "pmid", "language",
    ]  # fmt: skip
    row = rows[0]
    assert row["id"] == row["cluster_id"] == str(record.pk)
    assert row["title"] == '\'=HYPERLINK("x")'
    assert row["authors"] == "'@Smith, J.; Lee, K."
    assert (row["journal"], row["pages"], row["source"]) == ("'+Med Educ", "'-5", "Scopus")


def test_export_sets_all_unique_and_included(team, tmp_path):
    search = Search.objects.create(review=team.review, source="Scopus")
    a, b, c = (Record.objects.create(review=team.review, search=search, title=t) for t in "abc")
    cluster = DuplicateCluster.objects.create(review=team.review, canonical=a)
    Record.objects.filter(pk__in=[a.pk, b.pk]).update(cluster=cluster)
    Record.objects.filter(pk=b.pk).update(is_canonical=False)
    RecordStatus.objects.create(
        review=team.review, record=c, stage=Stage.TITLE_ABSTRACT, outcome=Outcome.INCLUDED
    )
    everything = _export(team, tmp_path)
    assert [r["cluster_id"] for r in everything] == [str(a.pk), str(a.pk), str(c.pk)]
    assert [r["title"] for r in _export(team, tmp_path, "--set", "unique")] == ["a", "c"]
    assert [r["title"] for r in _export(team, tmp_path, "--set", "included")] == ["c"]


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csl-json", "endnote-xml"])
def test_ris_bibtex_csl_json_and_endnote_xml_exports_import_back(team, tmp_path, fmt):
    from screening.identification.imports import import_file_now

    search = Search.objects.create(review=team.review, source="Scopus")
    import_file_now(search, ris(3), "in.ris")
    out = tmp_path / f"out.{fmt}"
    call_command("export_records", "--review", team.review.slug, "--format", fmt, "-o", str(out))
    again = Search.objects.create(review=team.review, source="Round trip")
    job = import_file_now(again, out, out.name)
    assert job.records_imported == 3
    assert sorted(again.records.values_list("title", flat=True)) == sorted(
        search.records.values_list("title", flat=True)
    )
    assert set(again.records.values_list("doi", flat=True)) == {
        f"10.1000/test.{i}" for i in range(3)
    }
