"""Screening histories out: streamed in the request, or written by a background job when the
review is large (reviewapp.downloads). A reviewer's file holds their own decisions only."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reviewapp import downloads
from reviewapp.models import Membership
from screening.transfer import service


def params_of(query: Mapping) -> dict[str, str]:
    fmt = query.get("format", "decisions-csv")
    return {"format": fmt if fmt in service.EXPORTS else "decisions-csv"}


@downloads.export_task("screening.export_decisions_file", again="decisions_export")
def export_decisions_file(
    membership: Membership, params: dict, progress: Callable[[int], None]
) -> downloads.Export:
    review, fmt, user = membership.review, params["format"], membership.user
    return downloads.Export(
        chunks=service.export(review, fmt, user, is_lead=membership.is_lead, progress=progress),
        total=service.export_rows(review, fmt, user, is_lead=membership.is_lead).count(),
        filename=service.export_filename(review, fmt),
        content_type=service.EXPORTS[fmt][2],
    )
