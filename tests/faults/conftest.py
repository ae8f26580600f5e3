"""The stack of services a fault test breaks: PostgreSQL (the test database), and its own
redis-server, gunicorn, Celery worker and beat (tests/faults/stack.py)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

from .stack import REDIS_SERVER, Stack


@pytest.fixture
def stack(transactional_db, tmp_path):
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        pytest.skip("the fault tests need PostgreSQL (DATABASE_URL=postgres://...): run .ci/run")
    if REDIS_SERVER is None:
        pytest.skip("the fault tests start their own redis-server, which is not installed")
    from django.db import connection

    parts = urlsplit(database_url)
    test_db = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    running = Stack.start(tmp_path / "stack", test_db)
    yield running
    running.stop()
    for name in [*running.processes, "redis"]:  # shown when the test failed
        log = running.log(name)
        if log.exists():
            print(f"--- {name} ---\n{log.read_text(errors='replace')[-4000:]}")
