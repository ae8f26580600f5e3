"""Each study's appraisal shows in the study table, and the synthesis can keep only the
studies meeting a quality threshold (a sensitivity view)."""

from __future__ import annotations

from coding import services as coding
from synthesis.services import Filters, build_matrix

from .helpers import appraise, studies


def test_the_study_table_shows_each_studys_appraisal(team):
    first, second = studies(team, 2)
    appraise(first, team.reviewer1)
    appraise(first, team.reviewer2)
    header = coding.study_table_csv(team.review).splitlines()[0]
    assert header.endswith("Appraisal")
    _fields, rows = coding.study_table(team.review)
    by_label = {r.study.label: r.appraisal for r in rows}
    assert "10 of 10 favourable" in by_label["Study 1 2020"]
    assert by_label["Study 2 2020"] == ""


def test_no_appraisal_column_when_the_review_appraises_nothing(team):
    from tests.coding.factories import included_study

    included_study(team.review, "Solo 2020", 1)
    assert "Appraisal" not in coding.study_table_csv(team.review).splitlines()[0]


def test_the_sensitivity_view_keeps_studies_above_the_threshold(team):
    good, weak, pending = studies(team, 3)
    appraise(good, team.reviewer1)
    appraise(good, team.reviewer2)
    weak_answers = {f"q{n}": "no" for n in range(1, 6)}
    appraise(weak, team.reviewer1, **weak_answers)
    appraise(weak, team.reviewer2, **weak_answers)
    every = build_matrix(team.review, Filters())
    assert {s.pk for s in every.studies} == {good.pk, weak.pk, pending.pk}
    strict = build_matrix(team.review, Filters(min_quality=80))
    assert [s.pk for s in strict.studies] == [good.pk]
