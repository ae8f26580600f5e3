"""The statuses' counts follow screening as it happens: decisions by two reviewers, agreement
both ways with exclusion reasons, conflicts resolved by consensus, adjudication and a lead,
a record reopened and decided again, an undone decision, full-text assessments."""

from __future__ import annotations

from reviewapp.models import ExclusionReason, Stage
from screening.conflicts import service as conflicts
from screening.decisions import queues
from screening.decisions import service as decisions
from screening.fulltext import service as fulltext
from screening.models import Conflict, Outcome, RecordStatus, Report, StatusCountDelta
from tests.screening.decisions.factories import decide, reason, records

from .helpers import assert_kept, live


def test_counts_follow_decisions_conflicts_and_lead_rulings(team):
    review, rita, remy = team.review, team.reviewer1, team.reviewer2
    population = reason(team, "Wrong population")
    design = reason(team, "Wrong design")
    r = records(team, 10)
    queues.ensure_assignments(review)
    assert_kept(review)
    assert live(review.pk, Stage.TITLE_ABSTRACT) == {(Outcome.PENDING, None): 10}

    for record in r[:2]:
        decide(record, rita, "include")
        decide(record, remy, "include")
    decide(r[2], rita, "exclude", reason=population)
    decide(r[2], remy, "exclude", reason=population)
    decide(r[3], rita, "exclude", reason=design)
    decide(r[3], remy, "exclude", reason=design)
    deltas = StatusCountDelta.objects.filter(review=review).count()
    decide(r[4], rita, "include")  # half-decided: still pending, only its count of decisions
    assert StatusCountDelta.objects.filter(review=review).count() == deltas  # wrote no delta
    assert_kept(review)
    # A status edited outside the services (an admin, SQL): only its reason changes.
    RecordStatus.objects.filter(record=r[3]).update(final_reason=population)
    assert_kept(review)

    # Conflicts: one by consensus (set_final), one adjudicated, one decided by a lead.
    for record in r[5:8]:
        decide(record, rita, "include")
        decide(record, remy, "exclude", reason=population)
    assert_kept(review)
    decisions.set_final(
        r[5], Stage.TITLE_ABSTRACT, "exclude", reason=design, resolution="consensus", by=team.lead
    )
    conflict = Conflict.objects.get(record=r[6])
    conflicts.escalate(conflict, rita, "In scope?")
    conflicts.adjudicate(conflict, team.adjudicator, "include", note="In scope.")
    conflicts.lead_decide(
        Conflict.objects.get(record=r[7]), team.lead, "exclude", population, note="Adults only."
    )
    assert_kept(review)

    # A lead sends an inclusion back; both reviewers exclude it this time.
    decisions.reopen(r[0], Stage.TITLE_ABSTRACT, by=team.lead, reason="Check the population")
    assert_kept(review)
    decide(r[0], rita, "exclude", reason=population)
    decide(r[0], remy, "exclude", reason=population)
    # Changing one's mind on a pending record, and taking a decision back.
    decide(r[8], rita, "exclude", reason=design)
    decide(r[8], rita, "include")
    decisions.undo_last(review, rita)
    assert_kept(review)
    assert live(review.pk, Stage.TITLE_ABSTRACT)[(Outcome.EXCLUDED, population.pk)] == 4


def test_counts_follow_full_text_assessments(team):
    review, rita, remy = team.review, team.reviewer1, team.reviewer2
    wrong_design = ExclusionReason.objects.create(
        review=review, stage=Stage.FULL_TEXT, label="Wrong design"
    )
    r = records(team, 3)
    for record in r:
        decide(record, rita, "include")
        decide(record, remy, "include")
    reports = list(Report.objects.filter(review=review).order_by("pk"))
    assert len(reports) == 3
    first = fulltext.attach_link(reports[0], "https://example.org/a.pdf", team.lead)
    fulltext.assess(first, rita, "include")
    fulltext.assess(first, remy, "include")
    second = fulltext.attach_link(reports[1], "https://example.org/b.pdf", team.lead)
    fulltext.assess(second, rita, "exclude", reason=wrong_design)
    fulltext.assess(second, remy, "exclude", reason=wrong_design)
    assert_kept(review)
    assert live(review.pk, Stage.FULL_TEXT)[(Outcome.EXCLUDED, wrong_design.pk)] == 1
