"""An update search is de-duplicated against everything earlier; a screened record stays screened."""

from __future__ import annotations

import csv
import io

from screening.decisions import queues
from screening.decisions import service as decisions
from screening.dedup.display import found_in
from screening.dedup.service import run_dedup
from screening.identification.imports import import_file_now
from screening.models import DuplicateCluster, Phase, Record, RecordStatus

from .factories import article, search

COLUMNS = ["ID", "ENTRYTYPE", "author", "year", "title", "journal", "volume", "number", "pages"]
COLUMNS += ["abstract", "doi"]
ROWS = [
    ["U1", "article", "Smith, Jane and Lee, Kim", "2019",
     "Protected research time for nurses: a randomised controlled trial", "Nurse Educ Today",
     "72", "3", "101-8", "An abstract the first export lacked.", "10.1016/j.nedt.2019.01.004"],
    ["U2", "article", "Brown, Amy", "2023", "A new study of mentoring", "Med Educ", "57", "1",
     "1-9", "", "10.1/new"],
]  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


UPDATE_CSV = _csv(ROWS)


def test_update_import_joins_the_screened_record_without_screening_it_again(
    team, django_capture_on_commit_callbacks
):
    initial = search(team.review, "MEDLINE", Phase.INITIAL)
    screened = article(initial, abstract="")
    run_dedup(team.review)
    decisions.decide(screened, team.reviewer1, "include")
    decisions.decide(screened, team.reviewer2, "include")
    assert RecordStatus.objects.get(record=screened, stage="ta").outcome == "included"

    update = search(team.review, "MEDLINE", Phase.UPDATE)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_file_now(update, UPDATE_CSV, "update.csv", user=team.lead)
    assert job.status == "done", job.error

    twin = Record.objects.get(search=update, source_key="U1")
    new = Record.objects.get(search=update, source_key="U2")
    cluster = DuplicateCluster.objects.get()
    assert cluster.canonical_id == screened.pk  # kept although the twin is more complete
    assert (twin.cluster_id, twin.is_canonical) == (cluster.pk, False)
    screened.refresh_from_db()
    assert screened.abstract == "An abstract the first export lacked."
    # the earlier decision stands and nobody is asked about the work again
    status = RecordStatus.objects.get(record=screened, stage="ta")
    assert status.outcome == "included"
    assert set(queues.queue_for(team.review, team.reviewer1)) == {new}
    # the work was found in both phases
    assert [(s.source, s.phase) for s in found_in(twin)] == [
        ("MEDLINE", "initial"),
        ("MEDLINE", "update"),
    ]
    assert [s.record_ids for s in found_in(screened)] == [[screened.pk], [twin.pk]]


def test_record_page_of_a_duplicate_shows_both_phases(team, client):
    initial = search(team.review, "MEDLINE", Phase.INITIAL)
    update = search(team.review, "Embase", Phase.UPDATE)
    first = article(initial)
    again = article(update)
    run_dedup(team.review)

    page = team.client(team.reviewer1).get(f"/r/{team.review.slug}/records/{again.pk}/")

    text = page.content.decode()
    assert "MEDLINE" in text and "Embase" in text
    assert "Initial search" in text and "Update" in text
    assert f"record {first.pk}" in text
