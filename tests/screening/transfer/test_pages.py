"""The import preview (lead only) and the downloads, with blinding on the server."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviewapp.models import Job
from screening.models import Decision
from screening.transfer import background, service

from .helpers import fresh_review, screened


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_reviewer_downloads_only_their_own_decisions(team):
    screened(team)
    url = reverse("decisions_export", args=[team.review.slug]) + "?format=decisions-csv"
    body = _body(team.client(team.reviewer1).get(url))
    assert "rita@example.org" in body and "remy@example.org" not in body
    lead_body = _body(team.client(team.lead).get(url))
    assert "rita@example.org" in lead_body and "remy@example.org" in lead_body


def test_rayyan_notes_of_a_reviewer_name_no_one_else(team):
    screened(team)
    url = reverse("decisions_export", args=[team.review.slug]) + "?format=rayyan-ris"
    body = _body(team.client(team.reviewer2).get(url))
    assert "Remy Reviewer" in body and "Rita Reviewer" not in body


def test_outsider_gets_404_and_reviewer_403_on_the_import(team):
    url = reverse("history_import", args=[team.review.slug])
    assert team.client(team.outsider).get(url).status_code == 404
    assert team.client(team.reviewer1).get(url).status_code == 403
    assert team.client(team.lead).get(url).status_code == 200


def _upload(client, target, data, capture, name="rayyan.ris"):
    """Upload the file: the read job runs (in-process here) and its page shows the preview."""
    url = reverse("history_import", args=[target.slug])
    with capture(execute=True):
        sent = client.post(url, {"source": "rayyan", "file": SimpleUploadedFile(name, data)})
    assert sent.status_code == 302
    read = Job.objects.get(task=background.read_history.name, review=target)
    assert sent["Location"] == reverse("history_job", args=[target.slug, read.pk])
    return read, client.get(sent["Location"])


def test_lead_maps_people_on_the_preview_then_imports(team, django_capture_on_commit_callbacks):
    screened(team)
    data = "".join(service.export(team.review, "rayyan-ris")).encode()
    target = fresh_review(team)
    client = team.client(team.lead)
    read, page = _upload(client, target, data, django_capture_on_commit_callbacks)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rita Reviewer" in text and "Wrong population" in text
    assert not target.records.exists()  # nothing stored before the lead confirms
    # The lead swaps the two people on purpose: the decisions follow the mapping.
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("history_job", args=[target.slug, read.pk]),
            {"step": "confirm", "map-0": str(team.reviewer2.pk), "map-1": str(team.reviewer1.pk)},
        )
    assert done.status_code == 302
    canteen = Decision.objects.filter(review=target, record__title__startswith="Salience")
    assert {d.reviewer_id: d.value for d in canteen} == {
        team.reviewer2.pk: "include",
        team.reviewer1.pk: "exclude",
    }
    report = client.get(done["Location"]).content.decode()
    assert (
        f"Imported {target.records.count()} records" in report
        and 'hx-trigger="every 1s"' not in report
    )


def test_unmapped_person_is_named_and_nothing_is_stored(team, django_capture_on_commit_callbacks):
    screened(team)
    data = "".join(service.export(team.review, "rayyan-ris")).encode()
    target = fresh_review(team)
    client = team.client(team.lead)
    read, _page = _upload(client, target, data, django_capture_on_commit_callbacks, "r.ris")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("history_job", args=[target.slug, read.pk]),
            {"step": "confirm", "map-0": str(team.reviewer1.pk)},
        )
    assert "Remy Reviewer" in page.content.decode()
    assert not target.records.exists() and not Decision.objects.filter(review=target).exists()
    assert not background.applications(target, read).exists()  # refused before any job
