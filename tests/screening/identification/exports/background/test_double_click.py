"""Asking twice for the same export while it is queued or running gives the same job; other
parameters, another person, or a finished export start a new one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reviewapp import jobs
from reviewapp.models import Job

from .conftest import export_job, export_url


@pytest.fixture
def held(monkeypatch):
    """No worker takes the messages: jobs stay queued."""
    monkeypatch.setattr(jobs, "dispatch", lambda job: True)


def test_second_click_while_queued_gets_the_same_export(large, held):
    client = large.client(large.lead)
    first = export_job(client.post(export_url(large, "format=ris&q=canteens")))
    second = export_job(client.post(export_url(large, "format=ris&q=canteens")))
    assert first.pk == second.pk
    assert Job.objects.filter(task="screening.export_records_file").count() == 1


def test_second_click_while_running_gets_the_same_export(large, held):
    client = large.client(large.lead)
    first = export_job(client.post(export_url(large)))
    Job.objects.filter(pk=first.pk).update(status="running", heartbeat_at=timezone.now())
    assert export_job(client.post(export_url(large))).pk == first.pk


def test_a_run_whose_worker_stopped_is_not_waited_for(large, held):
    client = large.client(large.lead)
    first = export_job(client.post(export_url(large)))
    stale = timezone.now() - dt.timedelta(hours=1)
    Job.objects.filter(pk=first.pk).update(status="running", heartbeat_at=stale)
    assert export_job(client.post(export_url(large))).pk != first.pk


def test_a_message_queued_long_ago_is_not_waited_for(large, held):
    """In-process, a queued export whose web process went away is never sent again."""
    client = large.client(large.lead)
    first = export_job(client.post(export_url(large)))
    Job.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert export_job(client.post(export_url(large))).pk != first.pk


def test_other_parameters_or_another_person_start_their_own(large, held):
    lead, rita = large.client(large.lead), large.client(large.reviewer1)
    first = export_job(lead.post(export_url(large, "format=csv")))
    assert export_job(lead.post(export_url(large, "format=ris"))).pk != first.pk
    assert export_job(lead.post(export_url(large, "format=csv&q=canteens"))).pk != first.pk
    assert export_job(rita.post(export_url(large, "format=csv"))).pk != first.pk


def test_a_finished_export_is_not_reused(large):
    client = large.client(large.lead)
    first = export_job(client.post(export_url(large)))
    assert Job.objects.get(pk=first.pk).status == "done"
    assert export_job(client.post(export_url(large))).pk != first.pk


def test_a_merged_request_leads_to_the_run_that_did_the_work(large, held):
    """Two requests at the same instant both queue; the run of one covers the other."""
    client = large.client(large.lead)
    first = export_job(client.post(export_url(large)))
    twin = Job.objects.create(task=first.task, args=first.args, key=first.key, review=large.review)
    jobs.claim(first.pk)
    twin.refresh_from_db()
    assert twin.result == {"merged_into": first.pk}
    page = client.get(f"/r/{large.review.slug}/exports/{twin.pk}/")
    assert page.status_code == 302 and page["Location"].endswith(f"/exports/{first.pk}/")
