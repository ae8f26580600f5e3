"""python manage.py export_decisions --review SLUG --format rayyan-ris|decisions-csv|asreview-csv
-o FILE"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.transfer import service


class Command(BaseCommand):
    help = "Export a review's screening decisions for Rayyan, ASReview or a spreadsheet."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--review", required=True, help="The review's slug")
        parser.add_argument("--format", choices=list(service.EXPORTS), required=True, dest="fmt")
        parser.add_argument("-o", "--output", required=True, help="File to write ('-' for stdout)")

    def handle(self, *args, review, fmt, output, **options) -> None:
        review_obj = Review.objects.filter(slug=review).first()
        if review_obj is None:
            raise CommandError(f"No review with the slug {review!r}.")
        # The command line is the server's administrator: every decision, as a lead sees them.
        chunks = service.export(review_obj, fmt, None, is_lead=True)
        if output == "-":
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with open(output, "w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        self.stderr.write(f"Wrote {fmt} to {output}")
