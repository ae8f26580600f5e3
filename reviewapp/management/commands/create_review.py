from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviewapp import services
from reviewapp.models import User


class Command(BaseCommand):
    help = "Create a review with its lead; prints the review's slug."

    def add_arguments(self, parser) -> None:
        parser.add_argument("title")
        parser.add_argument(
            "--lead", required=True, help="Email of the lead (account created if needed)"
        )
        parser.add_argument("--slug", help="Short name used in links (default: from the title)")
        parser.add_argument("--question", default="")

    def handle(
        self, *args, title: str, lead: str, slug: str | None, question: str, **options
    ) -> None:
        user = User.objects.filter(email__iexact=lead.strip()).first()
        password = None
        if user is None:
            import secrets

            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(email=lead.strip().lower(), password=password)
            services.vouch_for_email(user)
        try:
            review = services.create_review(title, user, slug=slug, question=question)
        except services.ReviewError as exc:
            raise CommandError(str(exc)) from exc
        if password:
            self.stderr.write(f"Created account {user.email} with one-time password: {password}")
        self.stdout.write(review.slug)
