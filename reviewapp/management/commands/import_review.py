from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviewapp.backup import BackupError, import_review


class Command(BaseCommand):
    help = (
        "Restore a review from an export_review archive, with fresh ids, beside whatever the "
        "database already holds. People are matched by email (missing ones get an account "
        "without a usable password). Prints the new review's slug."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", metavar="FILE")
        parser.add_argument(
            "--slug", help="Restore under this slug (required when the archived one is taken)"
        )
        parser.add_argument("--title", help="Restore under this title")

    def handle(self, *args, archive: str, slug: str | None, title: str | None, **options) -> None:
        try:
            review, summary = import_review(archive, slug=slug, title=title)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stderr.write(line)
        self.stdout.write(review.slug)
