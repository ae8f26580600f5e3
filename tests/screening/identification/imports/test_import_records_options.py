"""import_records: --encoding, --skip-bad-entries, --column, and a refusal that lists the columns
it did not recognise (keeping nothing of the file)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from screening.models import ImportJob, Record

from .test_bad_entries_skipped import BIB
from .test_columns_refused import WRITERS
from .test_encoding_and_preview import GBK_RIS

pytestmark = pytest.mark.django_db


def _run(team, path, *options):
    call_command("import_records", "--review", team.review.slug, "--source", "X", *options,
                 str(path))  # fmt: skip


def test_unrecognised_columns_are_refused_with_the_columns_listed(team, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text(WRITERS)
    with pytest.raises(CommandError, match=r"Not imported: export\.csv"):
        _run(team, path)
    err = capsys.readouterr().err
    assert "export.csv: refused, nothing was imported." in err
    assert "2 of 2 rows have no authors (they may be in: Writers)." in err
    assert "Columns not recognised: Writers." in err
    assert "--column FIELD=COLUMN" in err
    assert ImportJob.objects.count() == 0 and Record.objects.count() == 0


def test_columns_given_on_the_command_line_are_used(team, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text(WRITERS)
    _run(team, path, "--column", "title=Title", "--column", "authors=Writers", "--column",
         "year=Year")  # fmt: skip
    assert "Records imported: 2" in capsys.readouterr().out
    assert Record.objects.get(title="Residents as researchers").authors == ["Hale, Gus"]


def test_a_column_option_naming_no_field_is_refused(team, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(WRITERS)
    with pytest.raises(CommandError, match="give FIELD=COLUMN"):
        _run(team, path, "--column", "writer=Writers")


def test_encoding_option(team, tmp_path, capsys):
    path = tmp_path / "cnki.ris"
    path.write_bytes(GBK_RIS)
    _run(team, path, "--encoding", "GBK")
    out = capsys.readouterr().out
    assert "Encoding: GB18030 / GBK (Simplified Chinese) (chosen)" in out
    assert Record.objects.get().authors == ["凯撒", "张伟"]


def test_an_unknown_encoding_is_refused(team, tmp_path, capsys):
    path = tmp_path / "cnki.ris"
    path.write_bytes(GBK_RIS)
    with pytest.raises(CommandError):
        _run(team, path, "--encoding", "klingon")
    assert "'klingon' is not a text encoding we know" in capsys.readouterr().err


def test_a_bad_entry_refuses_the_file_and_points_to_skip_bad_entries(team, tmp_path, capsys):
    path = tmp_path / "ebsco.bib"
    path.write_bytes(BIB)
    with pytest.raises(CommandError):
        _run(team, path)
    captured = capsys.readouterr()
    assert "Error: Line 6: The BibTeX entry (key broken2" in captured.out
    assert "run again with --skip-bad-entries" in captured.err
    assert Record.objects.count() == 0
    # The failed upload does not block the same file run again with the option.
    _run(team, path, "--skip-bad-entries")
    out = capsys.readouterr().out
    assert "Records imported: 2" in out
    assert "Skipped (line 6, key broken2, “An entry cut short”)" in out
