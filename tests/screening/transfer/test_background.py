"""The history import runs in tracked background jobs: the file is read for the preview, then
applied once the lead confirms. Applying twice stores nothing twice; a double submit starts one
job; the job page polls while the work runs and then shows the preview or the report; other
people never see it."""

from __future__ import annotations

import threading

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from reviewapp import jobs
from reviewapp.models import Job
from screening.models import Decision, Record
from screening.transfer import background, service

from .helpers import fresh_review, screened

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(team) -> bytes:
    screened(team)
    return "".join(service.export(team.review, "rayyan-ris")).encode()


def _read_job(review, lead, data: bytes, capture) -> Job:
    path = background.store(review, ContentFile(data, name="rayyan.ris"))
    with capture(execute=True):
        job = background.start_reading(review, path, "rayyan.ris", "rayyan", "auto", by=lead)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and "people" in job.result, job.result
    return job


def _mapping(team) -> dict[str, int]:
    return {"Rita Reviewer": team.reviewer1.pk, "Remy Reviewer": team.reviewer2.pk}


def _stored(review) -> tuple[int, int]:
    return Record.objects.filter(review=review).count(), Decision.objects.filter(
        review=review
    ).count()


def test_the_read_job_keeps_the_preview_and_stores_nothing(
    team, exported, django_capture_on_commit_callbacks
):
    target = fresh_review(team)
    read = _read_job(target, team.lead, exported, django_capture_on_commit_callbacks)
    plan = read.result
    assert plan["source"] == "rayyan" and plan["records"] == 5
    assert dict(plan["people"]) == _mapping(team)  # suggested from the members' names
    assert ["ta", "Wrong population", False] in plan["reasons"]
    assert plan["counts"]["ta"] == [8, 0]
    assert _stored(target) == (0, 0)


def test_applying_the_same_upload_twice_stores_its_decisions_once(
    team, exported, django_capture_on_commit_callbacks
):
    target = fresh_review(team)
    read = _read_job(target, team.lead, exported, django_capture_on_commit_callbacks)
    args = (target.pk, read.pk, _mapping(team), team.lead.pk)
    first = background.apply_history(*args)
    assert first["records"] == 5 and first["decisions"] == 8 and "error" not in first
    stored = _stored(target)
    second = background.apply_history(*args)  # the task delivered again, as a new run
    assert second == {"records": 5, "decisions": 8, "outcomes": 0, "skipped": [], "again": True}
    assert _stored(target) == stored == (5, 8)
    assert target.audit_events.filter(action="history.imported").count() == 1


def test_a_redelivered_message_for_a_finished_job_does_nothing(
    team, exported, django_capture_on_commit_callbacks
):
    target = fresh_review(team)
    read = _read_job(target, team.lead, exported, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        job = background.start_applying(target, read, _mapping(team), by=team.lead)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["decisions"]) == ("done", 1, 8)
    # The broker hands the same message out again (a worker lost its ack).
    jobs.send(background.apply_history, *job.args, task_id=f"job-{job.pk}-again")
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)
    assert _stored(target) == (5, 8)


def test_a_double_submit_starts_one_job(team, exported, django_capture_on_commit_callbacks):
    target = fresh_review(team)
    read = _read_job(target, team.lead, exported, django_capture_on_commit_callbacks)
    client = team.client(team.lead)
    url = reverse("history_job", args=[target.slug, read.pk])
    form = {"map-0": str(team.reviewer1.pk), "map-1": str(team.reviewer2.pk)}
    first = client.post(url, form)  # queued: its message waits for the commit
    second = client.post(url, form)
    assert first["Location"] == second["Location"]
    assert background.applications(target, read).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        third = client.post(url, form)  # done by now (in-process): still the same job
    assert third["Location"] == first["Location"]
    assert background.applications(target, read).count() == 1


def test_the_job_page_polls_while_it_runs_then_shows_the_report(
    team, exported, django_capture_on_commit_callbacks
):
    target = fresh_review(team)
    read = _read_job(target, team.lead, exported, django_capture_on_commit_callbacks)
    job = background.start_applying(target, read, _mapping(team), by=team.lead)  # not sent
    client = team.client(team.lead)
    url = reverse("history_job", args=[target.slug, job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Importing the screening history" in page
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="history-progress"')
    running = jobs.claim(job.pk)  # as a worker runs it
    jobs.finish(running, background.apply_history(*job.args))
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    report = client.get(url).content.decode()
    assert "Imported 5 records, 8 decisions and 0 team outcomes." in report
    assert 'hx-trigger="every 1s"' not in report and "imported already" not in report


def test_an_unreadable_file_is_explained_on_the_job_page(team, django_capture_on_commit_callbacks):
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("history_import", args=[team.review.slug]),
            {
                "source": "sift",
                "file": SimpleUploadedFile("d.csv", b"no,header,we,know\n1,2,3,4\n"),
            },
        )
    page = client.get(sent["Location"])
    assert page.status_code == 200
    assert "Not imported." in page.content.decode()
    assert not team.review.records.exists()


def test_an_error_while_applying_stores_nothing_and_the_preview_stays(
    team, exported, django_capture_on_commit_callbacks
):
    target = fresh_review(team)
    read = _read_job(target, team.lead, exported, django_capture_on_commit_callbacks)
    # Between the preview and the confirmation, Remy leaves the review.
    target.memberships.filter(user=team.reviewer2).update(active=False)
    with django_capture_on_commit_callbacks(execute=True):
        job = background.start_applying(target, read, _mapping(team), by=team.lead)
    job.refresh_from_db()
    assert "remy@example.org" in job.result["error"]
    assert _stored(target) == (0, 0)
    assert default_storage.exists(read.args[1])  # kept: the lead can map and confirm again
    client = team.client(team.lead)
    page = client.get(reverse("history_job", args=[target.slug, job.pk])).content.decode()
    assert "Not imported." in page and "Back to the preview" in page
    preview = client.get(reverse("history_job", args=[target.slug, read.pk]))
    assert "Rita Reviewer" in preview.content.decode()


def test_only_the_reviews_leads_see_its_history_jobs(
    team, exported, django_capture_on_commit_callbacks
):
    read = _read_job(team.review, team.lead, exported, django_capture_on_commit_callbacks)
    url = reverse("history_job", args=[team.review.slug, read.pk])
    assert team.client(team.lead).get(url).status_code == 200
    assert team.client(team.reviewer1).get(url).status_code == 403
    assert team.client(team.outsider).get(url).status_code == 404
    other = fresh_review(team)  # the same lead, another review: not this job's review
    assert (
        team.client(team.lead).get(reverse("history_job", args=[other.slug, read.pk])).status_code
        == 404
    )
    assert team.client(team.reviewer1).post(url, {"map-0": "1"}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_same_upload_at_once_store_it_once(
    team, exported, monkeypatch, django_capture_on_commit_callbacks
):
    """Two deliveries of the message running at the same moment, each on its own connection:
    the second waits for the first's transaction, then finds its audit row (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for locks across connections (DATABASE_URL=postgres://...)")
    target = fresh_review(team)
    read = _read_job(target, team.lead, exported, django_capture_on_commit_callbacks)
    barrier = threading.Barrier(2, timeout=10)
    original = background._one_run_at_a_time

    def together(job):
        barrier.wait()  # both transactions are open: now both reach for the lock
        original(job)

    monkeypatch.setattr(background, "_one_run_at_a_time", together)
    results: list = [None, None]

    def run(i):
        try:
            results[i] = background.apply_history(target.pk, read.pk, _mapping(team), team.lead.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(bool(r.get("again")) for r in results) == [False, True], results
    assert all(r["decisions"] == 8 for r in results)
    assert _stored(target) == (5, 8)
