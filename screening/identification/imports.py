"""Searches and the import of their export files: store the upload, then parse and write records.

    job = store_upload(search, uploaded_file, "scopus.ris", user=lead)   # queued, task sent on commit
    run_import(job.pk)                                                   # what the Celery task does
    import_file_now(search, path, "scopus.ris")                          # both, synchronously

How an import stays atomic and idempotent (exactly one copy, whatever happens to the worker):
- The task claims the job with a conditional UPDATE (QUEUED -> RUNNING, or a RUNNING job whose
  worker stopped beating -> RUNNING again) and gives up if the claim matches nothing: a duplicate
  message for a job another worker is running, or one already done, does nothing.
- The whole write is ONE transaction that starts by locking the job row and deleting any rows of
  the job, streams the parser's records into bulk inserts, and marks the job DONE before it
  commits. A malformed file raises mid-way and rolls everything back (nothing of it is stored); a
  worker killed mid-way leaves an aborted transaction (PostgreSQL drops it with the connection).
  The row lock makes a second worker that took over wait, then find the job DONE.
- Progress (bytes read, records so far) cannot be seen inside an open transaction, so the worker
  publishes it in the cache, under a key that expires 3 x IMPORT_HEARTBEAT_SECONDS after the last
  beat. That key is the worker's heartbeat: a RUNNING job without it lost its worker, and
  `dispatch_pending` sends it again (as it does queued jobs the broker never received).

Where each part lives (this module names the public ones, for views, commands and the demo):
    searches   the review's searches and the counts the search list shows
    uploads    checks on an upload, storing it as a job (ImportRefused), import_file_now
    lifecycle  claiming, running, finishing or failing a job; the Celery task; re-dispatch
    writes     the records streamed into the table (bulk_create), pgcopy (PostgreSQL's COPY)
    progress   the worker's heartbeat in the cache
A test that stands in for a constant or for the heartbeat patches the module that owns it.
"""

from __future__ import annotations

from screening.identification.lifecycle import (
    after_import,
    dispatch_pending,
    import_file,
    report_lines,
    run_import,
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
    "dispatch_pending",
    "import_file",
    "import_file_now",
    "job_columns",
    "live_progress",
    "read_columns_again",
    "report_lines",
    "rerun_import",
    "run_import",
    "search_for_source",
    "searches_with_counts",
    "set_column_map",
    "store_upload",
    "update_search",
]
