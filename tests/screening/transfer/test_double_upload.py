"""A double upload of a screening history starts one read job: the same file, by the same
person, read the same way, while the first read is still queued or running."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviewapp.models import Job, Membership
from screening.transfer import background, service
from tests.factories import UserFactory

from .helpers import fresh_review, screened


def _post(client, review, data, source="rayyan"):
    url = reverse("history_import", args=[review.slug])
    return client.post(url, {"source": source, "file": SimpleUploadedFile("rayyan.ris", data)})


def _reads(review) -> list[Job]:
    return list(Job.objects.filter(task=background.read_history.name, review=review))


def _stored(review) -> list[str]:
    folder = f"transfer/{review.pk}"
    return default_storage.listdir(folder)[1] if default_storage.exists(folder) else []


def test_a_second_upload_of_the_same_file_lands_on_the_running_read(team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    screened(team)
    data = "".join(service.export(team.review, "rayyan-ris", None, is_lead=True)).encode()
    target = fresh_review(team)
    client = team.client(team.lead)
    first = _post(client, target, data)  # its read stays queued: nothing sent it yet
    second = _post(client, target, data)
    (read,) = _reads(target)
    assert (
        first["Location"]
        == second["Location"]
        == reverse("history_job", args=[target.slug, read.pk])
    )
    assert len(_stored(target)) == 1


def test_another_file_person_or_reading_or_a_finished_read_starts_its_own(team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    screened(team)
    data = "".join(service.export(team.review, "rayyan-ris", None, is_lead=True)).encode()
    target = fresh_review(team)
    other_lead = UserFactory(email="lou@example.org")
    Membership.objects.create(review=target, user=other_lead, is_lead=True)
    _post(team.client(team.lead), target, data)
    _post(team.client(team.lead), target, data + b"\n")  # another file
    _post(team.client(other_lead), target, data)  # another person
    _post(team.client(team.lead), target, data, source="sift")  # read another way
    assert len(_reads(target)) == 4
    Job.objects.filter(review=target).update(status=Job.Status.DONE)
    _post(team.client(team.lead), target, data)  # the first read is over: read it again
    assert len(_reads(target)) == 5
