"""The agreement the database counts (agreement_tallies) is the agreement of the decisions
themselves: every pair's table, alpha and Fleiss' kappa, for leads and for reviewers, with
records decided by two or three reviewers, Maybe among the values, a duplicate merged away and
records not yet fully decided left out."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from reviewapp.models import Membership
from screening.decisions import agreement
from screening.decisions import service as decisions
from screening.models import Decision, Outcome, Record, RecordStatus
from tests.factories import UserFactory

from .factories import decide, records

pytestmark = pytest.mark.django_db


def _by_hand(review, outcomes) -> agreement.AgreementSummary:
    shown = RecordStatus.objects.filter(
        review=review, stage="ta", outcome__in=outcomes, record__is_canonical=True
    ).values_list("record_id", flat=True)
    ratings: dict[int, dict[int, str]] = defaultdict(dict)
    for record, reviewer, value in Decision.objects.filter(
        review=review, stage="ta", record_id__in=list(shown)
    ).values_list("record_id", "reviewer_id", "value"):
        ratings[record][reviewer] = value
    return agreement.summarise(ratings, ["include", "exclude", "maybe"])


def test_the_counted_agreement_is_the_agreement_of_the_decisions(team):
    review = team.review
    review.required_decisions = 2
    review.save()
    people = [team.reviewer1, team.reviewer2]
    for name in ("Tess", "Uma"):
        user = UserFactory(email=f"{name.lower()}@example.org", full_name=name)
        Membership.objects.create(review=review, user=user, is_reviewer=True)
        people.append(user)
    rng = random.Random(7)
    rs = records(team, 60)
    for r in rs[:55]:  # the last five stay undecided; some get one decision only
        for user in rng.sample(people, rng.choice([1, 2, 2, 2])):
            decide(r, user, rng.choices(["include", "exclude", "maybe"], [3, 6, 1])[0])
    Record.objects.filter(pk=rs[0].pk).update(is_canonical=False)  # merged into another
    for lead, outcomes in (
        (True, (Outcome.INCLUDED, Outcome.EXCLUDED, Outcome.CONFLICT)),
        (False, (Outcome.INCLUDED, Outcome.EXCLUDED)),
    ):
        counted, people_shown = decisions.agreement_for(review, lead)
        expected = _by_hand(review, outcomes)
        assert counted.items == expected.items > 0
        assert counted.raters == expected.raters == len(people_shown)
        got = [(p.rater_a, p.rater_b, p.table, p.n, p.kappa) for p in counted.pairs]
        # By hand with the categories the page shows (Maybe only when someone used it).
        want = [
            (p.rater_a, p.rater_b, p.table[: len(counted.pairs[0].categories)], p.n, p.kappa)
            for p in expected.pairs
        ]
        want = [(a, b, tuple(row[: len(t)] for row in t), n, k) for a, b, t, n, k in want]
        assert [g[:4] for g in got] == [w[:4] for w in want]
        assert [g[4] for g in got] == pytest.approx([w[4] for w in want])
        assert counted.krippendorff_alpha == pytest.approx(expected.krippendorff_alpha)
        assert counted.fleiss_kappa == pytest.approx(expected.fleiss_kappa)
        assert (counted.alpha_items, counted.fleiss_items) == (
            expected.alpha_items,
            expected.fleiss_items,
        )
