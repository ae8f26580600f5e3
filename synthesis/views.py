"""Synthesis pages: the matrix (and the excerpts behind each cell), themes, figure, counts,
comparison of two codebook versions, and the downloads."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop

from coding.models import SourceType
from coding.services import coders_of, get_codebook, studies_for
from reviewapp.access import get_review_for, review_roles
from reviewapp.models import Review, Role
from screening.appraisal.service import plan_for as appraisal_plan_for
from screening.prisma.text import FontMissing
from synthesis import exports, figure
from synthesis import services as synth
from synthesis.services import Filters

READERS = (Role.LEAD, Role.REVIEWER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _filename(review: Review, what: str, matrix: synth.Matrix, ext: str) -> str:
    version = matrix.version.label if matrix.version else "draft"
    return f"{slugify(review.title)[:50] or 'review'}-{what}-{version}.{ext}"


def _context(request: HttpRequest, review: Review, membership, matrix: synth.Matrix, **extra):
    book = get_codebook(review)
    return {
        "review": review,
        "membership": membership,
        "matrix": matrix,
        "filters": matrix.filters,
        "versions": list(book.versions.order_by("-number")),
        "coders": coders_of(review),
        "source_types": SourceType.choices,
        "sorts": synth.SORTS.items(),
        # The sensitivity view's thresholds, offered once the review appraises its studies.
        "quality_thresholds": (50, 70, 80, 100) if appraisal_plan_for(review) else (),
        **extra,
    }


@review_roles(*READERS)
def matrix(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *READERS)
    m = synth.build_matrix(review, Filters.from_query(request.GET))
    context = _context(request, review, membership, m, counts=synth.counts(m))
    return TemplateResponse(request, "synthesis/matrix.html", context)


@review_roles(*READERS)
def excerpts(request: HttpRequest, slug: str) -> HttpResponse:
    """The excerpts behind a matrix cell (?code=&study=), a row (?code=) or a column (?study=)."""
    review, membership = get_review_for(request, slug, *READERS)
    filters = Filters.from_query(request.GET)
    code_id = request.GET.get("code", "")
    study_id = request.GET.get("study", "")
    study = None
    if study_id:
        if not study_id.isdigit():
            raise Http404("No such study")
        study = get_object_or_404(studies_for(review), pk=int(study_id))
    if code_id and not code_id.isdigit():
        raise Http404("No such code")
    version, _, node, codings = synth.excerpts_for(
        review, filters, code_id=int(code_id) if code_id else None, study=study
    )
    template = "synthesis/excerpts.html"
    if request.htmx:
        template += "#list"
    return TemplateResponse(
        request,
        template,
        {
            "review": review,
            "membership": membership,
            "filters": filters,
            "version": version,
            "node": node,
            "study": study,
            "codings": codings,
        },
    )


@review_roles(*READERS)
def themes(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *READERS)
    m, theme_list = synth.themes(review, Filters.from_query(request.GET))
    context = _context(request, review, membership, m, themes=theme_list, counts=synth.counts(m))
    return TemplateResponse(request, "synthesis/themes.html", context)


@review_roles(*READERS)
def themes_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *READERS)
    m, theme_list = synth.themes(review, Filters.from_query(request.GET))
    if fmt == "md":
        content = exports.themes_markdown(review.title, m, synth.counts(m), theme_list)
        return _download(
            content, _filename(review, "themes", m, "md"), "text/markdown; charset=utf-8"
        )
    if fmt == "csv":
        content = exports.themes_csv(theme_list)
        return _download(content, _filename(review, "themes", m, "csv"), "text/csv; charset=utf-8")
    if fmt == "xlsx":
        return _download(
            exports.themes_xlsx(theme_list), _filename(review, "themes", m, "xlsx"), XLSX
        )
    raise Http404("Unknown format")


@review_roles(*READERS)
def workbook(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole synthesis as one XLSX workbook."""
    from coding.services import study_table

    review, _ = get_review_for(request, slug, *READERS)
    m, theme_list = synth.themes(review, Filters.from_query(request.GET))
    content = exports.synthesis_xlsx(m, synth.counts(m), theme_list, study_table(review))
    return _download(content, _filename(review, "synthesis", m, "xlsx"), XLSX)


@review_roles(*READERS)
def matrix_csv(request: HttpRequest, slug: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *READERS)
    m = synth.build_matrix(review, Filters.from_query(request.GET))
    return _download(
        exports.matrix_csv(m), _filename(review, "matrix", m, "csv"), "text/csv; charset=utf-8"
    )


FIGURE_TITLE = gettext_noop("Facilitators and barriers at each level of the ecological model")


def _figure_args(review: Review, request: HttpRequest) -> tuple[synth.Matrix, list]:
    # The figure shows the whole framework: only the version and evidence filters apply.
    filters = Filters.from_query(request.GET)
    filters.level = filters.polarity = ""
    m = synth.build_matrix(review, filters)
    return m, synth.figure_levels(m)


@review_roles(*READERS)
def figure_page(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *READERS)
    m, levels = _figure_args(review, request)
    context = _context(
        request,
        review,
        membership,
        m,
        has_figure=bool(levels),
        counts=synth.counts(m),
    )
    return TemplateResponse(request, "synthesis/figure.html", context)


@review_roles(*READERS)
def figure_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    review, _ = get_review_for(request, slug, *READERS)
    m, levels = _figure_args(review, request)
    if not levels:
        raise Http404("No codes with a level and a polarity yet")
    language = request.GET.get("language") or None
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        title, core = gettext(FIGURE_TITLE), gettext("Engagement")
        if fmt == "svg":
            content = figure.render_svg(levels, title=title, core=core)
            return _download(
                content, _filename(review, "ecological-model", m, "svg"), "image/svg+xml"
            )
        if fmt == "png":
            try:
                content = figure.render_png(levels, title=title, core=core)
            except FontMissing as exc:
                return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
            return _download(content, _filename(review, "ecological-model", m, "png"), "image/png")
    raise Http404("Unknown format")


@review_roles(*READERS)
def counts_page(request: HttpRequest, slug: str) -> HttpResponse:
    review, membership = get_review_for(request, slug, *READERS)
    m = synth.build_matrix(review, Filters.from_query(request.GET))
    context = _context(request, review, membership, m, counts=synth.counts(m))
    return TemplateResponse(request, "synthesis/counts.html", context)


@review_roles(*READERS)
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    """Two codebook versions side by side (?a=1&b=2; default: the two latest)."""
    from coding.services import diff_versions

    review, membership = get_review_for(request, slug, *READERS)
    book = get_codebook(review)
    numbers = list(book.versions.order_by("number").values_list("number", flat=True))
    a = request.GET.get("a", "")
    b = request.GET.get("b", "")
    old = int(a) if a.isdigit() else (numbers[-2] if len(numbers) > 1 else None)
    new = int(b) if b.isdigit() else (numbers[-1] if numbers else None)
    if (old is not None and old not in numbers) or (new is not None and new not in numbers):
        raise Http404("No such codebook version")
    filters = Filters.from_query(request.GET)
    rows, diff = [], None
    if old is not None and new is not None:
        rows = synth.compare(review, old, new, filters)
        diff = diff_versions(book, old, new)
    return TemplateResponse(
        request,
        "synthesis/compare.html",
        {
            "review": review,
            "membership": membership,
            "numbers": numbers,
            "old": old,
            "new": new,
            "rows": rows,
            "changed": sum(r.changed for r in rows),
            "diff": diff,
        },
    )
