"""The demo, loaded once for the package (it takes seconds) through the app's own services."""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.test import override_settings

from demo import loader, nudging
from reviewapp.models import Review, User
from tests.conftest import SHARED_DATA


@pytest.fixture(scope="package")
def demo_reviews(django_db_setup, django_db_blocker):
    from reviewapp.celery import app

    # Background tasks in-process, as make run without Redis (the tests' own rule).
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    with django_db_blocker.unblock(), override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        loader.load_demo(reset=True)
        reviews = {r.slug: r for r in loader.demo_reviews()}
    app.conf.task_always_eager = saved
    yield reviews
    with django_db_blocker.unblock():
        for review in Review.objects.filter(slug__in=list(reviews)):
            loader._delete(review)
        User.objects.filter(email__in=[p.email for p in loader.PEOPLE]).delete()


@pytest.fixture
def review(demo_reviews, db):
    """The reference review (Chen, Liao & Yau 2025)."""
    return demo_reviews[loader.DEMO_SLUG]


@pytest.fixture
def in_progress(demo_reviews, db):
    """The second review, screening in progress (Nagtegaal et al. 2019's records)."""
    return demo_reviews[nudging.SLUG]


@pytest.fixture
def person(db):
    def get(email_start: str) -> User:
        return User.objects.get(email=f"{email_start}@demo.example")

    return get


def normalise(text: str) -> str:
    """Text compared the way the paper's words are checked: Unicode NFKC, one kind of quote and
    dash, PDF line-break hyphenation undone (as in "Question- naire"), white space collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[‘’‚‛′]", "'", text)
    text = re.sub(r"[“”„‟″]", '"', text)
    text = re.sub(r"[‐‑‒–—]", "-", text)
    text = re.sub(r"(?<=\w)-\s*(?=\w)", "", text)
    return " ".join(text.split())


@pytest.fixture(scope="session")
def paper_text() -> str:
    """The reference review's text (shared/seeds/000_*.txt), normalised, or skip."""
    seeds = SHARED_DATA.parent / "seeds"
    found = sorted(seeds.glob("000_*.txt")) if seeds.is_dir() else []
    if not found:
        pytest.skip(f"{seeds}/000_*.txt is absent: the reference review lives in ../shared/seeds")
    return normalise(found[0].read_text(encoding="utf-8"))
