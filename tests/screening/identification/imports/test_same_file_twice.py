"""The same file uploaded twice to a review is recognised and refused."""

from __future__ import annotations

import pytest

from screening.identification.imports import ImportRefused, import_file_now
from screening.models import ImportJob, Record, Search

from .conftest import ris, upload

pytestmark = pytest.mark.django_db


def test_the_same_file_uploaded_again_is_refused_with_a_message(
    team, search, django_capture_on_commit_callbacks
):
    client = team.client(team.lead)
    other = Search.objects.create(review=team.review, source="MEDLINE")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, search, "scopus.ris", ris(4))
        response = upload(client, other, "renamed.ris", ris(4))
    assert ImportJob.objects.count() == 1
    assert Record.objects.count() == 4
    page = client.get(response["Location"]).content.decode()
    assert "renamed.ris was already uploaded to this review" in page
    assert "scopus.ris" in page


def test_the_same_file_in_another_review_is_accepted(search, team):
    import_file_now(search, ris(2), "a.ris")
    other_review_search = Search.objects.create(
        review=__import__("tests.factories", fromlist=["ReviewFactory"]).ReviewFactory(),
        source="Scopus",
    )
    job = import_file_now(other_review_search, ris(2), "a.ris")
    assert job.status == ImportJob.Status.DONE


def test_a_file_whose_import_failed_may_be_uploaded_again(search):
    broken = b"TY  - JOUR\nTI  - ok\nER  - \nTI  - no type\nER  - \n"
    first = import_file_now(search, broken, "x.ris")
    assert first.status == ImportJob.Status.FAILED
    again = import_file_now(search, broken, "x.ris")
    assert again.pk != first.pk


def test_the_service_refuses_a_second_copy(search):
    import_file_now(search, ris(2), "a.ris")
    with pytest.raises(ImportRefused, match="already uploaded"):
        import_file_now(search, ris(2), "b.ris")
