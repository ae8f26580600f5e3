"""Issue #26: import_review read archive members whole (zf.read): a 3.2 MB archive used 6.4 GB
of RAM and wrote 3 GB, a padded data.json used 4.3 GB. Members are measured before anything is
decompressed, read through a meter, data.json parsed as a stream, files streamed with their
sha256 checked, and each member restored at most once."""

from __future__ import annotations

import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reviewapp import backup
from reviewapp.models import Review, User
from screening.models import ImportJob, Report

from .rich_review import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(team, tmp_path, django_capture_on_commit_callbacks) -> Path:
    """An archive of a review with a row in every model and two stored files."""
    with django_capture_on_commit_callbacks(execute=True):
        build(team)
    path = tmp_path / "review.zip"
    backup.export_review(team.review, path)
    return path


def _rewrite(source: Path, target: Path, replace=None, add=None, level=9) -> Path:
    """Copy an archive, replacing members (bytes, or a callable writing into the member)."""
    replace, add = replace or {}, add or {}
    with (
        zipfile.ZipFile(source) as src,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst,
    ):
        for item in src.infolist():
            content = replace.get(item.filename, src.read(item.filename))
            _write(dst, item.filename, content)
        for name, content in add.items():
            _write(dst, name, content)
    return target


def _write(dst: zipfile.ZipFile, name: str, content) -> None:
    if callable(content):
        with dst.open(name, "w", force_zip64=True) as member:
            content(member)
    else:
        dst.writestr(name, content)


def _data(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("data.json"))


def _nothing_restored(before_reviews: int, before_users: int, media: Path, files: list) -> None:
    assert Review.objects.count() == before_reviews
    assert User.objects.count() == before_users
    assert sorted(p for p in media.rglob("*") if p.is_file()) == files


def _state(settings):
    media = Path(settings.MEDIA_ROOT)
    return (
        Review.objects.count(),
        User.objects.count(),
        media,
        sorted(p for p in media.rglob("*") if p.is_file()),
    )


def test_a_member_that_expands_a_thousand_times_is_refused_before_it_is_read(
    archive, tmp_path, settings
):
    def zeros(member):  # 256 MB of zeros: a few hundred KB compressed
        block = bytes(1 << 20)
        for _ in range(256):
            member.write(block)

    bomb = _rewrite(archive, tmp_path / "bomb.zip", add={"files/x/bomb.bin": zeros})
    assert bomb.stat().st_size < 2_000_000
    state = _state(settings)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(CommandError, match=r"refused: files/x/bomb.bin expands 1,0\d\d times"):
        call_command("import_review", str(bomb), "--slug", "other")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 10 and peak < 16 << 20  # nothing was decompressed
    _nothing_restored(*state)


def test_a_padded_data_json_is_refused_and_would_be_read_with_flat_memory(
    archive, tmp_path, settings
):
    original = json.dumps(_data(archive)).encode()

    def padded(member):  # 64 MB of blanks between the first key and its value
        member.write(original[:11])
        for _ in range(64):
            member.write(b" " * (1 << 20))
        member.write(original[11:])

    bomb = _rewrite(archive, tmp_path / "padded.zip", replace={"data.json": padded})
    with pytest.raises(CommandError, match=r"refused: data.json expands"):
        call_command("import_review", str(bomb), "--slug", "other")
    assert not Review.objects.filter(slug="other").exists()
    # With the ratio allowed, the stream reader walks the padding in constant memory.
    settings.BACKUP_MAX_RATIO = 1_000_000
    tracemalloc.start()
    restored, _ = backup.import_review(bomb, slug="other")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert restored.slug == "other" and peak < 48 << 20


def test_one_value_larger_than_the_row_limit_is_refused(archive, tmp_path, settings):
    data = _data(archive)
    data["objects"]["screening.decision"][0]["fields"]["note"] = "x" * (3 << 20)
    big = _rewrite(archive, tmp_path / "big.zip", replace={"data.json": json.dumps(data)})
    settings.BACKUP_MAX_ROW_BYTES = 1 << 20
    settings.BACKUP_MAX_RATIO = 1_000_000
    state = _state(settings)
    with pytest.raises(CommandError, match=r"larger than 1 MB"):
        call_command("import_review", str(big), "--slug", "other")
    _nothing_restored(*state)


def test_a_stored_file_over_the_file_limit_is_refused_from_its_declared_size(
    archive, tmp_path, settings
):
    settings.BACKUP_MAX_FILE_BYTES = 100
    state = _state(settings)
    with pytest.raises(CommandError, match=r"refused: files/.* the limit is"):
        call_command("import_review", str(archive), "--slug", "other")
    _nothing_restored(*state)


def test_one_member_restored_for_many_rows_is_refused(archive, tmp_path, settings):
    """The 3 GB written from 3.2 MB: many rows pointing at one member, each written again."""
    data = _data(archive)
    report = next(r for r in data["objects"]["screening.report"] if r.get("files"))
    for job in data["objects"]["screening.importjob"]:
        job["files"]["file"] = report["files"]["file"]
    reused = _rewrite(archive, tmp_path / "reused.zip", replace={"data.json": json.dumps(data)})
    state = _state(settings)
    with pytest.raises(CommandError, match=r"corrupt: files/.* is restored twice"):
        call_command("import_review", str(reused), "--slug", "other")
    _nothing_restored(*state)


def test_a_file_whose_bytes_do_not_match_its_hash_leaves_nothing_behind(
    archive, tmp_path, settings
):
    data = _data(archive)
    report = next(r for r in data["objects"]["screening.report"] if r.get("files"))
    member = report["files"]["file"]["archive"]
    swapped = _rewrite(archive, tmp_path / "swapped.zip", replace={member: b"%PDF-1.4 other"})
    state = _state(settings)
    with pytest.raises(CommandError, match=r"corrupt: files/.* fails its checksum"):
        call_command("import_review", str(swapped), "--slug", "other")
    _nothing_restored(*state)


def test_a_stored_name_that_climbs_out_of_the_uploads_is_refused(archive, tmp_path, settings):
    data = _data(archive)
    for job in data["objects"]["screening.importjob"]:
        job["files"]["file"]["name"] = "../../../escaped.ris"
    hostile = _rewrite(archive, tmp_path / "climb.zip", replace={"data.json": json.dumps(data)})
    state = _state(settings)
    with pytest.raises(CommandError, match=r"not a safe file name"):
        call_command("import_review", str(hostile), "--slug", "other")
    _nothing_restored(*state)
    assert not list(tmp_path.rglob("escaped.ris"))


def test_an_ordinary_archive_still_restores_its_files(team, archive):
    restored, summary = backup.import_review(archive, slug="copy")
    jobs = ImportJob.objects.filter(review=restored)
    assert summary.files == 1 + jobs.count()
    assert Report.objects.exclude(file="").get(review=restored).file.read().startswith(b"%PDF-")
    assert all(job.file.read() for job in jobs)
