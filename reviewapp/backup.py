"""Back up one review into a zip archive and restore it, with fresh ids, into any database.

The archive holds ``manifest.json`` (format name and version, counts), ``data.json`` (the
review, the people it mentions, and every row that belongs to it, grouped by model) and
``files/`` (the bytes behind every FileField: uploaded exports, full-text PDFs).

Nothing here names the review's models one by one. A model belongs to a review when a chain
of foreign keys leads from it to Review (``Decision.review``, ``Extraction.study.review``,
``CodeVersion.version.codebook.review``); the chain, the order rows must be created in and the
references to remap are all read from ``_meta``, so a model added later is backed up without
touching this module. Only references Django cannot see — ids kept inside JSON, and the audit
trail's (object_type, object_id) pointer — are listed below.

Restoring never reuses ids: every row gets a fresh primary key and every reference is
rewritten through an old-id → new-id map, so a review restores into a database that already
holds other reviews (or the same review under another slug). People are matched by email; a
person missing from the target database gets an account without a usable password.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import uuid
import zipfile
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_slug
from django.db import connections, models, router, transaction
from django.utils import timezone

from .models import AuditEvent, Review

FORMAT = "reviewapp-review-archive"
FORMAT_VERSION = 1
APPS = ("reviewapp", "screening", "coding", "synthesis")
REVIEW_LABEL = "reviewapp.review"
_BATCH = 1000


class BackupError(Exception):
    """A review that cannot be exported or an archive that cannot be restored; the message
    says why, for the person running the command."""


# ---------------------------------------------------------------------------------------------
# Which models belong to a review, and in which order their rows are created
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewModel:
    model: type[models.Model]
    # ORM lookup from the model to its review: "review", "study__review", ...
    path: str

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def _forward_relations(model: type[models.Model]) -> list[models.Field]:
    """Concrete foreign keys and one-to-ones (not the pointer of multi-table inheritance)."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and not f.remote_field.parent_link
    ]


def _candidate_models() -> list[type[models.Model]]:
    user_model = get_user_model()
    return [
        m
        for app in APPS
        if apps.is_installed(app)
        for m in apps.get_app_config(app).get_models()
        if m is not Review
        and m is not user_model
        and not m._meta.proxy
        and m._meta.managed
        # Operational rows (background jobs) say BACKED_UP = False: they are not review content.
        and getattr(m, "BACKED_UP", True)
    ]


def _path_to_review(model: type[models.Model], *, nullable: bool) -> str | None:
    """The shortest chain of foreign keys from `model` to Review (breadth first)."""
    seen = {model}
    queue: deque[tuple[type[models.Model], list[str]]] = deque([(model, [])])
    while queue:
        current, path = queue.popleft()
        for f in _forward_relations(current):
            if f.null and not nullable:
                continue
            target = f.related_model
            if target is Review:
                return "__".join([*path, f.name])
            if target in seen or target._meta.app_label not in APPS:
                continue
            seen.add(target)
            queue.append((target, [*path, f.name]))
    return None


@cache
def review_models() -> tuple[ReviewModel, ...]:
    """Every model with a path to Review, in an order that creates targets before referrers.

    A path through non-null keys is preferred (a row cannot lose its owner); a model reached
    only through nullable keys (the audit trail) keeps the rows whose chain is set.
    """
    found: dict[type[models.Model], str] = {}
    for model in _candidate_models():
        path = _path_to_review(model, nullable=False) or _path_to_review(model, nullable=True)
        if path is not None:
            found[model] = path
    return tuple(ReviewModel(m, found[m]) for m in _creation_order(list(found)))


def not_backed_up() -> list[str]:
    """Models of our apps that no review owns (nothing leads to Review): never in an archive."""
    owned = {rm.model for rm in review_models()}
    return sorted(m._meta.label_lower for m in _candidate_models() if m not in owned)


def _creation_order(todo: list[type[models.Model]]) -> list[type[models.Model]]:
    """Kahn's algorithm over non-null keys (hard) and nullable keys (soft, broken if cyclic).

    A nullable key whose target is created later is set to null first and filled in after
    every row exists; the order keeps such fix-ups to cycles (record ↔ duplicate cluster).
    Models with a generic (object_type, object_id) pointer go last: they may point anywhere.
    """
    members = set(todo)
    hard: dict[Any, set] = {m: set() for m in todo}
    soft: dict[Any, set] = {m: set() for m in todo}
    for m in todo:
        for f in _forward_relations(m):
            target = f.related_model
            if target in members and target is not m:
                (soft if f.null else hard)[m].add(target)
        for hook in JSON_REFERENCES.get(m._meta.label_lower, ()):
            hard[m].update(t for t in map(_model_of, hook.needs) if t in members and t is not m)
    last = [m for m in todo if m._meta.label_lower in GENERIC_POINTERS]
    order: list[type[models.Model]] = []
    placed: set = set()
    pending = [m for m in todo if m not in last]
    while pending:
        ready = [m for m in pending if hard[m] <= placed]
        if not ready:
            names = ", ".join(m._meta.label for m in pending)
            raise BackupError(f"Non-null foreign keys form a cycle among: {names}")
        best = next((m for m in ready if soft[m] <= placed), ready[0])
        order.append(best)
        placed.add(best)
        pending.remove(best)
    return order + last


def _model_of(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# References Django's _meta cannot see
# ---------------------------------------------------------------------------------------------


@dataclass
class Context:
    """Id maps shared by the hooks: old id → new id per model label, and people by email."""

    ids: dict[str, dict[Any, Any]] = field(default_factory=lambda: defaultdict(dict))
    # Export: user id → email. Import: email → new user id.
    users: dict[Any, Any] = field(default_factory=dict)

    def new_id(self, label: str, old: Any) -> Any:
        return self.ids[label].get(old)

    def nearest_new_id(self, label: str, old: int) -> int:
        """The new id of the row with the greatest old id not above `old` (0 if none)."""
        lower = [k for k in self.ids[label] if k <= old]
        return self.ids[label][max(lower)] if lower else 0


@dataclass(frozen=True)
class JsonReference:
    """Ids kept inside a JSON field: turned into portable values on export and back on import."""

    field: str
    export: Callable[[Any, Context], Any]
    restore: Callable[[Any, Context], Any]
    # Models whose rows must exist before this one is restored (their ids are looked up).
    needs: tuple[str, ...] = ()


def _emails(ids: Any, ctx: Context) -> Any:
    return None if ids is None else [ctx.users.get(i) for i in ids if i in ctx.users]


def _user_ids(emails: Any, ctx: Context) -> Any:
    return None if emails is None else [ctx.users[e] for e in emails if e in ctx.users]


def _synced_out(synced: Any, ctx: Context) -> Any:
    # {"ta": {"key": "3,5|2|0", "record_id": 812}}: the key names the screening team by user id.
    out = {}
    for stage, state in (synced or {}).items():
        people, _, rest = str(state.get("key", "")).partition("|")
        emails = [ctx.users.get(int(i), "") for i in people.split(",") if i.isdigit()]
        out[stage] = {**state, "key": [emails, rest]}
    return out


def _synced_in(synced: Any, ctx: Context) -> Any:
    out = {}
    for stage, state in (synced or {}).items():
        emails, rest = state.get("key", [[], ""])
        people = sorted(ctx.users[e] for e in emails if e in ctx.users)
        restored = {**state, "key": f"{','.join(map(str, people))}|{rest}"}
        if state.get("record_id"):
            restored["record_id"] = ctx.nearest_new_id("screening.record", state["record_id"])
        out[stage] = restored
    return out


JSON_REFERENCES: dict[str, tuple[JsonReference, ...]] = {
    "screening.screeningsettings": (
        JsonReference("participant_ids", _emails, _user_ids),
        JsonReference("synced", _synced_out, _synced_in, needs=("screening.record",)),
    ),
}

# (object_type field, object_id field): the audit trail points at any row by label and id.
GENERIC_POINTERS: dict[str, tuple[str, str]] = {
    AuditEvent._meta.label_lower: ("object_type", "object_id"),
}


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


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


def _is_user_fk(f: models.Field) -> bool:
    return f.related_model is get_user_model()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def rows_of(review: Review, rm: ReviewModel) -> models.QuerySet:
    return rm.model._base_manager.filter(**{rm.path: review}).order_by("pk")


@dataclass
class Summary:
    slug: str
    counts: dict[str, int]
    users: int
    files: int
    missing_files: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"{label}: {n}" for label, n in self.counts.items() if n]
        lines.append(f"people: {self.users}, files: {self.files}")
        lines += [f"missing file (not in the archive): {name}" for name in self.missing_files]
        return lines


def export_review(review: Review, out: str | os.PathLike | IO[bytes]) -> Summary:
    """Write the review, everything that belongs to it and its files into a zip archive."""
    ctx = Context()
    user_ids: set[Any] = {review.created_by_id} - {None}
    for rm in review_models():
        for f in _forward_relations(rm.model):
            if _is_user_fk(f):
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
    people = get_user_model()._base_manager.filter(pk__in=user_ids).order_by("pk")
    ctx.users = {u.pk: u.email for u in people}

    counts: dict[str, int] = {}
    files = 0
    missing: list[str] = []
    with (
        tempfile.TemporaryFile() as data,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf,
    ):

        def write(text: str) -> None:
            data.write(text.encode())

        write('{"review": ')
        write(json.dumps(_serialise([review], ctx)[0], cls=_Encoder))
        write(', "users": ')
        write(
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
        write(', "objects": {')
        for index, rm in enumerate(review_models()):
            write(("" if index == 0 else ", ") + json.dumps(rm.label) + ": [")
            n = 0
            file_fields = [
                f for f in rm.model._meta.concrete_fields if isinstance(f, models.FileField)
            ]
            for batch in _chunks(rows_of(review, rm).iterator(chunk_size=_BATCH), _BATCH):
                entries = _serialise(batch, ctx)
                for obj, entry in zip(batch, entries, strict=True):
                    for f in file_fields:
                        name = getattr(obj, f.attname).name
                        if not name:
                            continue
                        stored = _store_file(zf, f, name, f"files/{rm.label}/{obj.pk}/{f.name}/")
                        if stored is None:
                            missing.append(name)
                        else:
                            files += 1
                        entry.setdefault("files", {})[f.name] = stored
                    write(("" if n == 0 else ", ") + json.dumps(entry, cls=_Encoder))
                    n += 1
            write("]")
            counts[rm.label] = n
        write("}}")
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
            "counts": counts,
            "users": len(ctx.users),
            "files": files,
            "missing_files": missing,
            "migrations": _migrations(),
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    return Summary(review.slug, counts, len(ctx.users), files, missing)


def _serialise(objs: list[models.Model], ctx: Context) -> list[dict]:
    """Django's python serialisation, with people as emails and JSON ids made portable."""
    entries = serializers.serialize("python", objs)
    if not objs:
        return entries
    model = type(objs[0])
    user_fields = [f.name for f in _forward_relations(model) if _is_user_fk(f)]
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


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


def read_archive(source: str | os.PathLike | IO[bytes]) -> tuple[zipfile.ZipFile, dict, dict]:
    """Open and check an archive: (zip, manifest, data), or BackupError saying what is wrong."""
    try:
        zf = zipfile.ZipFile(source)
    except FileNotFoundError as exc:
        raise BackupError(f"No such file: {source}") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(f"Not a review archive: the file is not a readable zip ({exc}).") from exc
    try:
        try:
            manifest = json.loads(zf.read("manifest.json"))
        except KeyError as exc:
            raise BackupError("Not a review archive: it has no manifest.json.") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"Not a review archive: manifest.json does not name {FORMAT!r}.")
        version = manifest.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
            raise BackupError(
                f"This archive is in format version {version!r}; this version of the app reads "
                f"format version {FORMAT_VERSION}. Restore it with a matching version of the app."
            )
        bad = zf.testzip()
        if bad is not None:
            raise BackupError(f"The archive is corrupt: {bad} fails its checksum.")
        try:
            data = json.loads(zf.read("data.json"))
        except KeyError as exc:
            raise BackupError("The archive is incomplete: it has no data.json.") from exc
        if not isinstance(data, dict) or not {"review", "users", "objects"} <= set(data):
            raise BackupError("The archive is corrupt: data.json lacks review, users or objects.")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        zf.close()
        raise BackupError(f"The archive is corrupt: {exc}") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        zf.close()
        raise BackupError(f"The archive is corrupt: unreadable JSON ({exc}).") from exc
    except BackupError:
        zf.close()
        raise
    return zf, manifest, data


def import_review(
    source: str | os.PathLike | IO[bytes], *, slug: str | None = None, title: str | None = None
) -> tuple[Review, Summary]:
    """Restore an archive as a new review (fresh ids). Refuses a slug that is taken."""
    zf, manifest, data = read_archive(source)
    with zf:
        slug = slug or data["review"]["fields"].get("slug") or manifest.get("review", "")
        try:
            validate_slug(slug)
        except ValidationError as exc:
            raise BackupError(f"{slug!r} is not a valid slug.") from exc
        if Review.objects.filter(slug=slug).exists():
            raise BackupError(
                f"A review with the slug {slug!r} already exists: restore under another slug "
                "(import_review FILE --slug NEW)."
            )
        known = {rm.label for rm in review_models()}
        unknown = sorted(set(data["objects"]) - known)
        if unknown:
            raise BackupError(
                "The archive holds rows of models this app does not have: " + ", ".join(unknown)
            )
        restorer = _Restorer(zf, data)
        try:
            with transaction.atomic():
                review = restorer.run(slug, title)
        except BackupError:
            restorer.discard_files()
            raise
        except Exception as exc:
            restorer.discard_files()
            raise BackupError(f"The archive could not be restored: {exc}") from exc
    counts = {label: len(entries) for label, entries in data["objects"].items()}
    return review, Summary(slug, counts, len(data["users"]), len(restorer.saved_files))


class _Restorer:
    def __init__(self, zf: zipfile.ZipFile, data: dict) -> None:
        self.zf = zf
        self.data = data
        self.ctx = Context()
        self.labels = {REVIEW_LABEL} | {rm.label for rm in review_models()}
        self.saved_files: list[tuple[Any, str]] = []
        # (model, attname, target label, old target id) → new ids of the rows to fill in.
        self.deferred: dict[tuple[Any, str, str, Any], list[Any]] = defaultdict(list)
        # (row, many-to-many field, its archived values)
        self.m2m: list[tuple[models.Model, models.Field, list[Any]]] = []

    def discard_files(self) -> None:
        for storage, name in self.saved_files:
            with contextlib.suppress(OSError):
                storage.delete(name)

    def run(self, slug: str, title: str | None) -> Review:
        self._people()
        entry = self.data["review"]
        entry["fields"]["slug"] = slug
        if title:
            entry["fields"]["title"] = title
        (review,) = self._create(Review, [entry])
        for rm in review_models():
            for batch in _chunks(self.data["objects"].get(rm.label, []), _BATCH):
                self._create(rm.model, batch)
        self._fill_deferred()
        self._fill_m2m()
        return review

    def _people(self) -> None:
        user_model = get_user_model()
        for person in self.data["users"]:
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
        relations = _forward_relations(model)
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
        self.m2m += [(objs[index], f, values) for index, f, values in links]
        return objs

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
        try:
            content = self.zf.read(stored["archive"])
        except KeyError as exc:
            raise BackupError(
                f"The archive is incomplete: {stored['archive']} is missing."
            ) from exc
        if hashlib.sha256(content).hexdigest() != stored.get("sha256"):
            raise BackupError(f"The archive is corrupt: {stored['archive']} fails its checksum.")
        storage = f.storage
        name = storage.save(stored["name"], ContentFile(content))
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
        for obj, f, values in self.m2m:
            if f.related_model is get_user_model():
                ids = [self.ctx.users[v] for v in values if v in self.ctx.users]
            else:
                label = f.related_model._meta.label_lower
                ids = [self.ctx.new_id(label, v) if label in self.labels else v for v in values]
            getattr(obj, f.name).set([i for i in ids if i is not None])


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
    for batch in _chunks(objs, size):
        rows = model._base_manager.using(using)._insert(
            batch, fields=fields, returning_fields=[meta.pk], raw=True, using=using
        )
        for obj, row in zip(batch, rows, strict=True):
            obj.pk = row[0]
            obj._state.adding = False
            obj._state.db = using
