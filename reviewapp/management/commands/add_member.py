from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviewapp import services
from reviewapp.models import Review, Role


class Command(BaseCommand):
    help = (
        "Add a person to a review with a role; creates the account and prints a one-time password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--review", required=True, help="Review slug")
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--role",
            required=True,
            action="append",
            choices=Role.values,
            help="reviewer, adjudicator or lead (repeat for several)",
        )

    def handle(self, *args, review: str, email: str, role: list[str], **options) -> None:
        try:
            review_obj = Review.objects.get(slug=review)
        except Review.DoesNotExist as exc:
            raise CommandError(f"No review with slug {review!r}") from exc
        try:
            membership, password = services.add_member(review_obj, email, role)
        except services.ReviewError as exc:
            raise CommandError(str(exc)) from exc
        roles = ", ".join(membership.roles)
        if password:
            self.stdout.write(
                f"{membership.user.email} added as {roles}; one-time password: {password}"
            )
        else:
            self.stdout.write(f"{membership.user.email} (existing account) is now {roles}")
