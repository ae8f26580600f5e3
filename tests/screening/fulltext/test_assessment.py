"""Full-text eligibility: two independent, blinded assessments; conflicts; studies."""

from __future__ import annotations

import pytest

from reviewapp.models import Stage
from screening.conflicts import service as conflicts
from screening.fulltext import service as fulltext
from screening.models import Conflict, Outcome, RecordStatus, Report, Study
from tests.screening.conflicts.helpers import conflicted, included_at_ta, reason

pytestmark = pytest.mark.django_db
FT = Stage.FULL_TEXT


def retrieved(team, **fields) -> Report:
    report = Report.objects.get(record=included_at_ta(team, **fields))
    return fulltext.attach_link(report, "https://example.org/paper", team.lead)


def detail(team, report):
    return f"/r/{team.review.slug}/full-text/{report.pk}/"


def test_two_reviewers_include_and_the_report_gets_its_study(team):
    report = retrieved(team, authors=["García, Ana", "Lee, K."], year=2019)
    rita, remy = team.client(team.reviewer1), team.client(team.reviewer2)
    rita.post(detail(team, report) + "assess/", {"value": "include", "note": "Rita's private note"})
    # Blinded: Remy sees nothing of Rita's assessment before deciding.
    page = remy.get(detail(team, report)).content.decode()
    assert "Rita&#x27;s private note" not in page and "Rita Reviewer" not in page
    remy.post(detail(team, report) + "assess/", {"value": "include"})
    status = RecordStatus.objects.get(record=report.record, stage=FT)
    assert (status.outcome, status.resolution) == (Outcome.INCLUDED, "agreement")
    report.refresh_from_db()
    assert report.study.label == "García 2019"
    assert list(fulltext.included_studies(team.review)) == [report.study]


def test_assessing_needs_the_full_text_first(team):
    report = Report.objects.get(record=included_at_ta(team))
    with pytest.raises(fulltext.FullTextError, match="before assessing"):
        fulltext.assess(report, team.reviewer1, "include")


def test_an_exclusion_needs_a_full_text_reason(team):
    report = retrieved(team)
    ft_reason = reason(team, FT, "Not an empirical study")
    rita = team.client(team.reviewer1)
    page = rita.get(detail(team, report)).content.decode()
    assert "Not an empirical study" in page
    assert "Population: students only" not in page  # title/abstract reasons are not offered
    assert rita.post(detail(team, report) + "assess/", {"value": "exclude"}).status_code == 400
    rita.post(detail(team, report) + "assess/", {"value": "exclude", "reason": ft_reason.pk})
    assert report.record.decisions.get(stage=FT).reason == ft_reason


def test_full_text_disagreement_goes_through_the_same_conflict_flow(team):
    rec, conflict = conflicted(team, stage=FT, authors=["Okafor, N."], year=2021)
    assert conflict.stage == FT
    page = (
        team.client(team.reviewer1)
        .get(f"/r/{team.review.slug}/conflicts/{conflict.pk}/")
        .content.decode()
    )
    assert "Full text conflict" in page and "Wrong design" in page
    conflicts.escalate(conflict, team.reviewer2, "Design unclear")
    conflicts.adjudicate(conflict, team.adjudicator, "include", note="Mixed methods count")
    status = RecordStatus.objects.get(record=rec, stage=FT)
    assert (status.outcome, status.resolution) == (Outcome.INCLUDED, "adjudicated")
    assert Report.objects.get(record=rec).study.label == "Okafor 2021"


def test_several_reports_belong_to_one_study(team):
    first = retrieved(team, authors=["Smith, J."], year=2020)
    second = retrieved(team, authors=["Smith, J."], year=2021)
    client = team.client(team.reviewer1)
    client.post(detail(team, first) + "study/", {"label": "Smith 2020 cohort"})
    study = Study.objects.get(label="Smith 2020 cohort")
    client.post(detail(team, second) + "study/", {"study": study.pk})
    assert set(study.reports.all()) == {first, second}
    for report in (first, second):
        for reviewer in (team.reviewer1, team.reviewer2):
            fulltext.assess(report, reviewer, "include")
    assert list(fulltext.included_studies(team.review)) == [study]
    assert Study.objects.count() == 1  # no automatic label once linked


def test_a_second_study_with_the_same_author_and_year_gets_a_letter(team):
    for _ in range(2):
        report = retrieved(team, authors=["Wang, L."], year=2018)
        for reviewer in (team.reviewer1, team.reviewer2):
            fulltext.assess(report, reviewer, "include")
    assert sorted(Study.objects.values_list("label", flat=True)) == ["Wang 2018", "Wang 2018b"]


def test_the_full_text_list_filters_by_stage_of_retrieval_and_assessment(
    team, django_assert_max_num_queries
):
    sought = Report.objects.get(record=included_at_ta(team, title="Sought only"))
    included = retrieved(team, title="Both include")
    excluded = retrieved(team, title="Both exclude")
    ft_reason = reason(team, FT)
    for reviewer in (team.reviewer1, team.reviewer2):
        fulltext.assess(included, reviewer, "include")
        fulltext.assess(excluded, reviewer, "exclude", reason=ft_reason)
    fulltext.mark_not_retrieved(
        Report.objects.get(record=included_at_ta(team, title="Never found")), "No access", team.lead
    )
    url = f"/r/{team.review.slug}/full-text/"
    client = team.client(team.reviewer1)
    expected = {
        "sought": {"Sought only"},
        "not_retrieved": {"Never found"},
        "retrieved": {"Both include", "Both exclude"},
        "included": {"Both include"},
        "excluded": {"Both exclude"},
        "assessed": {"Both include", "Both exclude"},
    }
    titles = {"Sought only", "Never found", "Both include", "Both exclude"}
    client.get(url)  # the first visit gives the new reports their assessors
    for show, wanted in expected.items():
        # 15: the navigation counts the full texts and the studies waiting for this reviewer.
        with django_assert_max_num_queries(15):
            page = client.get(url, {"show": show}).content.decode()
        assert {t for t in titles if t in page} == wanted, show
    assert sought.record.title in client.get(url).content.decode()
    # More reports, same number of queries.
    for n in range(6):
        retrieved(team, title=f"Extra {n}")
    client.get(url)
    with django_assert_max_num_queries(15):
        client.get(url)


def test_an_adjudicator_only_member_has_no_full_text_pages(team):
    report = retrieved(team)
    ada = team.client(team.adjudicator)
    assert ada.get(f"/r/{team.review.slug}/full-text/").status_code == 403
    assert ada.get(detail(team, report)).status_code == 403


def test_an_escalated_full_text_conflict_shows_the_adjudicator_its_pdf(team, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .pdfs import pdf_with_text

    rec, conflict = conflicted(team, stage=FT)
    report = Report.objects.get(record=rec)
    fulltext.attach_pdf(report, SimpleUploadedFile("p.pdf", pdf_with_text("Body")), team.lead)
    url = f"/r/{team.review.slug}/conflicts/{conflict.pk}/full-text/"
    ada = team.client(team.adjudicator)
    assert ada.get(url).status_code == 404
    conflicts.escalate(conflict, team.reviewer1, "Design?")
    response = ada.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert Conflict.objects.get(pk=conflict.pk).is_escalated
