from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .registry import navigation_for


def navigation(request: HttpRequest) -> dict:
    """The current review's navigation by stage, for views that resolved a review via
    get_review_for.

    Lazy: the counts of waiting work cost queries, and htmx partials (which never show the
    navigation) must not pay for them.
    """
    review = getattr(request, "review", None)
    membership = getattr(request, "membership", None)
    return {
        "current_review": review,
        "current_membership": membership,
        "review_stages": SimpleLazyObject(lambda: _stages(request, review, membership)),
    }


def _stages(request: HttpRequest, review, membership) -> list:
    if review is None or membership is None:
        return []
    return navigation_for(review, membership, request.path)
