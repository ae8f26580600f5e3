"""The command line for leads who script."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reviewapp.models import AuditEvent, Review, User


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.mark.django_db
def test_create_review_prints_the_slug_and_makes_the_lead():
    slug = run(
        "create_review", "Barriers to research", "--lead", "boss@example.org", "--slug", "barriers"
    )
    assert slug == "barriers"
    review = Review.objects.get(slug="barriers")
    assert review.memberships.get(user__email="boss@example.org").is_lead
    assert AuditEvent.objects.filter(review=review, action="review.created").exists()


@pytest.mark.django_db
def test_create_review_refuses_a_taken_slug():
    run("create_review", "A", "--lead", "a@example.org", "--slug", "same")
    with pytest.raises(CommandError, match="already taken"):
        run("create_review", "B", "--lead", "a@example.org", "--slug", "same")


@pytest.mark.django_db
def test_add_member_creates_the_account_with_a_one_time_password(client):
    run("create_review", "A", "--lead", "a@example.org", "--slug", "a")
    out = run("add_member", "--review", "a", "--email", "Rev@Example.org", "--role", "reviewer")
    password = out.rsplit(": ", 1)[1]
    assert User.objects.get(email="rev@example.org").check_password(password)
    assert client.login(email="rev@example.org", password=password)
    assert client.get("/r/a/").status_code == 200
    out = run("add_member", "--review", "a", "--email", "rev@example.org", "--role", "adjudicator")
    assert "existing account" in out
    assert Review.objects.get(slug="a").memberships.get(user__email="rev@example.org").roles == [
        "reviewer",
        "adjudicator",
    ]


@pytest.mark.django_db
def test_add_member_to_a_missing_review_fails():
    with pytest.raises(CommandError, match="No review"):
        run("add_member", "--review", "nope", "--email", "x@example.org", "--role", "reviewer")


@pytest.mark.django_db
def test_load_demo_creates_the_seed_review_with_its_team_and_criteria():
    out = run("load_demo")
    assert "lead@demo.example" in out and "adjudicator@demo.example" in out
    review = Review.objects.get(slug="engagement-meded-research")
    assert [c.domain for c in review.criteria.all()][:5] == [
        "Population",
        "Focus",
        "Publication type",
        "Language",
        "Study design",
    ]
    assert review.exclusion_reasons.filter(stage="ta").count() == review.criteria.count()
    assert review.memberships.filter(is_adjudicator=True).count() == 1
    run("load_demo")  # idempotent
    assert Review.objects.filter(slug="engagement-meded-research").count() == 1
