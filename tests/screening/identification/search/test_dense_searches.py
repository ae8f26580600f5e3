"""A search matching most of a review reads its first matches walking the ids in order; a rare
one through the full-text index. Either way the page shows the same records and count."""

from __future__ import annotations

import pytest
from django.db import connection

from screening.identification import search
from screening.identification.search import index_pending, parse
from tests.factories import RecordFactory


@pytest.fixture
def review_of_one_topic(team):
    """120 records about restoration; 3 of them about wetlands, 30 about forests."""
    for i in range(120):
        topic = "wetland" if i % 40 == 0 else "forest" if i % 4 == 1 else "grassland"
        RecordFactory(
            review=team.review,
            search__review=team.review,
            title=f"Restoration of a {topic}, site {i}",
            abstract=f"Ecological restoration outcomes at site {i}.",
        )
    index_pending(team.review.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE screening_record")  # the planner's estimates of the words
    return team.review


def _matching(review, text):
    return search.apply(review.records.all(), parse(text), review)


@pytest.mark.postgres
def test_a_word_in_most_records_walks_the_ids_a_rare_one_does_not(review_of_one_topic):
    if connection.vendor != "postgresql":
        pytest.skip("the choice reads PostgreSQL's estimates: run with DATABASE_URL=postgres://…")
    review = review_of_one_topic
    everything = review.records.all()
    # Two wanted of 120: the walk pays when more than about two thirds match (WALK_RATIO).
    assert search.in_id_order(_matching(review, "restoration"), everything, 2)
    assert not search.in_id_order(_matching(review, "wetland"), everything, 2)
    assert not search.in_id_order(_matching(review, "forest"), everything, 2)
    # Wanting few of many matches favours the walk; wanting as many as there are, the index.
    assert not search.in_id_order(_matching(review, "restoration"), everything, 120)


def test_not_on_sqlite(review_of_one_topic):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite has no planner estimates to read")
    review = review_of_one_topic
    assert not search.in_id_order(_matching(review, "restoration"), review.records.all(), 20)


@pytest.mark.parametrize("limit", [20, 60])  # below and above the page's 50
@pytest.mark.parametrize("text", ["restoration", "restoration -forest", "wetland"])
def test_the_page_is_the_same_whichever_way_the_matches_are_read(
    team, review_of_one_topic, monkeypatch, text, limit
):
    """The first page, its links and the count, with the walk forced on and off: read in id
    order, the first page is cut from the ids the count read when they hold one."""
    from screening.views import records as view

    monkeypatch.setattr(view, "COUNT_LIMIT", limit)
    client = team.client(team.reviewer1)
    url = f"/r/{team.review.slug}/records/"
    pages = {}
    for walk in (True, False):
        monkeypatch.setattr(search, "in_id_order", lambda *args, walk=walk: walk)
        response = client.get(url, {"q": text})
        pages[walk] = (
            [r.pk for r in response.context["records"]],
            response.context["total"],
            response.context["more_than_limit"],
            response.context["next_url"],
            response.context["prev_url"],
        )
    assert pages[True] == pages[False]
    expected = sorted(_matching(review_of_one_topic, text).values_list("pk", flat=True))
    rows, total, more, next_url, prev_url = pages[True]
    assert rows == expected[: view.PAGE_SIZE]
    assert more == (len(expected) > limit)
    assert total == min(len(expected), limit)
    assert prev_url == "" and (next_url != "") == (len(expected) > view.PAGE_SIZE)
