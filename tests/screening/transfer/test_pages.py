"""The import preview (lead only) and the downloads, with blinding on the server."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.models import Decision
from screening.transfer import service

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


def test_lead_maps_people_on_the_preview_then_imports(team):
    screened(team)
    data = "".join(service.export(team.review, "rayyan-ris")).encode()
    target = fresh_review(team)
    client = team.client(team.lead)
    url = reverse("history_import", args=[target.slug])
    upload = SimpleUploadedFile("rayyan.ris", data)
    page = client.post(url, {"step": "upload", "source": "rayyan", "file": upload})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rita Reviewer" in text and "Wrong population" in text
    assert not target.records.exists()  # nothing stored before the lead confirms
    # The lead swaps the two people on purpose: the decisions follow the mapping.
    done = client.post(
        url,
        {"step": "confirm", "map-0": str(team.reviewer2.pk), "map-1": str(team.reviewer1.pk)},
    )
    assert done.status_code == 302
    canteen = Decision.objects.filter(review=target, record__title__startswith="Salience")
    assert {d.reviewer_id: d.value for d in canteen} == {
        team.reviewer2.pk: "include",
        team.reviewer1.pk: "exclude",
    }


def test_unmapped_person_is_named_and_nothing_is_stored(team):
    screened(team)
    data = "".join(service.export(team.review, "rayyan-ris")).encode()
    target = fresh_review(team)
    client = team.client(team.lead)
    url = reverse("history_import", args=[target.slug])
    client.post(
        url, {"step": "upload", "source": "rayyan", "file": SimpleUploadedFile("r.ris", data)}
    )
    page = client.post(url, {"step": "confirm", "map-0": str(team.reviewer1.pk)})
    assert "Remy Reviewer" in page.content.decode()
    assert not target.records.exists() and not Decision.objects.filter(review=target).exists()
