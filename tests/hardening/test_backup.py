"""export_review / import_review: a whole review round-trips, with fresh ids, losslessly."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from reviewapp import backup
from reviewapp.models import AuditEvent, Review, User
from screening.models import Decision, Record

from .rich_review import build

pytestmark = pytest.mark.django_db


# A canonical dump: every row of the review with ids replaced by positions --------------------


def _positions(review: Review) -> dict[str, dict]:
    positions = {"reviewapp.review": {review.pk: 0}}
    for rm in backup.review_models():
        pks = backup.rows_of(review, rm).values_list("pk", flat=True)
        positions[rm.label] = {pk: index for index, pk in enumerate(pks)}
    return positions


def _user_email(pk) -> str | None:
    return User.objects.filter(pk=pk).values_list("email", flat=True).first()


def _value(obj: models.Model, f: models.Field, positions: dict) -> object:
    label = obj._meta.label_lower
    value = getattr(obj, f.attname)
    if f.is_relation:
        if value is None:
            return None
        if f.related_model is User:
            return _user_email(value)
        target = f.related_model._meta.label_lower
        return (target, positions.get(target, {}).get(value, f"outside:{value}"))
    if isinstance(f, models.FileField):
        if not value:
            return None
        with value.open("rb") as fh:
            return ("file", hashlib.sha256(fh.read()).hexdigest())
    if label == "reviewapp.auditevent" and f.name == "object_id" and obj.object_type:
        return positions.get(obj.object_type, {}).get(int(value), value) if value else value
    if label == "screening.screeningsettings" and f.name == "participant_ids" and value:
        return sorted(_user_email(pk) for pk in value)
    if label == "screening.screeningsettings" and f.name == "synced":
        out = {}
        for stage, state in value.items():
            people, _, rest = state["key"].partition("|")
            record = state.get("record_id") or 0
            records = positions["screening.record"]
            out[stage] = {
                "people": sorted(_user_email(int(p)) for p in people.split(",") if p),
                "rest": rest,
                # The newest record it covered, as a position (0: none).
                "record": max((i for pk, i in records.items() if pk <= record), default=None),
            }
        return out
    return value


def dump(review: Review, *, skip: set[str] = frozenset()) -> dict[str, list[dict]]:
    """Every row of every model the review owns, in id order, ids as positions, file bytes as
    hashes. Two reviews with the same dump hold the same information."""
    positions = _positions(review)
    out = {
        "reviewapp.review": [
            {
                f.name: _value(review, f, positions)
                for f in Review._meta.concrete_fields
                if f.name not in {"id", "slug"}
            }
        ]
    }
    for rm in backup.review_models():
        rows = []
        for obj in backup.rows_of(review, rm):
            rows.append(
                {
                    f.name: _value(obj, f, positions)
                    for f in rm.model._meta.concrete_fields
                    if not f.primary_key and f"{rm.label}.{f.name}" not in skip
                }
            )
        out[rm.label] = rows
    return out


def assert_same(before: dict, after: dict) -> None:
    assert list(before) == list(after)
    for label in before:
        assert len(before[label]) == len(after[label]), label
        for index, (a, b) in enumerate(zip(before[label], after[label], strict=True)):
            assert a == b, f"{label} row {index} differs"


def purge(review: Review) -> None:
    """Delete a review row by row, referrers first (its decisions protect their reasons)."""
    for rm in reversed(backup.review_models()):
        # A plain QuerySet: the audit trail's own refuses deletes, as it should in the app.
        models.QuerySet(rm.model).filter(pk__in=backup.rows_of(review, rm)).delete()
    Review.objects.filter(pk=review.pk).delete()


# An invitation's token is unique across the database: a copy beside its original gets its own.
TOKEN = {"reviewapp.invitation.token"}


# The round trip ------------------------------------------------------------------------------


@pytest.fixture
def rich(team, django_capture_on_commit_callbacks):
    from screening.models import RankedRecord

    with django_capture_on_commit_callbacks(execute=True):
        objects = build(team)
    # The stop emptied Rita's queue, so her retrain (run on commit) left no ranks; keep one so
    # the backup is seen to carry the ranking table too.
    if not RankedRecord.objects.filter(review=team.review).exists():
        RankedRecord.objects.create(
            review=team.review,
            reviewer=team.reviewer1,
            record=objects["job"].records.first(),
            rank=1,
            score=0.5,
        )
    return objects


def test_the_rich_review_has_a_row_in_every_model_a_review_owns(team, rich):
    empty = [rm.label for rm in backup.review_models() if not backup.rows_of(team.review, rm)]
    assert not empty, f"extend tests/hardening/rich_review.py so these round-trip too: {empty}"


def test_every_model_of_our_apps_is_backed_up():
    assert backup.not_backed_up() == [], "a model with no path to Review is not in any archive"


def test_a_review_restored_under_a_new_slug_is_the_same_review_with_fresh_ids(team, rich, tmp_path):
    archive = tmp_path / "review.zip"
    call_command("export_review", "--review", team.review.slug, "-o", str(archive))
    before = dump(team.review, skip=TOKEN)
    out = io.StringIO()
    call_command("import_review", str(archive), "--slug", "restored", stdout=out)
    assert out.getvalue().strip() == "restored"

    restored = Review.objects.get(slug="restored")
    assert restored.pk != team.review.pk
    assert_same(before, dump(restored, skip=TOKEN))
    # Fresh rows, not re-pointed old ones: the original is untouched and disjoint.
    assert_same(before, dump(team.review, skip=TOKEN))
    old_ids = set(Record.objects.filter(review=team.review).values_list("pk", flat=True))
    new_ids = set(Record.objects.filter(review=restored).values_list("pk", flat=True))
    assert old_ids and not old_ids & new_ids
    # The invitation link of the original stays unique: the copy gets its own token.
    assert restored.invitations.get().token != team.review.invitations.get().token


def test_the_restored_full_text_is_a_new_file_with_the_same_bytes(team, rich, tmp_path):
    archive = tmp_path / "review.zip"
    backup.export_review(team.review, archive)
    restored, _ = backup.import_review(archive, slug="copy")
    original = rich["report"]
    copy = restored.reports.get(file_sha256=original.file_sha256)
    assert copy.file.name and copy.file.name != original.file.name
    assert copy.file.read() == original.file.read()
    job = restored.import_jobs.get()
    assert job.file.read() == rich["job"].file.read()


def test_restoring_keeps_the_audit_trail_pointing_at_the_restored_rows(team, rich, tmp_path):
    archive = tmp_path / "review.zip"
    backup.export_review(team.review, archive)
    restored, _ = backup.import_review(archive, slug="copy")
    assert AuditEvent.objects.filter(review=restored).count() == (
        AuditEvent.objects.filter(review=team.review).count()
    )
    made = AuditEvent.objects.filter(review=restored, action="decision.made")
    decisions = {
        str(pk) for pk in Decision.objects.filter(review=restored).values_list("pk", flat=True)
    }
    assert made and {e.object_id for e in made} <= decisions
    # Still append-only after the restore.
    with pytest.raises(Exception, match="append-only"):
        made.first().save()


def test_a_restore_into_an_empty_place_recreates_missing_people_without_a_password(
    team, rich, tmp_path
):
    archive = tmp_path / "review.zip"
    backup.export_review(team.review, archive)
    before = dump(team.review)
    slug = team.review.slug
    tokens = set(team.review.invitations.values_list("token", flat=True))
    purge(team.review)
    User.objects.filter(email="Guest.Reviewer@example.org").delete()

    restored, summary = backup.import_review(archive)
    assert restored.slug == slug
    assert_same(before, dump(restored))
    assert set(restored.invitations.values_list("token", flat=True)) == tokens
    guest = User.objects.get(email="Guest.Reviewer@example.org")
    assert guest.full_name == "Gus Guest"
    assert not guest.has_usable_password()
    assert summary.files == 2


def test_the_comparison_notices_a_lost_change(team, rich, tmp_path):
    """The round-trip check is not vacuous: one changed note makes the dumps differ."""
    archive = tmp_path / "review.zip"
    backup.export_review(team.review, archive)
    restored, _ = backup.import_review(archive, slug="copy")
    Decision.objects.filter(review=restored).update(note="changed")
    with pytest.raises(AssertionError, match=r"screening.decision"):
        assert_same(dump(team.review, skip=TOKEN), dump(restored, skip=TOKEN))


def test_an_archive_whose_slug_exists_is_refused_unless_a_new_slug_is_given(team, rich, tmp_path):
    archive = tmp_path / "review.zip"
    backup.export_review(team.review, archive)
    count = Record.objects.count()
    with pytest.raises(CommandError, match=r"already exists.*--slug"):
        call_command("import_review", str(archive))
    assert Record.objects.count() == count


# Broken archives -----------------------------------------------------------------------------


def _rewrite(archive: Path, target: Path, **replace: bytes) -> None:
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            dst.writestr(item.filename, replace.get(item.filename, src.read(item.filename)))


def test_an_archive_of_a_newer_format_is_refused_with_the_versions_named(team, tmp_path):
    archive = tmp_path / "review.zip"
    backup.export_review(team.review, archive)
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["version"] = backup.FORMAT_VERSION + 1
    newer = tmp_path / "newer.zip"
    _rewrite(archive, newer, **{"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(CommandError, match=r"format version 2; this version of the app reads"):
        call_command("import_review", str(newer), "--slug", "other")
    assert not Review.objects.filter(slug="other").exists()


def test_a_corrupt_archive_gives_a_clear_error_and_restores_nothing(team, rich, tmp_path):
    archive = tmp_path / "review.zip"
    backup.export_review(team.review, archive)
    reviews, users = Review.objects.count(), User.objects.count()

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match=r"Not a review archive|corrupt"):
        call_command("import_review", str(truncated), "--slug", "other")

    flipped = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("data.json")
    middle = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    flipped[middle] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(CommandError, match="corrupt"):
        call_command("import_review", str(damaged), "--slug", "other")

    not_json = tmp_path / "notjson.zip"
    _rewrite(archive, not_json, **{"data.json": b'{"review": '})
    with pytest.raises(CommandError, match=r"corrupt.*JSON"):
        call_command("import_review", str(not_json), "--slug", "other")

    text = tmp_path / "notes.txt"
    text.write_text("not an archive")
    with pytest.raises(CommandError, match="Not a review archive"):
        call_command("import_review", str(text), "--slug", "other")
    assert (Review.objects.count(), User.objects.count()) == (reviews, users)


def test_a_failure_midway_leaves_no_rows_and_no_files(team, rich, tmp_path, settings):
    archive = tmp_path / "review.zip"
    backup.export_review(team.review, archive)
    with zipfile.ZipFile(archive) as zf:
        data = json.loads(zf.read("data.json"))
    # A coding that points at a code the archive does not hold: found only late in the restore.
    data["objects"]["coding.coding"][0]["fields"]["code"] = 999999
    broken = tmp_path / "broken.zip"
    _rewrite(archive, broken, **{"data.json": json.dumps(data).encode()})
    files_before = sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    with pytest.raises(CommandError, match=r"coding.coding .* not in the archive"):
        call_command("import_review", str(broken), "--slug", "other")
    assert not Review.objects.filter(slug="other").exists()
    assert sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == files_before


def test_export_of_an_unknown_review_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="No review"):
        call_command("export_review", "--review", "nope", "-o", str(tmp_path / "x.zip"))


def test_a_review_with_decisions_and_codings_can_be_deleted_whole(team, rich):
    """Reasons, codes and versions are RESTRICTed, not PROTECTed: they go with their review."""
    from screening.models import Decision

    review_id = team.review.pk
    assert Decision.objects.filter(review_id=review_id).exists()
    Review.objects.filter(pk=review_id).delete()
    assert not Decision.objects.filter(review_id=review_id).exists()
