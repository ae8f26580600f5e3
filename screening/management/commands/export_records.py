"""python manage.py export_records --review SLUG [--set all|unique|included] [--query Q]
--format csv|ris|bibtex -o FILE"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.identification import filters
from screening.identification.exports import FORMATS, SETS, export_records, record_set


class Command(BaseCommand):
    help = "Export a review's records as CSV, RIS or BibTeX."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--review", required=True, help="The review's slug")
        parser.add_argument("--set", choices=list(SETS), default="all", dest="which")
        parser.add_argument("--format", choices=list(FORMATS), required=True, dest="fmt")
        parser.add_argument(
            "--query", default="", help="Only the records this search finds on the records page"
        )
        parser.add_argument("-o", "--output", required=True, help="File to write ('-' for stdout)")

    def handle(self, *args, review, which, fmt, output, query="", **options) -> None:
        review_obj = Review.objects.filter(slug=review).first()
        if review_obj is None:
            raise CommandError(f"No review with the slug {review!r}.")
        records = record_set(review_obj, which)
        if query:
            records = filters.apply(
                records, filters.RecordFilters.from_params({"q": query}), None, review_obj
            )
        chunks = export_records(records, fmt)
        if output == "-":
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        # newline="" keeps the CSV writer's \r\n row endings as they are.
        with open(output, "w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
        self.stderr.write(f"Wrote {records.count():,} records to {output}")
