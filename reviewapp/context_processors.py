from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .registry import registry, visible


def navigation(request: HttpRequest) -> dict:
    """The current review's tabs, for views that resolved a review via get_review_for.

    Lazy: badges cost queries, and htmx partials (which never show the navigation) must not
    pay for them.
    """
    review = getattr(request, "review", None)
    membership = getattr(request, "membership", None)
    return {
        "current_review": review,
        "current_membership": membership,
        "review_tabs": SimpleLazyObject(lambda: _tabs(request, review, membership)),
    }


def _tabs(request: HttpRequest, review, membership) -> list[dict]:
    tabs: list[dict] = []
    if review is not None and membership is not None:
        for item in registry.review_nav:
            if not visible(item.roles, membership):
                continue
            url = reverse(item.url_name, args=[review.slug])
            tabs.append(
                {
                    "label": item.label,
                    "url": url,
                    "active": request.path.startswith(url)
                    and (
                        url != reverse("review_overview", args=[review.slug]) or request.path == url
                    ),
                    "badge": item.badge(review, membership) if item.badge else 0,
                }
            )
    return tabs
