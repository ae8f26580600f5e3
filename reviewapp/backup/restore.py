"""Restore an archive as a new review: fresh ids, every reference rewritten, files saved
again (and removed if the restore fails)."""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import File
from django.core.validators import validate_slug
from django.db import connections, models, router, transaction

from reviewapp.models import Review

from . import archive
from .rules import (
    COPIED_FIELDS,
    GENERIC_POINTERS,
    JSON_REFERENCES,
    REVIEW_LABEL,
    BackupError,
    Context,
    Summary,
    chunks,
    forward_relations,
    review_models,
)


def import_review(
    source: str | os.PathLike | IO[bytes], *, slug: str | None = None, title: str | None = None
) -> tuple[Review, Summary]:
    """Restore an archive as a new review (fresh ids). Refuses a slug that is taken.

    The archive is measured before it is read and read as a stream (see `archive`): memory
    stays flat whatever its size, and nothing is written before data.json has been read
    whole (a corrupt or refused archive restores nothing)."""
    with archive.Archive(source) as opened, archive.spool_folder() as folder:
        known = {rm.label for rm in review_models()}
        data = opened.spool(Path(folder), known)
        slug = slug or data.review["fields"].get("slug") or opened.manifest.get("review", "")
        try:
            validate_slug(slug)
        except ValidationError as exc:
            raise BackupError(f"{slug!r} is not a valid slug.") from exc
        if Review.objects.filter(slug=slug).exists():
            raise BackupError(
                f"A review with the slug {slug!r} already exists: restore under another slug "
                "(import_review FILE --slug NEW)."
            )
        restorer = _Restorer(opened, data)
        try:
            with transaction.atomic():
                review = restorer.run(slug, title)
        except BackupError:
            restorer.discard_files()
            raise
        except Exception as exc:
            restorer.discard_files()
            raise BackupError(f"The archive could not be restored: {exc}") from exc
    summary = Summary(slug, data.counts, len(data.users), len(restorer.saved_files))
    return review, summary


class _Restorer:
    def __init__(self, opened: archive.Archive, data: archive.Spooled) -> None:
        self.archive = opened
        self.data = data
        self.ctx = Context()
        self.labels = {REVIEW_LABEL} | {rm.label for rm in review_models()}
        self.saved_files: list[tuple[Any, str]] = []
        # (model, attname, target label, old target id) → new ids of the rows to fill in.
        self.deferred: dict[tuple[Any, str, str, Any], list[Any]] = defaultdict(list)
        # (model, new pk, many-to-many field, its archived values)
        self.m2m: list[tuple[type[models.Model], Any, models.Field, list[Any]]] = []

    def discard_files(self) -> None:
        for storage, name in self.saved_files:
            with contextlib.suppress(OSError):
                storage.delete(name)

    def run(self, slug: str, title: str | None) -> Review:
        self._people()
        entry = self.data.review
        entry["fields"]["slug"] = slug
        if title:
            entry["fields"]["title"] = title
        (review,) = self._create(Review, [entry])
        # Rows are read from disk a batch at a time, in this app's creation order.
        for rm in review_models():
            for batch in self.data.rows(rm.label):
                self._create(rm.model, batch)
        self._fill_deferred()
        self._fill_m2m()
        return review

    def _people(self) -> None:
        user_model = get_user_model()
        for person in self.data.users:
            email = person["email"]
            user = (
                user_model._base_manager.filter(email=email).first()
                or user_model._base_manager.filter(email__iexact=email).first()
            )
            if user is None:
                # A restored colleague with no account here: they set a password by reset.
                user = user_model(email=email)
                for attr in ("full_name", "first_name", "last_name"):
                    if hasattr(user, attr) and person.get(attr):
                        setattr(user, attr, person[attr])
                user.set_unusable_password()
                user.save()
            self.ctx.users[email] = user.pk

    def _create(self, model: type[models.Model], entries: list[dict]) -> list[models.Model]:
        label = model._meta.label_lower
        relations = forward_relations(model)
        many = list(model._meta.many_to_many)
        hooks = JSON_REFERENCES.get(label, ())
        pointer = GENERIC_POINTERS.get(label)
        old_pks: list[Any] = []
        later: list[tuple[int, str, str, Any]] = []  # (index, attname, target label, old id)
        links: list[tuple[int, models.Field, list[Any]]] = []
        for index, entry in enumerate(entries):
            old_pks.append(entry["pk"])
            entry["model"] = label
            entry["pk"] = None
            fields = entry["fields"]
            for f in relations:
                if fields.get(f.name) is None:
                    continue
                new = self._reference(f, fields[f.name], old_pks[-1])
                if new is _LATER:
                    later.append(
                        (index, f.attname, f.related_model._meta.label_lower, fields[f.name])
                    )
                    new = None
                fields[f.name] = new
            for f in many:
                if f.name in fields:
                    links.append((index, f, fields.pop(f.name) or []))
            for hook in hooks:
                if hook.field in fields:
                    fields[hook.field] = hook.restore(fields[hook.field], self.ctx)
            if pointer:
                self._repoint(fields, *pointer)
            for name, stored in (entry.pop("files", None) or {}).items():
                fields[name] = self._restore_file(model._meta.get_field(name), stored)
        for name, (via, source) in COPIED_FIELDS.get(label, {}).items():
            self._fill_copies(model, entries, name, via, source)
        self._fresh_unique_values(model, entries)
        objs = [
            d.object for d in serializers.deserialize("python", entries, ignorenonexistent=True)
        ]
        _insert(model, objs)
        ids = self.ctx.ids[label]
        for old, obj in zip(old_pks, objs, strict=True):
            ids[old] = obj.pk
        for index, attname, target, old_target in later:
            self.deferred[(model, attname, target, old_target)].append(objs[index].pk)
        self.m2m += [(model, objs[index].pk, f, values) for index, f, values in links]
        return objs

    def _fill_copies(
        self, model: type[models.Model], entries: list[dict], name: str, via: str, source: str
    ) -> None:
        """Rows archived before `name` copied `via`'s `source`: read it from the restored rows."""
        missing = [e["fields"] for e in entries if e["fields"].get(name) is None]
        if not missing:
            return
        target = model._meta.get_field(via).related_model
        found = dict(
            target._base_manager.filter(pk__in={f[via] for f in missing}).values_list("pk", source)
        )
        for fields in missing:
            fields[name] = found.get(fields[via])

    def _reference(self, f: models.Field, value: Any, owner: Any) -> Any:
        label = f.model._meta.label_lower
        target = f.related_model
        if target is get_user_model():
            if value not in self.ctx.users:
                raise BackupError(f"{label} {owner}: {f.name} names a person not in the archive.")
            return self.ctx.users[value]
        target_label = target._meta.label_lower
        if target_label not in self.labels:
            return value  # shared, owned by no review: kept as it is
        new = self.ctx.new_id(target_label, value)
        if new is not None:
            return new
        if not f.null:
            raise BackupError(
                f"{label} {owner}: {f.name} points at {target_label} {value}, "
                "which is not in the archive."
            )
        # Created later (a cycle, or a self-reference to a later row): filled in at the end.
        return _LATER

    def _repoint(self, fields: dict, type_field: str, id_field: str) -> None:
        object_type, object_id = fields.get(type_field), fields.get(id_field)
        if object_type not in self.labels or object_id in (None, ""):
            return
        try:
            old = int(object_id)
        except (TypeError, ValueError):
            return
        new = self.ctx.new_id(object_type, old)
        if new is not None:
            fields[id_field] = str(new)

    def _restore_file(self, f: models.Field, stored: dict | None) -> str:
        if not stored:
            return ""  # the file was already missing when exported: no dangling name
        storage = f.storage
        # Streamed to a temporary file through the limits and the sha256 check, then handed to
        # storage whole: storage never keeps bytes that failed their check.
        with self.archive.verified_copy(stored, self.data.folder) as copy:
            try:
                name = storage.save(str(stored.get("name") or "restored"), File(copy))
            except SuspiciousFileOperation as exc:
                raise BackupError(
                    f"The archive is corrupt: {stored.get('name')!r} is not a safe file name."
                ) from exc
        self.saved_files.append((storage, name))
        return name

    def _fresh_unique_values(self, model: type[models.Model], entries: list[dict]) -> None:
        """A unique value already taken here (an invitation token when the same review is
        restored twice) is drawn again from the field's default; anything else is an error."""
        for f in model._meta.concrete_fields:
            if not f.unique or f.primary_key or f.is_relation:
                continue
            values = [e["fields"].get(f.name) for e in entries if e["fields"].get(f.name)]
            if not values:
                continue
            taken = set(
                model._base_manager.filter(**{f"{f.name}__in": values}).values_list(
                    f.name, flat=True
                )
            )
            if not taken:
                continue
            if not callable(f.default):
                raise BackupError(
                    f"{model._meta.label}.{f.name}: {sorted(map(str, taken))[0]!r} already "
                    "exists in this database."
                )
            for entry in entries:
                if entry["fields"].get(f.name) in taken:
                    entry["fields"][f.name] = f.default()

    def _fill_deferred(self) -> None:
        updates: dict[tuple[Any, str, Any], list[Any]] = defaultdict(list)
        for (model, attname, target_label, old_target), rows in self.deferred.items():
            new_target = self.ctx.new_id(target_label, old_target)
            if new_target is None:
                continue  # the target is not in the archive: the nullable key stays empty
            updates[(model, attname, new_target)].extend(rows)
        for (model, attname, new_target), rows in updates.items():
            # A plain QuerySet: the audit trail's own queryset refuses every update.
            models.QuerySet(model).filter(pk__in=rows).update(**{attname: new_target})

    def _fill_m2m(self) -> None:
        for model, pk, f, values in self.m2m:
            if f.related_model is get_user_model():
                ids = [self.ctx.users[v] for v in values if v in self.ctx.users]
            else:
                label = f.related_model._meta.label_lower
                ids = [self.ctx.new_id(label, v) if label in self.labels else v for v in values]
            getattr(model(pk=pk), f.name).set([i for i in ids if i is not None])


_LATER = object()


def _insert(model: type[models.Model], objs: list[models.Model]) -> None:
    """Insert rows as they are (raw: auto_now and auto_now_add keep the archived times).

    Every row is a new one, so the audit trail's append-only guard is not at stake: nothing
    existing is changed. Batched where the database returns the new ids of a multi-row insert.
    """
    if not objs:
        return
    meta = model._meta
    using = router.db_for_write(model)
    connection = connections[using]
    for obj in objs:
        if meta.pk is meta.auto_field:
            obj.pk = None
        elif meta.pk.has_default():
            obj.pk = meta.pk.get_default()
    fields = [
        f
        for f in meta.local_concrete_fields
        if not f.generated and not (f is meta.auto_field and objs[0].pk is None)
    ]
    if not connection.features.can_return_rows_from_bulk_insert:
        for obj in objs:
            models.Model.save_base(obj, using=using, raw=True, force_insert=True)
        return
    size = max(1, connection.ops.bulk_batch_size(fields, objs) or len(objs))
    for batch in chunks(objs, size):
        rows = model._base_manager.using(using)._insert(
            batch, fields=fields, returning_fields=[meta.pk], raw=True, using=using
        )
        for obj, row in zip(batch, rows, strict=True):
            obj.pk = row[0]
            obj._state.adding = False
            obj._state.db = using
