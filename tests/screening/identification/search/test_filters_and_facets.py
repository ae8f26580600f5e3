"""Filters and their counts, in the URL, combinable with the search; blind to others."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from reviewapp.models import ExclusionReason, Stage
from screening.decisions import queues
from screening.decisions import service as decisions
from screening.models import Report
from tests.factories import RecordFactory, review_with_the_same_people


@pytest.fixture
def screened(team):
    reason = ExclusionReason.objects.create(
        review=team.review, stage=Stage.TITLE_ABSTRACT, label="Wrong population"
    )
    r = [
        RecordFactory(
            review=team.review,
            search__review=team.review,
            title=f"Nurse study {i}",
            abstract="" if i == 3 else "An abstract.",
        )
        for i in range(4)
    ]
    queues.ensure_assignments(team.review)
    decisions.decide(r[0], team.reviewer1, "include")
    decisions.decide(r[0], team.reviewer2, "include")
    decisions.decide(r[1], team.reviewer1, "exclude", reason=reason)
    decisions.decide(r[1], team.reviewer2, "exclude", reason=reason)
    decisions.decide(r[2], team.reviewer2, "exclude", reason=reason)  # only Remy, pending
    Report.objects.filter(record=r[0]).update(
        link="https://example.org/a.pdf", retrieval="retrieved"
    )
    return r, reason


def page(team, user, **params):
    return team.client(user).get(f"/r/{team.review.slug}/records/", params)


def shown(response) -> set[str]:
    return {r.title for r in response.context["records"]}


def test_final_decision_reason_abstract_and_full_text_filters(team, screened):
    r, reason = screened
    assert shown(page(team, team.lead, final="included")) == {r[0].title}
    assert shown(page(team, team.lead, final="excluded", reason=reason.pk)) == {r[1].title}
    assert shown(page(team, team.lead, abstract="no")) == {r[3].title}
    assert shown(page(team, team.lead, fulltext="yes")) == {r[0].title}
    assert shown(page(team, team.lead, q="nurse", final="pending")) == {r[2].title, r[3].title}


def test_my_decision_filter_reads_only_my_own_decisions(team, screened):
    r, _reason = screened
    # Remy excluded r[2]; Rita has not: Rita's "I excluded" must not show it.
    assert shown(page(team, team.reviewer1, mine="exclude")) == {r[1].title}
    assert shown(page(team, team.reviewer2, mine="exclude")) == {r[1].title, r[2].title}
    assert r[2].title in shown(page(team, team.reviewer1, mine="undecided"))


def test_facet_counts_describe_the_matching_records(team, screened):
    facets = page(team, team.reviewer1).context["facets"]
    final = {value: n for value, _label, n in facets["final"]}
    assert final == {"included": 1, "excluded": 1, "pending": 2}
    mine = {value: n for value, _label, n in facets["mine"]}
    assert mine == {"include": 1, "exclude": 1}  # Rita's own only
    assert facets["abstract"][0][2] == 3


def test_filters_live_in_the_url(team, screened):
    response = page(team, team.lead, q="nurse", final="excluded")
    assert "final=excluded" in response.context["query"] and "q=nurse" in response.context["query"]


def test_export_records_query_exports_what_the_page_shows(team, screened, tmp_path):
    r, _reason = screened
    RecordFactory(review=team.review, search__review=team.review, title="Physicians only")
    out = tmp_path / "nurses.csv"
    call_command(
        "export_records",
        "--review",
        team.review.slug,
        "--format",
        "csv",
        "--query",
        'nurse -"study 3"',
        "-o",
        str(out),
        stderr=StringIO(),
    )
    exported = {line.split(",")[4] for line in out.read_text().splitlines()[1:]}
    assert exported == shown(page(team, team.lead, q='nurse -"study 3"'))
    assert "Physicians only" not in exported and len(exported) == 3


def test_the_page_export_follows_the_filters(team, screened):
    r, _reason = screened
    response = team.client(team.lead).get(
        f"/r/{team.review.slug}/records/export/", {"format": "csv", "final": "included"}
    )
    body = b"".join(response.streaming_content).decode()
    assert r[0].title in body and r[1].title not in body


def test_the_records_page_makes_a_bounded_number_of_queries(
    team, screened, django_assert_max_num_queries
):
    for i in range(60):
        RecordFactory(review=team.review, search__review=team.review, title=f"Extra {i}")
    queues.ensure_assignments(team.review)  # as after an import's de-duplication
    client = team.client(team.reviewer1)
    client.get(f"/r/{team.review.slug}/records/")  # the navigation's counts are stored once
    with django_assert_max_num_queries(24):
        response = client.get(
            f"/r/{team.review.slug}/records/",
            {"q": "extra", "final": "pending", "mine": "undecided"},
        )
    assert len(response.context["records"]) == 50


def test_a_search_broader_than_the_facet_limit_says_why_it_has_no_counts(
    team, screened, monkeypatch
):
    from screening.views import records

    monkeypatch.setattr(records, "FACET_LIMIT", 2)
    broad = page(team, team.lead, q="nurse").content.decode()
    assert "Counts by filter show once the search or filters narrow the list to 2" in broad
    assert "facet-list" not in broad
    narrow = page(team, team.lead, q="nurse", final="included").content.decode()
    assert "facet-list" in narrow
    whole = page(team, team.lead).content.decode()  # the whole review: counts through indexes
    assert "facet-list" in whole


def test_the_next_pages_skip_the_counts_of_the_first(team, screened):
    r, _ = screened
    first = page(team, team.lead).content.decode()
    later = page(team, team.lead, after=r[0].pk).content.decode()
    assert "facet-list" in first
    assert "facet-list" not in later and "Counts by filter show once" not in later
    assert r[1].title in later


def test_the_whole_reviews_counts_follow_an_import_and_each_decision(
    team, screened, django_capture_on_commit_callbacks
):
    """The records' counts over the whole review are kept until the next import (they change
    with nothing else); the statuses' and my decisions' are read on every page."""
    from screening.identification.imports import import_file_now
    from screening.models import Search

    def counts(facet: str) -> dict:
        facets = page(team, team.reviewer1).context["facets"]
        return {value: n for value, _label, n in facets[facet]}

    r, _reason = screened
    search = r[0].search
    assert counts("source") == {search.source: 4}
    decisions.decide(r[3], team.reviewer1, "include")
    decisions.decide(r[3], team.reviewer2, "include")
    assert counts("final") == {"included": 2, "excluded": 1, "pending": 1}
    assert counts("mine") == {"include": 2, "exclude": 1}

    embase = Search.objects.create(review=team.review, source="Embase")
    ris = b"TY  - JOUR\nTI  - Mentoring nurses into research\nPY  - 1999\nAB  - Text.\nER  - \n"
    with django_capture_on_commit_callbacks(execute=True):
        job = import_file_now(embase, ris, "embase.ris", user=team.lead)
    assert job.status == "done", job.error
    assert counts("source") == {search.source: 4, "Embase": 1}
    assert counts("year")[1999] == 1


def test_the_status_filters_list_only_this_reviews_records(team, screened):
    """The final-decision and reason filters take the records by their statuses' ids, with no
    review condition on the records themselves: another review's excluded records (same
    people, same words) stay out."""
    r, reason = screened
    other = review_with_the_same_people(team.review)
    elsewhere = RecordFactory(review=other, search__review=other, title="Nurse study elsewhere")
    queues.ensure_assignments(other)
    decisions.decide(elsewhere, team.reviewer1, "exclude")
    decisions.decide(elsewhere, team.reviewer2, "exclude")
    for params, expected in [
        ({"final": "excluded"}, {r[1].title}),
        ({"final": "excluded", "q": "nurse"}, {r[1].title}),
        ({"reason": reason.pk}, {r[1].title}),
        ({"final": "pending"}, {r[2].title, r[3].title}),
    ]:
        response = page(team, team.lead, **params)
        assert shown(response) == expected
        assert response.context["total"] == len(expected)
        assert sum(n for _k, _label, n in response.context["facets"]["final"]) == len(expected)
    response = team.client(team.lead).get(f"/r/{other.slug}/records/", {"final": "excluded"})
    assert shown(response) == {"Nurse study elsewhere"}
