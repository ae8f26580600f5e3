"""The foundation's pages as people see them."""

from __future__ import annotations

import re

import pytest

from reviewapp.models import AuditEvent, Review


@pytest.mark.django_db
def test_sign_in_with_email_lands_on_my_reviews(team, client, password):
    response = client.post("/accounts/login/", {"login": team.lead.email, "password": password})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert team.review.title in page


@pytest.mark.django_db
def test_dashboard_lists_only_my_reviews(team):
    from tests.factories import ReviewFactory

    other = ReviewFactory(title="Someone else's review")
    page = team.client(team.reviewer1).get("/").content.decode()
    assert team.review.title in page
    assert other.title not in page


@pytest.mark.django_db
def test_lead_creates_a_review_and_edits_its_criteria(team):
    client = team.client(team.lead)
    response = client.post("/reviews/new/", {"title": "Mentoring and research", "question": "Q?"})
    review = Review.objects.get(title="Mentoring and research")
    assert response["Location"] == f"/r/{review.slug}/criteria/"
    data = {
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-domain": "Population",
        "criteria-0-inclusion": "Clinicians",
        "criteria-0-exclusion": "Students only",
        "criteria-0-position": "0",
    }
    client.post(f"/r/{review.slug}/criteria/", data)
    assert review.criteria.get().domain == "Population"
    assert set(review.exclusion_reasons.values_list("stage", "label")) == {
        ("ta", "Population: Students only"),
        ("ft", "Population: Students only"),
    }
    page = client.get(f"/r/{review.slug}/").content.decode()
    assert "Clinicians" in page
    assert AuditEvent.objects.filter(review=review, action="criteria.updated").exists()


@pytest.mark.django_db
def test_audit_trail_is_append_only(team):
    from django.core.exceptions import PermissionDenied

    event = AuditEvent.objects.create(review=team.review, action="x")
    event.action = "y"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(action="z")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db
def test_review_settings_reject_out_of_range_values_next_to_the_field(team):
    client = team.client(team.lead)
    response = client.post(
        f"/r/{team.review.slug}/settings/",
        {"title": "T", "slug": team.review.slug, "required_decisions": "7"},
    )
    assert response.status_code == 200
    assert "less than or equal to 3" in response.content.decode()


@pytest.mark.django_db
def test_sign_up_asks_for_the_name_the_team_sees(client):
    from reviewapp.models import User

    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "full_name": "Nora New",
            "password1": "a-Long-passphrase-42",
            "password2": "a-Long-passphrase-42",
        },
    )
    assert User.objects.get(email="new@example.org").full_name == "Nora New"
    # The address is confirmed first (mandatory email verification), which signs her in.
    from django.core import mail

    confirm = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    client.post(confirm.group(1))
    assert "Nora New" in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_person_changes_their_name_on_the_profile_page(team):
    client = team.client(team.reviewer1)
    client.post("/accounts/profile/", {"full_name": "Rita R."})
    team.reviewer1.refresh_from_db()
    assert team.reviewer1.full_name == "Rita R."
    response = client.post("/accounts/profile/", {"full_name": ""})
    assert "This field is required" in response.content.decode()


@pytest.mark.django_db
def test_deleting_a_reason_that_decisions_cite_deactivates_it_instead(team):
    from screening.decisions.service import decide
    from tests.factories import ExclusionReasonFactory, RecordFactory, SearchFactory

    reason = ExclusionReasonFactory(review=team.review, label="Students only")
    record = RecordFactory(search=SearchFactory(review=team.review))
    decide(record, team.reviewer1, "exclude", reason=reason)
    prefix = "reasons-ta"
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": str(reason.pk),
        f"{prefix}-0-label": reason.label,
        f"{prefix}-0-position": "0",
        f"{prefix}-0-active": "on",
        f"{prefix}-0-DELETE": "on",
        "reasons-ft-TOTAL_FORMS": "0",
        "reasons-ft-INITIAL_FORMS": "0",
    }
    response = team.client(team.lead).post(f"/r/{team.review.slug}/reasons/", data, follow=True)
    assert "used by decisions, so it was deactivated" in response.content.decode()
    reason.refresh_from_db()
    assert reason.active is False
