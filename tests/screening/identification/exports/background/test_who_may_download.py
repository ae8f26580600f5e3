"""An export's page and file are its owner's, in its own review: an outsider, another member
of the review, or the same export asked for through another review's address get 404."""

from __future__ import annotations

from django.urls import reverse

from reviewapp.models import Membership
from tests.factories import ReviewFactory

from .conftest import export_job, export_url


def _urls(slug: str, job) -> list[str]:
    return [
        reverse("export_job", args=[slug, job.pk]),
        reverse("export_download", args=[slug, job.pk]),
    ]


def test_the_owner_gets_the_page_and_the_file(large):
    job = export_job(large.client(large.reviewer1).post(export_url(large)))
    page, download = _urls(large.review.slug, job)
    client = large.client(large.reviewer1)
    assert client.get(page).status_code == 200
    assert client.get(download).status_code == 200


def test_outsider_gets_404(large):
    job = export_job(large.client(large.lead).post(export_url(large)))
    for url in _urls(large.review.slug, job):
        assert large.client(large.outsider).get(url).status_code == 404


def test_another_member_gets_404_on_a_reviewers_file(large, settings):
    """Rita's file may hold her blinded decisions: Remy, and the lead, cannot fetch it."""
    settings.EXPORT_INLINE_MAX_ROWS = 0
    rita = large.client(large.reviewer1)
    job = export_job(rita.post(export_url(large, "format=csv&mine=include")))
    for url in _urls(large.review.slug, job):
        assert large.client(large.reviewer2).get(url).status_code == 404
        assert large.client(large.lead).get(url).status_code == 404


def test_an_export_is_not_reached_through_another_review(large):
    job = export_job(large.client(large.lead).post(export_url(large)))
    other = ReviewFactory()
    Membership.objects.create(review=other, user=large.lead, is_lead=True)
    for url in _urls(other.slug, job):
        assert large.client(large.lead).get(url).status_code == 404


def test_adjudicator_without_the_export_roles_gets_403(large):
    job = export_job(large.client(large.lead).post(export_url(large)))
    for url in _urls(large.review.slug, job):
        assert large.client(large.adjudicator).get(url).status_code == 403


def test_a_member_removed_since_gets_404(large):
    job = export_job(large.client(large.reviewer1).post(export_url(large)))
    Membership.objects.filter(review=large.review, user=large.reviewer1).update(active=False)
    for url in _urls(large.review.slug, job):
        assert large.client(large.reviewer1).get(url).status_code == 404
