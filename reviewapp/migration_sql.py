"""SQL that only PostgreSQL runs, as a migration operation: the indexes, columns and search
structures SQLite (the embedded default) has no use for."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import migrations


def _on_postgres(statements: Sequence[str]) -> Callable:
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


def postgres_only(forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """Run `forward` on PostgreSQL (and `backward` when the migration is reversed); nothing
    elsewhere."""
    return migrations.RunPython(_on_postgres(forward), _on_postgres(backward))
