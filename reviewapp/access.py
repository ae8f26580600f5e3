"""Object-level access: every review URL starts here.

A non-member gets 404 (the review's existence is not revealed); a member without the needed
role gets 403.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from .compiled import Compiled
from .models import Membership, Review

# Every review page asks it: built and compiled once per process (reviewapp.compiled).
_membership = Compiled(
    lambda slug, user_id: (
        Membership.objects.select_related("review")
        .filter(review__slug=slug, user_id=user_id, active=True)
        .order_by("pk")[:1]
    )
)


def get_review_for(request: HttpRequest, slug: str, *roles: str) -> tuple[Review, Membership]:
    """The review with this slug and the requester's membership, or 404/403.

    With roles given, the member must hold at least one of them.
    """
    user_id = request.user.pk
    membership = _membership.first(slug, user_id) if user_id is not None else None
    if membership is None:
        raise Http404("No such review")
    membership.require(*roles)
    review = membership.review
    request.review = review  # type: ignore[attr-defined]
    request.membership = membership  # type: ignore[attr-defined]
    return review, membership


def review_roles(*roles: str):
    """Declare which roles may use a review view (empty: every member).

    The view still enforces it through get_review_for; the declaration lets the URLconf walk
    test check every view's behaviour for every persona.
    """

    def decorate(view):
        view.review_roles = roles
        return view

    return decorate
