"""Issue #26: an invitation link was a bearer token; it is bound to the invited address."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from reviewapp import services
from reviewapp.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(team):
    return services.invite(team.review, "newbie@example.org", ["lead"], team.lead)


def test_a_forwarded_link_cannot_be_accepted_by_another_account(team, invitation):
    stranger = UserFactory(email="mallory@example.org")
    client = team.client(stranger)
    page = client.get(invitation.get_absolute_url()).content.decode()
    assert "Accept invitation" not in page
    assert "sent to another email address" in page
    client.post(invitation.get_absolute_url())
    assert not Membership.objects.filter(review=team.review, user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.is_open  # still there for the person it was sent to


def test_a_member_cannot_use_a_leaked_lead_invitation_to_become_lead(team, invitation):
    team.client(team.reviewer1).post(invitation.get_absolute_url())
    assert not team.review.memberships.get(user=team.reviewer1).is_lead


def test_an_unconfirmed_copy_of_the_invited_address_is_not_enough(team, invitation, settings):
    # With verification "optional" someone can sign in without confirming an address they typed.
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    squatter = UserFactory(email="newbie@example.org", confirmed_email=False)
    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=False, primary=True)
    with pytest.raises(services.ReviewError, match="another email address"):
        services.accept_invitation(invitation, squatter)
    EmailAddress.objects.filter(user=squatter).update(verified=True)
    assert services.accept_invitation(invitation, squatter).is_lead


def test_the_invited_address_accepts_whatever_its_case(team, invitation):
    newbie = UserFactory(email="Newbie@Example.org")
    team.client(newbie).post(invitation.get_absolute_url())
    assert Membership.objects.get(review=team.review, user=newbie).is_lead
