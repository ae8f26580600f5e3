"""A zh-Hant lead imports a screening history in the background: the job's pages (the preview
to confirm, the report) read in Chinese, and the error the job keeps is in the lead's
language even though the worker's thread speaks English."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from reviewapp.models import Job
from screening.transfer import background, service
from tests.screening.transfer.helpers import fresh_review, screened

from .untranslated import UserContent, english_runs

pytestmark = pytest.mark.django_db


def test_the_history_import_pages_read_in_chinese(team, django_capture_on_commit_callbacks):
    screened(team)
    data = "".join(service.export(team.review, "rayyan-ris")).encode()
    target = fresh_review(team)
    team.lead.language = "zh-hant"
    team.lead.save(update_fields=["language"])
    client = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("history_import", args=[target.slug]),
            {"source": "rayyan", "file": SimpleUploadedFile("rayyan.ris", data)},
        )
    preview = client.get(sent["Location"]).content.decode()
    assert "匯入篩選歷程" in preview
    assert english_runs(preview, UserContent()) == []
    read = Job.objects.get(task=background.read_history.name)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        job = background.start_applying(
            target,
            read,
            {"Rita Reviewer": team.reviewer1.pk, "Remy Reviewer": team.reviewer2.pk},
            by=team.lead,
        )
    report = client.get(reverse("history_job", args=[target.slug, job.pk])).content.decode()
    assert "已匯入 5 筆紀錄、8 個決定及 0 個團隊結果。" in report
    assert english_runs(report, UserContent()) == []
    job.refresh_from_db()
    assert job.result["decisions"] == 8


def test_the_error_the_job_keeps_is_in_the_leads_language(team, django_capture_on_commit_callbacks):
    screened(team)
    data = "".join(service.export(team.review, "rayyan-ris")).encode()
    target = fresh_review(team)
    team.lead.language = "zh-hant"
    team.lead.save(update_fields=["language"])
    path = background.store(target, SimpleUploadedFile("rayyan.ris", data))
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        read = background.start_reading(target, path, "rayyan.ris", "rayyan", "auto", by=team.lead)
    target.memberships.filter(user=team.reviewer2).update(active=False)
    read.refresh_from_db()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        job = background.start_applying(target, read, dict(read.result["people"]), by=team.lead)
    job.refresh_from_db()
    assert job.result["error"] == "remy@example.org 不是這份文獻回顧的審查者。"
