"""Which models belong to a review, in which order their rows are created, and the references
Django's ``_meta`` cannot see (ids kept inside JSON, the audit trail's generic pointer)."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from reviewapp.models import AuditEvent, Review

FORMAT = "reviewapp-review-archive"
FORMAT_VERSION = 1
APPS = ("reviewapp", "screening", "coding", "synthesis")
REVIEW_LABEL = "reviewapp.review"
BATCH = 1000


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


def forward_relations(model: type[models.Model]) -> list[models.Field]:
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
        for f in forward_relations(current):
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
        for f in forward_relations(m):
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


def rows_of(review: Review, rm: ReviewModel) -> models.QuerySet:
    return rm.model._base_manager.filter(**{rm.path: review}).order_by("pk")


def is_user_fk(f: models.Field) -> bool:
    return f.related_model is get_user_model()


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


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

# Copies of a field of the row a foreign key points at (field: (foreign key, its field)): an
# archive written before a copy existed lacks it, and restore reads it from the restored row.
COPIED_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "screening.recordstatus": {"search": ("record", "search")},
    "screening.report": {"search": ("record", "search")},
}

# (object_type field, object_id field): the audit trail points at any row by label and id.
GENERIC_POINTERS: dict[str, tuple[str, str]] = {
    AuditEvent._meta.label_lower: ("object_type", "object_id"),
}
