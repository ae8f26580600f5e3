"""Statements the ORM builds once per process: the reads and updates every screening request makes.

Building and compiling a QuerySet costs 0.2–0.5 ms of Python, more than the database spends on
any of these indexed reads. A ``Compiled`` holds a function that builds the QuerySet from its
arguments (ids and short strings). The first call on a database builds it with stand-in values,
compiles it for that database (so the SQL is PostgreSQL's or SQLite's, as the ORM writes it),
and remembers where each stand-in went among the parameters; later calls only put the real
values in. Rows come back through the same compiler's converters, and objects through the same
model and ``select_related`` layout, so a call gives what the QuerySet would.

The builder must use its arguments only as values the ORM passes through as parameters (a
filter's ``=``, not ``__startswith`` or a slice), and read nothing else that varies between
calls: it runs once. Shapes that do change the SQL (a slice's bounds) are passed as ``shape``
and compile once each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql import UpdateQuery


@dataclass(frozen=True)
class _Prepared:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int, type], ...]  # (position among the parameters, argument, type)
    compiler: Any
    converters: dict
    fetch_mode: Any  # the QuerySet's (how its objects load deferred fields)


def _plain(value: Any) -> int | str:
    """An argument as the database gets it: an int or a str (a choice's value, not the enum)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return str(value)
    raise TypeError(f"A compiled statement takes ints and strs, not {type(value).__name__}")


def _kind(param: Any) -> type | None:
    if isinstance(param, bool):
        return None
    return int if isinstance(param, int) else str if isinstance(param, str) else None


def _stand_in(i: int, value: int | str) -> int | str:
    # Values no real call passes: negative ids (within a 32-bit column's range, which the ORM
    # checks) and strings with a NUL, which neither database accepts in text.
    return -7001 - i if type(value) is int else f"\x00{i}"


class Compiled:
    """A SELECT built by ``build(*args, **shape)`` once per database and shape."""

    KEPT = 64  # shapes kept per statement (a reviewer paging deep in a queue makes more)

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._prepared: dict[tuple, _Prepared] = {}

    def _prepare(self, args: tuple, using: str, shape: dict) -> _Prepared:
        vendor = connections[using].vendor
        key = (using, vendor, tuple(type(a) for a in args), tuple(sorted(shape.items())))
        prepared = self._prepared.get(key)
        if prepared is not None:
            return prepared
        stand_ins = [_stand_in(i, a) for i, a in enumerate(args)]
        built = self.build(*stand_ins, **shape)
        compiler = self._compiler(built, using)
        sql, params = compiler.as_sql()
        where = {(type(s), s): i for i, s in enumerate(stand_ins)}
        slots = tuple(
            # The type the parameter had: psycopg's Int4 for an int in an expression, say.
            (n, where[_kind(p), p], type(p))
            for n, p in enumerate(params)
            if _kind(p) is not None and (_kind(p), p) in where
        )
        if {arg for _, arg, _ in slots} != set(range(len(args))):
            raise ValueError(f"{self.build.__qualname__}: an argument is not a plain parameter")
        prepared = _Prepared(
            sql,
            tuple(params),
            slots,
            compiler,
            self._converters(compiler),
            getattr(built, "_fetch_mode", None),
        )
        if len(self._prepared) >= self.KEPT:
            self._prepared.clear()
        self._prepared[key] = prepared
        return prepared

    def _compiler(self, queryset: QuerySet, using: str) -> Any:
        return queryset.query.get_compiler(using=using)

    def _converters(self, compiler: Any) -> dict:
        return compiler.get_converters([s[0] for s in compiler.select[0 : compiler.col_count]])

    def _bind(self, args: tuple, using: str, shape: dict) -> tuple[_Prepared, list]:
        args = tuple(_plain(a) for a in args)
        prepared = self._prepare(args, using, shape)
        params = list(prepared.params)
        for n, arg, kind in prepared.slots:
            params[n] = kind(args[arg])
        return prepared, params

    def _execute(self, args: tuple, using: str, shape: dict) -> tuple[_Prepared, list]:
        prepared, params = self._bind(args, using, shape)
        with connections[using].cursor() as cursor:
            cursor.execute(prepared.sql, params)
            rows = cursor.fetchall()
        if prepared.converters:
            rows = list(map(tuple, prepared.compiler.apply_converters(rows, prepared.converters)))
        return prepared, rows

    def rows(self, *args: Any, using: str = DEFAULT_DB_ALIAS, **shape: Any) -> list:
        """The rows as tuples, in the SELECT's column order (``values_list``'s when its fields
        come before any annotation)."""
        return self._execute(args, using, shape)[1]

    def objects(self, *args: Any, using: str = DEFAULT_DB_ALIAS, **shape: Any) -> list[Model]:
        """The model instances, with their ``select_related`` objects and annotations."""
        prepared, rows = self._execute(args, using, shape)
        compiler = prepared.compiler
        select, info = compiler.select, compiler.klass_info
        model = info["model"]
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        fetch_mode = prepared.fetch_mode
        related = get_related_populators(info, select, using, fetch_mode)
        annotations = compiler.annotation_col_map
        objects = []
        for row in rows:
            obj = model.from_db(using, names, row[start:end], fetch_mode=fetch_mode)
            for populator in related:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, *args: Any, using: str = DEFAULT_DB_ALIAS, **shape: Any) -> Model | None:
        found = self.objects(*args, using=using, **shape)
        return found[0] if found else None


class CompiledUpdate(Compiled):
    """An UPDATE built by ``build(*args)``, which returns the QuerySet to change and the
    changes, as ``QuerySet.update`` takes them (F() expressions too)."""

    def _compiler(self, built: tuple[QuerySet, dict], using: str) -> Any:
        queryset, changes = built
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        query.clear_select_clause()
        return query.get_compiler(using=using)

    def _converters(self, compiler: Any) -> dict:
        return {}

    def run(self, *args: Any, using: str = DEFAULT_DB_ALIAS) -> int:
        """The number of rows changed."""
        prepared, params = self._bind(args, using, {})
        with connections[using].cursor() as cursor:
            cursor.execute(prepared.sql, params)
            return cursor.rowcount
