"""A lead invites by email; the invitee joins on accepting; roles change; members leave."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from reviewapp.models import AuditEvent, Membership, User
from tests.factories import UserFactory


@pytest.mark.django_db
def test_lead_invites_and_an_existing_user_joins_on_accepting(
    team, django_capture_on_commit_callbacks
):
    lead = team.client(team.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post(
            f"/r/{team.review.slug}/team/",
            {"email": "Newbie@Example.org", "roles": ["reviewer", "adjudicator"]},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+(/invitations/\S+/)", mail.outbox[0].body).group(1)

    newbie = UserFactory(email="newbie@example.org")
    client = team.client(newbie)
    assert "Accept invitation" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302
    membership = Membership.objects.get(review=team.review, user=newbie)
    assert membership.roles == ["reviewer", "adjudicator"]
    assert client.get(f"/r/{team.review.slug}/").status_code == 200
    assert AuditEvent.objects.filter(review=team.review, action="member.joined").count() == 1
    # The link works once.
    client.post(link)
    assert Membership.objects.filter(review=team.review, user=newbie).count() == 1


@pytest.mark.django_db
def test_a_new_person_signs_up_confirms_their_address_then_accepts(team, client):
    lead = team.client(team.lead)
    lead.post(f"/r/{team.review.slug}/team/", {"email": "fresh@example.org", "roles": ["reviewer"]})
    invitation = team.review.invitations.get(email="fresh@example.org")
    link = invitation.get_absolute_url()
    response = client.get(link)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(
        f"/accounts/signup/?next={link}",
        {
            "email": "fresh@example.org",
            "full_name": "Fresh Person",
            "password1": "a-Long-passphrase-42",
            "password2": "a-Long-passphrase-42",
            "next": link,
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="fresh@example.org").exists()
    # Email verification is mandatory: the confirmation link signs in and returns to the invitation.
    confirm = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    response = client.post(confirm.group(1))
    assert response["Location"] == link
    client.post(link)
    assert team.review.memberships.filter(
        user__email="fresh@example.org", is_reviewer=True
    ).exists()


@pytest.mark.django_db
def test_reviewer_cannot_invite(team):
    response = team.client(team.reviewer1).post(
        f"/r/{team.review.slug}/team/", {"email": "x@example.org", "roles": ["lead"]}
    )
    assert response.status_code == 403
    assert not team.review.invitations.exists()


@pytest.mark.django_db
def test_lead_changes_roles_and_removes_a_member_who_stays_attributed(team):
    lead = team.client(team.lead)
    m = team.review.memberships.get(user=team.reviewer2)
    lead.post(f"/r/{team.review.slug}/team/{m.pk}/roles/", {"roles": ["reviewer", "adjudicator"]})
    m.refresh_from_db()
    assert m.roles == ["reviewer", "adjudicator"]
    lead.post(f"/r/{team.review.slug}/team/{m.pk}/remove/")
    m.refresh_from_db()
    assert not m.active
    assert team.client(team.reviewer2).get(f"/r/{team.review.slug}/").status_code == 404
    assert User.objects.filter(pk=team.reviewer2.pk).exists()
    assert "Former members" in lead.get(f"/r/{team.review.slug}/team/").content.decode()


@pytest.mark.django_db
def test_the_last_lead_cannot_be_removed(team):
    lead = team.client(team.lead)
    m = team.review.memberships.get(user=team.lead)
    response = lead.post(f"/r/{team.review.slug}/team/{m.pk}/remove/", follow=True)
    assert "at least one lead" in response.content.decode()
    m.refresh_from_db()
    assert m.active
