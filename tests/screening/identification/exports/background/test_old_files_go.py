"""Export files are kept a day, and each person's three newest of a review; a deleted one's
page says so and offers to export again."""

from __future__ import annotations

import datetime as dt
import os

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from reviewapp import downloads
from reviewapp.models import Job

from .conftest import export_job, export_url, stored_files

QUERIES = ["format=csv", "format=ris", "format=bibtex", "format=csl-json", "format=endnote-xml"]


def _age(path: str, days: float) -> None:
    when = (timezone.now() - dt.timedelta(days=days)).timestamp()
    os.utime(default_storage.path(path), (when, when))


def test_a_person_keeps_their_three_newest_files_of_a_review(large):
    client = large.client(large.lead)
    made = [export_job(client.post(export_url(large, q))) for q in QUERIES]
    paths = [Job.objects.get(pk=job.pk).result["path"] for job in made]
    assert [default_storage.exists(p) for p in paths] == [False, False, True, True, True]


def test_another_persons_files_are_not_theirs_to_count(large):
    rita, lead = large.client(large.reviewer1), large.client(large.lead)
    hers = export_job(rita.post(export_url(large)))
    for query in QUERIES:
        export_job(lead.post(export_url(large, query)))
    assert default_storage.exists(Job.objects.get(pk=hers.pk).result["path"])
    assert len(stored_files(large.review)) == 4


def test_files_older_than_a_day_go_with_the_next_export(large):
    client = large.client(large.lead)
    old = Job.objects.get(pk=export_job(client.post(export_url(large))).pk)
    _age(old.result["path"], 1.5)
    leftover = f"exports/{large.review.pk}/0123.part"  # a stopped run's partial copy
    default_storage.save(leftover, ContentFile(b"x"))
    _age(leftover, 2)
    export_job(client.post(export_url(large, "format=ris")))
    assert not default_storage.exists(old.result["path"])
    assert not default_storage.exists(leftover)
    assert len(stored_files(large.review)) == 1


def test_the_page_of_a_deleted_file_offers_to_export_again(large):
    client = large.client(large.lead)
    response = client.post(export_url(large, "format=ris&q=canteens"))
    job = Job.objects.get(pk=export_job(response).pk)
    _age(job.result["path"], 2)
    assert downloads.clean_up(large.review.pk, large.lead.pk) == 1
    page = client.get(response["Location"]).content.decode()
    assert "was deleted" in page
    assert "/records/export/?format=ris&amp;q=canteens&amp;set=all" in page
    assert "/download/" not in page
    download = client.get(f"/r/{large.review.slug}/exports/{job.pk}/download/")
    assert download.status_code == 302
