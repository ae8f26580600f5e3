"""The codebook: editing the draft, publishing versions and their diffs (re-checks: recheck.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from reviewapp.audit import record_event
from reviewapp.models import Review
from reviewapp.services import ReviewError

from ..models import (
    Code,
    Codebook,
    CodebookVersion,
    CodeVersion,
    Polarity,
)
from .permissions import require_lead
from .tree import (
    Diff,
    Tree,
    build_tree,
    diff_trees,
    node_from_code,
    node_from_code_version,
)


class CodingError(ReviewError):
    """A refused coding or codebook operation; the message is shown as is."""


CODE_FIELDS = (
    "name",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "level",
    "polarity",
    "color",
    "position",
)


def get_codebook(review: Review) -> Codebook:
    codebook, _ = Codebook.objects.get_or_create(review=review)
    return codebook


def _code_state(code: Code) -> dict[str, Any]:
    state = {f: getattr(code, f) for f in CODE_FIELDS}
    state["parent"] = code.parent_id
    return state


def _check_polarity(fields: dict[str, Any]) -> None:
    if fields.get("polarity", "") not in Polarity.values:
        raise CodingError(
            gettext("Polarity must be one of: %(v)s.")
            % {"v": ", ".join(v for v in Polarity.values if v)}
        )


def _check_parent(codebook: Codebook, code: Code | None, parent: Code | None) -> None:
    if parent is None:
        return
    if parent.codebook_id != codebook.pk or parent.archived:
        raise CodingError(gettext("The parent must be a code of this codebook's draft."))
    node = parent
    while node is not None and code is not None:
        if node.pk == code.pk:
            raise CodingError(gettext("A code cannot be placed under itself or its own subtheme."))
        node = node.parent


@transaction.atomic
def add_code(codebook: Codebook, user, *, parent: Code | None = None, **fields: Any) -> Code:
    """Add a code to the draft."""
    require_lead(codebook.review_id, user)
    if not (fields.get("name") or "").strip():
        raise CodingError(gettext("A code needs a name."))
    _check_polarity(fields)
    _check_parent(codebook, None, parent)
    fields["name"] = fields["name"].strip()
    if "position" not in fields or fields["position"] is None:
        fields["position"] = codebook.codes.draft().filter(parent=parent).count()
    code = Code.objects.create(codebook=codebook, parent=parent, **fields)
    record_event(codebook.review, user, "code.added", code, after=_code_state(code))
    return code


@transaction.atomic
def update_code(code: Code, user, **fields: Any) -> Code:
    """Edit a draft code: rename, redefine, move (parent=...), re-attribute."""
    require_lead(code.codebook.review_id, user)
    if code.archived:
        raise CodingError(gettext("This code is no longer in the draft."))
    before = _code_state(code)
    if "parent" in fields:
        _check_parent(code.codebook, code, fields["parent"])
    if "name" in fields and not (fields["name"] or "").strip():
        raise CodingError(gettext("A code needs a name."))
    _check_polarity({"polarity": fields.get("polarity", code.polarity)})
    for name, value in fields.items():
        setattr(code, name, value.strip() if name == "name" else value)
    code.save()
    record_event(
        code.codebook.review, user, "code.updated", code, before=before, after=_code_state(code)
    )
    return code


def _subtree(code: Code) -> list[Code]:
    out, frontier = [], [code]
    while frontier:
        out.extend(frontier)
        frontier = list(Code.objects.draft().filter(parent__in=frontier))
    return out


@transaction.atomic
def remove_code(code: Code, user) -> int:
    """Take a code and its subthemes out of the draft; past codings keep pointing to them."""
    require_lead(code.codebook.review_id, user)
    if code.archived:
        raise CodingError(gettext("This code is no longer in the draft."))
    removed = _subtree(code)
    Code.objects.filter(pk__in=[c.pk for c in removed]).update(archived=True)
    record_event(
        code.codebook.review,
        user,
        "code.removed",
        code,
        before=_code_state(code),
        message=f"{len(removed)} code(s) left the draft",
    )
    return len(removed)


@transaction.atomic
def merge_codes(source: Code, target: Code, user) -> Code:
    """Merge source into target: source leaves the draft, its subthemes move under target.

    Codings of source count for target in every version published after the merge.
    """
    require_lead(source.codebook.review_id, user)
    if source.pk == target.pk:
        raise CodingError(gettext("A code cannot be merged into itself."))
    if source.archived or target.archived or source.codebook_id != target.codebook_id:
        raise CodingError(gettext("Both codes must be in this codebook's draft."))
    if any(c.pk == target.pk for c in _subtree(source)):
        raise CodingError(gettext("A code cannot be merged into one of its own subthemes."))
    source.children.filter(archived=False).update(parent=target)
    source.archived = True
    source.merged_into = target
    source.save(update_fields=["archived", "merged_into", "updated_at"])
    record_event(
        source.codebook.review,
        user,
        "code.merged",
        source,
        before=_code_state(source),
        after={"merged_into": target.pk},
        message=f"{source.name} merged into {target.name}",
    )
    return target


def _merges(codebook: Codebook) -> dict[str, str]:
    return {
        str(key): str(target)
        for key, target in codebook.codes.filter(merged_into__isnull=False).values_list(
            "key", "merged_into__key"
        )
    }


def draft_tree(codebook: Codebook) -> Tree:
    codes = list(codebook.codes.draft())
    keys = {c.pk: str(c.key) for c in codes}
    nodes = [node_from_code(c, keys.get(c.parent_id)) for c in codes]
    return build_tree(nodes, _merges(codebook))


def version_tree(codebook: Codebook, version: CodebookVersion | int | None = None) -> Tree:
    """The codebook as published in a version (a number or the row); None: the latest one,
    or the draft while nothing is published."""
    if version is None:
        version = codebook.latest_version()
        if version is None:
            return draft_tree(codebook)
    elif isinstance(version, int):
        version = codebook.versions.get(number=version)
    rows = CodeVersion.objects.filter(version=version).order_by("order")
    return build_tree([node_from_code_version(cv) for cv in rows], version.merges, version)


def tree_for(codebook: Codebook, number: int | None) -> Tree:
    """A tree by version number, where None means the draft (the diff page's convention)."""
    return draft_tree(codebook) if number is None else version_tree(codebook, number)


def diff_versions(codebook: Codebook, old: int | None, new: int | None) -> Diff:
    """Changes from version `old` to version `new`; None stands for the draft."""
    return diff_trees(tree_for(codebook, old), tree_for(codebook, new))


def draft_changes(codebook: Codebook) -> Diff:
    """What publishing now would change (everything, before the first version)."""
    latest = codebook.latest_version()
    old = version_tree(codebook, latest) if latest else build_tree([])
    return diff_trees(old, draft_tree(codebook))


@transaction.atomic
def publish(codebook: Codebook, user, note: str) -> CodebookVersion:
    """Freeze the draft as the next version, with a change note."""
    require_lead(codebook.review_id, user)
    note = note.strip()
    if not note:
        raise CodingError(gettext("Say what changed in a change note."))
    # Lock the codebook row so two leads publishing at once get consecutive numbers.
    codebook = Codebook.objects.select_for_update().get(pk=codebook.pk)
    changes = draft_changes(codebook)
    latest = codebook.latest_version()
    if latest is not None and not changes:
        raise CodingError(gettext("Nothing changed since %(label)s.") % {"label": latest.label})
    tree = draft_tree(codebook)
    if not len(tree):
        raise CodingError(gettext("The draft has no codes yet."))
    version = CodebookVersion.objects.create(
        codebook=codebook,
        number=(latest.number + 1) if latest else 1,
        note=note,
        published_by=user if getattr(user, "is_authenticated", False) else None,
        merges=tree.merges,
    )
    CodeVersion.objects.bulk_create(
        CodeVersion(
            version=version,
            code_id=n.code_id,
            key=n.key,
            parent_key=n.parent_key,
            name=n.name,
            definition=n.definition,
            inclusion=n.inclusion,
            exclusion=n.exclusion,
            example=n.example,
            level=n.level,
            polarity=n.polarity,
            effective_level=n.effective_level,
            effective_polarity=n.effective_polarity,
            color=n.color,
            position=n.position,
            order=n.order,
            depth=n.depth,
            path=n.path,
        )
        for n in tree
    )
    record_event(
        codebook.review,
        user,
        "codebook.published",
        version,
        after={"number": version.number, "changes": changes.summary()},
        message=note,
    )
    return version


# Re-checking codings after a code was redefined.
