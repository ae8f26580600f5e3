"""Each demo review's About box says precisely what is the paper's (or the dataset's) and what is
illustrative, with the record counts the database really holds."""

from __future__ import annotations

import pytest

from demo import nudging, paper

pytestmark = pytest.mark.django_db


def _title(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text).lower().split())


def test_the_reference_review_states_its_record_counts_and_the_papers(review):
    about = review.description
    assert "814 records" in about and "216" in about  # the paper's abstract and its Results
    initial = review.records.filter(search__phase="initial")
    studies = {_title(s.title) for s in paper.STUDIES}
    of_studies = sum(_title(r.title) in studies for r in initial)
    assert f"initial search and its Results section {initial.count()}" in about
    assert f"{of_studies} records of the eight included studies" in about
    assert f"{initial.count() - of_studies} made-up records" in about
    update = review.records.filter(search__phase="update").count()
    assert f"2025 update; the demo's has {update} records" in about


def test_the_reference_review_names_what_is_the_papers_and_what_is_illustrative(review):
    about = review.description
    for part in ("Table 1", "Table 2", "Results section", "verbatim", "CC BY-NC-ND 4.0"):
        assert part in about
    for made_up in ("people", "decisions", "names and definitions", "coaching split"):
        assert made_up in about


def test_the_review_in_progress_names_its_source_and_licence(in_progress):
    about = in_progress.description
    n = in_progress.records.count()
    assert n == len(nudging.rows()) <= 200
    assert f"its {n} records, the first {n} of the 2,019 records" in about
    for part in ("Nagtegaal", "doi:10.30636/jbpa.22.71", "CC0 1.0", "doi:10.7910/DVN/WMGPGZ"):
        assert part in about
    assert "Illustrative: the question and eligibility criteria" in about


def test_the_about_boxes_are_on_the_overview_pages(demo_reviews, person, client):
    client.force_login(person("reviewer1"))
    for review in demo_reviews.values():
        page = client.get(f"/r/{review.slug}/").content.decode()
        assert "About this review" in page
        assert "Illustrative" in page or "illustrative" in page
