"""Export a review's decisions in each format and import them into a fresh review."""

from __future__ import annotations

from screening.models import Outcome, RecordStatus
from screening.transfer import service

from .helpers import decisions_by_title, fresh_review, screened


def _exported(review, fmt) -> bytes:
    return "".join(service.export(review, fmt, None, is_lead=True)).encode()


def _outcomes(review) -> dict:
    return {
        s.record.title: s.outcome
        for s in RecordStatus.objects.filter(review=review, stage="ta").select_related("record")
    }


def test_rayyan_ris_round_trip_keeps_every_decision_and_reason(team):
    screened(team)
    data = _exported(team.review, "rayyan-ris")
    assert b'RAYYAN-INCLUSION: {"Rita Reviewer"=>"Included", "Remy Reviewer"=>"Included"}' in data
    target = fresh_review(team)
    history = service.read("rayyan", data, "export.ris")
    plan = service.preview(target, history)
    assert plan.suggested == {"Rita Reviewer": team.reviewer1, "Remy Reviewer": team.reviewer2}
    result = service.import_history(target, history, plan.suggested, by=team.lead)
    assert result.records == 5 and result.decisions == 8
    assert decisions_by_title(target) == decisions_by_title(team.review)
    assert _outcomes(target) == _outcomes(team.review)
    assert _outcomes(target)["Salience of prices in shops"] == Outcome.CONFLICT
    assert target.conflicts.count() == team.review.conflicts.count() > 0


def test_decisions_csv_round_trip_keeps_every_decision(team):
    screened(team)
    data = _exported(team.review, "decisions-csv")
    assert data.splitlines()[0].startswith(b"record_id,title,authors")
    target = fresh_review(team)
    history = service.read("sift", data, "decisions.csv")
    mapping = service.preview(target, history).suggested
    service.import_history(target, history, mapping, by=team.lead)
    assert decisions_by_title(target) == decisions_by_title(team.review)
    assert target.records.count() == 4  # only records with decisions travel in this format


def test_asreview_csv_round_trip_keeps_the_final_outcomes(team):
    screened(team)
    data = _exported(team.review, "asreview-csv")
    lines = data.decode().splitlines()
    assert lines[0] == "title,abstract,label_included,authors,year,doi"
    target = fresh_review(team)
    history = service.read("asreview", data, "labels.csv")
    result = service.import_history(target, history, {}, by=team.lead)
    assert result.outcomes == 2  # the two agreed records; conflict and pending carry no label
    want = {t: o for t, o in _outcomes(team.review).items() if o in ("included", "excluded")}
    got = {t: o for t, o in _outcomes(target).items() if o in ("included", "excluded")}
    assert got == want
