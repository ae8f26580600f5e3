"""The records page's exports: what the person asked for (the page's search and filters, a set,
a format), streamed in the request, or written by a background job when it is large
(reviewapp.downloads). Both read `selection`, so the two give the same bytes."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db.models import QuerySet

from reviewapp import downloads
from reviewapp.models import Membership, Review
from screening.identification import exports, filters
from screening.models import Record


def params_of(query: Mapping) -> dict[str, str]:
    """The export's parameters from the request's query: format, set and the page's filters."""
    fmt, which = query.get("format", "csv"), query.get("set", "all")
    if fmt not in exports.FORMATS or which not in exports.SETS:
        fmt, which = "csv", "all"
    return {"format": fmt, "set": which, **filters.RecordFilters.from_params(query).kept()}


def selection(membership: Membership, params: Mapping) -> QuerySet[Record]:
    """The records the page shows for these filters, in the chosen set."""
    review = membership.review
    f = filters.RecordFilters.from_params(params)
    viewer = membership.user_id if membership.is_reviewer else None
    return filters.apply(exports.record_set(review, params["set"]), f, viewer, review)


def filename(review: Review, params: Mapping) -> str:
    return f"{review.slug}-{params['set']}.{exports.EXTENSIONS[params['format']]}"


@downloads.export_task("screening.export_records_file", again="record_export")
def export_records_file(
    membership: Membership, params: dict, progress: Callable[[int], None]
) -> downloads.Export:
    records = selection(membership, params)
    return downloads.Export(
        chunks=exports.export_records(records, params["format"], progress),
        total=records.order_by().count(),
        filename=filename(membership.review, params),
        content_type=exports.CONTENT_TYPES[params["format"]],
    )
