"""Two extractors per study: side-by-side comparison and a consensus version."""

from __future__ import annotations

import pytest

from coding import services
from coding.models import Extraction

from .factories import included_study


@pytest.fixture
def two_extractions(team):
    form = services.ensure_default_form(team.review)
    form.extractors_per_study = 2
    form.save()
    study = included_study(team.review, "Tavakol 2008", 34)
    base = {"reference": "2. Tavakol [34]", "region": "United Kingdom", "methods": "Interview"}
    services.save_extraction(study, team.reviewer1, {**base, "sample_size": 20}, completed=True)
    services.save_extraction(study, team.reviewer2, {**base, "sample_size": 21}, completed=True)
    return study


def test_table_shows_what_both_extractors_agree_on_until_a_consensus_exists(team, two_extractions):
    fields, rows = services.study_table(team.review)
    row = rows[0]
    assert row.status == "pending"
    assert row.disagreements == ["Sample size"]
    assert row.values == {
        "reference": "2. Tavakol [34]",
        "region": "United Kingdom",
        "methods": "Interview",
    } | dict.fromkeys(("year", "participants", "outcome", "strategy"))


def test_comparison_page_puts_extractors_side_by_side_and_flags_differences(team, two_extractions):
    page = (
        team.client(team.lead)
        .get(f"/r/{team.review.slug}/extraction/studies/{two_extractions.pk}/compare/")
        .content.decode()
    )
    assert "Rita Reviewer" in page and "Remy Reviewer" in page
    assert '<tr class="differ"><th scope="row">Sample size' in page
    assert 'value="United Kingdom"' in page  # the consensus form starts from the agreed answers


def test_consensus_becomes_the_table_row(team, two_extractions):
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/extraction/studies/{two_extractions.pk}/compare/",
        {
            "reference": "2. Tavakol [34]",
            "region": "United Kingdom",
            "methods": "Interview",
            "sample_size": "20",
        },
    )
    assert response.status_code == 302
    consensus = Extraction.objects.get(study=two_extractions, is_consensus=True)
    assert consensus.values["sample_size"] == 20
    _, rows = services.study_table(team.review)
    assert (rows[0].status, rows[0].values["sample_size"]) == ("consensus", 20)
