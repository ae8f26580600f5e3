"""The records of a review: a searchable list that stays fast at 200,000 records, and one record.

Paging is keyset ("seek") paging on the id: `?after=<id>` asks for the next page, `?before=<id>`
the previous one, so a deep page costs what the first one does (no OFFSET scan). The total is a
bounded COUNT: past COUNT_LIMIT matches the list says "more than 10,000".
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.http import urlencode

from reviewapp import downloads
from reviewapp.access import get_review_for, review_roles
from reviewapp.models import Role
from screening.identification import export_files, exports, filters, search
from screening.models import Phase, Record

PAGE_SIZE = 50
COUNT_LIMIT = 10_000
LIST_FIELDS = ("id", "title", "authors", "year", "journal", "language", "is_canonical",
               "search__source", "search__phase")  # fmt: skip
# Facet counts are computed for the whole review (through its indexes) and for a search or
# filter matching at most this many records: each count reads the matching rows, so a broad
# search over a large review would cost a scan of most of it (bench/scale_bench.py).
FACET_LIMIT = 5_000


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _page(records: QuerySet[Record], params) -> tuple[list[Record], int | None, int | None]:
    """One page by keyset on id, with the ids to ask for the previous and next pages."""
    after, before = _int(params.get("after")), _int(params.get("before"))
    if before is not None:
        rows = list(records.filter(pk__lt=before).order_by("-pk")[: PAGE_SIZE + 1])
        has_more_before = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        prev_id = rows[0].pk if rows and has_more_before else None
        next_id = rows[-1].pk if rows else None
        return rows, prev_id, next_id
    if after is not None:
        records = records.filter(pk__gt=after)
    rows = list(records.order_by("pk")[: PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_id = rows[-1].pk if rows and has_next else None
    prev_id = rows[0].pk if rows and after is not None else None
    return rows, prev_id, next_id


@review_roles(Role.LEAD, Role.REVIEWER)
def record_list(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    f = filters.RecordFilters.from_params(request.GET)
    viewer = membership.user_id if membership.is_reviewer else None
    matching = filters.apply(review.records.all(), f, viewer, review)
    rows, prev_id, next_id = _page(
        matching.select_related("search").only(*LIST_FIELDS),
        request.GET,
    )
    total = matching.order_by()[: COUNT_LIMIT + 1].count()
    kept = f.kept()
    context = {
        "review": review,
        "records": rows,
        "total": min(total, COUNT_LIMIT),
        "more_than_limit": total > COUNT_LIMIT,
        "f": f,
        "filters": kept,
        "query": urlencode(kept),
        "prev_url": "?" + urlencode({**kept, "before": prev_id}) if prev_id else "",
        "next_url": "?" + urlencode({**kept, "after": next_id}) if next_id else "",
        "sources": review.searches.values_list("source", flat=True).distinct().order_by("source"),
        "phases": Phase.choices,
        "languages": _languages(review),
        "facets": filters.facets(matching, f, viewer, review.pk, FACET_LIMIT)
        if _facets_shown(f, total, request.GET)
        else None,
        "facet_labels": filters.FACET_LABELS,
        "facets_limit": None if _paging(request.GET) else FACET_LIMIT,
        "mine_choices": filters.MINE.items() if viewer else (),
        "final_choices": filters.FINAL.items(),
        "reasons": review.exclusion_reasons.filter(stage=f.stage).order_by("position"),
        "suggestions": search.suggest(review.records.all(), f.query) if total == 0 else [],
        "export_formats": exports.FORMATS,
        "export_sets": exports.SETS,
        "membership": membership,
    }
    template = "screening/records/list.html"
    if request.htmx:
        template += "#table"
    return TemplateResponse(request, template, context)


def _paging(params) -> bool:
    return bool(params.get("after") or params.get("before"))


def _facets_shown(f: filters.RecordFilters, total: int, params) -> bool:
    """The first page shows the counts; the next pages, whose counts are the same, skip them
    (over a whole review of 500,000 they are ~130 ms of the database per page)."""
    return not _paging(params) and (not f.any or total <= FACET_LIMIT)


def _languages(review) -> list[str]:
    """The filter's choices: distinct over the review's facet index (~10 ms at 100,000 records),
    kept in the cache until the next import (screening.identification.filters)."""
    key = filters.languages_key(review)
    languages = cache.get(key)
    if languages is None:
        languages = list(
            review.records.exclude(language="")
            .values_list("language", flat=True)
            .distinct()
            .order_by("language")[:100]
        )
        cache.set(key, languages, 3600)
    return languages


@review_roles(Role.LEAD, Role.REVIEWER)
def record_detail(request: HttpRequest, slug: str, record_id: int) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    record = get_object_or_404(
        review.records.select_related("search", "import_job", "cluster"), pk=record_id
    )
    # Which searches found this work: its own, and those of its duplicates once grouped.
    if record.cluster_id:
        found_by = list(
            review.records.filter(cluster_id=record.cluster_id)
            .select_related("search")
            .order_by("id")
        )
    else:
        found_by = [record]
    return TemplateResponse(
        request,
        "screening/records/detail.html",
        {"review": review, "record": record, "found_by": found_by},
    )


@review_roles(Role.LEAD, Role.REVIEWER)
def record_export(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    # The records the page shows: the same search and filters.
    params = export_files.params_of(request.GET)
    records = export_files.selection(membership, params)
    if downloads.too_large(records):
        job = downloads.start(export_files.export_records_file, membership, params)
        return redirect("export_job", review.slug, job.pk)
    response = StreamingHttpResponse(
        exports.export_records(records, params["format"]),
        content_type=exports.CONTENT_TYPES[params["format"]],
    )
    name = export_files.filename(review, params)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("records/", record_list, name="record_list"),
    path("records/export/", record_export, name="record_export"),
    path("records/<int:record_id>/", record_detail, name="record_detail"),
]
