"""Personas shared by every test: a lead, two reviewers, an adjudicator and an outsider."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connections
from django.test import Client

from reviewapp.models import Membership, Review, User
from screening.models import Search

from .factories import PASSWORD, ReviewFactory, UserFactory

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A file of the real test data beside the repository, or skip the test."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the real test data lives in ../shared/data beside the repo")
    return path


@dataclass
class Team:
    review: Review
    lead: User
    reviewer1: User
    reviewer2: User
    adjudicator: User
    outsider: User

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def team(db) -> Team:
    review = ReviewFactory()
    lead = UserFactory(email="lead@example.org", full_name="Lena Lead")
    reviewer1 = UserFactory(email="rita@example.org", full_name="Rita Reviewer")
    reviewer2 = UserFactory(email="remy@example.org", full_name="Remy Reviewer")
    adjudicator = UserFactory(email="ada@example.org", full_name="Ada Adjudicator")
    outsider = UserFactory(email="olga@example.org", full_name="Olga Outsider")
    Membership.objects.create(review=review, user=lead, is_lead=True)
    Membership.objects.create(review=review, user=reviewer1, is_reviewer=True)
    Membership.objects.create(review=review, user=reviewer2, is_reviewer=True)
    Membership.objects.create(review=review, user=adjudicator, is_adjudicator=True)
    return Team(review, lead, reviewer1, reviewer2, adjudicator, outsider)


# A Redis cache outlives the run: allauth's one confirmation email per address every three
# minutes (kept in the cache) would otherwise carry over from a run minutes earlier. Each run
# keeps its keys under its own prefix, and the workers it starts are given the same.
CACHE_PREFIX = f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(autouse=True, scope="session")
def _cache_of_this_run():
    from django.conf import settings
    from django.test import override_settings

    caches = {name: {**conf} for name, conf in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = CACHE_PREFIX
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Each test starts in the default language: a page served in zh-Hant to an earlier test
    leaves its language active in this thread (as the next request's middleware would reset)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _ranking_features_in_tmp(settings, tmp_path_factory):
    settings.RANKING_FEATURES_DIR = tmp_path_factory.mktemp("ranking")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploads, full texts and finished exports go to the test's own folder, never the work
    tree's uploads/ (a real worker started by `celery_worker` is given the same folder)."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def search(team) -> Search:
    """A Scopus search of the team's review, for the tests that import into it."""
    return Search.objects.create(review=team.review, source="Scopus", created_by=team.lead)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _celery_in_process(request, settings):
    """Tasks run in-process unless a test asks for the real worker."""
    from reviewapp.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TASKS_IN_THREAD = False  # in order, in the test's own thread
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@dataclass
class Worker:
    process: subprocess.Popen
    queue: str
    log: Path


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path):
    """A real Celery worker process on Redis, sharing the test database (PostgreSQL)."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        pytest.skip("a real worker needs DATABASE_URL (PostgreSQL) and REDIS_URL: run .ci/run")
    from django.db import connection

    from reviewapp.celery import app

    parts = urlsplit(database_url)
    test_db_url = urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))
    queue = f"test-{uuid.uuid4().hex[:10]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_db_url,
        "CELERY_QUEUE": queue,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the worker reads and writes where the test does
        "CACHE_PREFIX": CACHE_PREFIX,
        # A large import forks its second parser in the worker whatever the install compiled,
        # so the worker tests see the fork (tests/.../imports/test_worker.py).
        "IMPORT_SECOND_PARSER": "always",
    }
    root = Path(__file__).resolve().parents[1]
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "reviewapp",
                "worker",
                "-Q",
                queue,
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the worker exited: {log.read_text()}")
        if "ready" in log.read_text():
            break
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"the worker did not start: {log.read_text()}")
    yield Worker(process, queue, log)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# Browser tests: Debian's Chromium driven by Playwright. Never `playwright install`: where
# /usr/bin/chromium is absent (`apt-get install chromium`; .ci/run does it), they skip.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",  # this machine's closed network refuses them
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium(monkeypatch):
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is absent: apt-get install chromium (never `playwright install`)")
    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # ORM calls made while Playwright ran opened a connection of their own (its context);
        # close it here, or the test database cannot be dropped at the end of the session.
        connections.close_all()
