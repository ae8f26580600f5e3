"""A passage says where it comes from: a primary study's results, a quotation, an author's
interpretation, or the text of a review reporting on the study, with the section it stands in."""

from __future__ import annotations

import pytest

from coding import services
from coding.models import Coding, SourceType
from synthesis import exports
from synthesis import services as synth

from .factories import ecological_codebook, included_study

pytestmark = pytest.mark.django_db

REVIEW_TEXT = (
    "Results. Financial support helps offset the economic implications of reducing clinical "
    "work for research activities [3, 41]."
)


@pytest.fixture
def ready(team):
    codes = ecological_codebook(team.review, team.lead)
    services.publish(team.review.codebook, team.lead, "v1")
    study = included_study(team.review, "Archibald 2017", 3, text=REVIEW_TEXT)
    return codes, study, services.documents_of(study)[0]


def test_the_coding_form_records_review_text_and_its_section(team, ready):
    codes, study, document = ready
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/coding/studies/{study.pk}/codings/",
        {
            "document": document.pk,
            "excerpt": "Financial support helps offset",
            "codes": [codes["Funding"].pk],
            "source_type": SourceType.REVIEW,
            "section": "Results, Facilitators-environmental level",
        },
    )
    assert response.status_code == 302
    coding = Coding.objects.get(study=study)
    assert (coding.source_type, coding.section) == (
        "review",
        "Results, Facilitators-environmental level",
    )
    page = team.client(team.reviewer1).get(response["Location"]).content.decode()
    assert "Review text (Results, Facilitators-environmental level)" in page


def test_a_recode_keeps_the_source_and_section(team, ready):
    codes, study, document = ready
    (coding,) = services.create_codings(
        study,
        team.reviewer1,
        [codes["Funding"]],
        document=document,
        excerpt="Financial support",
        source_type=SourceType.REVIEW,
        section="Results",
    )
    (new,) = services.recode(coding, team.reviewer1, [codes["Protected time"]])
    assert (new.source_type, new.section) == ("review", "Results")


def test_the_exports_name_the_source_type_with_its_section(team, ready):
    codes, study, document = ready
    services.create_codings(
        study,
        team.reviewer1,
        [codes["Funding"]],
        document=document,
        excerpt="Financial support",
        source_type=SourceType.REVIEW,
        section="Results, Facilitators-environmental level",
    )
    matrix, themes = synth.themes(team.review)
    assert "Review text (Results, Facilitators-environmental level)" in exports.themes_csv(themes)
    markdown = exports.themes_markdown(team.review.title, matrix, synth.counts(matrix), themes)
    assert "review text (Results, Facilitators-environmental level)" in markdown
