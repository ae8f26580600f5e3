"""python manage.py import_records --review SLUG --source "Web of Science" [--phase initial|update]
[--format auto|ris|...] [--encoding NAME] [--skip-bad-entries] [--column FIELD=COLUMN ...]
[--allow-truncated] [--language en|zh-hant] FILE...: the same import as an upload, run
synchronously. The report (warnings, errors) is English unless --language says otherwise."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reviewapp.models import Review
from screening.identification.importers import FORMATS, MAPPABLE_FIELDS
from screening.identification.importers.bibtex import skip_again
from screening.identification.importers.textio import ENCODINGS
from screening.identification.imports import (
    ImportRefused,
    import_file_now,
    report_lines,
    search_for_source,
)
from screening.models import ImportJob, Phase

Status = ImportJob.Status


def _column(value: str) -> tuple[str, str]:
    field, sep, column = value.partition("=")
    if not sep or field.strip() not in MAPPABLE_FIELDS:
        raise CommandError(
            f"--column {value!r}: give FIELD=COLUMN, FIELD one of: {', '.join(MAPPABLE_FIELDS)}"
        )
    return field.strip(), column.strip()


class Command(BaseCommand):
    help = "Import database export files into a review's search and print the import report."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--review", required=True, help="The review's slug")
        parser.add_argument("--source", required=True, help='e.g. "Web of Science"')
        parser.add_argument("--phase", choices=Phase.values, default=Phase.INITIAL)
        parser.add_argument("--format", choices=["auto", *FORMATS], default="auto", dest="fmt")
        parser.add_argument(
            "--encoding",
            default="",
            help="The files' text encoding, instead of detecting it: "
            + ", ".join(ENCODINGS)
            + " (or any encoding Python knows)",
        )
        parser.add_argument(
            "--skip-bad-entries",
            action="store_true",
            help="Import the entries that can be read and list the others, instead of refusing",
        )
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Which column of a CSV/XLSX holds a field (e.g. title=Name); once per field",
        )
        parser.add_argument(
            "--allow-truncated",
            action="store_true",
            help="Import the complete records of a file that ends inside a record (the cut record "
            "is dropped and the report says so) instead of refusing the file.",
        )
        parser.add_argument(
            "--language",
            default="en",
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language of the import report's warnings and errors (default English)",
        )

    def handle(self, *args, language: str = "en", **options) -> None:
        with translation.override(language):
            self._import(**options)

    def _import(
        self, *args, files, review, source, phase, fmt, allow_truncated=False, **options
    ) -> None:
        review_obj = Review.objects.filter(slug=review).first()
        if review_obj is None:
            raise CommandError(f"No review with the slug {review!r}.")
        column_map = dict(_column(value) for value in options["column"]) or None
        search = search_for_source(review_obj, source, phase)
        failed = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            try:
                job = import_file_now(
                    search,
                    path,
                    path.name,
                    fmt=fmt,
                    column_map=column_map,
                    encoding=options["encoding"],
                    skip_bad_entries=options["skip_bad_entries"],
                    allow_truncated=allow_truncated,
                )
            except ImportRefused as exc:
                self.stderr.write(f"{path.name}: refused. {exc}")
                failed.append(path.name)
                continue
            if job.status == Status.MAPPING:
                self._refuse_columns(job, path.name)
                failed.append(path.name)
                continue
            for line in report_lines(job):
                self.stdout.write(line)
            self.stdout.write("")
            if job.status != Status.DONE:
                if skip_again() in job.error and not job.skip_bad_entries:
                    self.stderr.write(
                        f"{path.name}: run again with --skip-bad-entries to import the entries "
                        "that can be read; the others are listed in the report."
                    )
                failed.append(path.name)
        if failed:
            raise CommandError(f"Not imported: {', '.join(failed)}")

    def _refuse_columns(self, job: ImportJob, name: str) -> None:
        """Nothing of a file whose columns were not recognised is kept: the job goes."""
        self.stderr.write(
            f"{name}: refused, nothing was imported. {job.error} Say which column holds what "
            f"with --column FIELD=COLUMN (fields: {', '.join(MAPPABLE_FIELDS)}); a mapping "
            "given that way is used as it is."
        )
        job.file.delete(save=False)
        job.delete()
