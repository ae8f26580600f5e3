from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from reviewapp.waiting import review_status


class Command(BaseCommand):
    help = (
        "Who has what waiting in a review (records to screen, conflicts, full texts, codings to "
        "re-check, duplicate pairs): the figures of the review's overview page."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--review", required=True, help="Review slug")
        parser.add_argument("--json", action="store_true", help="Print JSON for scripts")

    def handle(self, *args, review: str, json: bool, **options) -> None:
        try:
            review_obj = Review.objects.get(slug=review)
        except Review.DoesNotExist as exc:
            raise CommandError(f"No review with slug {review!r}") from exc
        status = review_status(review_obj)
        if json:
            self.stdout.write(_dumps(status.as_json()))
            return
        self.stdout.write(f"{review_obj.title} ({review_obj.slug})")
        for item in status.review_items:
            self.stdout.write(f"  {item.text}")
        for member in status.members:
            pending = ", ".join(item.text for item in member.pending) or "nothing waiting"
            roles = ", ".join(member.membership.roles)
            self.stdout.write(f"  {member.membership.user.email} ({roles}): {pending}")


def _dumps(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
