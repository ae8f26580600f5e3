"""The extraction form: the Table 2 template, the lead's fields, and validation per type."""

from __future__ import annotations

import pytest

from coding import services
from coding.models import Extraction, ExtractionField, FieldKind

from .factories import included_study


@pytest.fixture
def study(team):
    return included_study(team.review, "Christiaanse 2008", 9)


def test_a_new_review_starts_from_the_seed_table_2_template(team):
    form = services.ensure_default_form(team.review)
    labels = list(form.fields.values_list("label", flat=True))
    assert labels == [
        "Reference",
        "Year",
        "Region",
        "Participants",
        "Methods",
        "Sample size",
        "Outcome",
        "Strategy in overcoming the barriers",
    ]
    assert list(form.sections.values_list("title", flat=True)) == [
        "Study",
        "Participants and methods",
        "Findings",
    ]
    assert services.ensure_default_form(team.review).fields.count() == 8  # created once


def test_lead_adds_an_integer_range_field_with_bounds(team):
    client = team.client(team.lead)
    section = services.ensure_default_form(team.review).sections.first()
    response = client.post(
        f"/r/{team.review.slug}/extraction/form/fields/new/",
        {
            "section": section.pk,
            "label": "Age range",
            "kind": FieldKind.INT_RANGE,
            "min_value": 18,
            "max_value": 90,
            "help_text": "Years",
        },
    )
    assert response.status_code == 302
    field = ExtractionField.objects.get(label="Age range")
    assert (field.key, field.kind, field.min_value) == ("age_range", FieldKind.INT_RANGE, 18)


def test_a_choice_field_needs_options(team):
    section = services.ensure_default_form(team.review).sections.first()
    response = team.client(team.lead).post(
        f"/r/{team.review.slug}/extraction/form/fields/new/",
        {"section": section.pk, "label": "Design", "kind": FieldKind.SINGLE},
    )
    assert response.status_code == 200
    assert "needs at least one option" in response.content.decode()


def post_answers(team, study, **answers):
    return team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/extraction/studies/{study.pk}/", answers
    )


def test_answers_are_validated_per_type_with_messages_next_to_the_field(team, study):
    form = services.ensure_default_form(team.review)
    section = form.sections.first()
    ExtractionField.objects.create(
        form=form,
        section=section,
        key="age",
        label="Age range",
        kind=FieldKind.INT_RANGE,
        min_value=18,
        max_value=90,
        position=9,
    )
    response = post_answers(
        team,
        study,
        reference="",
        year="1492",
        sample_size="-4",
        methods="Telepathy",
        age_0="60",
        age_1="30",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page  # reference
    assert "Enter a year between 1800 and" in page
    assert "greater than or equal to 0" in page
    assert "Select a valid choice. Telepathy is not one of the available choices." in page
    assert "The range runs backwards" in page
    assert not Extraction.objects.exists()


def test_valid_answers_are_stored_as_typed_values(team, study):
    response = post_answers(
        team,
        study,
        reference="1. Christiaanse [9]",
        year="2008",
        region="United States",
        participants="Faculty of Medicine",
        methods="Questionnaire survey",
        sample_size="855",
        outcome="Barriers: funding, protected time.",
        completed="on",
    )
    assert response.status_code == 302
    extraction = Extraction.objects.get(study=study, extractor=team.reviewer1)
    assert extraction.completed
    assert extraction.values == {
        "reference": "1. Christiaanse [9]",
        "year": 2008,
        "region": "United States",
        "participants": "Faculty of Medicine",
        "methods": "Questionnaire survey",
        "sample_size": 855,
        "outcome": "Barriers: funding, protected time.",
    }
    page = team.client(team.reviewer1).get(f"/r/{team.review.slug}/extraction/studies/{study.pk}/")
    assert 'value="855"' in page.content.decode()
