"""Coding excerpts of included studies, frequencies and the queries the synthesis reuses."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from reviewapp.audit import record_event
from reviewapp.models import Review
from screening.models import Report, Study

from ..models import Code, CodebookVersion, Coding, CodingStatus, Document, SourceType
from .codebook import CodingError, get_codebook, version_tree
from .permissions import require_status_right
from .tree import Node, Tree


def studies_for(review: Review) -> QuerySet[Study]:
    """The review's included studies (those with a report included at full text).

    Prefers the full-text stage's definition; before it exists, every study of the review.
    """
    try:
        from screening.fulltext.service import included_studies  # type: ignore[import-not-found]
    except ImportError:
        return Study.objects.filter(review=review)
    return included_studies(review)


# Texts.


@transaction.atomic
def add_document(
    study: Study,
    user,
    text: str,
    *,
    title: str = "",
    origin: str = Document.Origin.PASTED,
    report: Report | None = None,
) -> Document:
    text = text.replace("\r\n", "\n").strip("\n")
    if not text.strip():
        raise CodingError(gettext("The text is empty."))
    document = Document.objects.create(
        study=study,
        report=report,
        title=title.strip() or f"Text of {study.label}",
        text=text,
        origin=origin,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record_event(
        study.review, user, "document.added", document, after={"origin": origin, "chars": len(text)}
    )
    return document


def documents_of(study: Study, user=None) -> list[Document]:
    """The study's texts; a report's stored text becomes a document the first time it is seen."""
    documents = list(study.documents.all())
    known = {d.report_id for d in documents if d.report_id}
    for report in study.reports.exclude(text="").exclude(pk__in=known):
        documents.append(
            add_document(
                study,
                user,
                report.text,
                title=f"Report: {report.record}",
                origin=Document.Origin.REPORT,
                report=report,
            )
        )
    return documents


def extract_pdf_document(report: Report, user) -> Document:
    """The text of a report's PDF as a document of its study.

    The PDF was read in the background when it was attached (within page and time limits,
    screening.fulltext.extraction); nothing is parsed in this request. While it is being read,
    or when it could not be, CodingError says so. A PDF from before background reading has
    its reading queued now.
    """
    from screening.fulltext import extraction

    if not report.file:
        raise CodingError(_("This report has no PDF."))
    status = Report.TextStatus
    if report.text_status in (status.QUEUED, status.RUNNING):
        raise CodingError(
            _("The text of this PDF is still being read; it appears here when it is ready.")
        )
    if report.text_status == status.FAILED:
        raise CodingError(report.text_note or _("The text of this PDF could not be read."))
    if not report.text.strip():
        if report.text_status == status.NONE:
            extraction.retry(report, user)
            raise CodingError(
                _("The text of this PDF is being read now; it appears here when it is ready.")
            )
        raise CodingError(
            _("No text found in this PDF (a scanned image?); paste the text instead.")
        )
    existing = report.documents.filter(study=report.study).first()
    if existing is not None:
        return existing
    return add_document(
        report.study,
        user,
        report.text,
        title=report.file_name or report.file.name,
        origin=Document.Origin.PDF,
        report=report,
    )


# Codings.


def _latest(review: Review) -> tuple[CodebookVersion, Tree]:
    codebook = get_codebook(review)
    latest = codebook.latest_version()
    if latest is None:
        raise CodingError(
            gettext("The codebook has no published version yet: a lead publishes v1 first.")
        )
    return latest, version_tree(codebook, latest)


def locate(text: str, excerpt: str, start: int | None, end: int | None) -> tuple[int, int, str]:
    """Offsets and excerpt agreeing with the text: offsets win; a bare excerpt is searched."""
    if start is not None and end is not None:
        if not 0 <= start < end <= len(text):
            raise CodingError(gettext("The selected passage lies outside the text."))
        return start, end, text[start:end]
    needle = excerpt.strip()
    if not needle:
        raise CodingError(gettext("Select a passage or paste the excerpt."))
    at = text.find(needle)
    if at < 0:
        # Forgive differences in white space (line breaks of a PDF).
        import re

        pattern = r"\s+".join(re.escape(w) for w in needle.split())
        match = re.search(pattern, text)
        if match is None:
            raise CodingError(gettext("The excerpt was not found in the study's text."))
        return match.start(), match.end(), match.group(0)
    return at, at + len(needle), needle


@transaction.atomic
def create_codings(
    study: Study,
    coder,
    codes: Iterable[Code],
    *,
    document: Document | None = None,
    start: int | None = None,
    end: int | None = None,
    excerpt: str = "",
    source_type: str = SourceType.RESULTS,
    section: str = "",
    note: str = "",
) -> list[Coding]:
    """Apply one or more codes of the latest published version to one passage.

    ``section`` says where the passage stands in its source (e.g. the review's "Results").
    """
    review = study.review
    version, tree = _latest(review)
    codes = list(codes)
    if not codes:
        raise CodingError(gettext("Choose at least one code."))
    missing = [c.name for c in codes if str(c.key) not in tree.by_key]
    if missing:
        raise CodingError(
            gettext("Not in the published codebook (%(label)s): %(missing)s.")
            % {"label": version.label, "missing": ", ".join(missing)}
        )
    if source_type not in SourceType.values:
        raise CodingError(gettext("Choose where the passage comes from."))
    if document is not None:
        if document.study_id != study.pk:
            raise CodingError(gettext("That text belongs to another study."))
        start, end, excerpt = locate(document.text, excerpt, start, end)
    else:
        excerpt = excerpt.strip()
        start = end = None
        if not excerpt:
            raise CodingError(gettext("Paste the excerpt."))
    codings = Coding.objects.bulk_create(
        Coding(
            review=review,
            study=study,
            document=document,
            code=code,
            version=version,
            coder=coder,
            excerpt=excerpt,
            start=start,
            end=end,
            source_type=source_type,
            section=section.strip()[:200],
            note=note,
        )
        for code in codes
    )
    for coding in codings:
        record_event(
            review,
            coder,
            "coding.added",
            coding,
            after={"code": coding.code_id, "start": start, "end": end, "version": version.number},
        )
    return codings


@transaction.atomic
def delete_coding(coding: Coding, user) -> None:
    """A coder withdraws their own coding (kept, marked removed, for the trail)."""
    if coding.coder_id != user.pk:
        raise CodingError(gettext("Only its coder can remove a coding."))
    set_status(coding, user, CodingStatus.REMOVED)


@transaction.atomic
def set_status(coding: Coding, user, status: str) -> Coding:
    """Reconciliation: mark a coding agreed or removed (or back to open).

    Allowed to its coder, a coder reconciling the same study, or a lead (CodingForbidden).
    """
    require_status_right(coding, user)
    if status not in CodingStatus.values:
        raise CodingError(gettext("Unknown status."))
    before = coding.status
    coding.status = status
    coding.save(update_fields=["status", "updated_at"])
    record_event(
        coding.review,
        user,
        f"coding.{status}",
        coding,
        before={"status": before},
        after={"status": status},
    )
    return coding


# What the synthesis reads.


def codings_for(review: Review, version: CodebookVersion | int | None = None) -> QuerySet[Coding]:
    """Current codings (not removed) of the review's included studies.

    With a version: only codings made under it or an earlier one, and only of codes that
    version still holds or merged into one it holds (resolve with `version_tree(...)`).
    """
    qs = (
        Coding.objects.filter(review=review, study__in=studies_for(review))
        .current()
        .select_related("code", "study", "coder", "version")
        .order_by("study__reference_number", "study__label", "study_id", "start", "id")
    )
    if version is None:
        return qs
    codebook = get_codebook(review)
    if isinstance(version, int):
        version = codebook.versions.get(number=version)
    tree = version_tree(codebook, version)
    keys = set(tree.by_key) | {k for k in tree.merges if tree.resolve_key(k) is not None}
    return qs.filter(version__number__lte=version.number, code__key__in=keys)


@dataclass
class CodeFrequency:
    """How often a code is cited: its studies and its excerpts (direct, and with subthemes)."""

    node: Node
    study_ids: set[int] = field(default_factory=set)
    excerpts: int = 0
    total_study_ids: set[int] = field(default_factory=set)
    total_excerpts: int = 0

    @property
    def studies(self) -> int:
        return len(self.study_ids)

    @property
    def total_studies(self) -> int:
        return len(self.total_study_ids)


def code_frequencies(
    review: Review,
    version: CodebookVersion | int | None = None,
    coder=None,
    source_type: str | None = None,
) -> list[CodeFrequency]:
    """Citation frequency of every code of a version (None: the latest), in tree order.

    Codings of codes merged away count for the code they were merged into.
    """
    codebook = get_codebook(review)
    tree = version_tree(codebook, version)
    codings = codings_for(review, tree.version) if tree.version is not None else codings_for(review)
    if coder is not None:
        codings = codings.by(coder)
    if source_type:
        codings = codings.filter(source_type=source_type)
    rows = {n.key: CodeFrequency(n) for n in tree}
    for key, study_id in codings.values_list("code__key", "study_id"):
        node = tree.resolve_key(str(key))
        if node is None:
            continue
        row = rows[node.key]
        row.study_ids.add(study_id)
        row.excerpts += 1
    # Roll up children into their ancestors (reverse pre-order visits children first).
    for node in reversed(tree.nodes):
        row = rows[node.key]
        row.total_study_ids |= row.study_ids
        row.total_excerpts += row.excerpts
        if node.parent_key:
            parent = rows[node.parent_key]
            parent.total_study_ids |= row.total_study_ids
            parent.total_excerpts += row.total_excerpts
    return [rows[n.key] for n in tree]


def coders_of(review: Review) -> list:
    from reviewapp.models import User

    ids = Coding.objects.filter(review=review).current().values("coder_id")
    return list(User.objects.filter(pk__in=ids).order_by("full_name", "email"))


def segments(text: str, codings: list[Coding]) -> list[dict]:
    """Split a text at every coding boundary, for highlighting overlapping codings."""
    spans = [(c.start, c.end, c) for c in codings if c.start is not None and c.end is not None]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for a, b in itertools.pairwise(cuts):
        if a >= b:
            continue
        covering = [c for s, e, c in spans if s <= a and b <= e]
        out.append(
            {"text": text[a:b], "start": a, "codings": covering, "depth": min(len(covering), 3)}
        )
    return out


def study_coding_counts(review: Review) -> dict[int, dict[int, int]]:
    """{study id: {coder id: current codings}} for the studies list."""
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    from django.db.models import Count

    for row in (
        Coding.objects.filter(review=review)
        .current()
        .values("study_id", "coder_id")
        .annotate(n=Count("id"))
    ):
        counts[row["study_id"]][row["coder_id"]] = row["n"]
    return counts
