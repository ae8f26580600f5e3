"""python manage.py prisma --review SLUG --format svg|png|pdf|csv|json [--language zh-hant] -o FILE"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviewapp.models import Review
from screening.prisma import counts as prisma
from screening.prisma.text import FontMissing


class Command(BaseCommand):
    help = "Write a review's PRISMA 2020 flow diagram (SVG, PNG, PDF) or its counts (CSV, JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--review", required=True, help="The review's slug")
        parser.add_argument("--format", required=True, choices=sorted(prisma.FORMATS))
        parser.add_argument("-o", "--output", default="-", help="File to write; - for stdout")
        parser.add_argument(
            "--language",
            default="en",
            choices=[code for code, _name in settings.LANGUAGES],
            help="The diagram's wording (default English)",
        )

    def handle(
        self, *args, review: str, format: str, output: str, language: str = "en", **options
    ) -> None:
        found = Review.objects.filter(slug=review).first()
        if found is None:
            raise CommandError(f"No review with the slug {review!r}.")
        flow = prisma.flow_for(found)
        try:
            body = prisma.render(flow.counts, format, language)
        except FontMissing as exc:
            raise CommandError(str(exc)) from exc
        if output == "-":
            if format in ("png", "pdf"):
                raise CommandError(
                    f"A {format.upper()} is binary: write it to a file with -o FILE."
                )
            self.stdout.write(body.decode(), ending="")
            return
        Path(output).write_bytes(body)
        for problem in flow.problems:
            self.stderr.write(f"Note: {problem}")
        self.stderr.write(f"Wrote {output} ({len(body):,} bytes).")
