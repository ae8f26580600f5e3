"""Write one review, everything that belongs to it and its files into a zip archive."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
import zipfile
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core import serializers
from django.db import models
from django.utils import timezone

from reviewapp.models import Review

from .rules import (
    APPS,
    BATCH,
    FORMAT,
    FORMAT_VERSION,
    JSON_REFERENCES,
    Context,
    Summary,
    chunks,
    forward_relations,
    is_user_fk,
    review_models,
    rows_of,
)


class _Encoder(json.JSONEncoder):
    """Full precision: Django's encoder drops microseconds, which would not round-trip."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | date | time):
            return o.isoformat()
        if isinstance(o, timedelta):
            return o.total_seconds()
        if isinstance(o, Decimal | uuid.UUID):
            return str(o)
        if isinstance(o, bytes | memoryview):
            return bytes(o).hex()
        return super().default(o)


def _people(review: Review) -> models.QuerySet:
    """Everyone a row of the review names (by a foreign key or a many-to-many)."""
    user_ids: set[Any] = {review.created_by_id} - {None}
    for rm in review_models():
        for f in forward_relations(rm.model):
            if is_user_fk(f):
                user_ids.update(
                    rows_of(review, rm)
                    .exclude(**{f.attname: None})
                    .values_list(f.attname, flat=True)
                    .distinct()
                    .order_by()
                )
    for rm in review_models():
        for f in rm.model._meta.many_to_many:
            if f.related_model is get_user_model():
                user_ids.update(
                    rows_of(review, rm)
                    .exclude(**{f.name: None})
                    .values_list(f.name, flat=True)
                    .order_by()
                )
    return get_user_model()._base_manager.filter(pk__in=user_ids).order_by("pk")


class _Writer:
    """data.json written row by row to a temporary file, file bytes straight into the zip."""

    def __init__(self, zf: zipfile.ZipFile, data: IO[bytes], ctx: Context) -> None:
        self.zf = zf
        self.data = data
        self.ctx = ctx
        self.counts: dict[str, int] = {}
        self.files = 0
        self.missing: list[str] = []

    def write(self, text: str) -> None:
        self.data.write(text.encode())

    def head(self, review: Review, people: models.QuerySet) -> None:
        self.write('{"review": ')
        self.write(json.dumps(_serialise([review], self.ctx)[0], cls=_Encoder))
        self.write(', "users": ')
        self.write(
            json.dumps(
                [
                    {
                        "email": u.email,
                        "full_name": getattr(u, "full_name", ""),
                        "first_name": u.first_name,
                        "last_name": u.last_name,
                    }
                    for u in people
                ]
            )
        )

    def objects(self, review: Review) -> None:
        self.write(', "objects": {')
        for index, rm in enumerate(review_models()):
            self.write(("" if index == 0 else ", ") + json.dumps(rm.label) + ": [")
            n = 0
            file_fields = [
                f for f in rm.model._meta.concrete_fields if isinstance(f, models.FileField)
            ]
            for batch in chunks(rows_of(review, rm).iterator(chunk_size=BATCH), BATCH):
                entries = _serialise(batch, self.ctx)
                for obj, entry in zip(batch, entries, strict=True):
                    for f in file_fields:
                        self._file(entry, obj, f, rm.label)
                    self.write(("" if n == 0 else ", ") + json.dumps(entry, cls=_Encoder))
                    n += 1
            self.write("]")
            self.counts[rm.label] = n
        self.write("}}")

    def _file(self, entry: dict, obj: models.Model, f: models.FileField, label: str) -> None:
        name = getattr(obj, f.attname).name
        if not name:
            return
        stored = _store_file(self.zf, f, name, f"files/{label}/{obj.pk}/{f.name}/")
        if stored is None:
            self.missing.append(name)
        else:
            self.files += 1
        entry.setdefault("files", {})[f.name] = stored


def export_review(review: Review, out: str | os.PathLike | IO[bytes]) -> Summary:
    """Write the review, everything that belongs to it and its files into a zip archive."""
    ctx = Context()
    people = _people(review)
    ctx.users = {u.pk: u.email for u in people}
    with (
        tempfile.TemporaryFile() as data,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf,
    ):
        writer = _Writer(zf, data, ctx)
        writer.head(review, people)
        writer.objects(review)
        data.seek(0)
        with zf.open("data.json", "w", force_zip64=True) as target:
            while chunk := data.read(1 << 20):
                target.write(chunk)
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "review": review.slug,
            "title": review.title,
            "exported_at": timezone.now().isoformat(),
            "counts": writer.counts,
            "users": len(ctx.users),
            "files": writer.files,
            "missing_files": writer.missing,
            "migrations": _migrations(),
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    return Summary(review.slug, writer.counts, len(ctx.users), writer.files, writer.missing)


def _serialise(objs: list[models.Model], ctx: Context) -> list[dict]:
    """Django's python serialisation, with people as emails and JSON ids made portable."""
    entries = serializers.serialize("python", objs)
    if not objs:
        return entries
    model = type(objs[0])
    user_fields = [f.name for f in forward_relations(model) if is_user_fk(f)]
    user_m2m = [f.name for f in model._meta.many_to_many if f.related_model is get_user_model()]
    hooks = JSON_REFERENCES.get(model._meta.label_lower, ())
    for entry in entries:
        fields = entry["fields"]
        for name in user_fields:
            if fields.get(name) is not None:
                fields[name] = ctx.users[fields[name]]
        for name in user_m2m:
            fields[name] = [ctx.users[i] for i in fields.get(name, [])]
        for hook in hooks:
            if hook.field in fields:
                fields[hook.field] = hook.export(fields[hook.field], ctx)
    return entries


def _store_file(zf: zipfile.ZipFile, f: models.FileField, name: str, prefix: str) -> dict | None:
    storage = f.storage
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return None
    digest = hashlib.sha256()
    path = prefix + Path(name).name
    with handle, zf.open(path, "w", force_zip64=True) as target:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            target.write(chunk)
    return {"archive": path, "name": name, "sha256": digest.hexdigest()}


def _migrations() -> dict[str, list[str]]:
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder.Migration.objects.filter(app__in=APPS).order_by("app", "name")
    out: dict[str, list[str]] = defaultdict(list)
    for app, name in applied.values_list("app", "name"):
        out[app].append(name)
    return dict(out)
