"""Issue #26: /admin/ was a password oracle outside allauth's throttle; it is gone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_admin_is_not_served_even_to_a_superuser(client):
    assert client.get("/admin/").status_code in (302, 404)
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code in (
        302,
        404,
    )
    boss = UserFactory(email="boss@example.org", is_staff=True, is_superuser=True)
    client.force_login(boss)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_the_admin_app_is_not_installed():
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


@pytest.mark.django_db
def test_operators_administer_with_management_commands(team, capsys):
    """What the README names instead of the admin: a new lead, a password."""
    call_command(
        "add_member",
        "--review",
        team.review.slug,
        "--email",
        team.reviewer1.email,
        "--role",
        "lead",
    )
    assert team.review.memberships.get(user=team.reviewer1).is_lead
    from django.contrib.auth.management.commands import changepassword

    command = changepassword.Command()
    command._get_pass = lambda prompt="": "a-new-Long-passphrase-7"
    call_command(command, team.reviewer1.email)
    team.reviewer1.refresh_from_db()
    assert team.reviewer1.check_password("a-new-Long-passphrase-7")
