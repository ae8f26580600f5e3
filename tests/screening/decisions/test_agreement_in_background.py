"""A large review's agreement: counted by a background job, kept with the stamp of the
decisions it read, shown "as of" its time, counted again when decisions change."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from django.urls import reverse

from reviewapp.jobs import background_thread
from reviewapp.models import Job, Membership
from screening.decisions import agreement
from screening.decisions import service as decisions
from screening.decisions.stored import compute_agreement
from screening.models import StoredAgreement
from tests.gates import Gate

from .factories import decide, records
from .test_progress import screen_plan


@pytest.fixture
def large(settings):
    settings.AGREEMENT_INLINE_MAX_DECISIONS = 3  # the plan's 20 decisions count as large


def progress(team, user, capture=None):
    url = reverse("screen_progress", args=[team.review.slug])
    if capture is None:
        return team.client(user).get(url)
    with capture(execute=True):  # the job, sent when the request's transaction commits
        return team.client(user).get(url)


def kept(team, scope="lead") -> agreement.AgreementSummary:
    row = StoredAgreement.objects.get(review=team.review, stage="ta", scope=scope)
    return agreement.from_data(row.summary)


def agreement_jobs() -> int:
    return Job.objects.filter(task=compute_agreement.name).count()


@pytest.mark.django_db
def test_the_first_view_queues_the_count_and_the_next_shows_it_as_of_its_time(
    team, large, django_capture_on_commit_callbacks
):
    screen_plan(team)
    first = progress(team, team.lead, django_capture_on_commit_callbacks)
    assert "Agreement is being computed in the background." in first.content.decode()
    assert first.context["pairs"] == []
    second = progress(team, team.lead)
    html = second.content.decode()
    assert "As of " in html and "being computed" not in html
    (pair,) = second.context["pairs"]
    assert (pair["n"], pair["kappa"]) == (10, pytest.approx(0.6))
    assert agreement_jobs() == 1


@pytest.mark.django_db
def test_the_kept_numbers_equal_the_inline_count(team, large, django_capture_on_commit_callbacks):
    screen_plan(team)
    progress(team, team.lead, django_capture_on_commit_callbacks)
    progress(team, team.reviewer1, django_capture_on_commit_callbacks)
    assert kept(team, "lead") == decisions.agreement_for(team.review, True, "ta")[0]
    assert kept(team, "reviewer") == decisions.agreement_for(team.review, False, "ta")[0]


@pytest.mark.django_db
def test_the_csv_comes_from_the_kept_result(
    team, large, settings, django_capture_on_commit_callbacks
):
    screen_plan(team)
    url = reverse("screen_agreement_csv", args=[team.review.slug])
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = client.get(url)
    assert waiting.status_code == 302  # to the progress page: the count is under way
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert rows[-1][0] == "computed_at"
    settings.AGREEMENT_INLINE_MAX_DECISIONS = 5000
    inline = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert rows[:-1] == inline


@pytest.mark.django_db
def test_a_reviewer_never_sees_agreement_on_records_still_unresolved(
    team, large, django_capture_on_commit_callbacks
):
    screen_plan(team)  # two of the ten records are in conflict
    progress(team, team.lead, django_capture_on_commit_callbacks)
    assert kept(team, "lead").pairs[0].n == 10
    first = progress(team, team.reviewer1, django_capture_on_commit_callbacks)
    assert first.context["pairs"] == []  # not the lead's count: the reviewer's is under way
    (pair,) = progress(team, team.reviewer1).context["pairs"]
    assert (pair["n"], pair["kappa"]) == (8, 1.0)


@pytest.mark.django_db
def test_the_progress_page_of_a_large_review_keeps_its_query_budget(
    team, large, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    screen_plan(team)
    # The job runs once the request is over (its queries are not the page's).
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(38):
        progress(team, team.lead)  # the first view: the count is asked for
    with django_assert_max_num_queries(31):  # fresh: the kept result (inline counted in 4)
        progress(team, team.lead)


# Transactional: the stamp is bumped when a transaction commits, and the background thread
# reads on a connection of its own.
@pytest.mark.django_db(transaction=True)
def test_a_decision_makes_it_stale_and_the_recount_makes_it_fresh(team, large):
    screen_plan(team)
    progress(team, team.lead)  # queued; without a thread (tests) it ran at commit
    (pair,) = progress(team, team.lead).context["pairs"]
    assert pair["kappa"] == pytest.approx(0.6)
    (r,) = records(team, 1)
    decide(r, team.reviewer1, "include")
    decide(r, team.reviewer2, "include")  # the two agree on an eleventh record
    stale = progress(team, team.lead)
    html = stale.content.decode()
    assert "Decisions have changed since: it is being computed again" in html
    assert stale.context["pairs"][0]["kappa"] == pytest.approx(0.6)  # the kept result
    fresh = progress(team, team.lead)
    assert "being computed" not in fresh.content.decode()
    inline = decisions.agreement_for(team.review, True, "ta")[0]
    assert fresh.context["pairs"][0]["kappa"] == pytest.approx(inline.pairs[0].kappa)
    assert inline.pairs[0].kappa != pytest.approx(0.6)
    assert agreement_jobs() == 2


@pytest.mark.django_db(transaction=True)
def test_a_double_view_and_two_viewers_start_one_job(team, large, settings):
    screen_plan(team)
    Membership.objects.filter(review=team.review, user=team.adjudicator).update(is_lead=True)
    settings.TASKS_IN_THREAD = True
    gate = threading.Event()
    background_thread.submit(Gate(gate), (), {})
    try:
        progress(team, team.lead)
        progress(team, team.lead)
        waiting = progress(team, team.adjudicator)
        assert "Agreement is being computed in the background." in waiting.content.decode()
        assert agreement_jobs() == 1
    finally:
        gate.set()
        background_thread.join()
    (pair,) = progress(team, team.adjudicator).context["pairs"]
    assert pair["kappa"] == pytest.approx(0.6)
    assert agreement_jobs() == 1
