"""Screening under load: 20 reviewers deciding at once on a 100,000-record review (PostgreSQL).

    .venv/bin/python bench/screening_bench.py                       # the documented run
    .venv/bin/python bench/screening_bench.py --records 20000 --decisions 50 --think 0

1. Builds the data set in its own PostgreSQL database (default ``reviewapp_screenbench``, dropped
   and re-created): one review, a lead, 20 reviewers, 100,000 canonical records in bulk, the pool
   split so each record goes to 2 of the 20 reviewers, and a share of the records already
   screened by both (``--prescreened``), so the queues look like a review under way.
2. Starts gunicorn (a real server) on 127.0.0.1 with an access log recording each request's
   server-side duration (``%(D)s``, microseconds).
3. Logs 20 ``requests.Session`` clients in through the allauth login form, one per reviewer;
   each opens /screen/ and then posts a bounded number of decisions over HTTP exactly as the
   page's script does (``screen/decisions/`` with the held records' ids, CSRF token,
   ``HX-Request``), reading the next records from the response.
4. Prints median/p95/p99 latency of "decision + swap to the next record", server-side (from the
   access log) and as the clients saw it (loopback), and the throughput.

Loopback only; every loop is bounded; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PASSWORD = "bench-password-123"
SHOWN = re.compile(r'<section id="screen-record"[^>]* data-record="(\d+)"')
UPCOMING = re.compile(r'<template data-record="(\d+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- 1. the data set -------------------------------------------------------------------------


def create_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# The synthetic records' vocabulary (the benchmark measures the server, not the text).
WORDS = [
    "clinician", "nurse", "education", "research", "engagement", "barrier", "facilitator",
    "medical", "student", "curriculum", "hospital", "qualitative", "survey", "outcome",
    "training", "faculty", "development",
]  # fmt: skip


def build(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from reviewapp.models import ExclusionReason, Membership, Review, User
    from screening.decisions import queues
    from screening.models import (
        Assignment,
        Decision,
        Record,
        RecordStatus,
        ScreeningSettings,
        Search,
    )

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    lead = User.objects.create_user("lead@bench.example", PASSWORD)
    review = Review.objects.create(title="Screening benchmark", slug="bench", created_by=lead)
    Membership.objects.create(review=review, user=lead, is_lead=True)
    reviewers = [
        User.objects.create_user(f"reviewer{i:02d}@bench.example", PASSWORD, full_name=f"R{i}")
        for i in range(args.reviewers)
    ]
    from reviewapp.services import vouch_for_email

    for user in [lead, *reviewers]:
        vouch_for_email(user)  # signs in over HTTP: mandatory email verification
    Membership.objects.bulk_create(
        [Membership(review=review, user=u, is_reviewer=True) for u in reviewers]
    )
    for i, label in enumerate(["Wrong population", "Not research", "Wrong setting"]):
        ExclusionReason.objects.create(review=review, stage="ta", label=label, position=i)
    ScreeningSettings.objects.create(review=review, split_pool=True)
    search = Search.objects.create(review=review, source="Web of Science", created_by=lead)
    rng = random.Random(7)
    batch: list[Record] = []
    for i in range(args.records):
        title = " ".join(rng.choices(WORDS, k=9)).capitalize()
        batch.append(
            Record(
                review=review,
                search=search,
                source_key=f"WOS:{i:09d}",
                title=title,
                abstract=" ".join(rng.choices(WORDS, k=180)),
                authors=["Smith, J.", "Lee, K."],
                year=2000 + i % 24,
                journal="Medical Education",
                doi=f"10.1000/bench.{i}",
            )
        )
        if len(batch) == 5000:
            Record.objects.bulk_create(batch)
            batch = []
    if batch:
        Record.objects.bulk_create(batch)
    t_records = time.perf_counter()
    queues.ensure_assignments(review)  # 2 assignment rows and 1 status row per record
    t_assign = time.perf_counter()
    # Both assignees already screened a share of the records (agreed Exclude).
    ids = list(Record.objects.filter(review=review).values_list("pk", flat=True))
    done = set(rng.sample(ids, int(len(ids) * args.prescreened)))
    rows = Assignment.objects.filter(review=review, record_id__in=done).values_list(
        "record_id", "reviewer_id"
    )
    Decision.objects.bulk_create(
        [
            Decision(review=review, record_id=r, reviewer_id=u, stage="ta", value="exclude")
            for r, u in rows.iterator(chunk_size=10000)
        ],
        batch_size=5000,
    )
    done_list = sorted(done)
    for i in range(0, len(done_list), 10000):
        chunk = done_list[i : i + 10000]
        RecordStatus.objects.filter(record_id__in=chunk).update(
            outcome="excluded", resolution="agreement", decisions_count=2
        )
        Assignment.objects.filter(record_id__in=chunk).update(open=False)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    t_done = time.perf_counter()
    return {
        "records": args.records,
        "assignments": Assignment.objects.filter(review=review).count(),
        "prescreened": len(done),
        "seconds_records": t_records - t0,
        "seconds_assign": t_assign - t_records,
        "seconds_total": t_done - t0,
        "reviewers": [u.email for u in reviewers],
    }


# --- 2. the server ---------------------------------------------------------------------------


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    cmd = [
        str(REPO / ".venv" / "bin" / "gunicorn"),
        "reviewapp.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        str(log),
        "--access-logformat",
        "%(m)s %(U)s %(s)s %(D)s",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- 3. the reviewers ------------------------------------------------------------------------


def login(base: str, email: str):
    import requests

    session = requests.Session()
    for _ in range(5):
        page = session.get(f"{base}/accounts/login/", timeout=30)
        token = CSRF_INPUT.search(page.text).group(1)
        response = session.post(
            f"{base}/accounts/login/",
            data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=30,
        )
        if response.status_code != 429:
            break
        # allauth's sign-in limit per address (30 a minute): the clients all come from here
        time.sleep(61)
    response.raise_for_status()
    if "sessionid" not in session.cookies:
        raise SystemExit(f"login failed for {email}")
    return session


def served_settings(database: str) -> dict[str, str]:
    """The settings the benches run the app with, served or in process: no DEBUG, no Redis
    (tasks in process), the test client's host allowed."""
    return {
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "reviewapp.settings",
        "DEBUG": "false",
        "SECURE_COOKIES": "false",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Conflicts send notification emails; the console backend would flood this output.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


def setup_in_process(database: str) -> None:
    """Django in this process, with the served settings."""
    os.environ.update(served_settings(database))
    import django

    django.setup()


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as the kernel gives them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def load() -> str:
    return f"load {loadavg()}"


def queue_of(html: str) -> tuple[str | None, list[str]]:
    """The record a screening answer shows (its panel's own id) and the upcoming ones, in order."""
    shown = SHOWN.search(html)
    return (shown.group(1) if shown else None), UPCOMING.findall(html)


def decide_as_page(session, base, slug, token, record, upcoming, value, timeout=30):
    """One decision as static/js/screen.js sends it: to ``screen/decisions/`` with the ids of
    the records the page already holds (``have``; it moved on to the next one before saving),
    so the answer carries those as bare ids and only new ones in full."""
    data = {"record": record, "value": value, "reason": "", "note": "", "pos": "0"}
    data["have"] = ",".join(upcoming)
    return session.post(
        f"{base}/r/{slug}/screen/decisions/",
        data=data,
        headers={"HX-Request": "true", "X-CSRFToken": token, "Referer": base},
        timeout=timeout,
    )


def saved(response) -> bool:
    return response.status_code == 200 and "message error" not in response.text


def reviewer(base, session, n, think, seed, out, errors, start):
    rng = random.Random(seed)
    page = session.get(f"{base}/r/bench/screen/", timeout=30)
    token = CSRF_INPUT.search(page.text).group(1)
    current, upcoming = queue_of(page.text)
    start.wait()
    for _ in range(n):
        if current is None:
            break
        value = rng.choices(["exclude", "include", "maybe"], weights=[80, 15, 5])[0]
        t = time.perf_counter()
        response = decide_as_page(session, base, "bench", token, current, upcoming, value)
        elapsed = time.perf_counter() - t
        if not saved(response):
            errors.append(response.status_code)
            break
        out.append(elapsed)
        current, upcoming = queue_of(response.text)
        if think:
            time.sleep(rng.uniform(0.5 * think, 1.5 * think))


def server_times(log: Path) -> list[float]:
    times = []
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "POST" and parts[1].endswith("/screen/decisions/"):
            times.append(int(parts[3]) / 1e6)
    return times


def screen_at_once(
    env: dict, workers: int, reviewers: int, decisions: int, think: float, join_timeout: float
) -> tuple[list[float], list[int], float, list[float]]:
    """gunicorn on `env`, every reviewer signed in, then all deciding at once.

    Returns the client latencies (s), the failed requests' statuses, the wall seconds of the
    run and the server-side times (s) of the screening requests from gunicorn's access log.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        server = start_server(env, port, workers, log)
        try:
            sessions = [login(base, f"reviewer{i:02d}@bench.example") for i in range(reviewers)]
            log.write_text("")  # only the screening requests from here on
            latencies: list[float] = []
            errors: list[int] = []
            start = threading.Event()
            threads = [
                threading.Thread(
                    target=reviewer,
                    args=(base, s, decisions, think, i, latencies, errors, start),
                )
                for i, s in enumerate(sessions)
            ]
            for t in threads:
                t.start()
            time.sleep(1.0)
            t0 = time.perf_counter()
            start.set()
            for t in threads:
                t.join(timeout=join_timeout)
            wall = time.perf_counter() - t0
            time.sleep(0.5)
            server_side = server_times(log)
        finally:
            stop_server(server)
    return latencies, errors, wall, server_side


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/reviewapp_screenbench"
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=100, help="per reviewer")
    parser.add_argument("--think", type=float, default=0.5, help="mean seconds between decisions")
    parser.add_argument("--prescreened", type=float, default=0.3)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a former run")
    args = parser.parse_args()

    env = {**os.environ, **served_settings(args.database)}
    os.environ.update(env)
    if not args.reuse:
        create_database(args.database)
        info = build(args)
        print(
            f"data set: {info['records']:,} records, {info['assignments']:,} assignments, "
            f"{info['prescreened']:,} already screened; records {info['seconds_records']:.1f} s, "
            f"assignments {info['seconds_assign']:.1f} s, total {info['seconds_total']:.1f} s"
        )
    latencies, errors, wall, server_side = screen_at_once(
        env, args.workers, args.reviewers, args.decisions, args.think, join_timeout=900
    )
    print(
        f"{args.reviewers} reviewers x {args.decisions} decisions, think time ~{args.think} s, "
        f"{args.workers} gunicorn workers, {os.cpu_count()} CPUs"
    )
    if errors:
        print(f"ERRORS: {len(errors)} requests failed: {sorted(set(errors))}")
    for label, values in (("server-side", server_side), ("client (loopback)", latencies)):
        ms = [v * 1000 for v in values]
        print(
            f"{label:>18}: n={len(ms)} median {statistics.median(ms):.1f} ms, "
            f"p95 {percentile(ms, 95):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
            f"max {max(ms):.1f} ms"
        )
    print(f"throughput: {len(latencies) / wall:.1f} decisions/s over {wall:.1f} s")


if __name__ == "__main__":
    main()
