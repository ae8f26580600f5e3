"""Build reviews whose every PRISMA box is known: searches, records, duplicates, outcomes."""

from __future__ import annotations

import factory

from reviewapp.models import ExclusionReason, Review, Stage
from screening.models import (
    DuplicateCluster,
    Outcome,
    Phase,
    Record,
    RecordStatus,
    Report,
    Search,
    SourceType,
    Study,
)
from tests.factories import RecordFactory, SearchFactory


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    label = factory.Sequence(lambda n: f"Author {n} 2020")


def search(
    review: Review,
    source: str,
    kind: str = SourceType.DATABASE,
    phase: str = Phase.INITIAL,
) -> Search:
    return SearchFactory(review=review, source=source, source_type=kind, phase=phase)


def records(in_search: Search, n: int) -> list[Record]:
    """n canonical records nobody has decided on yet."""
    return RecordFactory.create_batch(n, search=in_search)


def duplicate(of: Record, in_search: Search) -> Record:
    """A record of `in_search` that de-duplication merged into `of` (which stays canonical)."""
    if of.cluster_id is None:
        of.cluster = DuplicateCluster.objects.create(review=of.review, canonical=of)
        of.save(update_fields=["cluster"])
    return RecordFactory(search=in_search, cluster=of.cluster, is_canonical=False)


def reason(review: Review, label: str, position: int = 0) -> ExclusionReason:
    return ExclusionReason.objects.create(
        review=review, stage=Stage.FULL_TEXT, label=label, position=position
    )


def status(record: Record, stage: str, outcome: str, why: ExclusionReason | None = None) -> None:
    RecordStatus.objects.create(
        review=record.review, record=record, stage=stage, outcome=outcome, final_reason=why
    )


def excluded_at_screening(record: Record) -> Record:
    status(record, Stage.TITLE_ABSTRACT, Outcome.EXCLUDED)
    return record


def sought(record: Record, retrieval: str = Report.Retrieval.RETRIEVED) -> Report:
    """Included at title/abstract: a report sought for retrieval."""
    status(record, Stage.TITLE_ABSTRACT, Outcome.INCLUDED)
    return Report.objects.create(review=record.review, record=record, retrieval=retrieval)


def not_retrieved(record: Record) -> Report:
    return sought(record, Report.Retrieval.NOT_RETRIEVED)


def excluded_at_full_text(record: Record, why: ExclusionReason | None) -> Report:
    report = sought(record)
    status(record, Stage.FULL_TEXT, Outcome.EXCLUDED, why)
    return report


def included(record: Record, study: Study | None = None) -> Report:
    report = sought(record)
    report.study = study
    report.save(update_fields=["study"])
    status(record, Stage.FULL_TEXT, Outcome.INCLUDED)
    return report
