"""How the URLconf walk fills URL parameters other than the review's slug.

Each entry makes (or finds) an object of the team's review and returns the value for the
parameter. A stage that adds a URL with a new parameter adds its sample here; the walk fails
loudly on a parameter it cannot fill.
"""

from __future__ import annotations

from collections.abc import Callable

from reviewapp.models import Invitation

SAMPLES: dict[str, Callable] = {}


def sample(name: str):
    def register(fn: Callable) -> Callable:
        SAMPLES[name] = fn
        return fn

    return register


@sample("member_id")
def _member(team):
    return team.review.memberships.get(user=team.reviewer2).pk


@sample("invitation_id")
def _invitation(team):
    return Invitation.objects.create(
        review=team.review, email="new@example.org", roles=["reviewer"]
    ).pk


@sample("token")
def _token(team):
    return Invitation.objects.create(
        review=team.review, email="tok@example.org", roles=["reviewer"]
    ).token
