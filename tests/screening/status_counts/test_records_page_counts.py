"""The records page with no filter shows the whole review's final decisions and exclusion
reasons from the kept counts: what a GROUP BY of the statuses showed, in a bounded number of
queries, none of which groups the statuses."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviewapp.models import Stage
from screening.conflicts import service as conflicts
from screening.decisions import queues
from screening.identification.filters import _status_facets
from screening.models import Conflict
from tests.screening.decisions.factories import decide, reason, records

from .helpers import live


def _screened(team):
    population, design = reason(team, "Wrong population"), reason(team, "Wrong design")
    r = records(team, 8)
    queues.ensure_assignments(team.review)
    for record, why in ((r[0], population), (r[1], population), (r[2], design)):
        decide(record, team.reviewer1, "exclude", reason=why)
        decide(record, team.reviewer2, "exclude", reason=why)
    decide(r[3], team.reviewer1, "include")
    decide(r[3], team.reviewer2, "include")
    decide(r[4], team.reviewer1, "include")
    decide(r[4], team.reviewer2, "exclude", reason=design)  # a conflict
    decide(r[5], team.reviewer1, "include")
    decide(r[5], team.reviewer2, "exclude", reason=design)
    conflicts.lead_decide(
        Conflict.objects.get(record=r[5]), team.lead, "exclude", design, note="Not a trial."
    )
    return population, design


def _shown(html: str, facet: str) -> dict[str, int]:
    """{link text: count} of one facet's links, as the reader sees them."""
    pattern = rf'{facet}=[^"]*">([^<]+)</a> <span class="count">([\d,]+)</span>'
    return {label: int(n.replace(",", "")) for label, n in re.findall(pattern, html)}


def test_the_page_shows_the_whole_reviews_outcomes_and_reasons(team, django_assert_max_num_queries):
    population, design = _screened(team)
    client = team.client(team.lead)
    url = f"/r/{team.review.slug}/records/"
    client.get(url)  # the navigation's and the records' counts are stored once
    with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    html = response.content.decode()
    assert _shown(html, "final") == {"Pending": 2, "Included": 1, "Excluded": 4, "In conflict": 1}
    assert _shown(html, "reason") == {"Wrong population": 2, "Wrong design": 2}
    grouped = re.compile(r'COUNT\(\*\) AS "\w+" FROM "screening_recordstatus" .*GROUP BY')
    assert not [q for q in queries.captured_queries if grouped.search(q["sql"])], "grouped live"
    # What a live GROUP BY of the statuses gave, value for value.
    expected = _status_facets(team.review.pk, live(team.review.pk, Stage.TITLE_ABSTRACT).items())
    facets = response.context["facets"]
    assert facets["final"] == expected["final"]
    assert sorted(facets["reason"]) == sorted(expected["reason"])
    assert {k: n for k, _label, n in facets["reason"]} == {population.pk: 2, design.pk: 2}
