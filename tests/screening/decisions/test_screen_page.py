"""The screening page: what a reviewer sees, the buttons, htmx swaps and plain forms."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reviewapp.models import Criterion
from screening.models import Decision, DuplicateCluster, HighlightKeyword
from tests.factories import RecordFactory, SearchFactory

from .factories import decide, reason, records

pytestmark = pytest.mark.django_db


def url(team, name="screen", *args):
    return reverse(name, args=[team.review.slug, *args])


def only_record(team, **fields):
    search = SearchFactory(review=team.review, source="MEDLINE")
    return RecordFactory(search=search, **fields)


def test_the_page_shows_the_record_criteria_and_shortcuts(team):
    Criterion.objects.create(
        review=team.review, domain="Population", inclusion="Healthcare professionals"
    )
    reason(team, "Students only")
    record = only_record(
        team,
        title="护士参与教育研究的障碍",
        title_alt="Barriers to nurses' engagement in education research",
        abstract="背景：医学教育研究。Results follow.",
        authors=["王伟", "Smith, J."],
        year=2021,
        journal="Nurse Education Today",
        doi="10.1000/xyz123",
        pmid="12345678",
        keywords=["nursing", "教育"],
    )
    html = team.client(team.reviewer1).get(url(team)).content.decode()
    for text in (
        "护士参与教育研究的障碍",
        "背景：医学教育研究。",
        "王伟; Smith, J.",
        "2021",
        "Nurse Education Today",
        'href="https://doi.org/10.1000/xyz123"',
        "https://pubmed.ncbi.nlm.nih.gov/12345678/",
        "MEDLINE",
        "Healthcare professionals",
        "1 · Students only",
        "<kbd>I</kbd>",
        "Undo my last decision",
    ):
        assert text in html, text
    for name in ("Include", "Exclude", "Maybe"):
        assert re.search(rf'<button[^>]*aria-label="{name}"', html), name
    assert f'action="{url(team, "screen_decide", record.pk)}"' in html


def test_the_panels_numbers_stay_plain_digits_where_the_locale_groups_thousands(team, settings):
    """screen.js reads ids and counts back from the panel; a year is not a quantity."""
    settings.USE_THOUSAND_SEPARATOR = True
    records(team, 3, year=2021)  # the one shown and two sent ahead with it
    html = team.client(team.reviewer1).get(url(team)).content.decode()
    assert "· 2021" in html
    assert "2,021" not in html
    panel = team.client(team.reviewer1).get(url(team), headers={"HX-Request": "true"})
    assert re.search(r'<template data-record="\d+">', panel.content.decode())
    assert "2,021" not in panel.content.decode()


def test_the_searches_of_every_duplicate_are_listed(team):
    a = only_record(team)
    other = SearchFactory(review=team.review, source="Scopus")
    b = RecordFactory(search=other, is_canonical=False)
    cluster = DuplicateCluster.objects.create(review=team.review, canonical=a)
    a.cluster = b.cluster = cluster
    a.save()
    b.save()
    html = team.client(team.reviewer1).get(url(team)).content.decode()
    assert "MEDLINE" in html and "Scopus" in html


def test_keywords_are_highlighted_on_escaped_text_so_a_hostile_title_stays_text(team):
    HighlightKeyword.objects.create(review=team.review, kind="include", word="alert")
    HighlightKeyword.objects.create(review=team.review, kind="exclude", word="script")
    HighlightKeyword.objects.create(
        review=team.review, owner=team.reviewer1, kind="include", word="教育"
    )
    only_record(
        team, title="<script>alert(1)</script> & 教育", abstract='<img src=x onerror="alert(2)">'
    )
    html = team.client(team.reviewer1).get(url(team)).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert (
        '&lt;<mark class="hl-exclude">script</mark>&gt;<mark class="hl-include">alert</mark>(1)'
        '&lt;/<mark class="hl-exclude">script</mark>&gt; &amp; <mark class="hl-include">教育</mark>'
    ) in html
    # A reviewer's own words are theirs alone.
    other = team.client(team.reviewer2).get(url(team)).content.decode()
    assert '<mark class="hl-include">教育</mark>' not in other


def test_deciding_without_javascript_redirects_to_the_next_record(team):
    a, b = records(team, 2)
    client = team.client(team.reviewer1)
    first = client.get(url(team)).context["record"]
    response = client.post(url(team, "screen_decide", first.pk), {"value": "include"})
    assert response.status_code == 302
    assert response["Location"] == url(team)
    following = client.get(response["Location"]).context["record"]
    assert following.pk != first.pk
    assert Decision.objects.get(reviewer=team.reviewer1).record_id == first.pk


def test_deciding_with_htmx_returns_only_the_next_record(team):
    records(team, 2)
    client = team.client(team.reviewer1)
    first = client.get(url(team)).context["record"]
    response = client.post(
        url(team, "screen_decide", first.pk), {"value": "maybe"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="screen-record"')
    assert "<html" not in html
    assert response.context["record"].pk != first.pk


def test_a_double_submit_records_one_decision(team):
    (r,) = records(team, 1)
    client = team.client(team.reviewer1)
    for _ in range(2):
        client.post(
            url(team, "screen_decide", r.pk),
            {"value": "exclude", "note": "n"},
            headers={"HX-Request": "true"},
        )
    assert Decision.objects.filter(record=r, reviewer=team.reviewer1).count() == 1


def test_an_exclusion_reason_and_a_note_are_saved(team):
    (r,) = records(team, 1)
    why = reason(team)
    team.client(team.reviewer1).post(
        url(team, "screen_decide", r.pk), {"value": "exclude", "reason": why.pk, "note": "Students"}
    )
    d = Decision.objects.get(record=r)
    assert (d.value, d.reason, d.note) == ("exclude", why, "Students")


def test_an_unknown_value_is_refused_with_a_message(team):
    (r,) = records(team, 1)
    response = team.client(team.reviewer1).post(
        url(team, "screen_decide", r.pk), {"value": "perhaps"}, headers={"HX-Request": "true"}
    )
    assert "Choose Include, Exclude or Maybe." in response.content.decode()
    assert not Decision.objects.exists()


def test_undo_brings_back_the_record_just_decided(team):
    records(team, 3)
    client = team.client(team.reviewer1)
    first = client.get(url(team)).context["record"]
    client.post(url(team, "screen_decide", first.pk), {"value": "include"})
    response = client.post(url(team, "screen_undo"), headers={"HX-Request": "true"})
    assert response.context["record"].pk == first.pk
    assert not Decision.objects.exists()
    response = client.post(url(team, "screen_undo"))
    assert response.status_code == 302


def test_j_and_k_links_walk_my_queue_and_my_history(team):
    records(team, 3)
    client = team.client(team.reviewer1)
    page = client.get(url(team))
    first = page.context["record"]
    assert page.context["prev_url"] == ""
    assert page.context["next_url"] == url(team) + "?pos=1"
    skipped = client.get(url(team) + "?pos=1")
    second = skipped.context["record"]
    assert second.pk != first.pk
    assert skipped.context["prev_url"] == url(team)  # K from a skipped record goes back
    client.post(url(team, "screen_decide", first.pk), {"value": "include"})
    page = client.get(url(team))
    assert page.context["prev_url"] == url(team) + "?back=0"
    back = client.get(url(team) + "?back=0", headers={"HX-Request": "true"})
    assert back.context["record"].pk == first.pk
    assert "Your decision" in back.content.decode()


def test_i_can_change_my_decision_from_my_list_until_the_record_resolves(team):
    (r,) = records(team, 1)
    client = team.client(team.reviewer1)
    client.post(url(team, "screen_decide", r.pk), {"value": "include"})
    mine = client.get(url(team, "screen_mine")).content.decode()
    assert url(team, "screen_record", r.pk) in mine and "Change" in mine
    client.post(url(team, "screen_decide", r.pk), {"value": "exclude"})
    assert Decision.objects.get(record=r).value == "exclude"
    decide(r, team.reviewer2, "exclude")
    response = client.post(url(team, "screen_decide", r.pk), {"value": "include"}, follow=True)
    assert "already resolved" in response.content.decode()


def test_a_record_not_assigned_to_me_is_not_found(team):
    from screening.models import ScreeningSettings

    ScreeningSettings.objects.create(review=team.review, participant_ids=[team.reviewer2.pk])
    (r,) = records(team, 1)
    client = team.client(team.reviewer1)
    assert client.get(url(team, "screen_record", r.pk)).status_code == 404
    assert client.post(url(team, "screen_decide", r.pk), {"value": "include"}).status_code == 404


def test_a_record_from_another_review_is_not_found(team):
    foreign = RecordFactory()
    client = team.client(team.reviewer1)
    assert client.get(url(team, "screen_record", foreign.pk)).status_code == 404


def test_the_nav_shows_my_queue_size(team):
    records(team, 4)
    html = (
        team.client(team.reviewer1)
        .get(reverse("review_overview", args=[team.review.slug]))
        .content.decode()
    )
    # The Screen stage's tab and the Screen page in the menu both say 4.
    assert re.search(
        r'Screen<span class="waiting" data-waiting-stage="screen"> <span[^>]*>4<', html
    )
    assert re.search(r'Screen<span class="waiting" data-waiting-page="screen"> <span[^>]*>4<', html)


def test_keywords_page_saves_my_words_and_the_leads_review_words(team):
    client = team.client(team.reviewer1)
    client.post(
        url(team, "screen_keywords"),
        {"scope": "mine", "include": "nurse*\nclinician", "exclude": "rat"},
    )
    assert sorted(
        HighlightKeyword.objects.filter(owner=team.reviewer1).values_list("word", flat=True)
    ) == ["clinician", "nurse*", "rat"]
    # A reviewer cannot write the review's words.
    client.post(url(team, "screen_keywords"), {"scope": "review", "include": "x"})
    assert not HighlightKeyword.objects.filter(owner=None).exists()
    team.client(team.lead).post(
        url(team, "screen_keywords"), {"scope": "review", "include": "education", "exclude": ""}
    )
    assert list(HighlightKeyword.objects.filter(owner=None).values_list("word", flat=True)) == [
        "education"
    ]


def test_lead_settings_split_the_pool(team):
    records(team, 4)
    response = team.client(team.lead).post(
        url(team, "screen_settings"),
        {
            "participants": [team.reviewer1.pk],
            "split_pool": "on",
            f"order_{team.reviewer1.pk}": "random",
            f"order_{team.reviewer2.pk}": "random",
        },
    )
    assert response.status_code == 302
    from screening.decisions import queues

    assert queues.queue_size(team.review, team.reviewer2) == 0
    assert queues.queue_size(team.review, team.reviewer1) == 4
