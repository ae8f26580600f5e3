"""The settings switch: SQLite and in-process tasks by default, PostgreSQL and Redis from env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewapp.celery import ping
from reviewapp.jobs import send

ROOT = Path(__file__).resolve().parents[2]


def settings_in(env: dict[str, str], expr: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    code = f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='reviewapp.settings'; django.setup(); from django.conf import settings as s; print({expr})"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_defaults_are_sqlite_and_in_process_tasks_with_debug_off():
    out = settings_in(
        {},
        "s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, s.SESSION_COOKIE_SECURE",
    )
    assert out == "django.db.backends.sqlite3 True False True"


def test_database_and_redis_urls_select_postgresql_and_a_real_broker():
    out = settings_in(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        },
        "s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND']",
    )
    assert out == (
        "django.db.backends.postgresql False redis://127.0.0.1:6379/3 "
        "reviewapp.cache.ResilientRedisCache"
    )


def test_a_bad_boolean_fails_loudly():
    with pytest.raises(subprocess.CalledProcessError) as exc:
        settings_in({"DEBUG": "maybe"}, "s.DEBUG")
    assert "DEBUG must be true or false" in exc.value.stderr


def test_without_redis_a_task_runs_in_this_process():
    assert ping.delay().get(timeout=5)["pid"] == os.getpid()


@pytest.mark.worker
def test_a_task_crosses_redis_to_a_separate_worker_process(celery_worker):
    result = send(ping)
    answer = result.get(timeout=30)
    assert answer["pid"] == celery_worker.process.pid
    assert answer["pid"] != os.getpid()


@pytest.mark.django_db
def test_postgresql_sessions_start_without_jit_and_price_parallel_workers_as_measured():
    """A request's statements never pay for JIT compilation, nor for parallel workers whose start
    costs more than a bounded read saves (reviewapp.settings)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings: run with DATABASE_URL=postgres://…")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('parallel_setup_cost')")
        assert cursor.fetchone() == ("off", "10000")
