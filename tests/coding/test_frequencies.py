"""Citation frequency of each code: studies and excerpts, by version, coder and source."""

from __future__ import annotations

import pytest

from coding import services
from coding.models import SourceType
from screening.models import Study

from .factories import ecological_codebook, included_study


@pytest.fixture
def coded(team):
    codes = ecological_codebook(team.review, team.lead)
    book = team.review.codebook
    services.publish(book, team.lead, "v1")
    s3, s13, s41 = (included_study(team.review, f"Study {n}", n) for n in (3, 13, 41))

    def code(study, coder, code, source=SourceType.RESULTS, excerpt="Results"):
        doc = services.documents_of(study)[0]
        services.create_codings(
            study, coder, [code], document=doc, excerpt=excerpt, source_type=source
        )

    code(s3, team.reviewer1, codes["Protected time"])
    code(s3, team.reviewer1, codes["Protected time"], SourceType.QUOTATION, "free afternoon")
    code(s13, team.reviewer2, codes["Protected time"])
    code(s41, team.reviewer1, codes["Funding"])
    return codes, book, (s3, s13, s41)


def by_name(rows):
    return {r.node.name: r for r in rows}


def test_each_code_counts_its_studies_and_excerpts(team, coded):
    rows = by_name(services.code_frequencies(team.review))
    assert (rows["Protected time"].studies, rows["Protected time"].excerpts) == (2, 3)
    assert (rows["Funding"].studies, rows["Funding"].excerpts) == (1, 1)
    assert rows["Lack of funding"].excerpts == 0
    parent = rows["Environmental facilitators"]
    assert (parent.excerpts, parent.total_studies, parent.total_excerpts) == (0, 3, 4)
    assert rows["Protected time"].node.effective_level == "environmental"


def test_frequencies_filter_by_coder_and_source_type(team, coded):
    mine = by_name(services.code_frequencies(team.review, coder=team.reviewer1))
    assert mine["Protected time"].excerpts == 2
    quotes = by_name(services.code_frequencies(team.review, source_type=SourceType.QUOTATION))
    assert (quotes["Protected time"].studies, quotes["Protected time"].excerpts) == (1, 1)


def test_a_merge_counts_the_merged_codes_codings_for_its_target_from_that_version_on(team, coded):
    codes, book, (s3, s13, s41) = coded
    services.merge_codes(codes["Funding"], codes["Protected time"], team.lead)
    services.publish(book, team.lead, "Funding folded into protected time")
    doc = services.documents_of(s41)[0]
    services.create_codings(
        s41, team.reviewer2, [codes["Lack of funding"]], document=doc, excerpt="funding"
    )

    v1 = by_name(services.code_frequencies(team.review, version=1))
    v2 = by_name(services.code_frequencies(team.review, version=2))

    assert (v1["Protected time"].studies, v1["Funding"].studies) == (2, 1)
    assert v1["Lack of funding"].excerpts == 0  # coded under v2: not part of the v1 picture
    assert "Funding" not in v2
    assert sorted(v2["Protected time"].study_ids) == sorted([s3.pk, s13.pk, s41.pk])
    assert v2["Lack of funding"].excerpts == 1
    assert services.codings_for(team.review, 1).count() == 4
    assert services.codings_for(team.review, 2).count() == 5


def test_studies_no_longer_included_do_not_count(team, coded):
    codes, book, (s3, s13, s41) = coded
    from screening.models import RecordStatus

    RecordStatus.objects.filter(record__report__study=s41).update(outcome="excluded")
    rows = by_name(services.code_frequencies(team.review))
    assert rows["Funding"].studies == 0
    assert Study.objects.filter(review=team.review).count() == 3


def test_frequency_page_shows_counts(team, coded):
    page = team.client(team.lead).get(f"/r/{team.review.slug}/coding/frequencies/?version=1")
    assert page.status_code == 200
    assert "Protected time" in page.content.decode()
