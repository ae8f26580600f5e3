from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviewapp.backup import BackupError, export_review
from reviewapp.models import Review


class Command(BaseCommand):
    help = (
        "Write one review — records, decisions, conflicts, full texts, extraction, codebook, "
        "codings, audit trail and uploaded files — into a zip archive for import_review."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--review", required=True, metavar="SLUG", help="The review's slug")
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="Archive (.zip)")

    def handle(self, *args, review: str, output: str, **options) -> None:
        found = Review.objects.filter(slug=review).first()
        if found is None:
            raise CommandError(f"No review with the slug {review!r}.")
        try:
            summary = export_review(found, output)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stderr.write(line)
        self.stdout.write(output)
