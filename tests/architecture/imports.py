"""The project's import graph, read from the source (nothing is imported or run)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("reviewapp", "screening", "coding", "synthesis", "demo")


def modules() -> dict[str, Path]:
    """Every module of the apps, by dotted name (migrations aside)."""
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def compiled_modules() -> set[str]:
    """The modules of the apps written in C (each built from its one .c file, see README)."""
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for app in APPS
        for path in (ROOT / app).rglob("*.c")
    }


def _resolve(name: str, known: set[str]) -> str | None:
    """The longest known module that `name` is or lies inside."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def graph() -> dict[str, set[str]]:
    """module -> the project modules it imports, anywhere in its body (late imports too)."""
    mods = modules()
    known = set(mods) | compiled_modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")
                    up = up[: len(up) - (node.level - 1)]
                    base = ".".join([*up, base] if base else up)
                # `from pkg import module` names a module; `from module import name` does not
                targets = [f"{base}.{a.name}" for a in node.names] or [base]
                targets = [t if _resolve(t, known) == t else base for t in targets]
            for target in targets:
                resolved = _resolve(target, known)
                if resolved and resolved != name:
                    edges[name].add(resolved)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


# The workflow, upstream first. A module may import from its own layer and the ones above it
# in this list, never from a later one: a stage that must react to a later one offers a signal.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("reviewapp",),
    ("screening.models",),
    ("screening.identification",),
    ("screening.dedup",),
    ("screening.decisions",),
    ("screening.conflicts",),
    ("screening.fulltext",),
    ("screening.appraisal",),
    ("screening.ranking",),
    ("screening.prisma",),
    ("screening.transfer",),  # histories in and out, through decisions and imports
    ("screening",),  # its views, navigation, tasks, commands and URLs sit above every stage
    ("coding",),
    ("synthesis",),
    ("api",),
    ("demo",),
)
# The project's wiring reads every app by design: settings, URLs, the Celery app.
WIRING = ("reviewapp.urls", "reviewapp.celery", "reviewapp.settings")


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    return rank


def upward_imports(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs where an upstream module imports a downstream one."""
    return sorted(
        (src, dst)
        for src, targets in edges.items()
        if src not in WIRING
        for dst in targets
        if layer_of(dst) > layer_of(src)
    )
