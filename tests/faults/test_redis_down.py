"""Redis stopped: uploads and pages answer within 2 s and never 500; the uploads are stored and
say they start by themselves, and they do once Redis is back (issue 28)."""

from __future__ import annotations

import threading

import pytest

from reviewapp.models import Job
from screening.identification import imports
from screening.models import ImportJob, Record

from .stack import ris, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]
UPLOADS = 4


def _done(search) -> bool:
    return not search.import_jobs.exclude(status=ImportJob.Status.DONE).exists()


def test_with_redis_stopped_nothing_fails_and_the_imports_run_once_it_is_back(team, search, stack):
    lead = stack.signed_in(team.lead)
    assert lead.upload(team.review, search, "before.ris", ris(30, "before")).status == 302
    wait_for(lambda: _done(search), 60, "the first import")

    stack.redis.stop()
    webs = [stack.signed_in(team.lead) for _ in range(UPLOADS)]
    threads = [
        threading.Thread(
            target=web.upload, args=(team.review, search, f"down{i}.ris", ris(20, f"down{i}"))
        )
        for i, web in enumerate(webs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    uploads = [web.answers[-1] for web in webs]
    assert [a.status for a in uploads] == [302] * UPLOADS
    assert max(a.seconds for a in uploads) < 2, [round(a.seconds, 2) for a in uploads]

    reviewer = stack.signed_in(team.reviewer1)
    slug = team.review.slug
    pages = [
        lead.get(uploads[0].location),
        lead.get(f"/r/{slug}/searches/"),
        lead.get(f"/r/{slug}/"),
        lead.get(f"/r/{slug}/records/"),
        lead.get(f"/r/{slug}/duplicates/"),
        reviewer.get(f"/r/{slug}/screen/"),
        reviewer.get("/"),
    ]
    assert [p.status for p in pages] == [200] * len(pages)
    assert max(p.seconds for p in pages) < 2, [round(p.seconds, 2) for p in pages]
    assert "it starts by itself when the queue is back" in pages[0].text
    assert "The import queue is unavailable right now" in pages[1].text
    waiting = search.import_jobs.filter(status=ImportJob.Status.QUEUED)
    assert waiting.count() == UPLOADS  # stored, queued, not lost
    assert all(imports.latest_run(j).send_failures >= 1 for j in waiting)

    stack.redis.start()
    wait_for(lambda: _done(search), 60, "the imports after Redis came back")
    assert Record.objects.filter(search=search).count() == 30 + UPLOADS * 20
    job = search.import_jobs.get(original_name="down0.ris")
    # The run is marked done once its task returns, a moment after the import's own commit.
    wait_for(lambda: imports.latest_run(job).status == Job.Status.DONE, 30, "the run's end")
    assert "the queue was unavailable at" in imports.report_lines(job)[-1]
