"""python manage.py create_api_token --email EMAIL [--name NAME]: the token on the last line."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from api.tokens import create_token
from reviewapp.models import User
from reviewapp.services import ReviewError


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (shown once, stored hashed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="command line")

    def handle(self, *args, email: str, name: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the email {email!r}.")
        try:
            token, secret = create_token(user, name)
        except ReviewError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Token {token.name!r} for {user.email}; it is shown only now:")
        self.stdout.write(secret)
