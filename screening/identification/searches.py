"""Searches of a review (one per source and phase) and the counts the search list shows."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from reviewapp.audit import record_event
from reviewapp.models import Review
from reviewapp.services import ReviewError
from screening.models import Phase, Search

SEARCH_FIELDS = ("source", "source_type", "date_run", "query", "phase", "notes")


def _search_state(search: Search) -> dict[str, Any]:
    return {f: str(getattr(search, f) or "") for f in SEARCH_FIELDS}


@transaction.atomic
def create_search(review: Review, user: Any, **fields: Any) -> Search:
    if not (fields.get("source") or "").strip():
        raise ReviewError(_("A search needs a source, e.g. Web of Science."))
    search = Search.objects.create(
        review=review,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **fields,
    )
    record_event(review, user, "search.created", search, after=_search_state(search))
    return search


@transaction.atomic
def update_search(search: Search, user: Any, **fields: Any) -> Search:
    before = _search_state(search)
    for name, value in fields.items():
        setattr(search, name, value)
    search.save()
    record_event(
        search.review, user, "search.updated", search, before=before, after=_search_state(search)
    )
    return search


def search_for_source(review: Review, source: str, phase: str, user: Any = None) -> Search:
    """The review's search in this source and phase (the command line's way to name one)."""
    existing = review.searches.filter(source__iexact=source.strip(), phase=phase).first()
    return existing or create_search(review, user, source=source.strip(), phase=phase)


def searches_with_counts(review: Review):
    """Every search of the review with its record and file counts, in one query."""
    return review.searches.annotate(
        record_count=Count("records", distinct=True),
        file_count=Count("import_jobs", distinct=True),
    ).order_by("phase", "date_run", "id")


def counts_by_phase(review: Review) -> list[dict]:
    """[{"phase": "initial", "label": ..., "records": n, "searches": k}, ...] for the overview."""
    rows = {
        row["search__phase"]: row["n"]
        for row in review.records.values("search__phase").annotate(n=Count("id")).order_by()
    }
    searches = {
        row["phase"]: row["n"]
        for row in review.searches.values("phase").annotate(n=Count("id")).order_by()
    }
    return [
        {"phase": value, "label": label, "records": rows.get(value, 0), "searches": searches[value]}
        for value, label in Phase.choices
        if value in searches
    ]
