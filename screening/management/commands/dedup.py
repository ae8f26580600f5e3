"""python manage.py dedup --review SLUG: de-duplicate a review's records now and say what happened."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.dedup.service import run_dedup


class Command(BaseCommand):
    help = "De-duplicate a review's records: merge certain duplicates, queue uncertain pairs."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--review", required=True, help="The review's slug")

    def handle(self, *args, review, **options) -> None:
        review_obj = Review.objects.filter(slug=review).first()
        if review_obj is None:
            raise CommandError(f"No review with the slug {review!r}.")
        report = run_dedup(review_obj)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Took {report.seconds:.1f} s")
