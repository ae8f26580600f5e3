from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.loader import DEMO_PASSWORD, PEOPLE, demo_reviews, load_demo
from reviewapp.models import Membership
from reviewapp.waiting import waiting_for


class Command(BaseCommand):
    help = (
        "Load the demo: the reference review worked end to end and a second review in progress; "
        "print the logins and what waits for each."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete and rebuild the demo reviews"
        )

    def handle(self, *args, reset: bool, **options) -> None:
        load_demo(reset=reset)
        reviews = demo_reviews()
        for review in reviews:
            self.stdout.write(self.style.SUCCESS(f"Demo review ready: /r/{review.slug}/"))
        self.stdout.write(
            f"Sign in with any of these accounts (password for all: {DEMO_PASSWORD}):"
        )
        for person in PEOPLE:
            self.stdout.write(f"  {person.email:<28} {', '.join(person.roles)}")
            memberships = Membership.objects.filter(
                user__email=person.email, review__in=reviews, active=True
            ).select_related("review", "user")
            for m in memberships:
                waiting = ", ".join(item.text for item in waiting_for(m))
                if waiting:
                    self.stdout.write(f"      waiting in {m.review.slug}: {waiting}")
