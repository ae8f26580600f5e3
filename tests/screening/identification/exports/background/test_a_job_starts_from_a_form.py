"""A whole-review export's job starts only from a POST with its CSRF token: a link, a
bookmark or a browser's prefetch (a GET) shows the button, and starts nothing."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from reviewapp import downloads
from reviewapp.models import Job

from .conftest import export_job, export_url


def exports() -> list[Job]:
    return list(Job.objects.filter(task__in=list(downloads.KINDS)))


def test_a_get_shows_the_button_and_starts_nothing(large):
    response = large.client(large.lead).get(export_url(large, "format=ris&q=canteens"))
    html = response.content.decode()
    assert response.status_code == 200 and not response.streaming
    form = re.search(r'<form method="post" action="([^"]+)">', html)
    assert form and form.group(1).endswith("?format=ris&amp;q=canteens")
    assert 'name="csrfmiddlewaretoken"' in html and "Start the export" in html
    assert not exports()


def test_the_button_starts_the_job_of_the_same_selection(large):
    client = large.client(large.lead)
    job = export_job(client.post(export_url(large, "format=ris&q=canteens")))
    assert (job.args[3]["format"], job.args[3]["q"]) == ("ris", "canteens")


def test_a_post_without_its_csrf_token_is_refused(large):
    client = Client(enforce_csrf_checks=True)
    client.force_login(large.lead)
    assert client.post(export_url(large)).status_code == 403
    assert not exports()


def test_the_decisions_export_starts_from_a_form_too(large):
    url = reverse("decisions_export", args=[large.review.slug]) + "?format=decisions-csv"
    client = large.client(large.lead)
    assert "Start the export" in client.get(url).content.decode()
    assert not exports()
    assert export_job(client.post(url)).task == "screening.export_decisions_file"
