"""An object of another review is never reachable through this review's URLs.

The requester leads both reviews (and holds the view's role in both), so only the object
lookup stands between them and the other review's records, conflicts, codes and files: every
URL with an object id, filled with an id from review B under review A's slug, must give 404 —
on GET and on POST, so nothing of B changes either.
"""

from __future__ import annotations

import pytest

from reviewapp.models import Role
from tests.conftest import Team
from tests.core.test_permission_walk import PARAM, app_patterns
from tests.core.url_samples import SAMPLES
from tests.factories import review_with_the_same_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(team, settings, tmp_path) -> Team:
    """Review B, with the same people in the same roles as team.review (review A)."""
    review = review_with_the_same_people(team.review)
    return Team(review, team.lead, team.reviewer1, team.reviewer2, team.adjudicator, team.outsider)


def _persona(team: Team, roles: tuple[str, ...]):
    if not roles or Role.LEAD in roles:
        return team.lead
    if Role.REVIEWER in roles:
        return team.reviewer1
    return team.adjudicator


def test_ids_from_another_review_give_404_under_this_reviews_slug(
    team, other, django_capture_on_commit_callbacks
):
    checked, problems = 0, []
    for route, pattern in app_patterns():
        names = [m.group("name") for m in PARAM.finditer(route)]
        if "slug" not in names or len(names) == 1:
            continue
        with django_capture_on_commit_callbacks(execute=True):
            values = {n: str(SAMPLES[n](other)) for n in names if n != "slug"}

        def fill(match, values=values):
            name = match.group("name")
            return team.review.slug if name == "slug" else values[name]

        url = "/" + PARAM.sub(fill, route)
        client = team.client(_persona(team, pattern.callback.review_roles))
        got = client.get(url).status_code
        if got not in (404, 405):
            problems.append(f"GET {url} ({pattern.name}): {got}")
        got = client.post(url, {}).status_code
        if got != 404:
            problems.append(f"POST {url} ({pattern.name}): {got}")
        checked += 1
    assert checked > 30
    assert not problems, "\n".join(problems)


def test_the_same_ids_under_their_own_reviews_slug_are_found(team, other):
    """The sweep is not vacuous: B's objects are there for B's slug."""
    client = team.client(team.lead)
    for name, path in (
        ("record_id", "records/{}/"),
        ("conflict_id", "conflicts/{}/"),
        ("report_id", "full-text/{}/"),
        ("code_id", "codebook/codes/{}/"),
    ):
        url = f"/r/{other.review.slug}/" + path.format(SAMPLES[name](other))
        assert client.get(url).status_code == 200, url
