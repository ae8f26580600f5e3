"""The benchmark's full Django path: CSV -> the app's import -> run_dedup -> clusters from the DB.

    from dedup_app_pipeline import run_app_pipeline, setup
    setup()                                   # once, before timing: a throw-away test database
    clusters, uncertain, how = run_app_pipeline(path)

``setup`` creates a fresh test database the way the test suite does (an in-memory SQLite
database by default, ``test_<name>`` on PostgreSQL with DATABASE_URL) and drops it at exit, so
the benchmark never touches a real review. Each dataset goes into a new review.
"""

from __future__ import annotations

import atexit
import os
import sys
import uuid
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parents[1]
_READY = False


def setup() -> None:
    """Start Django on a fresh, migrated, throw-away database (idempotent)."""
    global _READY
    if _READY:
        return
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    import django
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    django.setup()
    # Tasks run in-process: nothing may wait for a worker that is not there.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    atexit.register(connection.creation.destroy_test_db, old_name, verbosity=0)
    _READY = True


def run_app_pipeline(path: Path) -> tuple[list[set], list[tuple], str]:
    """Import `path` into a new review through the import service, de-duplicate it with the
    app's service, and read the clusters and the open pairs back (as source keys)."""
    setup()
    from reviewapp.models import Review
    from screening.dedup.service import run_dedup
    from screening.identification.imports import create_search, import_file_now
    from screening.models import DuplicateCandidate

    review = Review.objects.create(
        title=f"Benchmark {path.parent.name}", slug=f"bench-{uuid.uuid4().hex[:12]}"
    )
    search = create_search(review, None, source=path.parent.name)
    # The import would queue its own de-duplication run; the benchmark times exactly one.
    with mock.patch("screening.identification.lifecycle.after_import"):
        job = import_file_now(search, path, path.name)
    if job.status != "done":
        raise RuntimeError(f"import of {path} failed: {job.status} {job.error}")
    report = run_dedup(review)
    keys = dict(review.records.values_list("id", "source_key"))
    members: dict[int, set] = {}
    for record_id, cluster_id in review.records.filter(cluster__isnull=False).values_list(
        "id", "cluster_id"
    ):
        members.setdefault(cluster_id, set()).add(keys[record_id])
    uncertain = [
        (keys[a], keys[b])
        for a, b in DuplicateCandidate.objects.filter(
            review=review, status=DuplicateCandidate.Status.OPEN
        ).values_list("record_a_id", "record_b_id")
    ]
    how = (
        f"app: import_file_now ({job.records_imported} records, {job.detected_format}) "
        f"+ run_dedup ({report.seconds:.2f} s)"
    )
    return list(members.values()), uncertain, how
