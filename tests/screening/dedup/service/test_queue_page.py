"""The lead's page of pairs to check: side by side, differences marked, escaped, few queries."""

from __future__ import annotations

from screening.dedup.service import run_dedup
from screening.models import DuplicateCandidate, DuplicateCluster

from .factories import article, pair_of_searches, uncertain_pair

HOSTILE = '<script>alert("x")</script> Mentoring <img src=x onerror=alert(1)>'


def _url(team, suffix: str = "") -> str:
    return f"/r/{team.review.slug}/duplicates/{suffix}"


def test_the_pair_is_shown_side_by_side_with_the_differing_words_marked(team):
    a, b = uncertain_pair(team.review)
    run_dedup(team.review)

    page = team.client(team.lead).get(_url(team))

    assert page.status_code == 200
    text = page.content.decode()
    assert f"Record {a.pk}" in text and f"Record {b.pk}" in text
    assert "<mark>study</mark>" in text and "<mark>analysis</mark>" in text
    assert "<mark>Mentoring</mark>" not in text
    assert 'aria-keyshortcuts="M"' in text and 'aria-keyshortcuts="N"' in text
    assert "<kbd>J</kbd>" in text and "<kbd>K</kbd>" in text
    assert "1 pair to check" in text


def test_hostile_titles_are_escaped(team):
    medline, embase = pair_of_searches(team.review)
    a = article(medline, title=HOSTILE, doi="", journal="")
    b = article(embase, title=HOSTILE + " again", doi="", journal="", authors=["Brown, A"])
    DuplicateCandidate.objects.create(review=team.review, record_a=a, record_b=b, score=0.8)

    text = team.client(team.lead).get(_url(team)).content.decode()

    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;" in text


def test_the_queue_page_needs_few_queries_however_many_pairs(team, django_assert_max_num_queries):
    for n in range(15):
        a, b = uncertain_pair(team.review, n)
        DuplicateCandidate.objects.get_or_create(
            review=team.review, record_a=a, record_b=b, defaults={"score": 0.5 + n / 100}
        )
    client = team.client(team.lead)
    pair = DuplicateCandidate.objects.open().first()

    with django_assert_max_num_queries(30):
        assert client.get(_url(team)).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(_url(team, f"pairs/{pair.pk}/")).status_code == 200
    with django_assert_max_num_queries(40):
        response = client.post(
            _url(team, f"pairs/{pair.pk}/decide/"), {"action": "merge"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200


def test_deciding_with_htmx_swaps_in_the_next_pair(team):
    uncertain_pair(team.review, 0)
    uncertain_pair(team.review, 1)
    run_dedup(team.review)
    first, second = DuplicateCandidate.objects.open().order_by("-score", "id")

    response = team.client(team.lead).post(
        _url(team, f"pairs/{first.pk}/decide/"),
        {"action": "not_duplicates"},
        HTTP_HX_REQUEST="true",
    )

    text = response.content.decode()
    assert text.lstrip().startswith('<section id="dedup-pair"')
    assert f'data-pair="{second.pk}"' in text
    assert "Not duplicates." in text
    first.refresh_from_db()
    assert first.status == "not_duplicates"


def test_deciding_without_javascript_redirects_to_the_queue(team):
    uncertain_pair(team.review)
    run_dedup(team.review)
    pair = DuplicateCandidate.objects.get()
    client = team.client(team.lead)

    response = client.post(_url(team, f"pairs/{pair.pk}/decide/"), {"action": "merge"})

    assert response.status_code == 302 and response["Location"] == _url(team)
    assert DuplicateCluster.objects.get().method == "manual"
    assert "No pair to check" in client.get(_url(team)).content.decode()


def test_only_leads_see_the_duplicates_page(team):
    uncertain_pair(team.review)
    run_dedup(team.review)
    assert team.client(team.reviewer1).get(_url(team)).status_code == 403
    assert team.client(team.outsider).get(_url(team)).status_code == 404
    lead_nav = team.client(team.lead).get(f"/r/{team.review.slug}/").content.decode()
    assert "Duplicates" in lead_nav
    assert "0 duplicates removed, 1 pair to check" in lead_nav


def test_the_run_button_deduplicates_now(team):
    medline, embase = pair_of_searches(team.review)
    article(medline)
    article(embase)
    client = team.client(team.lead)

    response = client.post(_url(team, "run/"), follow=True)

    assert "Clusters found: 1" in response.content.decode()
    assert team.review.records.canonical().count() == 1


def test_the_cluster_page_lists_members_and_splits_them(team):
    medline, embase = pair_of_searches(team.review)
    a = article(medline)
    b = article(embase)
    run_dedup(team.review)
    cluster = DuplicateCluster.objects.get()
    client = team.client(team.lead)

    page = client.get(_url(team, f"clusters/{cluster.pk}/")).content.decode()
    assert "MEDLINE" in page and "Embase" in page and "canonical" in page

    response = client.post(_url(team, f"clusters/{cluster.pk}/split/"))
    assert response.status_code == 302
    assert not DuplicateCluster.objects.exists()
    assert team.review.records.canonical().count() == 2
    assert {a.pk, b.pk} == set(team.review.records.values_list("pk", flat=True))
