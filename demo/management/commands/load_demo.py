from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.loader import DEMO_PASSWORD, PEOPLE, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo review (the seed narrative review worked end to end) and print its logins."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete and rebuild the demo review"
        )

    def handle(self, *args, reset: bool, **options) -> None:
        review = load_demo(reset=reset)
        self.stdout.write(self.style.SUCCESS(f"Demo review ready: /r/{review.slug}/"))
        self.stdout.write(
            f"Sign in with any of these accounts (password for all: {DEMO_PASSWORD}):"
        )
        for person in PEOPLE:
            self.stdout.write(f"  {person.email:<28} {', '.join(person.roles)}")
