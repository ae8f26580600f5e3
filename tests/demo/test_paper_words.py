"""The reference review's demo tells only the truth: every excerpt, every text the coders read,
every extraction value, the criteria and the question are the paper's own words, and each excerpt
is linked to exactly the studies the paper cites for it."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from coding.models import Coding, Document, Extraction, SourceType
from demo import codebook, paper
from demo.codebook import citations_in

from .conftest import normalise

pytestmark = pytest.mark.django_db


def test_the_normalisation_forgives_layout_not_words():
    assert normalise("Question- naire  Survey") == normalise("Questionnaire Survey")
    assert normalise("“reminders”\n\nin home") == normalise('"reminders" in home')
    assert normalise("more funding") != normalise("more money")


def test_every_excerpt_is_the_papers_text(review, paper_text):
    codings = Coding.objects.filter(review=review)
    assert codings.count() > 25
    missing = {c.excerpt for c in codings if normalise(c.excerpt) not in paper_text}
    assert missing == set()


def test_every_excerpt_is_review_text_with_its_section_never_a_quotation(review, person, client):
    codings = Coding.objects.filter(review=review)
    assert set(codings.values_list("source_type", flat=True)) == {SourceType.REVIEW}
    sections = set(codings.values_list("section", flat=True))
    assert sections == {s.section for s in codebook.SUBTHEMES}
    assert all(section.startswith("Results, ") for section in sections)
    client.force_login(person("lead"))
    html = client.get(f"/r/{review.slug}/synthesis/themes/").content.decode()
    assert "Review text (Results, Facilitators-interpersonal level)" in html
    assert "Participant quotation" not in html.split("</select>")[-1]


def test_each_excerpt_is_linked_to_exactly_the_studies_the_paper_cites_for_it(review):
    studies_of = defaultdict(set)
    for excerpt, ref in (
        Coding.objects.filter(review=review)
        .current()
        .values_list("excerpt", "study__reference_number")
    ):
        studies_of[excerpt].add(ref)
    assert studies_of
    for excerpt, refs in studies_of.items():
        assert tuple(sorted(refs)) == citations_in(excerpt), excerpt
    quoted = {p.text for s in codebook.SUBTHEMES for p in s.passages}
    assert set(studies_of) == quoted  # every passage the paper gives is coded, nothing else


def test_every_code_with_a_sentence_has_it_and_no_code_has_another(review):
    by_code = defaultdict(set)
    for name, excerpt in (
        Coding.objects.filter(review=review).current().values_list("code__name", "excerpt")
    ):
        by_code[name].add(excerpt)
    expected = {s.name: {p.text for p in s.passages} for s in codebook.SUBTHEMES}
    assert by_code == expected


def test_the_texts_the_coders_read_are_the_papers_words(review, paper_text):
    documents = Document.objects.filter(study__review=review)
    assert documents.count() == 8
    labels = {f"Table 2, {c}" for c in paper.TABLE2_COLUMNS.values()}
    labels |= {s.section for s in codebook.SUBTHEMES}
    for document in documents:
        for paragraph in document.text.split("\n\n"):
            lines = paragraph.split("\n")
            if lines[0] in labels:
                lines = lines[1:]
            body = " ".join(lines)
            assert normalise(body) in paper_text, (document.title, body)


def test_the_extraction_is_table_2_cell_by_cell(review, paper_text):
    extractions = Extraction.objects.filter(study__review=review, completed=True)
    assert extractions.count() == 8
    by_ref = {s.ref: s for s in paper.STUDIES}
    for extraction in extractions:
        values = extraction.values
        study = by_ref[extraction.study.reference_number]
        for field in ("region", "participants", "methods", "outcome", "strategy"):
            assert values[field] == getattr(study, field)
            assert normalise(values[field]) in paper_text, (study.label, field)


def test_the_question_title_and_criteria_are_the_papers(review, paper_text):
    assert normalise(review.question) in paper_text
    assert normalise(review.title) in paper_text
    for criterion in review.criteria.all():
        for text in (criterion.inclusion, criterion.exclusion):
            assert normalise(text) in paper_text, text


def _title(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def test_no_record_of_an_included_study_carries_words_its_authors_did_not_write(review):
    records = list(review.records.all())
    for study in paper.STUDIES:
        found = [r for r in records if _title(r.title) == _title(study.title)]
        assert len(found) >= 2, study.label  # several databases found each
        for record in found:
            assert record.abstract.startswith(
                "The authors' abstract is not reproduced in this demo."
            ), record.abstract
            assert normalise(study.outcome) in normalise(record.abstract)
            assert not record.keywords


def test_every_made_up_record_says_so(review):
    included = {_title(s.title) for s in paper.STUDIES}
    others = [r for r in review.records.all() if _title(r.title) not in included]
    assert len(others) > 200
    for record in others:
        assert "not a real publication" in record.abstract, record.title
        assert record.journal.lower().startswith(("illustrative", "示範")), record.journal


def test_the_demo_people_are_not_the_papers_authors(review):
    names = set(review.memberships.values_list("user__full_name", flat=True))
    assert names == {"Demo Lead", "Demo Reviewer 1", "Demo Reviewer 2", "Demo Adjudicator"}
