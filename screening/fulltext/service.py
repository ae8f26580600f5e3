"""The full-text stage: reports sought, retrieved (PDF or link) or not, assessed, linked to studies.

Records included at title/abstract become reports sought for retrieval. A PDF is accepted by its
content, never its name: it must start and end like a PDF; its text is read for coding by a
background task within page and time limits (`extraction`). Two reviewers assess eligibility independently (screening.decisions with
stage "ft"), and a report included at full text always belongs to a study: the studies are what
extraction and coding work on.
"""

from __future__ import annotations

import hashlib
import re
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import models, transaction
from django.dispatch import receiver
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from reviewapp.audit import record_event
from reviewapp.models import ExclusionReason, Review, Stage, User
from reviewapp.registry import count_of
from screening.decisions import signals
from screening.fulltext import extraction
from screening.models import Assignment, Decision, Outcome, Record, RecordStatus, Report, Study

PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
# Readers accept the end-of-file marker within the last kilobytes (trailing junk is common).
PDF_TAIL_BYTES = 4096


class FullTextError(Exception):
    """A refused step; the message is shown to the user as is."""


# --- reports sought -----------------------------------------------------------------------


@transaction.atomic
def on_included(record: Record) -> Report:
    """The record was included at title/abstract: its report is sought (idempotent)."""
    report, created = Report.objects.get_or_create(
        record=record, defaults={"review_id": record.review_id, "search_id": record.search_id}
    )
    if created:
        record_event(record.review, None, "report.sought", report, after={"record": record.pk})
    return report


def on_reopened(record: Record) -> None:
    """The record's title/abstract inclusion was re-opened by a lead.

    The report (and any file) is kept, so nothing retrieved is lost; the full-text list shows
    only reports of records currently included, so it leaves the list until included again.
    """
    report = Report.objects.filter(record=record).first()
    if report is not None:
        record_event(record.review, None, "report.set_aside", report, after={"record": record.pk})


@receiver(signals.record_resolved, dispatch_uid="fulltext.on_included")
def _on_resolved(sender, record: Record, stage: str, outcome: str, by=None, **kwargs) -> None:
    if outcome != Outcome.INCLUDED:
        return
    if stage == Stage.TITLE_ABSTRACT:
        on_included(record)
        # Its assessors are known from now on: the work waiting for them counts it at once.
        from screening.decisions import queues

        queues.assign_record(record, Stage.FULL_TEXT)
    elif stage == Stage.FULL_TEXT and by is not None:
        # A conflict's ruling included the report (agreement goes through assess()).
        ensure_study(on_included(record), by)


@receiver(signals.record_reopened, dispatch_uid="fulltext.on_reopened")
def _on_reopened(sender, record: Record, stage: str, was_included: bool, **kwargs) -> None:
    if was_included and stage == Stage.TITLE_ABSTRACT:
        on_reopened(record)


# --- retrieval ----------------------------------------------------------------------------


def _check_pdf(uploaded: IO[bytes], size: int) -> str:
    """Size and content checks, returning the sha256; the file's name is never trusted.

    Cheap on purpose: the text (and any page bomb) is read later by a task within limits
    (`extraction`). A PDF starts with %PDF- and ends with %%EOF (PDF 32000-1, 7.5.5)."""
    limit = settings.MAX_FULLTEXT_UPLOAD_BYTES
    if size > limit:
        raise FullTextError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )
    if size == 0:
        raise FullTextError(_("The file is empty."))
    uploaded.seek(0)
    if uploaded.read(len(PDF_MAGIC)) != PDF_MAGIC:
        raise FullTextError(_("This file is not a PDF: its content does not start like one."))
    uploaded.seek(max(0, size - PDF_TAIL_BYTES))
    if PDF_EOF not in uploaded.read(PDF_TAIL_BYTES):
        raise FullTextError(
            _(
                "This file cannot be opened as a PDF: it has no end-of-file marker (a damaged "
                "or truncated download?)."
            )
        )
    uploaded.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: uploaded.read(1 << 20), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def attach_pdf(report: Report, uploaded_file: File, by: User) -> Report:
    """Store the PDF through Django's storage; its text is read by a task after commit."""
    size = uploaded_file.size or 0
    # Check outside the transaction: hashing a large file must not hold row locks.
    sha256 = _check_pdf(uploaded_file, size)
    original = get_valid_filename(uploaded_file.name or "full-text.pdf")[:200] or "full-text.pdf"
    if not original.lower().endswith(".pdf"):
        original += ".pdf"
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("review")
            .get(pk=report.pk)
        )
        old_name = report.file.name
        before = _retrieval_state(report)
        # The stored name is ours, not the uploader's.
        report.file.save(
            f"r{report.review_id}-report{report.pk}-{sha256[:16]}.pdf", uploaded_file, save=False
        )
        report.file_name = original
        report.file_sha256 = sha256
        extraction.reset_for_new_file(report)
        report.retrieval = Report.Retrieval.RETRIEVED
        report.not_retrieved_reason = ""
        report.updated_by = by
        report.save()
        record_event(
            report.review,
            by,
            "report.pdf_attached",
            report,
            before=before,
            after={**_retrieval_state(report), "size": size, "sha256": sha256},
        )
        extraction.queue(report)
        if old_name and old_name != report.file.name:
            storage = report.file.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return report


def _retrieval_state(report: Report) -> dict:
    return {
        "retrieval": report.retrieval,
        "file_name": report.file_name,
        "link": report.link,
        "not_retrieved_reason": report.not_retrieved_reason,
    }


@transaction.atomic
def attach_link(report: Report, url: str, by: User) -> Report:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise FullTextError(
            _("Enter a full web address starting with http:// or https://.")
        ) from exc
    report = (
        Report.objects.select_for_update(of=("self",)).select_related("review").get(pk=report.pk)
    )
    before = _retrieval_state(report)
    report.link = url[:1000]
    report.retrieval = Report.Retrieval.RETRIEVED
    report.not_retrieved_reason = ""
    report.updated_by = by
    report.save()
    record_event(
        report.review,
        by,
        "report.link_attached",
        report,
        before=before,
        after=_retrieval_state(report),
    )
    return report


@transaction.atomic
def mark_not_retrieved(report: Report, reason: str, by: User) -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise FullTextError(_("Say why the full text could not be retrieved."))
    report = (
        Report.objects.select_for_update(of=("self",)).select_related("review").get(pk=report.pk)
    )
    if Decision.objects.filter(record_id=report.record_id, stage=Stage.FULL_TEXT).exists():
        raise FullTextError(_("This report is already being assessed; it was retrieved."))
    before = _retrieval_state(report)
    report.retrieval = Report.Retrieval.NOT_RETRIEVED
    report.not_retrieved_reason = reason
    report.updated_by = by
    report.save()
    record_event(
        report.review,
        by,
        "report.not_retrieved",
        report,
        before=before,
        after=_retrieval_state(report),
    )
    return report


# --- assessment ---------------------------------------------------------------------------


def full_text_reasons(review: Review) -> models.QuerySet[ExclusionReason]:
    return review.exclusion_reasons.filter(stage=Stage.FULL_TEXT, active=True)


@transaction.atomic
def assess(
    report: Report,
    reviewer: User,
    value: str,
    *,
    reason: ExclusionReason | None = None,
    note: str = "",
) -> Decision:
    """One reviewer's independent eligibility decision on a retrieved report."""
    from screening.decisions import service as decisions

    if report.retrieval != Report.Retrieval.RETRIEVED:
        raise FullTextError(_("Attach the full text (or its link) before assessing it."))
    try:
        decision = decisions.decide(
            report.record, reviewer, value, stage=Stage.FULL_TEXT, reason=reason, note=note
        )
    except decisions.ScreeningError as exc:
        raise FullTextError(str(exc)) from exc
    outcome = (
        RecordStatus.objects.filter(record_id=report.record_id, stage=Stage.FULL_TEXT)
        .values_list("outcome", flat=True)
        .first()
    )
    if outcome == Outcome.INCLUDED:
        ensure_study(report, reviewer)
    return decision


# --- studies ------------------------------------------------------------------------------


def _first_author(record: Record) -> str:
    if not record.authors:
        return "Anonymous"
    name = str(record.authors[0]).strip()
    if "," in name:
        return name.split(",", 1)[0].strip() or name
    parts = name.split()
    # "Jane Smith" -> "Smith"; a CJK name without spaces stays whole.
    return parts[-1] if len(parts) > 1 else name


def default_label(record: Record) -> str:
    """'FirstAuthor Year', with a letter when the review already has that label."""
    base = f"{_first_author(record)} {record.year or 'n.d.'}"[:190]
    taken = set(
        Study.objects.filter(review_id=record.review_id, label__startswith=base).values_list(
            "label", flat=True
        )
    )
    if base not in taken:
        return base
    for letter in "bcdefghijklmnopqrstuvwxyz":
        if f"{base}{letter}" not in taken:
            return f"{base}{letter}"
    return f"{base} ({len(taken) + 1})"


@transaction.atomic
def link_to_study(report: Report, study: Study | str, by: User) -> Study:
    """Link the report to an existing study of the review, or to a new one by label."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("review", "study")
        .get(pk=report.pk)
    )
    before = {"study": report.study_id, "label": report.study.label if report.study else ""}
    if isinstance(study, str):
        label = re.sub(r"\s+", " ", study).strip()[:200]
        if not label:
            raise FullTextError(_("Name the study, e.g. 'Smith 2019'."))
        study = Study.objects.create(review_id=report.review_id, label=label)
        record_event(report.review, by, "study.created", study, after={"label": label})
    elif study.review_id != report.review_id:
        raise FullTextError(_("That study belongs to another review."))
    report.study = study
    report.updated_by = by
    report.save(update_fields=["study", "updated_by", "updated_at"])
    record_event(
        report.review,
        by,
        "report.study_linked",
        report,
        before=before,
        after={"study": study.pk, "label": study.label},
    )
    return study


def ensure_study(report: Report, by: User | None) -> Study:
    """An included report always belongs to a study: 'FirstAuthor Year' when it has none."""
    report = Report.objects.select_related("record", "study").get(pk=report.pk)
    if report.study is not None:
        return report.study
    return link_to_study(report, default_label(report.record), by)


# --- what waits for whom -----------------------------------------------------------------


def sought_reports(review: Review, user_id: int) -> models.QuerySet[Report]:
    """Reports of records still included at title/abstract, annotated with the stage's outcome
    (ft_outcome), whether I am one of its assessors (mine_to_assess) and my decision (my_value)."""
    ft = Stage.FULL_TEXT
    ta_included = RecordStatus.objects.filter(
        record_id=models.OuterRef("record_id"),
        stage=Stage.TITLE_ABSTRACT,
        outcome=Outcome.INCLUDED,
    )
    return review.reports.filter(models.Exists(ta_included)).annotate(
        ft_outcome=models.Subquery(
            RecordStatus.objects.filter(record_id=models.OuterRef("record_id"), stage=ft).values(
                "outcome"
            )[:1]
        ),
        mine_to_assess=models.Exists(
            Assignment.objects.filter(
                record_id=models.OuterRef("record_id"), stage=ft, reviewer_id=user_id
            )
        ),
        my_value=models.Subquery(
            Decision.objects.filter(
                record_id=models.OuterRef("record_id"), stage=ft, reviewer_id=user_id
            ).values("value")[:1]
        ),
    )


# Retrieved, mine to assess, not assessed by me, and the stage not yet settled.
TO_ASSESS = models.Q(
    retrieval=Report.Retrieval.RETRIEVED, my_value__isnull=True, mine_to_assess=True
) & ~models.Q(ft_outcome__in=[Outcome.INCLUDED, Outcome.EXCLUDED])


def to_assess_count(review: Review, user_id: int) -> int:
    """Full texts waiting for this reviewer's assessment (the list's "To assess (me)")."""
    from screening.decisions import queues

    # Reports that just entered the stage get their assessors first (cheap when up to date).
    queues.ensure_assignments(review, Stage.FULL_TEXT)
    return sought_reports(review, user_id).filter(TO_ASSESS).count()


def to_assess_subquery(review: Review) -> models.Expression:
    """The sought_reports(...).filter(TO_ASSESS) count as an expression over a Membership row
    of the review: the same query, with the member's id read from the row."""
    me = models.OuterRef(models.OuterRef("user_id"))
    return count_of(sought_reports(review, me).filter(TO_ASSESS))


def to_assess_counts(review: Review, membership_pks: list[int]) -> dict[int, int]:
    """The sought_reports(...).filter(TO_ASSESS) count of each of these members, by membership
    pk, in one query."""
    rows = (
        review.memberships.filter(pk__in=membership_pks)
        .order_by()
        .annotate(n=to_assess_subquery(review))
        .values_list("pk", "n")
    )
    return dict(rows)


def included_studies(review: Review) -> models.QuerySet[Study]:
    """Studies with at least one report included at full text: what extraction and coding use."""
    included = RecordStatus.objects.filter(
        record__report__study=models.OuterRef("pk"),
        stage=Stage.FULL_TEXT,
        outcome=Outcome.INCLUDED,
    )
    return Study.objects.filter(review=review).filter(models.Exists(included))
