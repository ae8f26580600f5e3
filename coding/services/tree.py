"""The codebook as a tree: built from the draft or from a published version, and diffed.

Pure over plain rows (Code or CodeVersion objects), so the synthesis can reuse it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

PATH_SEPARATOR = " › "


@dataclass
class Node:
    """One code in one state of the codebook, with what it inherits from its ancestors."""

    key: str
    code_id: int
    parent_key: str | None
    name: str
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    level: str = ""
    polarity: str = ""
    color: str = ""
    position: int = 0
    effective_level: str = ""
    effective_polarity: str = ""
    order: int = 0
    depth: int = 0
    path: str = ""
    children: list[Node] = field(default_factory=list, repr=False)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def defining(self) -> tuple[str, str, str]:
        return (self.definition, self.inclusion, self.exclusion)


@dataclass
class Tree:
    """A state of the codebook: nodes in pre-order, plus the merges made up to it."""

    nodes: list[Node]
    merges: dict[str, str] = field(default_factory=dict)
    version: Any = None  # the CodebookVersion, or None for the draft

    def __post_init__(self) -> None:
        self.by_key = {n.key: n for n in self.nodes}
        self.by_code_id = {n.code_id: n for n in self.nodes}
        self.roots = [n for n in self.nodes if n.parent_key is None]

    def __iter__(self):
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def resolve_key(self, key: str) -> Node | None:
        """The node a code counts as in this state: itself, or what it was merged into."""
        seen = set()
        while key not in self.by_key and key in self.merges and key not in seen:
            seen.add(key)
            key = self.merges[key]
        return self.by_key.get(key)

    def descendants(self, node: Node) -> list[Node]:
        out: list[Node] = []
        stack = list(reversed(node.children))
        while stack:
            child = stack.pop()
            out.append(child)
            stack.extend(reversed(child.children))
        return out


def build_tree(rows: Iterable[Node], merges: dict[str, str] | None = None, version=None) -> Tree:
    """Order nodes depth-first by position and name; fill depth, path and inherited attributes.

    A node whose parent is missing (e.g. archived) becomes a root, so nothing disappears.
    """
    nodes = list(rows)
    keys = {n.key for n in nodes}
    children: dict[str | None, list[Node]] = defaultdict(list)
    for n in nodes:
        parent = n.parent_key if n.parent_key in keys else None
        n.parent_key = parent
        children[parent].append(n)
    for siblings in children.values():
        siblings.sort(key=lambda n: (n.position, n.name.lower(), n.code_id))
    ordered: list[Node] = []

    def visit(node: Node, parent: Node | None, depth: int) -> None:
        node.depth = depth
        node.path = f"{parent.path}{PATH_SEPARATOR}{node.name}" if parent else node.name
        node.effective_level = node.level or (parent.effective_level if parent else "")
        node.effective_polarity = node.polarity or (parent.effective_polarity if parent else "")
        node.order = len(ordered)
        node.children = children.get(node.key, [])
        ordered.append(node)
        for child in node.children:
            visit(child, node, depth + 1)

    for root in children.get(None, []):
        visit(root, None, 0)
    return Tree(ordered, dict(merges or {}), version)


def node_from_code(code, parent_key: str | None) -> Node:
    return Node(
        key=str(code.key),
        code_id=code.pk,
        parent_key=parent_key,
        name=code.name,
        definition=code.definition,
        inclusion=code.inclusion,
        exclusion=code.exclusion,
        example=code.example,
        level=code.level,
        polarity=code.polarity,
        color=code.color,
        position=code.position,
    )


def node_from_code_version(cv) -> Node:
    return Node(
        key=str(cv.key),
        code_id=cv.code_id,
        parent_key=str(cv.parent_key) if cv.parent_key else None,
        name=cv.name,
        definition=cv.definition,
        inclusion=cv.inclusion,
        exclusion=cv.exclusion,
        example=cv.example,
        level=cv.level,
        polarity=cv.polarity,
        color=cv.color,
        position=cv.position,
    )


@dataclass
class Change:
    node: Node  # the code in the newer state (the old one for removals)
    old: Node | None = None
    target: Node | None = None  # for merges
    fields: list[str] = field(default_factory=list)


@dataclass
class Diff:
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    renamed: list[Change] = field(default_factory=list)
    moved: list[Change] = field(default_factory=list)
    merged: list[Change] = field(default_factory=list)
    redefined: list[Change] = field(default_factory=list)

    KINDS = ("added", "removed", "renamed", "moved", "merged", "redefined")

    def __bool__(self) -> bool:
        return any(getattr(self, kind) for kind in self.KINDS)

    def sections(self) -> list[tuple[str, list[Change]]]:
        return [(kind, getattr(self, kind)) for kind in self.KINDS if getattr(self, kind)]

    def summary(self) -> dict[str, list[str]]:
        """Names per kind of change, e.g. {"renamed": ["Time → Protected time"]}."""
        out: dict[str, list[str]] = {}
        for kind, changes in self.sections():
            if kind == "renamed":
                out[kind] = [f"{c.old.name} → {c.node.name}" for c in changes]
            elif kind == "merged":
                out[kind] = [f"{c.node.name} → {c.target.name}" for c in changes]
            else:
                out[kind] = [c.node.name for c in changes]
        return out


DEFINING = ("definition", "inclusion", "exclusion")


def diff_trees(old: Tree, new: Tree) -> Diff:
    """What changed from one state of the codebook to another, code by code (by stable key)."""
    diff = Diff()
    for node in new:
        before = old.by_key.get(node.key)
        if before is None:
            diff.added.append(Change(node))
            continue
        if before.name != node.name:
            diff.renamed.append(Change(node, before))
        if before.parent_key != node.parent_key:
            old_parent = old.by_key.get(before.parent_key) if before.parent_key else None
            new_parent = new.by_key.get(node.parent_key) if node.parent_key else None
            # A move that only follows its parent's rename is no move: compare parent keys.
            diff.moved.append(Change(node, before, fields=[_name(old_parent), _name(new_parent)]))
        changed = [f for f in DEFINING if getattr(before, f) != getattr(node, f)]
        if changed:
            diff.redefined.append(Change(node, before, fields=changed))
    for node in old:
        if node.key in new.by_key:
            continue
        target = new.resolve_key(node.key) if node.key in new.merges else None
        if target is not None:
            diff.merged.append(Change(node, node, target=target))
        else:
            diff.removed.append(Change(node, node))
    return diff


def _name(node: Node | None) -> str:
    return node.path if node else "(top level)"
