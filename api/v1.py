"""/api/v1/: reviews, searches and imports, records, my decisions, conflicts, PRISMA counts,
codebook versions, codings and the synthesis matrix.

Built on django-ninja: typed schemas (pydantic) that generate the OpenAPI document served at
/api/v1/openapi.json, function endpoints like our views, and Swagger UI from its own static
files (no CDN). Every endpoint starts from the caller's membership, exactly as the pages do
(404 for a review they are not in, 403 for a missing role), and reads through the same
services, so blinding holds: a reviewer's token never sees another reviewer's decision before
a conflict opens.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, NinjaAPI, Router, Schema, Status
from ninja.files import UploadedFile

from api.auth import RateLimited, TokenAuth, review_for
from reviewapp.models import Review, Role, Stage
from reviewapp.services import ReviewError

api = NinjaAPI(
    title="Sift API",
    version="1",
    description=(
        "Literature-review data with the web pages' permissions and blinding. Authenticate "
        "with `Authorization: Bearer TOKEN` (a personal token from your profile page or "
        "`python manage.py create_api_token`)."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

STAFF = (Role.LEAD, Role.REVIEWER)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited):
    response = api.create_response(
        request, {"detail": "Too many requests for this token; retry shortly."}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(ReviewError)
def _refused(request: HttpRequest, exc: ReviewError):
    return api.create_response(request, {"detail": str(exc)}, status=400)


# --- reviews -------------------------------------------------------------------------------


class ReviewOut(Schema):
    slug: str
    title: str
    roles: list[str]


def _review_out(review: Review, membership) -> ReviewOut:
    return ReviewOut(slug=review.slug, title=review.title, roles=list(membership.roles))


@api.get("/reviews", response=list[ReviewOut], tags=["reviews"])
def list_reviews(request: HttpRequest):
    """The reviews the caller belongs to."""
    from reviewapp.models import Membership

    memberships = Membership.objects.filter(user=request.user, active=True).select_related("review")
    return [_review_out(m.review, m) for m in memberships.order_by("review__title")]


@api.get("/reviews/{slug}", response=ReviewOut, tags=["reviews"])
def get_review(request: HttpRequest, slug: str):
    review, membership = review_for(request, slug)
    return _review_out(review, membership)


# --- searches and imports -------------------------------------------------------------------

searches = Router(tags=["searches and imports"])


class SearchOut(Schema):
    id: int
    source: str
    source_type: str
    phase: str
    query: str
    date_run: date | None
    records: int


class SearchIn(Schema):
    source: str
    query: str = ""
    phase: str = "initial"
    date_run: date | None = None


class ImportOut(Schema):
    id: int
    search: int
    file: str
    status: str
    format: str
    records_imported: int
    warnings: list = []
    error: str = ""


def _search_out(search) -> SearchOut:
    return SearchOut(
        id=search.pk,
        source=search.source,
        source_type=search.source_type,
        phase=search.phase,
        query=search.query,
        date_run=search.date_run,
        records=getattr(search, "n_records", None) or search.records.count(),
    )


def _import_out(job) -> ImportOut:
    return ImportOut(
        id=job.pk,
        search=job.search_id,
        file=job.original_name,
        status=job.status,
        format=job.detected_format or job.requested_format,
        records_imported=job.records_imported,
        warnings=job.warnings or [],
        error=job.error or "",
    )


@searches.get("/reviews/{slug}/searches", response=list[SearchOut])
def list_searches(request: HttpRequest, slug: str):
    from django.db.models import Count

    review, _m = review_for(request, slug, *STAFF)
    return [_search_out(s) for s in review.searches.annotate(n_records=Count("records"))]


@searches.post("/reviews/{slug}/searches", response={201: SearchOut})
def create_search(request: HttpRequest, slug: str, payload: SearchIn):
    """Record a search (leads). Its export files are uploaded to .../imports."""
    from screening.identification import imports
    from screening.models import Phase

    review, _m = review_for(request, slug, Role.LEAD)
    if payload.phase not in Phase.values:
        raise ReviewError(_("phase is one of: %(values)s") % {"values": ", ".join(Phase.values)})
    search = imports.create_search(review, request.user, **payload.dict())
    return Status(201, _search_out(search))


@searches.post("/reviews/{slug}/searches/{search_id}/imports", response={202: ImportOut})
def upload_export(
    request: HttpRequest,
    slug: str,
    search_id: int,
    file: File[UploadedFile],
    format: Form[str] = "auto",
):
    """Upload one export file (leads); it imports in the background: poll the import."""
    from screening.identification import imports

    review, _m = review_for(request, slug, Role.LEAD)
    search = get_object_or_404(review.searches, pk=search_id)
    job = imports.store_upload(search, file, file.name, fmt=format, user=request.user)
    return Status(202, _import_out(job))


@searches.get("/reviews/{slug}/imports/{job_id}", response=ImportOut)
def get_import(request: HttpRequest, slug: str, job_id: int):
    """An import's progress and report."""
    from screening.identification import imports

    review, _m = review_for(request, slug, *STAFF)
    job = get_object_or_404(review.import_jobs, pk=job_id)
    live = imports.live_progress(job) if job.status == "running" else None
    out = _import_out(job)
    if live:
        out.records_imported = live["records"]
    return out


api.add_router("", searches)


# --- records --------------------------------------------------------------------------------

records = Router(tags=["records"])
PAGE_MAX = 500


class RecordOut(Schema):
    id: int
    title: str
    authors: list[str]
    year: int | None
    journal: str
    volume: str
    issue: str
    pages: str
    doi: str
    pmid: str
    language: str
    source: str
    cluster: int | None
    is_canonical: bool


class RecordPage(Schema):
    items: list[RecordOut]
    next_after: int | None


class RecordDetail(RecordOut):
    abstract: str
    keywords: list[str]


def _record_out(record, cls=RecordOut):
    extra = {}
    if cls is RecordDetail:
        extra = {"abstract": record.abstract, "keywords": list(record.keywords or [])}
    return cls(
        id=record.pk,
        title=record.title,
        authors=list(record.authors or []),
        year=record.year,
        journal=record.journal,
        volume=record.volume,
        issue=record.issue,
        pages=record.pages,
        doi=record.doi,
        pmid=record.pmid,
        language=record.language,
        source=record.search.source,
        cluster=record.cluster_id,
        is_canonical=record.cluster_id is None or record.cluster.canonical_id == record.pk,
        **extra,
    )


@records.get("/reviews/{slug}/records", response=RecordPage)
def list_records(
    request: HttpRequest,
    slug: str,
    q: str = "",
    source: str = "",
    phase: str = "",
    year: str = "",
    language: str = "",
    mine: str = "",
    final: str = "",
    reason: str = "",
    abstract: str = "",
    fulltext: str = "",
    after: int | None = None,
    limit: int = 100,
):
    """Records page by page (keyset: pass `next_after` back as `after`), with the records
    page's search and filters (`q` takes its query language: "phrases", -word, author:,
    journal:, year:2015..2020)."""
    from screening.identification import filters

    review, membership = review_for(request, slug, *STAFF)
    params = {
        "q": q, "source": source, "phase": phase, "year": year, "language": language,
        "mine": mine, "final": final, "reason": reason, "abstract": abstract, "fulltext": fulltext,
    }  # fmt: skip
    viewer = membership.user_id if membership.is_reviewer else None
    f = filters.RecordFilters.from_params(params)
    matching = filters.apply(review.records.all(), f, viewer, review).select_related(
        "search", "cluster"
    )
    if after is not None:
        matching = matching.filter(pk__gt=after)
    limit = max(1, min(limit, PAGE_MAX))
    rows = list(matching.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return RecordPage(
        items=[_record_out(r) for r in rows], next_after=rows[-1].pk if more and rows else None
    )


@records.get("/reviews/{slug}/records/{record_id}", response=RecordDetail)
def get_record(request: HttpRequest, slug: str, record_id: int):
    review, _m = review_for(request, slug, *STAFF)
    record = get_object_or_404(review.records.select_related("search", "cluster"), pk=record_id)
    return _record_out(record, RecordDetail)


api.add_router("", records)


# --- my decisions ---------------------------------------------------------------------------

decisions = Router(tags=["my decisions"])


class DecisionOut(Schema):
    record: int
    stage: str
    value: str
    reason: str | None
    note: str
    decided_at: datetime


class DecisionIn(Schema):
    record: int
    value: str  # include, exclude, maybe
    reason: int | None = None  # an exclusion reason's id (see /reasons)
    note: str = ""
    stage: str = Stage.TITLE_ABSTRACT


class QueueOut(Schema):
    id: int
    title: str
    abstract: str
    year: int | None


class ReasonOut(Schema):
    id: int
    stage: str
    label: str


def _decision_out(d) -> DecisionOut:
    return DecisionOut(
        record=d.record_id,
        stage=d.stage,
        value=d.value,
        reason=d.reason.label if d.reason_id else None,
        note=d.note,
        decided_at=d.updated_at,
    )


def _stage(stage: str) -> str:
    if stage not in Stage.values:
        raise ReviewError(_("stage is one of: %(values)s") % {"values": ", ".join(Stage.values)})
    return stage


@decisions.get("/reviews/{slug}/reasons", response=list[ReasonOut])
def list_reasons(request: HttpRequest, slug: str):
    review, _m = review_for(request, slug, *STAFF)
    return [
        ReasonOut(id=r.pk, stage=r.stage, label=r.label)
        for r in review.exclusion_reasons.filter(active=True).order_by("stage", "position")
    ]


@decisions.get("/reviews/{slug}/queue", response=list[QueueOut])
def my_queue(request: HttpRequest, slug: str, stage: str = Stage.TITLE_ABSTRACT, limit: int = 20):
    """The next records waiting for the caller's decision, in their order."""
    from screening.decisions import queues

    review, _m = review_for(request, slug, Role.REVIEWER)
    limit = max(1, min(limit, 200))
    rows = queues.queue_for(review, request.user, _stage(stage))[:limit]
    return [QueueOut(id=r.pk, title=r.title, abstract=r.abstract, year=r.year) for r in rows]


@decisions.get("/reviews/{slug}/decisions", response=list[DecisionOut])
def my_decisions(request: HttpRequest, slug: str, stage: str = Stage.TITLE_ABSTRACT):
    """The caller's own decisions, newest first (never anyone else's)."""
    from screening.decisions import service

    review, _m = review_for(request, slug, Role.REVIEWER)
    return [_decision_out(d) for d in service.decided_records(review, request.user, _stage(stage))]


@decisions.post("/reviews/{slug}/decisions", response={201: DecisionOut})
def decide(request: HttpRequest, slug: str, payload: DecisionIn):
    """Decide a record of the caller's queue (the same decision twice changes nothing)."""
    from screening.decisions import service

    review, _m = review_for(request, slug, Role.REVIEWER)
    record = get_object_or_404(review.records, pk=payload.record)
    try:
        decision = service.decide(
            record,
            request.user,
            payload.value,
            stage=_stage(payload.stage),
            reason=payload.reason,
            note=payload.note,
        )
    except service.NotAssigned as exc:
        raise Http404 from exc
    except service.ScreeningError as exc:
        raise ReviewError(str(exc)) from exc
    return Status(201, _decision_out(decision))


class UndoOut(Schema):
    undone: int | None


@decisions.post("/reviews/{slug}/decisions/undo", response=UndoOut)
def undo(request: HttpRequest, slug: str, stage: str = Stage.TITLE_ABSTRACT):
    """Undo the caller's last decision at the stage (while its record is unresolved)."""
    from screening.decisions import service

    review, _m = review_for(request, slug, Role.REVIEWER)
    try:
        undone = service.undo_last(review, request.user, stage=_stage(stage))
    except service.ScreeningError as exc:
        raise ReviewError(str(exc)) from exc
    return UndoOut(undone=undone.record_id if undone else None)


api.add_router("", decisions)


# --- conflicts ------------------------------------------------------------------------------

conflicts_router = Router(tags=["conflicts"])


class PositionOut(Schema):
    reviewer: str
    value: str
    reason: str | None
    note: str


class ConflictOut(Schema):
    id: int
    record: int
    stage: str
    state: str
    resolution: str
    final_value: str
    opened_at: datetime


class ConflictDetail(ConflictOut):
    positions: list[PositionOut]
    comments: list[dict]


def _conflict_out(c, cls=ConflictOut, **extra):
    return cls(
        id=c.pk,
        record=c.record_id,
        stage=c.stage,
        state=c.state,
        resolution=c.resolution,
        final_value=c.final_value,
        opened_at=c.opened_at,
        **extra,
    )


@conflicts_router.get("/reviews/{slug}/conflicts", response=list[ConflictOut])
def list_conflicts(request: HttpRequest, slug: str):
    """Conflicts the caller may see: leads all; reviewers their own; adjudicators those
    escalated to them."""

    review, membership = review_for(request, slug)
    base = review.conflicts.all()
    if membership.is_lead:
        shown = base
    else:
        shown = base.involving(membership.user_id)
        if membership.is_adjudicator:
            shown = shown | base.for_adjudicator(membership.user_id)
    return [_conflict_out(c) for c in shown.distinct().order_by("opened_at", "pk")[:1000]]


@conflicts_router.get("/reviews/{slug}/conflicts/{conflict_id}", response=ConflictDetail)
def get_conflict(request: HttpRequest, slug: str, conflict_id: int):
    from screening.conflicts import service
    from screening.models import Decision

    review, membership = review_for(request, slug)
    conflict = get_object_or_404(review.conflicts, pk=conflict_id)
    if not service.can_view(conflict, membership):
        raise Http404
    positions = [
        PositionOut(
            reviewer=d.reviewer.display_name,
            value=d.value,
            reason=d.reason.label if d.reason_id else None,
            note=d.note,
        )
        for d in Decision.objects.filter(record_id=conflict.record_id, stage=conflict.stage)
        .select_related("reviewer", "reason")
        .order_by("created_at", "pk")
    ]
    comments = [
        {"author": c.author.display_name, "body": c.body, "at": c.created_at.isoformat()}
        for c in conflict.comments.select_related("author")
    ]
    return _conflict_out(conflict, ConflictDetail, positions=positions, comments=comments)


api.add_router("", conflicts_router)


# --- reports: PRISMA, codebook, codings, synthesis ------------------------------------------

reports = Router(tags=["reports"])


@reports.get("/reviews/{slug}/prisma", response=dict)
def prisma_counts(request: HttpRequest, slug: str):
    """The PRISMA 2020 counts, as `python manage.py prisma --format json` writes them."""
    from screening.prisma import counts, flow

    review, _m = review_for(request, slug, *STAFF)
    return flow.to_json(counts.flow_for(review).counts)


class CodeOut(Schema):
    key: str
    name: str
    parent: str | None
    level: str
    polarity: str
    definition: str


class VersionOut(Schema):
    number: int
    label: str
    note: str
    published_at: datetime
    codes: list[CodeOut]


@reports.get("/reviews/{slug}/codebook/versions", response=list[VersionOut])
def codebook_versions(request: HttpRequest, slug: str):
    from coding.services import get_codebook, version_tree

    review, _m = review_for(request, slug, *STAFF)
    book = get_codebook(review)
    out = []
    for version in book.versions.order_by("number"):
        tree = version_tree(book, version)
        out.append(
            VersionOut(
                number=version.number,
                label=version.label,
                note=version.note,
                published_at=version.published_at,
                codes=[
                    CodeOut(
                        key=n.key,
                        name=n.name,
                        parent=n.parent_key,
                        level=n.effective_level or "",
                        polarity=n.effective_polarity or "",
                        definition=n.definition,
                    )
                    for n in tree.nodes
                ],
            )
        )
    return out


class CodingOut(Schema):
    id: int
    study: str
    code: str
    code_key: str
    coder: str
    excerpt: str
    source_type: str
    version: int | None


@reports.get("/reviews/{slug}/codings", response=list[CodingOut])
def codings(request: HttpRequest, slug: str, version: int | None = None):
    from coding.services import codings_for

    review, _m = review_for(request, slug, *STAFF)
    return [
        CodingOut(
            id=c.pk,
            study=c.study.label,
            code=c.code.name,
            code_key=str(c.code.key),
            coder=c.coder.display_name,
            excerpt=c.excerpt,
            source_type=c.source_type,
            version=c.version.number if c.version_id else None,
        )
        for c in codings_for(review, version)
    ]


class MatrixRowOut(Schema):
    code: str
    level: str
    polarity: str
    cells: list[int]
    citation: str


class MatrixOut(Schema):
    version: int | None
    studies: list[str]
    rows: list[MatrixRowOut]


@reports.get("/reviews/{slug}/synthesis/matrix", response=MatrixOut)
def synthesis_matrix(request: HttpRequest, slug: str, version: int | None = None):
    """Codes × included studies: excerpts per cell, with each row's citation list."""
    from synthesis.services import Filters, build_matrix

    review, _m = review_for(request, slug, *STAFF)
    matrix = build_matrix(review, Filters(version=version))
    return MatrixOut(
        version=matrix.version.number if matrix.version else None,
        studies=[s.label for s in matrix.studies],
        rows=[
            MatrixRowOut(
                code=row.node.name,
                level=row.level,
                polarity=row.polarity,
                cells=row.cells,
                citation=row.citation,
            )
            for row in matrix.rows
        ],
    )


api.add_router("", reports)
