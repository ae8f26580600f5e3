"""Records in conflict, made through the real screening path (decisions.decide)."""

from __future__ import annotations

from reviewapp.models import ExclusionReason, Stage
from screening.decisions import service as decisions
from screening.models import Conflict, Record, Report
from tests.factories import ExclusionReasonFactory, RecordFactory, SearchFactory


def reason(team, stage: str = Stage.TITLE_ABSTRACT, label: str | None = None) -> ExclusionReason:
    label = label or (
        "Population: students only" if stage == Stage.TITLE_ABSTRACT else "Wrong design"
    )
    found = ExclusionReason.objects.filter(review=team.review, stage=stage, label=label).first()
    return found or ExclusionReasonFactory(review=team.review, stage=stage, label=label)


def record(team, **fields) -> Record:
    search = SearchFactory(review=team.review)
    return RecordFactory(search=search, **fields)


def conflicted(team, stage: str = Stage.TITLE_ABSTRACT, **fields) -> tuple[Record, Conflict]:
    """reviewer1 includes, reviewer2 excludes (with a reason and a note): a live conflict."""
    rec = included_at_ta(team, **fields) if stage == Stage.FULL_TEXT else record(team, **fields)
    if stage == Stage.FULL_TEXT:
        report = Report.objects.get(record=rec)
        report.retrieval = Report.Retrieval.RETRIEVED
        report.link = "https://example.org/full-text"
        report.save()
    decisions.decide(rec, team.reviewer1, "include", stage=stage, note="Clinicians took part")
    decisions.decide(
        rec,
        team.reviewer2,
        "exclude",
        stage=stage,
        reason=reason(team, stage),
        note="Only medical students",
    )
    return rec, Conflict.objects.get(record=rec, stage=stage, state__in=["open", "discussion"])


def included_at_ta(team, **fields) -> Record:
    """Both reviewers include at title/abstract: the record's report is sought."""
    rec = record(team, **fields)
    decisions.decide(rec, team.reviewer1, "include")
    decisions.decide(rec, team.reviewer2, "include")
    return rec
