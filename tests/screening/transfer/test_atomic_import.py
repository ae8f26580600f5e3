"""A history that fails part-way stores nothing: no records, no decisions, no reasons."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reviewapp.models import ExclusionReason
from screening.decisions import service as decisions
from screening.models import Decision, Record
from screening.transfer import service

from .helpers import fresh_review, screened


def test_decision_refused_mid_way_rolls_back_records_and_decisions(team, monkeypatch):
    screened(team)
    data = "".join(service.export(team.review, "decisions-csv")).encode()
    target = fresh_review(team)
    history = service.read("sift", data, "d.csv")
    mapping = service.preview(target, history).suggested
    real, calls = decisions.decide, []

    def refuse_the_fifth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise decisions.ScreeningError("refused for the test")
        return real(*args, **kwargs)

    monkeypatch.setattr(decisions, "decide", refuse_the_fifth)
    with pytest.raises(service.TransferError, match=r"line \d+ \(.+\): refused for the test"):
        service.import_history(target, history, mapping, by=team.lead)
    assert len(calls) == 5
    assert not Record.objects.filter(review=target).exists()
    assert not Decision.objects.filter(review=target).exists()
    assert not ExclusionReason.objects.filter(review=target).exists()


def test_unmapped_person_and_bad_line_are_named(team):
    screened(team)
    data = "".join(service.export(team.review, "decisions-csv")).encode()
    target = fresh_review(team)
    history = service.read("sift", data, "d.csv")
    with pytest.raises(service.TransferError, match="Remy Reviewer"):
        service.import_history(target, history, {"Rita Reviewer": team.reviewer1}, by=team.lead)
    broken = data.replace(b",exclude,", b",exclude-ish,", 1)
    with pytest.raises(service.TransferError, match=r"line \d+: decision 'exclude-ish'"):
        service.read("sift", broken, "d.csv")
    assert not Record.objects.filter(review=target).exists()


def test_commands_export_and_import_a_history(team, tmp_path):
    screened(team)
    out = tmp_path / "rayyan.ris"
    call_command("export_decisions", "--review", team.review.slug, "--format", "rayyan-ris",
                 "-o", str(out))  # fmt: skip
    target = fresh_review(team)
    call_command(
        "import_history", "--review", target.slug, "--from", "rayyan", str(out),
        "--map", "Rita Reviewer=rita@example.org", "--map", "Remy Reviewer=remy@example.org",
    )  # fmt: skip
    assert Decision.objects.filter(review=target).count() == 8
    with pytest.raises(CommandError, match="already uploaded"):
        call_command("import_history", "--review", target.slug, "--from", "rayyan", str(out))
    assert Decision.objects.filter(review=target).count() == 8
