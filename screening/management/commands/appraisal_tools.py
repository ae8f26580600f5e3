"""List the appraisal tools (built in, and a review's own with --review)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.appraisal import service
from screening.appraisal.tools import BUILT_IN, listing


class Command(BaseCommand):
    help = "List the critical appraisal tools: key, name, number of items, version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON")
        parser.add_argument("--review", help="Also list this review's own tools (its slug)")

    def handle(self, *args, json: bool = False, review: str | None = None, **options) -> None:
        tools = list(BUILT_IN.values())
        if review:
            found = Review.objects.filter(slug=review).first()
            if found is None:
                raise CommandError(f"No review with the slug {review!r}.")
            tools = service.tools_for(found)
        rows = listing(tools)
        if json:
            self.stdout.write(_dumps(rows))
            return
        for row in rows:
            self.stdout.write(
                f"{row['key']:<22} {row['items']:>3} items  v{row['version']:<6} {row['name']}"
            )


def _dumps(rows) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
