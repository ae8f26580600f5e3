"""Every demo login lands on work to do: real records to screen, a conflict to discuss, one to
adjudicate, a duplicate pair to check; and the home page says so in a line."""

from __future__ import annotations

import csv

import pytest

from demo import loader, nudging
from reviewapp.waiting import review_status, waiting_for
from screening.decisions.queues import queue_for
from screening.identification.importers.normalise import decode_character_references
from screening.models import Conflict

pytestmark = pytest.mark.django_db


def words(text: str) -> str:
    return " ".join(decode_character_references(text).split())


def figures(review) -> dict[str, dict[str, int]]:
    return {
        m.membership.user.email: {i.key: i.count for i in m.items}
        for m in review_status(review).members
    }


def test_each_reviewer_has_at_least_twenty_real_records_to_screen(in_progress, person):
    with nudging.FIXTURE.open(encoding="utf-8", newline="") as f:
        dataset = {(words(r["title"]), words(r["abstract"])) for r in csv.DictReader(f)}
    for name in ("reviewer1", "reviewer2"):
        queue = list(queue_for(in_progress, person(name)))
        assert len(queue) >= 20, name
        # Titles and abstracts from the public dataset, unedited (the importer only turns
        # non-breaking spaces into spaces and reads 'chi&sup2;' as 'chi²').
        assert all((words(r.title), words(r.abstract)) in dataset for r in queue), name
        assert figures(in_progress)[f"{name}@demo.example"]["to_screen"] == len(queue)


def test_each_reviewer_has_a_conflict_open_for_discussion(in_progress):
    discussed = Conflict.objects.filter(review=in_progress, escalated_at=None).live()
    assert discussed.count() == 1
    for name in ("reviewer1", "reviewer2"):
        assert figures(in_progress)[f"{name}@demo.example"]["conflicts_to_discuss"] == 1


def test_the_adjudicator_has_one_escalated_conflict(in_progress):
    escalated = Conflict.objects.filter(review=in_progress, state="escalated")
    assert escalated.count() == 1
    got = figures(in_progress)
    assert got["adjudicator@demo.example"]["conflicts_to_adjudicate"] == 1
    assert got["reviewer1@demo.example"]["conflicts_to_adjudicate"] == 0


def test_a_duplicate_pair_from_the_dataset_waits_for_the_lead(in_progress):
    pair = in_progress.duplicate_candidates.open().get()
    # The dataset itself marks these two as duplicates of each other.
    with nudging.FIXTURE.open(encoding="utf-8", newline="") as f:
        marked = {
            frozenset((r["record_id"], r["duplicate_record_id"]))
            for r in csv.DictReader(f)
            if r["duplicate_record_id"]
        }
    assert frozenset((pair.record_a.source_key, pair.record_b.source_key)) in marked
    assert review_status(in_progress).as_json()["duplicates_to_check"] == 1


def test_the_reference_review_keeps_the_papers_counts_and_gives_work_too(review):
    status = review_status(review).as_json()
    got = {m["email"]: m for m in status["members"]}
    assert got["reviewer2@demo.example"]["codings_to_recheck"] == 1
    assert all(m["to_screen"] == 0 for m in status["members"])  # its screening is done


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lead", ["1 duplicate pair to check"]),
        ("reviewer1", ["records to screen", "1 conflict to discuss"]),
        ("reviewer2", ["records to screen", "1 conflict to discuss", "1 coding to re-check"]),
        ("adjudicator", ["1 conflict to adjudicate"]),
    ],
)
def test_the_home_page_tells_each_demo_user_what_waits_for_them(
    demo_reviews, person, client, name, expected
):
    user = person(name)
    client.force_login(user)
    page = client.get("/").content.decode()
    assert page.count("Waiting for you:") >= 1
    for text in expected:
        assert text in page, (name, text)
    pending = [item for m in user.memberships.all() for item in waiting_for(m)]
    assert pending


def test_a_reviewer_opening_screen_finds_a_record_not_an_empty_queue(in_progress, person, client):
    client.force_login(person("reviewer1"))
    page = client.get(f"/r/{in_progress.slug}/screen/").content.decode()
    assert "Your queue is empty" not in page
    shown = [r.title for r in queue_for(in_progress, person("reviewer1"))[:1]]
    assert shown and shown[0].split(":")[0][:40] in page


def test_load_demo_prints_the_logins_and_their_waiting_work(demo_reviews):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    for p in loader.PEOPLE:
        assert p.email in text
    assert loader.DEMO_PASSWORD in text
    assert f"waiting in {nudging.SLUG}: 1 conflict to adjudicate" in text
