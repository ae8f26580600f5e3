"""Export a review's appraisal table (csv, xlsx) or its summary figure (svg, png)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.appraisal import exports, figure


class Command(BaseCommand):
    help = "Export the appraisal table (one row per included study) or the summary figure."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--review", required=True, help="The review's slug")
        parser.add_argument("--format", required=True, choices=["csv", "xlsx", "svg", "png"])
        parser.add_argument("-o", "--output", required=True, help="File to write")

    def handle(self, *args, review: str, format: str, output: str, **options) -> None:
        found = Review.objects.filter(slug=review).first()
        if found is None:
            raise CommandError(f"No review with the slug {review!r}.")
        if format == "csv":
            data = exports.to_csv(found, None).encode()
        elif format == "xlsx":
            data = exports.to_xlsx(found, None)
        else:
            rows, items = exports.figure_rows(found, None)
            svg = figure.combined_svg(rows, items, f"Critical appraisal — {found.title}")
            data = svg.encode() if format == "svg" else figure.to_png(svg)
        Path(output).write_bytes(data)
        self.stdout.write(f"Wrote {output} ({len(data)} bytes)")
