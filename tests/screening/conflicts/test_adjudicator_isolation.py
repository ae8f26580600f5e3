"""An adjudicator sees the conflicts escalated to them, and nothing else of the review's records."""

from __future__ import annotations

import pytest

from screening.conflicts import service as conflicts
from screening.models import Report
from tests.core.test_permission_walk import PARAM, app_patterns
from tests.core.url_samples import SAMPLES

from .helpers import conflicted, included_at_ta

pytestmark = pytest.mark.django_db

SECRETS = ("Hidden record under discussion", "Hidden report sought at full text")


def _body(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    return content.decode(errors="replace")


def test_an_adjudicator_cannot_reach_a_non_escalated_record_by_any_url(team):
    hidden, hidden_conflict = conflicted(team, title=SECRETS[0])
    sought = included_at_ta(team, title=SECRETS[1])
    escalated, escalated_conflict = conflicted(team, title="Escalated record for the adjudicator")
    conflicts.escalate(escalated_conflict, team.reviewer1, "Please decide")
    # Every id that points at the hidden records; other parameters take the walk's samples.
    pointing = {
        "record_id": [hidden.pk, sought.pk],
        "conflict_id": [hidden_conflict.pk],
        "report_id": [Report.objects.get(record=sought).pk],
        "proposal_id": [conflicts.propose(hidden_conflict, team.reviewer1, "include").pk],
    }
    samples: dict[str, str] = {}

    def urls(route):
        names = [m.group("name") for m in PARAM.finditer(route) if m.group("name") != "slug"]
        if any(n not in SAMPLES and n not in pointing for n in names):
            return  # the permission walk reports a URL parameter without a sample
        variants = [{}] + [{n: v} for n in names if n in pointing for v in pointing[n]]
        for variant in variants:

            def fill(match, variant=variant):
                name = match.group("name")
                if name == "slug":
                    return team.review.slug
                if name in variant:
                    return str(variant[name])
                if name in pointing:
                    return str(pointing[name][0])
                if name not in samples:
                    samples[name] = str(SAMPLES[name](team))
                return samples[name]

            yield "/" + PARAM.sub(fill, route)

    ada = team.client(team.adjudicator)
    checked, leaks = 0, set()
    for route, _ in app_patterns():
        if "<slug:slug>" not in route:
            continue
        for url in set(urls(route)):
            # A search for the hidden title, too, on pages that list records.
            for response in (ada.get(url), ada.get(url, {"q": "Hidden"})):
                checked += 1
                assert response.status_code < 500, url
                if response.status_code == 200:
                    body = _body(response)
                    leaks |= {(url, secret) for secret in SECRETS if secret in body}
    assert checked > 20
    assert not leaks, (
        f"pages that show an adjudicator a record not escalated to them: {sorted(leaks)}"
    )
    # The escalated conflict is reachable, with its record...
    page = ada.get(f"/r/{team.review.slug}/conflicts/{escalated_conflict.pk}/").content.decode()
    assert "Escalated record for the adjudicator" in page
    # ...but not that record's own pages, nor the full-text stage.
    for path in (f"records/{escalated.pk}/", "full-text/"):
        assert ada.get(f"/r/{team.review.slug}/{path}").status_code in (403, 404), path
