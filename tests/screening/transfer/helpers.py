"""A small screened review to export and import again: five records, two reviewers."""

from __future__ import annotations

from reviewapp.models import ExclusionReason, Membership, Stage
from screening.decisions import service as decisions
from screening.identification.imports import import_file_now
from screening.models import Decision, Record
from tests.factories import ReviewFactory

RIS = (  # RIS end tags are "ER  - "; the parser takes "ER  -" alike
    b"""TY  - JOUR
TI  - Nudges in school canteens
AU  - Alder, Ann
PY  - 2019
DO  - 10.1000/one
AB  - A trial of menu placement.
ER  -

TY  - JOUR
TI  - Default options for pensions
AU  - Birch, Bo
PY  - 2020
DO  - 10.1000/two
ER  -

TY  - JOUR
TI  - Salience of prices in shops
AU  - Cedar, Cy
PY  - 2021
DO  - 10.1000/three
ER  -

TY  - JOUR
TI  - Reminder letters and tax payment
AU  - Dogwood, Di
PY  - 2018
DO  - 10.1000/four
ER  -

TY  - JOUR
TI  - Social norms and energy use
AU  - Elm, Ed
PY  - 2017
DO  - 10.1000/five
ER  -
"""
)

# title -> (Rita's decision, Remy's decision); exclusions give the reason "Wrong population".
PLAN = {
    "Nudges in school canteens": ("include", "include"),
    "Default options for pensions": ("exclude", "exclude"),
    "Salience of prices in shops": ("include", "exclude"),
    "Reminder letters and tax payment": ("maybe", "include"),
}


def screened(team) -> None:
    """Screen the team's review: four records decided by both reviewers, one untouched."""
    search = team.review.searches.create(source="Scopus")
    job = import_file_now(search, RIS, "scopus.ris", user=team.lead)
    assert job.status == "done", job.error
    reason = ExclusionReason.objects.create(
        review=team.review, stage=Stage.TITLE_ABSTRACT, label="Wrong population"
    )
    for title, (rita, remy) in PLAN.items():
        record = Record.objects.get(review=team.review, title=title)
        for who, value in ((team.reviewer1, rita), (team.reviewer2, remy)):
            decisions.decide(record, who, value, reason=reason if value == "exclude" else None)


def fresh_review(team):
    """A new review with the same people: where the history goes."""
    review = ReviewFactory()
    Membership.objects.create(review=review, user=team.lead, is_lead=True)
    Membership.objects.create(review=review, user=team.reviewer1, is_reviewer=True)
    Membership.objects.create(review=review, user=team.reviewer2, is_reviewer=True)
    return review


def decisions_by_title(review) -> dict:
    return {
        (d.record.title, d.reviewer.email, d.stage): (d.value, d.reason.label if d.reason else "")
        for d in Decision.objects.filter(review=review).select_related(
            "record", "reviewer", "reason"
        )
    }
