"""Coding passages of an included study's text: offsets, several codes, overlaps, htmx."""

from __future__ import annotations

import pytest

from coding import services
from coding.models import Coding, CodingStatus, SourceType
from reviewapp.models import AuditEvent

from .factories import TEXT, ecological_codebook, included_study


@pytest.fixture
def ready(team):
    codes = ecological_codebook(team.review, team.lead)
    services.publish(team.review.codebook, team.lead, "v1")
    study = included_study(team.review, "Darbyshire 2013", 13)
    document = services.documents_of(study)[0]
    return codes, study, document


def test_coding_needs_a_published_codebook(team):
    ecological_codebook(team.review, team.lead)
    study = included_study(team.review, "Tavakol 2008", 34)
    with pytest.raises(services.CodingError, match="no published version"):
        services.create_codings(study, team.reviewer1, [], excerpt="x")


def test_a_selected_passage_gets_several_codes_with_offsets_version_and_source(team, ready):
    codes, study, document = ready
    start = TEXT.index("protected time")
    client = team.client(team.reviewer1)
    response = client.post(
        f"/r/{team.review.slug}/coding/studies/{study.pk}/codings/",
        {
            "document": document.pk,
            "start": start,
            "end": start + len("protected time"),
            "excerpt": "protected time",
            "codes": [codes["Protected time"].pk, codes["Career advancement"].pk],
            "source_type": SourceType.RESULTS,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="workspace"' in page and "<html" not in page  # the fragment only
    assert "My codings (2)" in page
    rows = Coding.objects.filter(study=study).order_by("code__name")
    assert [(c.code.name, c.start, c.excerpt, c.version.number) for c in rows] == [
        ("Career advancement", start, "protected time", 1),
        ("Protected time", start, "protected time", 1),
    ]
    assert AuditEvent.objects.filter(action="coding.added").count() == 2


def test_overlapping_codings_are_kept_and_highlighted_as_overlapping(team, ready):
    codes, study, document = ready
    quote_start = TEXT.index('"I only')
    quote_end = TEXT.index("physician.") + len("physician.")
    services.create_codings(
        study,
        team.reviewer1,
        [codes["Protected time"]],
        document=document,
        start=quote_start,
        end=quote_end,
        source_type=SourceType.QUOTATION,
    )
    services.create_codings(
        study,
        team.reviewer1,
        [codes["Career advancement"]],
        document=document,
        excerpt="my chief gave me a free afternoon",
    )
    codings = list(Coding.objects.filter(study=study).order_by("start"))
    assert codings[0].start < codings[1].start < codings[1].end < codings[0].end
    assert codings[0].source_type == SourceType.QUOTATION
    segments = services.segments(document.text, codings)
    assert [s["text"] for s in segments if len(s["codings"]) == 2] == [
        "my chief gave me a free afternoon"
    ]
    page = team.client(team.reviewer1).get(f"/r/{team.review.slug}/coding/studies/{study.pk}/")
    assert b'class="coded depth-2"' in page.content


def test_without_javascript_a_pasted_excerpt_is_found_in_the_text(team, ready):
    codes, study, document = ready
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/coding/studies/{study.pk}/codings/",
        {
            "document": document.pk,
            "excerpt": "mentorship   turns ideas\ninto projects",  # white space differs
            "codes": [codes["Career advancement"].pk],
            "source_type": SourceType.INTERPRETATION,
        },
    )
    assert response.status_code == 302
    coding = Coding.objects.get(study=study)
    assert coding.excerpt == "mentorship turns ideas into projects"
    assert TEXT[coding.start : coding.end] == coding.excerpt


def test_an_excerpt_not_in_the_text_is_refused_with_a_message(team, ready):
    codes, study, document = ready
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/coding/studies/{study.pk}/codings/",
        {
            "document": document.pk,
            "excerpt": "not in there",
            "codes": [codes["Funding"].pk],
            "source_type": SourceType.RESULTS,
        },
    )
    assert response.status_code == 400
    assert "not found in the study" in response.content.decode()
    assert not Coding.objects.exists()


def test_a_code_only_in_the_draft_cannot_be_applied(team, ready):
    codes, study, document = ready
    new = services.add_code(team.review.codebook, team.lead, name="Peer support")
    with pytest.raises(services.CodingError, match="Not in the published codebook"):
        services.create_codings(study, team.reviewer1, [new], document=document, excerpt="Results")


def test_pasted_text_becomes_a_codable_document(team, ready):
    _, study, _ = ready
    client = team.client(team.reviewer1)
    response = client.post(
        f"/r/{team.review.slug}/coding/studies/{study.pk}/texts/",
        {"title": "Table 3", "text": "Barriers: lack of time."},
    )
    assert response.status_code == 302
    assert study.documents.get(title="Table 3").text == "Barriers: lack of time."


def test_a_coder_removes_their_own_coding_but_not_anothers(team, ready):
    codes, study, document = ready
    coding = services.create_codings(
        study, team.reviewer1, [codes["Funding"]], document=document, excerpt="funding"
    )[0]
    other = team.client(team.reviewer2).post(
        f"/r/{team.review.slug}/coding/codings/{coding.pk}/delete/"
    )
    assert other.status_code == 302
    coding.refresh_from_db()
    assert coding.status == CodingStatus.OPEN
    team.client(team.reviewer1).post(f"/r/{team.review.slug}/coding/codings/{coding.pk}/delete/")
    coding.refresh_from_db()
    assert coding.status == CodingStatus.REMOVED


def test_studies_not_included_at_full_text_are_not_codable(team, ready):
    from screening.models import Study

    excluded = Study.objects.create(review=team.review, label="Excluded 2020")
    response = team.client(team.reviewer1).get(
        f"/r/{team.review.slug}/coding/studies/{excluded.pk}/"
    )
    assert response.status_code == 404


def test_coding_pages_use_a_bounded_number_of_queries(team, ready, django_assert_max_num_queries):
    codes, study, document = ready
    for i in range(4):
        other = included_study(team.review, f"Study {i}", 20 + i)
        doc = services.documents_of(other)[0]
        services.create_codings(
            other,
            team.reviewer1,
            [codes["Funding"], codes["Protected time"]],
            document=doc,
            excerpt="funding",
        )
    client = team.client(team.reviewer1)
    client.get(f"/r/{team.review.slug}/coding/")  # warm the session
    with django_assert_max_num_queries(25):
        assert client.get(f"/r/{team.review.slug}/coding/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(f"/r/{team.review.slug}/coding/studies/{study.pk}/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/r/{team.review.slug}/codebook/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/r/{team.review.slug}/coding/frequencies/").status_code == 200


def test_overview_and_navigation_show_the_coding_stage(team, ready):
    page = team.client(team.lead).get(f"/r/{team.review.slug}/").content.decode()
    assert "Extraction and coding" in page
    assert f'href="/r/{team.review.slug}/codebook/"' in page
    adjudicator_page = team.client(team.adjudicator).get(f"/r/{team.review.slug}/").content.decode()
    assert "Extraction and coding" not in adjudicator_page
