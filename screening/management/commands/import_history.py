"""python manage.py import_history --review SLUG --from rayyan|covidence|asreview|sift FILE
--map "Name=email" ... [--covidence-list irrelevant|excluded|included|fulltext|screen]
[--as EMAIL]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review, User
from screening.transfer import service


class Command(BaseCommand):
    help = "Import a screening history (records and each reviewer's decisions) from another tool."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--review", required=True, help="The review's slug")
        parser.add_argument("--from", choices=list(service.SOURCES), required=True, dest="source")
        parser.add_argument("file")
        parser.add_argument(
            "--map", action="append", default=[], help='"Name in the file=member email"'
        )
        parser.add_argument("--covidence-list", default="auto")
        parser.add_argument("--as", dest="actor", help="The lead's email (default: the first lead)")

    def handle(self, *args, review, source, file, map, covidence_list, actor, **options) -> None:
        review_obj = Review.objects.filter(slug=review).first()
        if review_obj is None:
            raise CommandError(f"No review with the slug {review!r}.")
        leads = review_obj.memberships.filter(active=True, is_lead=True).select_related("user")
        lead = leads.filter(user__email__iexact=actor).first() if actor else leads.first()
        if lead is None:
            raise CommandError("The review has no such lead (--as).")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        mapping = {}
        for item in map:
            name, sep, email = item.rpartition("=")
            user = User.objects.filter(email__iexact=email.strip()).first()
            if not sep or user is None:
                raise CommandError(f"--map {item!r}: give Name=email of a team member.")
            mapping[name.strip()] = user
        try:
            history = service.read(source, path.read_bytes(), path.name, covidence_list)
            plan = service.preview(review_obj, history)
            for name, user in plan.suggested.items():
                if name not in mapping and user is not None:
                    mapping[name] = user
            result = service.import_history(review_obj, history, mapping, by=lead.user)
        except service.TransferError as exc:
            raise CommandError(str(exc)) from exc
        for line in plan.warnings + result.skipped:
            self.stderr.write(f"Warning: {line}")
        self.stdout.write(
            f"Imported {result.records} records, {result.decisions} decisions and "
            f"{result.outcomes} team outcomes."
        )
