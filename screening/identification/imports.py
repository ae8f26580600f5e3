"""Searches and the import of their export files: store the upload, then parse and write records.

    job = store_upload(search, uploaded_file, "scopus.ris", user=lead)   # queued, task sent on commit
    run_import(job.pk)                                                   # what the Celery task does
    import_file_now(search, path, "scopus.ris")                          # both, synchronously

How an import stays atomic and idempotent (exactly one copy, whatever happens to the worker):
- The upload is stored as an ImportJob and its task queued as a background job
  (`reviewapp.jobs`): the job row is written with the upload, the message sent after commit,
  and sent again by the sweeper when Redis was down or lost it, or when the worker running it
  stopped beating. The import page and the searches page tell that story.
- The task claims the import with a conditional UPDATE (QUEUED -> RUNNING, or a RUNNING import
  whose worker stopped beating -> RUNNING again) and gives up if the claim matches nothing: a
  duplicate message for an import another worker is running, or one already done, does nothing.
- The whole write is ONE transaction that starts by locking the job row and deleting any rows of
  the job, streams the parser's records into bulk inserts, and marks the job DONE before it
  commits. A malformed file raises mid-way and rolls everything back (nothing of it is stored); a
  worker killed mid-way leaves an aborted transaction (PostgreSQL drops it with the connection).
  The row lock makes a second worker that took over wait, then find the job DONE. An import
  whose worker keeps dying is given up by the sweeper and marked FAILED with the reason.
- Progress (bytes read, records so far) cannot be seen inside an open transaction, so the worker
  publishes it in the cache for the page, and the percentage with its job's heartbeat.

Where each part lives (this module names the public ones, for views, commands and the demo):
    searches   the review's searches and the counts the search list shows
    uploads    checks on an upload, storing it as a job (ImportRefused), import_file_now
    lifecycle  claiming, running, finishing or failing a job; the Celery task; its history
    writes     the records streamed into the table (bulk_create), pgcopy (PostgreSQL's COPY)
    progress   the running import's progress, in the cache and on its background job
A test that stands in for a constant or for the heartbeat patches the module that owns it.
"""

from __future__ import annotations

from screening.identification.lifecycle import (
    after_import,
    history,
    import_file,
    latest_run,
    report_lines,
    run_import,
    runs_of,
)
from screening.identification.progress import live_progress
from screening.identification.searches import (
    counts_by_phase,
    create_search,
    search_for_source,
    searches_with_counts,
    update_search,
)
from screening.identification.uploads import (
    ImportRefused,
    import_file_now,
    job_columns,
    read_columns_again,
    rerun_import,
    set_column_map,
    store_upload,
)

__all__ = [
    "ImportRefused",
    "after_import",
    "counts_by_phase",
    "create_search",
    "history",
    "import_file",
    "import_file_now",
    "job_columns",
    "latest_run",
    "live_progress",
    "read_columns_again",
    "report_lines",
    "rerun_import",
    "run_import",
    "runs_of",
    "search_for_source",
    "searches_with_counts",
    "set_column_map",
    "store_upload",
    "update_search",
]
