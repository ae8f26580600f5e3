"""A malformed file is refused with its line and the reason, and nothing of it is stored."""

from __future__ import annotations

import pytest

from screening.identification import writes
from screening.models import ImportJob, Record

from .conftest import ris, upload

pytestmark = pytest.mark.django_db


def test_a_malformed_file_is_refused_with_its_line_and_nothing_is_stored(
    team, search, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(writes, "BATCH_SIZE", 5)  # several batches are written before the fault
    good = ris(30)
    broken_at = good.count(b"\n") + 1
    content = good + b"TI  - A record without its type\nER  - \n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(team.client(team.lead), search, "broken.ris", content)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert f"Line {broken_at}" in job.error
    assert Record.objects.count() == 0
    page = team.client(team.lead).get(response["Location"]).content.decode()
    assert "Not imported." in page and f"Line {broken_at}" in page
    assert team.review.audit_events.filter(action="import.failed").exists()
