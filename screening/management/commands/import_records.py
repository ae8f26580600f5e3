"""python manage.py import_records --review SLUG --source "Web of Science" [--phase initial|update]
[--format auto|ris|...] [--allow-truncated] FILE...: the same import as an upload, run
synchronously."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.identification.importers import FORMATS
from screening.identification.imports import (
    ImportRefused,
    import_file_now,
    report_lines,
    search_for_source,
)
from screening.models import ImportJob, Phase


class Command(BaseCommand):
    help = "Import database export files into a review's search and print the import report."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--review", required=True, help="The review's slug")
        parser.add_argument("--source", required=True, help='e.g. "Web of Science"')
        parser.add_argument("--phase", choices=Phase.values, default=Phase.INITIAL)
        parser.add_argument("--format", choices=["auto", *FORMATS], default="auto", dest="fmt")
        parser.add_argument(
            "--allow-truncated",
            action="store_true",
            help="Import the complete records of a file that ends inside a record (the cut record "
            "is dropped and the report says so) instead of refusing the file.",
        )

    def handle(
        self, *args, files, review, source, phase, fmt, allow_truncated=False, **options
    ) -> None:
        review_obj = Review.objects.filter(slug=review).first()
        if review_obj is None:
            raise CommandError(f"No review with the slug {review!r}.")
        search = search_for_source(review_obj, source, phase)
        failed = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            try:
                job = import_file_now(
                    search, path, path.name, fmt=fmt, allow_truncated=allow_truncated
                )
            except ImportRefused as exc:
                self.stderr.write(f"{path.name}: refused. {exc}")
                failed.append(path.name)
                continue
            for line in report_lines(job):
                self.stdout.write(line)
            self.stdout.write("")
            if job.status == ImportJob.Status.MAPPING:
                self.stderr.write(
                    f"{path.name}: the columns were not recognised; map them on the job page."
                )
                failed.append(path.name)
            elif job.status != ImportJob.Status.DONE:
                failed.append(path.name)
        if failed:
            raise CommandError(f"Not imported: {', '.join(failed)}")
