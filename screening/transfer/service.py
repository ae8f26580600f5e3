"""Bringing a screening history in, and taking one out, through the normal services.

    history = read("rayyan", data, "export.ris")
    plan = preview(review, history)                  # who is who, reasons, warnings: nothing stored
    result = import_history(review, history, {"Rita": rita}, by=lead)

The import is one transaction: the records through the normal import (so its report, its
de-duplication after commit and its refusal of a file already imported all apply), then each
vote as that member's own decision (`decisions.service.decide`, so agreement, conflicts and
PRISMA see them) in the order screened, then team outcomes (`set_final`). Any error rolls all
of it back and names the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reviewapp import jobs
from reviewapp.audit import record_event
from reviewapp.downloads import counted
from reviewapp.models import ExclusionReason, Membership, Review, Stage
from screening.decisions import service as decisions
from screening.identification import imports
from screening.models import Decision, Outcome, Phase, Record, RecordStatus
from screening.transfer import asreview, readers, writers
from screening.transfer.history import EXCLUDE, FT, TA, History, HistoryError

SOURCES = {
    "rayyan": gettext_lazy("Rayyan (RIS or CSV)"),
    "covidence": gettext_lazy("Covidence (CSV or RIS of one list)"),
    "asreview": gettext_lazy("ASReview (.asreview project or labelled CSV)"),
    "sift": gettext_lazy("Sift decisions CSV"),
}
EXPORTS = {
    "rayyan-ris": (
        gettext_lazy("RIS with Rayyan inclusion notes"),
        "ris",
        "application/x-research-info-systems",
    ),
    "decisions-csv": (gettext_lazy("Every decision, one row each (CSV)"), "csv", "text/csv"),
    "asreview-csv": (gettext_lazy("ASReview labelled CSV"), "csv", "text/csv"),
}


# The share of a background import's progress bar its records take (the decisions the rest).
PROGRESS_RECORDS = 30


class TransferError(Exception):
    """The history cannot be imported; the message is for the person who sent it."""


def read(source: str, data: bytes, filename: str, covidence_list: str = "auto") -> History:
    try:
        if source == "rayyan":
            return readers.read_rayyan(data, filename)
        if source == "covidence":
            return readers.read_covidence(data, filename, covidence_list)
        if source == "asreview":
            return asreview.read_asreview(data, filename)
        if source == "sift":
            return readers.read_decisions_csv(data, filename)
    except HistoryError as exc:
        raise TransferError(str(exc)) from exc
    raise TransferError(_("Unknown source %(source)s.") % {"source": source})


def screeners(review: Review) -> list[Membership]:
    return list(
        review.memberships.filter(active=True, is_reviewer=True).select_related("user")
        .order_by("user__full_name", "user__email")
    )  # fmt: skip


def _names(user: Any) -> set[str]:
    return {n.strip().lower() for n in (user.email, getattr(user, "full_name", "")) if n}


@dataclass
class Preview:
    history: History
    suggested: dict[str, Any]  # reviewer name in the file -> a member's user, or None
    reasons: list[tuple[str, str, bool]]  # (stage, label, exists already)
    counts: dict[str, tuple[int, int]]
    warnings: list[str] = field(default_factory=list)


def preview(review: Review, history: History) -> Preview:
    people = [m.user for m in screeners(review)]
    suggested = {
        name: next((u for u in people if name.strip().lower() in _names(u)), None)
        for name in history.reviewers
    }
    existing = {
        (s, label.lower()) for s, label in review.exclusion_reasons.values_list("stage", "label")
    }
    reasons = [(s, label, (s, label.lower()) in existing) for s, label in history.reasons]
    warnings = list(history.warnings)
    required = review.required_decisions
    for entry in history.entries:
        for stage in (TA, FT):
            n = sum(1 for v in entry.votes if v.stage == stage)
            if n > required:
                warnings.append(
                    _(
                        "%(where)s: %(n)s decisions, the review asks for %(r)s; the later ones are left out."
                    )
                    % {"where": entry.where, "n": n, "r": required}
                )
    return Preview(history, suggested, reasons, {s: history.count(s) for s in (TA, FT)}, warnings)


def _reason_for(review: Review, stage: str, label: str, cache: dict) -> ExclusionReason | None:
    if not label:
        return None
    key = (stage, label.lower())
    if key not in cache:
        reason = review.exclusion_reasons.filter(stage=stage, label__iexact=label).first()
        if reason is None:
            top = review.exclusion_reasons.filter(stage=stage).aggregate(m=Max("position"))["m"]
            reason = ExclusionReason.objects.create(
                review=review, stage=stage, label=label[:200], position=(top or 0) + 1
            )
        cache[key] = reason
    return cache[key]


def check_mapping(review: Review, names: list[str], mapping: dict[str, Any]) -> dict[str, Any]:
    """Each person named in the file mapped to a different reviewer of the review, or a
    TransferError naming the first who is not."""
    allowed = {m.user_id: m.user for m in screeners(review)}
    chosen: dict[str, Any] = {}
    for name in names:
        user = mapping.get(name)
        if user is None:
            raise TransferError(
                _("Choose the team member who is %(name)s in the file.") % {"name": name}
            )
        if user.pk not in allowed:
            raise TransferError(
                _("%(who)s is not a reviewer of this review.") % {"who": user.email}
            )
        if user.pk in {u.pk for u in chosen.values()}:
            raise TransferError(
                _("%(who)s is chosen for two people in the file.") % {"who": user.email}
            )
        chosen[name] = user
    return chosen


@dataclass
class Result:
    records: int
    decisions: int
    outcomes: int
    skipped: list[str]
    job: Any


def import_history(
    review: Review, history: History, mapping: dict[str, Any], *, by: Any, upload: str = ""
) -> Result:
    """Store the history's records and decisions, all of them or (on any error) none.

    `upload` names the stored upload it came from (the background import's file): its audit
    row keeps it, so the same upload applied again is recognised (`applied`)."""
    people = check_mapping(review, history.reviewers, mapping)
    with transaction.atomic():
        search = imports.search_for_source(
            review, _("%(tool)s history") % {"tool": history.source.title()}, Phase.INITIAL, by
        )
        try:
            job = imports.import_file_now(
                search, history.import_bytes, history.import_name, user=by
            )
        except imports.ImportRefused as exc:
            raise TransferError(str(exc)) from exc
        if job.status != job.Status.DONE:
            raise TransferError(job.error or _("The records could not be imported."))
        jobs.report_progress(PROGRESS_RECORDS)
        records = list(Record.objects.filter(import_job=job).order_by("pk"))
        if len(records) != len(history.entries):
            raise TransferError(
                _("The import stored %(n)s records where the history has %(m)s.")
                % {"n": len(records), "m": len(history.entries)}
            )
        result = Result(len(records), 0, 0, [], job)
        _store_decisions(review, history, records, people, by, result)
        record_event(
            review,
            by,
            "history.imported",
            job,
            after={"source": history.source, "records": result.records,
                   "decisions": result.decisions, "outcomes": result.outcomes,
                   **({"upload": upload} if upload else {})},
            message=_("Screening history imported from %(tool)s") % {"tool": history.source},
        )  # fmt: skip
    return result


def applied(review: Review, upload: str) -> dict | None:
    """What importing this stored upload stored, if it was imported already (its audit row)."""
    event = (
        review.audit_events.filter(action="history.imported", after__upload=upload)
        .order_by("pk")
        .first()
    )
    return dict(event.after) if event is not None else None


def _store_decisions(review, history, records, people, by, result: Result) -> None:
    reasons: dict = {}
    pairs = sorted(zip(history.entries, records, strict=True), key=lambda p: p[0].order)
    steps, done = 2 * len(pairs) or 1, 0
    for stage in (TA, FT):
        for entry, record in pairs:
            done += 1
            if done % 200 == 0:
                jobs.report_progress(PROGRESS_RECORDS + (100 - PROGRESS_RECORDS) * done / steps)
            record.review = review
            for vote in [v for v in entry.votes if v.stage == stage][: review.required_decisions]:
                status = RecordStatus.objects.filter(record=record, stage=stage).first()
                if stage == FT and not _included(record):
                    result.skipped.append(_ft_skipped(entry))
                    break
                if status is not None and status.outcome in (Outcome.INCLUDED, Outcome.EXCLUDED):
                    break
                try:
                    decisions.decide(
                        record, people[vote.reviewer], vote.value, stage=stage,
                        reason=_reason_for(review, stage, vote.reason, reasons), note=vote.note,
                    )  # fmt: skip
                except decisions.ScreeningError as exc:
                    raise TransferError(f"{entry.where} ({entry.title[:60]}): {exc}") from exc
                result.decisions += 1
            for final in [f for f in entry.finals if f.stage == stage]:
                if stage == FT and not _included(record):
                    result.skipped.append(_ft_skipped(entry))
                    continue
                try:
                    decisions.set_final(
                        record, stage, final.value,
                        reason=_reason_for(review, stage, final.reason, reasons),
                        resolution=RecordStatus.Resolution.CONSENSUS, by=by,
                    )  # fmt: skip
                except decisions.ScreeningError as exc:
                    raise TransferError(f"{entry.where} ({entry.title[:60]}): {exc}") from exc
                result.outcomes += 1


def _included(record: Record) -> bool:
    return RecordStatus.objects.filter(
        record=record, stage=Stage.TITLE_ABSTRACT, outcome=Outcome.INCLUDED
    ).exists()


def _ft_skipped(entry) -> str:
    return _(
        "%(where)s: full-text decisions left out: the title/abstract decisions did not include it."
    ) % {"where": entry.where}


# Exports -------------------------------------------------------------------------------------


def _person(user: Any) -> str:
    return getattr(user, "full_name", "") or user.email


def visible(review: Review, viewer: Any, is_lead: bool):
    """Decisions this person may export: a lead every one, anyone else only their own."""
    rows = Decision.objects.filter(review=review).select_related("reviewer", "reason", "record")
    return rows if is_lead else rows.filter(reviewer=viewer)


def _record_row(record: Record) -> dict:
    return {
        "id": record.pk, "record_id": record.pk, "title": record.title,
        "authors": record.authors, "year": record.year or "", "journal": record.journal,
        "volume": record.volume, "issue": record.issue, "pages": record.pages, "doi": record.doi,
        "pmid": record.pmid, "abstract": record.abstract,
    }  # fmt: skip


def _decision_rows(review: Review, viewer: Any, is_lead: bool) -> Iterator[dict]:
    decided = visible(review, viewer, is_lead).order_by("record_id", "stage", "created_at", "pk")
    for d in decided.iterator(chunk_size=2000):  # 200,000 decisions need not sit in memory
        row = _record_row(d.record)
        row["authors"] = "; ".join(d.record.authors or [])
        row.update(
            stage=d.stage, reviewer=_person(d.reviewer), reviewer_email=d.reviewer.email,
            decision=d.value, reason=d.reason.label if d.reason_id else "", note=d.note,
            decided_at=d.created_at.isoformat(),
        )  # fmt: skip
        yield row


def _rayyan_rows(review: Review, viewer: Any, is_lead: bool) -> Iterator[dict]:
    by_record: dict[int, list[Decision]] = {}
    for d in (
        visible(review, viewer, is_lead)
        .filter(stage=Stage.TITLE_ABSTRACT)
        .order_by("created_at", "pk")
    ):
        by_record.setdefault(d.record_id, []).append(d)
    for record in review.records.canonical().order_by("pk").iterator(chunk_size=500):
        row = _record_row(record)
        mine = by_record.get(record.pk, [])
        row["votes"] = [(_person(d.reviewer), d.value) for d in mine]
        row["reasons"] = list(dict.fromkeys(d.reason.label for d in mine if d.reason_id))
        row["labels"] = []
        yield row


def _asreview_rows(review: Review) -> Iterator[dict]:
    outcomes: dict[tuple[int, str], str] = {
        (r, s): o
        for r, s, o in RecordStatus.objects.filter(review=review).values_list(
            "record_id", "stage", "outcome"
        )
    }
    for record in review.records.canonical().order_by("pk").iterator(chunk_size=500):
        # The final outcome: full text when it was assessed, else title/abstract.
        outcome = outcomes.get((record.pk, Stage.FULL_TEXT))
        if outcome not in (Outcome.INCLUDED, Outcome.EXCLUDED):
            outcome = outcomes.get((record.pk, Stage.TITLE_ABSTRACT))
        label = {Outcome.INCLUDED: 1, Outcome.EXCLUDED: 0}.get(outcome, "")
        row = _record_row(record)
        row.update(authors="; ".join(record.authors or []), label_included=label)
        yield row


def export(
    review: Review,
    fmt: str,
    viewer: Any = None,
    *,
    is_lead: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """The review's decisions as text chunks; `viewer`/`is_lead` apply the blinding.
    `progress` is told how many rows were written (a background export's page shows it)."""
    if fmt == "rayyan-ris":
        return writers.rayyan_ris(counted(_rayyan_rows(review, viewer, is_lead), progress))
    if fmt == "decisions-csv":
        return writers.decisions_csv(counted(_decision_rows(review, viewer, is_lead), progress))
    if fmt == "asreview-csv":
        return writers.asreview_csv(counted(_asreview_rows(review), progress))
    raise TransferError(_("Unknown export format %(fmt)s.") % {"fmt": fmt})


def export_rows(review: Review, fmt: str, viewer: Any = None, *, is_lead: bool = True) -> QuerySet:
    """What one row of the export is: a decision (decisions CSV) or a unique record."""
    if fmt == "decisions-csv":
        return visible(review, viewer, is_lead)
    return review.records.canonical()


def export_filename(review: Review, fmt: str) -> str:
    return f"{review.slug}-{fmt}.{EXPORTS[fmt][1]}"


__all__ = ["EXCLUDE", "EXPORTS", "SOURCES", "Preview", "Result", "TransferError"]
