"""The records list: search as you type, filters, keyset pagination in a bounded number of queries."""

from __future__ import annotations

import re

import pytest

from screening.models import Phase, Record, Search
from screening.views.records import PAGE_SIZE

pytestmark = pytest.mark.django_db
# About 8 of ours (session, user, membership, page, bounded count, filter choices); the rest are
# the navigation's badges of other stages. What matters: the same on any page, for any size.
MAX_QUERIES = 45


@pytest.fixture
def records(team):
    scopus = Search.objects.create(review=team.review, source="Scopus")
    wos = Search.objects.create(review=team.review, source="Web of Science", phase=Phase.UPDATE)
    rows = [
        Record(review=team.review, search=scopus if i % 2 else wos, title=f"Study number {i}",
               year=2000 + i % 5, language="English" if i % 3 else "Chinese", doi=f"10.1/{i}")
        for i in range(120)
    ]  # fmt: skip
    Record.objects.bulk_create(rows)
    return rows


def _ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'/records/(\d+)/"', html)]


def test_records_are_paged_by_id_forward_and_back(team, records, django_assert_max_num_queries):
    client = team.client(team.reviewer1)
    url = f"/r/{team.review.slug}/records/"
    with django_assert_max_num_queries(MAX_QUERIES):
        first = client.get(url).content.decode()
    ids = _ids(first)
    assert len(ids) == PAGE_SIZE and ids == sorted(ids)
    assert "120 records" in first
    next_url = re.search(r'href="(\?after=\d+)"', first).group(1)
    with django_assert_max_num_queries(MAX_QUERIES):
        second = client.get(url + next_url).content.decode()
    assert _ids(second)[0] == ids[-1] + 1
    prev_url = re.search(r'href="(\?before=\d+)"', second).group(1)
    assert _ids(client.get(url + prev_url).content.decode()) == ids


def _walk(client, url: str, params: dict) -> tuple[str, list[list[int]], list[list[int]]]:
    """The first page's text, and the pages' ids from the first forward, then back."""
    first = html = client.get(url, params).content.decode()
    forward, back = [_ids(html)], []
    while found := re.search(r'href="(\?[^"]*after=\d+)"', html):
        html = client.get(url + found.group(1).replace("&amp;", "&")).content.decode()
        forward.append(_ids(html))
    while found := re.search(r'href="(\?[^"]*before=\d+)"', html):
        html = client.get(url + found.group(1).replace("&amp;", "&")).content.decode()
        back.append(_ids(html))
    return first, forward, back


@pytest.mark.parametrize("params", [{}, {"q": "study"}, {"source": "Scopus", "year": "2001"}])
def test_a_list_past_the_count_limit_pages_as_one_within_it(team, records, monkeypatch, params):
    """Within COUNT_LIMIT the page is cut from the matching ids; past it, by the search in id
    order: the same pages, forward and back."""
    from screening.views import records as view

    client = team.client(team.reviewer1)
    url = f"/r/{team.review.slug}/records/"
    within, forward, back = _walk(client, url, params)
    monkeypatch.setattr(view, "COUNT_LIMIT", 10)
    past, forward_past, back_past = _walk(client, url, params)
    assert (forward_past, back_past) == (forward, back)
    matching = sorted(n for page in forward for n in page)
    assert len(matching) > 10 and matching == [n for page in forward for n in page]
    assert back == forward[-2::-1]
    assert "More than 10 records" in past and "More than" not in within


def test_search_as_you_type_returns_only_the_table(team, records):
    response = team.client(team.reviewer1).get(
        f"/r/{team.review.slug}/records/", {"q": "number 7"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="record-table"' in html
    assert "Study number 7<" in html and "Study number 8<" not in html


def test_filters_by_source_phase_year_and_language(team, records):
    client = team.client(team.reviewer1)
    html = client.get(
        f"/r/{team.review.slug}/records/",
        {"source": "Scopus", "year": "2001", "language": "English"},
    ).content.decode()
    shown = Record.objects.filter(pk__in=_ids(html))
    assert shown and all(
        (r.search.source, r.year, r.language) == ("Scopus", 2001, "English") for r in shown
    )
    update = client.get(f"/r/{team.review.slug}/records/", {"phase": "update"}).content.decode()
    assert "60 records match" in update


def test_the_search_box_finds_a_doi(team, records):
    html = (
        team.client(team.lead)
        .get(f"/r/{team.review.slug}/records/", {"q": "10.1/42"})
        .content.decode()
    )
    assert "Study number 42<" in html and "1 record match" in html


def test_the_list_works_without_javascript(team, records):
    html = team.client(team.lead).get(f"/r/{team.review.slug}/records/").content.decode()
    assert '<form method="get"' in html and 'name="q"' in html
    assert 'hx-trigger="input changed delay:300ms' in html


def test_records_of_another_review_are_not_listed(team, records):
    other = Search.objects.create(
        review=__import__("tests.factories", fromlist=["ReviewFactory"]).ReviewFactory(), source="X"
    )
    stranger = Record.objects.create(review=other.review, search=other, title="Somebody else's")
    html = team.client(team.lead).get(f"/r/{team.review.slug}/records/", {"q": "Somebody"})
    assert "Somebody else" not in html.content.decode()
    assert (
        team.client(team.lead).get(f"/r/{team.review.slug}/records/{stranger.pk}/").status_code
        == 404
    )
