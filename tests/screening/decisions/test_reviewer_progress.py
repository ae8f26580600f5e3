"""Each reviewer's assigned / decided / remaining on the progress page: over the canonical
records only, so a record merged into another counts once, under the record it joined."""

from __future__ import annotations

import pytest
from django.db.models import Count

from reviewapp.models import Stage
from screening.decisions import service as decisions
from screening.decisions.queues import ensure_assignments
from screening.dedup.service import merge
from screening.models import Assignment, Decision

from .factories import decide, records

pytestmark = pytest.mark.django_db


def _recounted(team, reviewer) -> tuple[int, int, int, dict]:
    """The figures joined to every record, as the page counted them before."""
    canonical = {"review": team.review, "reviewer": reviewer, "stage": Stage.TITLE_ABSTRACT}
    rows = Assignment.objects.filter(**canonical, record__is_canonical=True)
    mine = Decision.objects.filter(**canonical, record__is_canonical=True)
    values = dict(mine.values_list("value").annotate(n=Count("pk")).order_by())
    return rows.count(), mine.count(), rows.filter(open=True).count(), values


def test_merged_records_leave_each_reviewers_figures(team):
    rs = records(team, 6)
    ensure_assignments(team.review)
    for r in rs[:4]:
        decide(r, team.reviewer1, "include")
    decide(rs[0], team.reviewer2, "exclude")
    decide(rs[1], team.reviewer2, "include")
    before = {
        p.reviewer.pk: (p.assigned, p.decided, p.remaining)
        for p in decisions.reviewer_progress(
            team.review, [team.reviewer1, team.reviewer2], with_values=False
        )
    }
    assert before[team.reviewer1.pk] == (6, 4, 2)
    assert before[team.reviewer2.pk] == (6, 2, 4)

    merge([rs[0], rs[1]], by=team.lead)  # one of the two decided records is now a duplicate
    merge([rs[4], rs[5]], by=team.lead)  # and one of the two undecided ones

    progress = decisions.reviewer_progress(
        team.review, [team.reviewer1, team.reviewer2], with_values=True
    )
    for p in progress:
        assigned, decided, remaining, values = _recounted(team, p.reviewer)
        assert (p.assigned, p.decided, p.remaining, p.values) == (
            assigned,
            decided,
            remaining,
            values,
        )
        assert p.assigned == 4  # six records, two merged away
    rita = next(p for p in progress if p.reviewer == team.reviewer1)
    assert rita.decided == 3
    assert rita.values == {"include": 3}
