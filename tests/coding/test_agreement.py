"""Agreement between two coders: Cohen's kappa per code over studies, and passage overlap."""

from __future__ import annotations

import pytest

from coding import services
from coding.models import CodingStatus

from .factories import ecological_codebook, included_study


def test_kappa_of_a_textbook_two_by_two_table():
    # 20 both, 5 only A, 10 only B, 15 neither: po = .7, pe = .5, kappa = .4
    assert services.cohen_kappa(20, 5, 10, 15) == pytest.approx(0.4)
    assert services.cohen_kappa(3, 0, 0, 0) is None  # everyone said yes: kappa undefined


@pytest.fixture
def coded(team):
    codes = ecological_codebook(team.review, team.lead)
    services.publish(team.review.codebook, team.lead, "v1")
    studies = [included_study(team.review, f"Study {n}", n) for n in range(1, 6)]
    docs = [services.documents_of(s)[0] for s in studies]
    time = codes["Protected time"]

    def code(coder, i, c, start=0, end=10):
        services.create_codings(studies[i], coder, [c], document=docs[i], start=start, end=end)

    # Protected time: A in studies 1-3, B in 1, 2 and 4; study 5 coded by both with Funding only.
    code(team.reviewer1, 0, time, 10, 30)
    code(team.reviewer2, 0, time, 20, 40)
    for coder, i in [
        (team.reviewer1, 1),
        (team.reviewer2, 1),
        (team.reviewer1, 2),
        (team.reviewer2, 3),
    ]:
        code(coder, i, time)
    code(team.reviewer1, 3, codes["Funding"])
    code(team.reviewer2, 2, codes["Funding"])
    code(team.reviewer1, 4, codes["Funding"])
    code(team.reviewer2, 4, codes["Funding"])
    return codes


def test_kappa_per_code_is_computed_over_the_studies_both_coders_coded(team, coded):
    report = services.agreement(team.review, team.reviewer1, team.reviewer2)
    assert len(report.study_ids) == 5
    row = next(r for r in report.codes if r.node.name == "Protected time")
    assert (row.both, row.only_a, row.only_b, row.neither) == (2, 1, 1, 1)
    # po = 3/5 = .6; pA = pB = 3/5, pe = .36 + .16 = .52; kappa = .08 / .48 = 1/6
    assert row.kappa == pytest.approx(1 / 6)
    # Study 1: [10, 30) vs [20, 40) overlap 10 of 30 characters; studies 2-3: [0, 10) alike / A only.
    assert row.overlap_chars == 10 + 10
    assert row.union_chars == 30 + 10 + 10 + 10


def test_agreement_page_shows_kappa_per_code(team, coded):
    page = (
        team.client(team.lead)
        .get(f"/r/{team.review.slug}/coding/agreement/?a={team.reviewer1.pk}&b={team.reviewer2.pk}")
        .content.decode()
    )
    assert "Protected time" in page
    assert "0.17" in page


def test_reconciling_marks_codings_agreed_or_removed(team, coded):
    study = team.review.studies.get(label="Study 1")
    client = team.client(team.reviewer1)
    page = client.get(
        f"/r/{team.review.slug}/coding/studies/{study.pk}/reconcile/"
    ).content.decode()
    assert "Remy Reviewer" in page and "Rita Reviewer" in page
    a, b = study.codings.order_by("coder__email")
    client.post(f"/r/{team.review.slug}/coding/codings/{a.pk}/status/", {"status": "agreed"})
    client.post(f"/r/{team.review.slug}/coding/codings/{b.pk}/status/", {"status": "removed"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (CodingStatus.AGREED, CodingStatus.REMOVED)
    report = services.agreement(team.review, team.reviewer1, team.reviewer2)
    row = next(r for r in report.codes if r.node.name == "Protected time")
    assert row.both == 1  # the removed coding no longer counts
