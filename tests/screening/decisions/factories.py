"""Helpers for screening tests: records in a team's review, and decisions through the service."""

from __future__ import annotations

from reviewapp.models import ExclusionReason, Stage
from screening.decisions import service as decisions
from screening.models import Record
from tests.factories import ExclusionReasonFactory, RecordFactory, SearchFactory


def records(team, n: int, **fields) -> list[Record]:
    search = SearchFactory(review=team.review)
    return [RecordFactory(search=search, **fields) for _ in range(n)]


def reason(team, label: str = "Wrong population") -> ExclusionReason:
    return ExclusionReasonFactory(review=team.review, stage=Stage.TITLE_ABSTRACT, label=label)


def decide(record, user, value, **kwargs):
    record = Record.objects.select_related("review").get(pk=record.pk)
    return decisions.decide(record, user, value, **kwargs)
