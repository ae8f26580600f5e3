"""Records sent ahead with each screening panel, and decisions saved several at a time.

The page shows the next record the moment a decision is made, from the records the last
answer brought; the decisions follow in the background, in order, in one request.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reviewapp.models import AuditEvent
from screening.decisions import queues
from screening.decisions import service as decisions
from screening.models import Decision, Outcome, RecordStatus, ScreeningSettings
from screening.views.screen import MAX_BATCH
from screening.views.screen_panel import UPCOMING

from .factories import decide, reason, records

pytestmark = pytest.mark.django_db

TEMPLATE = re.compile(r'<template data-record="(\d+)"( data-have)?>')


def url(team, name="screen", *args):
    return reverse(name, args=[team.review.slug, *args])


def queue_ids(team, user) -> list[int]:
    return [r.pk for r in queues.queue_for(team.review, user)]


def save(client, team, rows, **extra):
    data = {"record": [], "value": [], "reason": [], "note": [], **extra}
    for record, value, *rest in rows:
        data["record"].append(record.pk)
        data["value"].append(value)
        data["reason"].append(rest[0] if rest else "")
        data["note"].append(rest[1] if len(rest) > 1 else "")
    return client.post(url(team, "screen_decide_many"), data, headers={"HX-Request": "true"})


def test_the_panel_brings_the_next_records_of_my_queue_as_they_will_show(team):
    records(team, 10)
    page = team.client(team.reviewer1).get(url(team))
    order = queue_ids(team, team.reviewer1)
    html = page.content.decode()

    assert page.context["record"].pk == order[0]
    assert [int(pk) for pk, _ in TEMPLATE.findall(html)] == order[1 : 1 + UPCOMING]
    upcoming = page.context["upcoming"]
    # Each shows at my position once the ones before it are decided: one fewer left each time,
    # and K then goes back to my last decision.
    assert [u["remaining"] for u in upcoming] == [9, 8, 7, 6, 5, 4][:UPCOMING]
    assert [u["decided_count"] for u in upcoming] == [1, 2, 3, 4, 5, 6][:UPCOMING]
    assert {u["prev_url"] for u in upcoming} == {url(team) + "?back=0"}


def test_the_records_ahead_are_in_the_page_but_not_shown(team):
    records(team, 3)
    html = team.client(team.reviewer1).get(url(team)).content.decode()
    # Inside <template> they are inert: one visible title, the others only in templates.
    assert html.count('id="record-title"') == 3
    visible = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    assert visible.count('id="record-title"') == 1


def test_records_ahead_tell_nothing_of_the_other_reviewers_decisions(team):
    a, b, c = records(team, 3)
    for record in (a, b, c):
        decide(record, team.reviewer2, "exclude", note="Remy's private note")
    html = team.client(team.reviewer1).get(url(team)).content.decode()
    assert "Remy" not in html and "private note" not in html
    assert html.count("<template data-record=") == 2


def test_several_decisions_are_saved_in_order_in_one_request(team):
    records(team, 8)
    why = reason(team)
    client = team.client(team.reviewer1)
    first, second, third, fourth = (
        queues.queue_for(team.review, team.reviewer1).get(pk=pk)
        for pk in queue_ids(team, team.reviewer1)[:4]
    )

    response = save(
        client,
        team,
        [(first, "include"), (second, "exclude", why.pk, "students"), (third, "maybe")],
    )

    assert response.status_code == 200
    mine = Decision.objects.filter(reviewer=team.reviewer1).order_by("pk")
    assert [(d.record_id, d.value) for d in mine] == [
        (first.pk, "include"),
        (second.pk, "exclude"),
        (third.pk, "maybe"),
    ]
    assert (mine[1].reason, mine[1].note) == (why, "students")
    made = AuditEvent.objects.filter(action="decision.made").order_by("pk")
    assert [e.object_id for e in made] == [str(d.pk) for d in mine]
    # The answer is my queue as it now stands.
    assert response.context["record"].pk == fourth.pk
    assert response.context["remaining"] == 5
    assert queues.queue_size(team.review, team.reviewer1) == 5


def test_records_the_page_holds_come_back_as_bare_ids(team):
    records(team, 10)
    client = team.client(team.reviewer1)
    order = queue_ids(team, team.reviewer1)
    first = queues.queue_for(team.review, team.reviewer1).get(pk=order[0])
    held = ",".join(str(pk) for pk in order[1:4])

    html = save(client, team, [(first, "include")], have=held).content.decode()

    found = TEMPLATE.findall(html)
    assert [(int(pk), bool(bare)) for pk, bare in found] == [
        (order[2], True),
        (order[3], True),
        *((pk, False) for pk in order[4 : 2 + UPCOMING]),
    ]
    assert re.search(rf'<template data-record="{order[2]}" data-have></template>', html)


def test_a_refused_decision_comes_back_with_its_reason_and_the_others_are_saved(team):
    records(team, 4)
    client = team.client(team.reviewer1)
    a, b, c = (
        queues.queue_for(team.review, team.reviewer1).get(pk=pk)
        for pk in queue_ids(team, team.reviewer1)[:3]
    )
    # While the page held b, the lead settled it.
    decisions.set_final(b, "ta", "exclude", resolution="lead", by=team.lead)

    response = save(client, team, [(a, "include"), (b, "include"), (c, "exclude")])

    html = response.content.decode()
    assert response.context["record"].pk == b.pk
    assert f"Your decision on “{b.title}” was not saved" in html
    assert "already resolved" in html
    assert set(
        Decision.objects.filter(reviewer=team.reviewer1).values_list("record_id", flat=True)
    ) == {a.pk, c.pk}
    assert RecordStatus.objects.get(record=b, stage="ta").outcome == Outcome.EXCLUDED


def test_a_record_that_is_not_mine_is_refused_without_showing_it(team):
    ScreeningSettings.objects.create(review=team.review, participant_ids=[team.reviewer2.pk])
    (other,) = records(team, 1)
    response = save(team.client(team.reviewer1), team, [(other, "include")])
    assert response.status_code == 200
    assert response.context["record"] is None
    assert "this record is not in your screening" in response.content.decode()
    assert not Decision.objects.exists()


def test_one_request_saves_at_most_a_batch(team):
    many = records(team, MAX_BATCH + 2)
    save(team.client(team.reviewer1), team, [(r, "exclude") for r in many])
    assert Decision.objects.filter(reviewer=team.reviewer1).count() == MAX_BATCH


def test_outsiders_and_adjudicators_cannot_save_decisions(team):
    (record,) = records(team, 1)
    assert save(team.client(team.outsider), team, [(record, "include")]).status_code == 404
    assert save(team.client(team.adjudicator), team, [(record, "include")]).status_code == 403
    assert not Decision.objects.exists()
