"""The importers speak the uploader's language: a zh-Hant lead reads why a truncated RIS or a
file of unknown format was not imported in Chinese, an English lead in English; the stored report
is written in the uploader's language even when the worker's thread is in another; the
import_records command stays English unless --language says otherwise; and the importers
themselves still run without Django (English)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from reviewapp import jobs
from reviewapp.models import Job
from screening.identification.imports import import_file_now, latest_run, run_import, store_upload
from screening.models import ImportJob
from tests.screening.identification.imports.conftest import ris

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CUT = ris(4) + b"TY  - JOUR\nTI  - Half a record, then the download stop"
CUT_AT = ris(4).count(b"\n") + 1
NOT_AN_EXPORT = b"Dear colleagues,\nplease find the references below.\n"


def _speaking(team, language: str):
    team.lead.language = language
    team.lead.save(update_fields=["language"])
    return team.client(team.lead)


def _upload(client, search, name: str, content: bytes, **fields):
    return client.post(
        f"/r/{search.review.slug}/searches/{search.pk}/upload/",
        {"files": SimpleUploadedFile(name, content), "format": "auto", **fields},
    )


def _imported(client, search, name: str, content: bytes, capture, **fields) -> str:
    """The import page once the background import ran."""
    with capture(execute=True):
        response = _upload(client, search, name, content, **fields)
    return client.get(response["Location"]).content.decode()


def test_a_truncated_ris_is_reported_in_chinese_to_a_chinese_speaking_lead(
    team, search, django_capture_on_commit_callbacks
):
    client = _speaking(team, "zh-hant")
    page = _imported(client, search, "scopus.ris", CUT, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get(search=search)
    assert job.status == "failed"
    assert job.error.startswith(f"第 {CUT_AT} 行：檔案提前結束：最後一筆 RIS 紀錄沒有 ER 標籤。")
    assert "檔案看起來被截斷了（下載中斷？）" in job.error
    assert "未匯入。" in page and f"第 {CUT_AT} 行：檔案提前結束" in page
    assert "the file ends too early" not in page


def test_a_truncated_ris_allowed_leaves_a_chinese_warning(
    team, search, django_capture_on_commit_callbacks
):
    client = _speaking(team, "zh-hant")
    page = _imported(
        client, search, "s.ris", CUT, django_capture_on_commit_callbacks, allow_truncated="on"
    )
    job = ImportJob.objects.get(search=search)
    assert (job.status, job.records_imported) == ("done", 4)
    assert job.warnings == [
        [CUT_AT, "檔案提前結束：最後一筆 RIS 紀錄沒有 ER 標籤；已捨棄這筆紀錄，完整的紀錄皆已匯入"]
    ]
    assert "已捨棄這筆紀錄" in page


def test_a_truncated_ris_is_reported_in_english_to_an_english_speaking_lead(
    team, search, django_capture_on_commit_callbacks
):
    client = _speaking(team, "en")
    page = _imported(client, search, "scopus.ris", CUT, django_capture_on_commit_callbacks)
    job = ImportJob.objects.get(search=search)
    assert job.error.startswith(
        f"Line {CUT_AT}: the file ends too early: the last RIS record has no ER tag. "
        "The file looks cut off (an interrupted download?)"
    )
    assert "Not imported." in page and f"Line {CUT_AT}: the file ends too early" in page


def test_a_file_of_unknown_format_is_refused_in_chinese(team, search):
    client = _speaking(team, "zh-hant")
    page = _upload(client, search, "notes.txt", NOT_AN_EXPORT)
    html = client.get(page["Location"]).content.decode()
    assert "無法辨識這個檔案（notes.txt）的格式。可讀取的格式：RIS" in html
    assert "Web of Science 純文字" in html and "含標題列的 CSV／TSV" in html  # names translated
    assert "was not recognised" not in html
    assert not ImportJob.objects.filter(search=search).exists()


def test_a_file_of_unknown_format_is_refused_in_english(team, search):
    client = _speaking(team, "en")
    page = _upload(client, search, "notes.txt", NOT_AN_EXPORT)
    html = client.get(page["Location"]).content.decode()
    assert "The format of this file (notes.txt) was not recognised. We read: RIS" in html
    assert not ImportJob.objects.filter(search=search).exists()


def test_the_stored_report_follows_the_uploader_not_the_worker_thread(team, search):
    """A worker thread left in zh-Hant by an earlier task still writes an English uploader's
    report in English, and the other way round."""
    for language, expected in (("en", "Line "), ("zh-hant", "第 ")):
        ImportJob.objects.filter(search=search).delete()
        team.lead.language = language
        team.lead.save(update_fields=["language"])
        job = import_file_now(search, CUT, "cut.ris", user=team.lead)
        job.status, job.attempts = "queued", 0
        job.save(update_fields=["status", "attempts"])
        other = "en" if language == "zh-hant" else "zh-hant"
        with translation.override(other):
            again = run_import(job.pk)
        assert again.error.startswith(expected), again.error


def test_an_import_given_up_by_the_sweeper_says_why_in_the_uploaders_language(
    team, search, settings
):
    team.lead.language = "zh-hant"
    team.lead.save(update_fields=["language"])
    job = store_upload(search, ris(3), "huge.ris", user=team.lead)  # never sent
    run = latest_run(job)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, attempts=4)
    Job.objects.filter(pk=run.pk).update(
        status=Job.Status.RUNNING,
        attempts=settings.JOB_MAX_ATTEMPTS,
        progress=63,
        heartbeat_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert jobs.sweep_once()["given_up"] == 1  # the sweeper runs in the site's language
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "63 %" in job.error and "The worker stopped" not in job.error
    assert job.error == (
        f"執行期間工作程序中斷了 {settings.JOB_MAX_ATTEMPTS} 次（最後一次在 63 %），因此已放棄。"
        " 檔案未儲存任何內容；請重新上傳再試一次。"
    )


def test_the_command_reports_in_english_unless_asked(team, search, tmp_path, capsys):
    path = tmp_path / "cut.ris"
    path.write_bytes(CUT)
    with pytest.raises(CommandError, match="Not imported"):
        call_command("import_records", str(path), review=team.review.slug, source="Scopus")
    out = capsys.readouterr().out
    assert "Records imported: 0" in out
    assert f"Error: Line {CUT_AT}: the file ends too early" in out


def test_the_command_reports_in_chinese_with_language(team, search, tmp_path, capsys):
    path = tmp_path / "cut.ris"
    path.write_bytes(CUT)
    with pytest.raises(CommandError, match="Not imported"):  # the command's own words: English
        call_command(
            "import_records",
            str(path),
            review=team.review.slug,
            source="Scopus",
            language="zh-hant",
        )
    out = capsys.readouterr().out
    assert "已匯入的紀錄：0" in out
    assert f"錯誤：第 {CUT_AT} 行：檔案提前結束" in out


def test_the_importers_run_without_django_and_speak_english():
    code = (
        "import io, sys\n"
        "from screening.identification.importers import ImportFormatError, iter_records\n"
        "try:\n"
        "    list(iter_records(io.BytesIO(sys.argv[1].encode()), filename='cut.ris'))\n"
        "except ImportFormatError as exc:\n"
        "    print(exc)\n"
        "import django.conf\n"
        "print(django.conf.settings.configured)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", code, CUT.decode()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    error, configured = done.stdout.strip().splitlines()
    assert error.startswith(f"Line {CUT_AT}: the file ends too early: the last RIS record")
    assert configured == "False"
