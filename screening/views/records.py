"""The records of a review: a searchable list that stays fast at 200,000 records, and one record.

Paging is keyset ("seek") paging on the id: `?after=<id>` asks for the next page, `?before=<id>`
the previous one, so a deep page costs what the first one does (no OFFSET scan). The total is
bounded: the matching ids are read up to COUNT_LIMIT + 1, and past COUNT_LIMIT the list says
"more than 1,000"; within it, the page and the counts are cut from those ids.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from html import escape
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import truncatechars
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from reviewapp import downloads
from reviewapp.access import get_review_for, review_roles
from reviewapp.compiled import Compiled
from reviewapp.export_views import start_or_offer
from reviewapp.models import ExclusionReason, Role
from screening.identification import export_files, exports, filters, search
from screening.models import Phase, Record, Search
from screening.models.records import authors_display

PAGE_SIZE = 50
# A search's count reads one heap page per matching record (the rows are ~6 kB, the GIN index
# cannot answer it alone): 10,000 cost 25-90 ms at 100,000 records, 1,000 cost 3-10 ms
# (bench/records_profile.py).
COUNT_LIMIT = 1_000
# What a row shows, read as tuples (named, so a row's .pk is its id): a page's 51 rows read
# as Record objects with their searches cost 1.5 ms of Python, as tuples 0.65 ms.
LIST_FIELDS = ("pk", "title", "authors", "year", "journal", "is_canonical", "search__source",
               "search__phase")  # fmt: skip
# Facet counts are computed for the whole review (through its indexes) and for a search or
# filter matching at most this many records: each count reads the matching rows, so a broad
# search over a large review would cost a scan of most of it (bench/scale_bench.py). No more
# than COUNT_LIMIT: past it the page does not know how many match.
FACET_LIMIT = COUNT_LIMIT
# The filters' choices, built and compiled once per process (reviewapp.compiled): building
# them with the ORM cost more of each page's Python than the database spends on them.
_sources = Compiled(
    lambda review_id: (
        Search.objects.filter(review_id=review_id)
        .values_list("source")
        .distinct()
        .order_by("source")
    )
)
_reasons = Compiled(
    lambda review_id, stage: (
        ExclusionReason.objects.filter(review_id=review_id, stage=stage)
        .order_by("position")
        .values_list("pk", "label")
    )
)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _page(records: QuerySet, params) -> tuple[list, int | None, int | None]:
    """One page by keyset on id, with the ids to ask for the previous and next pages: the
    rows of `records`, each with its .pk."""
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


def _page_of(ids: list[int], params) -> tuple[list[int], int | None, int | None]:
    """_page over the sorted ids of every matching record: the page's ids, and the previous
    and next pages' as _page gives them."""
    after, before = _int(params.get("after")), _int(params.get("before"))
    if before is not None:
        end = bisect_left(ids, before)
        page = ids[max(0, end - PAGE_SIZE) : end]
        prev_id = page[0] if page and end > PAGE_SIZE else None
        return page, prev_id, page[-1] if page else None
    start = bisect_right(ids, after) if after is not None else 0
    page = ids[start : start + PAGE_SIZE]
    next_id = page[-1] if page and len(ids) > start + PAGE_SIZE else None
    prev_id = page[0] if page and after is not None else None
    return page, prev_id, next_id


@review_roles(Role.LEAD, Role.REVIEWER)
def record_list(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    f = filters.RecordFilters.from_params(request.GET)
    viewer = membership.user_id if membership.is_reviewer else None
    matching = filters.matching(review, f, viewer)
    listed = review.records.values_list(*LIST_FIELDS, named=True)
    # The matching ids, up to COUNT_LIMIT + 1 (what the bounded count read anyway): when they
    # are all there, the page and the facets take them by id instead of running the search
    # twice more (a narrow search over a common word rechecked 5,800 rows each time).
    # A search matching much of the review walks its ids in order (search.in_id_order).
    order = (
        ("pk",)
        if not f.query.empty and search.in_id_order(matching, review.records.all(), COUNT_LIMIT + 1)
        else ()
    )
    ids = list(matching.order_by(*order).values_list("pk", flat=True)[: COUNT_LIMIT + 1])
    total = len(ids)
    # Read in id order, the first ids are the first page too (and whether there is a next one):
    # no second walk for it.
    first_page_read = bool(order) and not _paging(request.GET) and total > PAGE_SIZE
    if total <= COUNT_LIMIT or first_page_read:
        ids.sort()
        page_ids, prev_id, next_id = _page_of(ids, request.GET)
        rows = list(listed.filter(filters.among(page_ids, Record, "id")).order_by("pk"))
        if total <= COUNT_LIMIT:
            matching = review.records.filter(filters.among(ids, Record, "id"))
    else:
        rows, prev_id, next_id = _page(matching.values_list(*LIST_FIELDS, named=True), request.GET)
    kept = f.kept()
    facets = (
        filters.facets(matching, f, viewer, review, FACET_LIMIT)
        if _facets_shown(f, total, request.GET)
        else None
    )
    context = {
        "review": review,
        "list_url": reverse("record_list", args=[review.slug]),
        "records": _listed(rows, review),
        "total": min(total, COUNT_LIMIT),
        "more_than_limit": total > COUNT_LIMIT,
        "f": f,
        "filters": kept,
        "query": urlencode(kept),
        "prev_url": "?" + urlencode({**kept, "before": prev_id}) if prev_id else "",
        "next_url": "?" + urlencode({**kept, "after": next_id}) if next_id else "",
        # The filters' choices: called by the template where it shows the filters (the table
        # alone, as search-as-you-type asks for it, reads none of them).
        "sources": lambda: [source for (source,) in _sources.rows(review.pk)],
        "phases": Phase.choices,
        "languages": lambda: _languages(review),
        "facets": facets,
        # Each facet with its heading, the empty ones left out (a lookup per facet in the
        # template walked every heading for each: 64 comparisons a page).
        "facet_rows": [
            (name, filters.FACET_LABELS.get(name, ""), values)
            for name, values in (facets or {}).items()
            if values
        ],
        "facets_limit": None if _paging(request.GET) else FACET_LIMIT,
        "mine_choices": filters.MINE.items() if viewer else (),
        "final_choices": filters.FINAL.items(),
        "reasons": lambda: _reasons.rows(review.pk, f.stage),
        "suggestions": search.suggest(review.records.all(), f.query) if total == 0 else [],
        "export_formats": exports.FORMATS,
        "export_sets": exports.SETS,
        "membership": membership,
    }
    template = "screening/records/list.html"
    if request.htmx:
        template += "#table"
    return TemplateResponse(request, template, context)


def _clip(text: str, length: int) -> str:
    """The `truncatechars` filter, without walking every character of a text already short
    enough (it does, to skip combining marks: 2 ms for a page's 150 cells)."""
    return text if len(text) <= length else truncatechars(text, length)


class Listed(NamedTuple):
    """A record as the list shows it: its id, its title and its row of the table."""

    pk: int
    title: str
    row: SafeString


# The table's row, written here rather than in the template: there its nine values cost
# ~2.5 ms of every page's and every search-as-you-type answer's CPU for fifty rows (a template
# variable is ~5 us), here ~0.4 ms (bench/records_profile.py). The same markup, byte for
# byte; each value escaped by html.escape, as the template's autoescape (and format_html) do
# through django.utils.html.escape, whose check for lazy arguments doubled the cost here.
# `duplicate` is markup of our own, not escaped.
ROW = (
    "<tr>\n"
    "      <td>{}</td>\n"
    '      <td><a href="{}">{}</a>{duplicate}</td>\n'
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    "      <td>{}</td>\n"
    '      <td>{} <small class="muted">{}</small></td>\n'
    "    </tr>"
)


def _row(*values: object, duplicate: str) -> SafeString:
    return mark_safe(ROW.format(*[escape(str(value)) for value in values], duplicate=duplicate))


def _listed(rows: list, review) -> list[Listed]:
    """Each row's cells, computed once here: a link reversed per row cost 90 us (50 rows,
    4.5 ms), and a phase's label 0.1 ms (bench/records_profile.py). The id and year are
    written as the template wrote numbers (no thousands separator: USE_THOUSAND_SEPARATOR is
    off), each phase's label and the words below translated once."""
    detail = reverse("record_detail", args=[review.slug, 0]).removesuffix("0/")
    phases = {value: str(label) for value, label in Phase.choices}
    untitled = gettext("(no title)")
    pill = format_html(' <span class="pill">{}</span>', gettext("duplicate"))
    return [
        Listed(
            r.pk,
            r.title,
            _row(
                r.pk,
                f"{detail}{r.pk}/",
                _clip(r.title, 200) or untitled,
                _clip(authors_display(r.authors), 80),
                "" if r.year is None else r.year,
                _clip(r.journal, 60),
                r.search__source,
                phases.get(r.search__phase, r.search__phase),
                duplicate="" if r.is_canonical else pill,
            ),
        )
        for r in rows
    ]


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
@require_http_methods(["GET", "POST"])
def record_export(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, Role.LEAD, Role.REVIEWER)
    # The records the page shows: the same search and filters.
    params = export_files.params_of(request.GET)
    records = export_files.selection(membership, params)
    if downloads.too_large(records):
        return start_or_offer(request, membership, export_files.export_records_file, params)
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
