"""Where the CPU of one screening request goes: decision + next record, in process, profiled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviewapp_screenprofile \
        .venv/bin/python bench/screening_profile.py                 # build, time, profile
    .venv/bin/python bench/screening_profile.py --reuse --requests 200 --no-profile
    .venv/bin/python bench/screening_profile.py --database <scale_bench.py's> --reuse \
        --reviewer reviewer07@bench.example                      # its real records, 50 reviewers

Builds a small review in its own PostgreSQL database (``bench/screening_bench.py``'s build:
one review, two reviewers, every record assigned to both, 30 % already screened; the
database is dropped and made again unless ``--reuse``), then one reviewer makes decisions
through the whole Django request cycle (middleware, context processors, templates) with the
test client: ``--mode page`` posts as screen.js does (and as the load benchmark's reviewers,
``bench/screening_bench.py``), to ``screen/decisions/`` with the ids of the records the page
already holds (``have=``); ``--mode decide`` posts one decision to
``screen/record/<id>/decide/`` with ``HX-Request``, the form's own request without script. Only
the first reviewer decides, so each decision is the record's first, as nearly all are in the
load benchmark (each record goes to 2 of 50 reviewers); a second one (agreement, or a
conflict and its notifications) costs more and would vary the figures.

Prints the CPU milliseconds per request (``time.process_time``: this process's own work,
steadier than wall time on a shared machine), the wall milliseconds, the statements per
request, the load average, and then the top functions of a cProfile run over as many
requests again (by cumulative and by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import screening_bench as sb  # noqa: E402


class Reviewer:
    """One signed-in reviewer deciding the records of their queue in turn."""

    def __init__(self, email: str, mode: str, seed: int) -> None:
        from django.test import Client

        from reviewapp.models import User

        self.client = Client()
        self.client.force_login(User.objects.get(email=email))
        self.mode = mode
        self.rng = random.Random(seed)
        self.page = self.client.get("/r/bench/screen/").content.decode()

    def _current(self) -> tuple[str | None, list[str]]:
        return sb.queue_of(self.page)

    def decide(self) -> bool:
        """One decision + the next record; False when my queue is empty."""
        record, upcoming = self._current()
        if record is None:
            return False
        value = self.rng.choices(["exclude", "include", "maybe"], weights=[80, 15, 5])[0]
        if self.mode == "decide":
            response = self.client.post(
                f"/r/bench/screen/record/{record}/decide/",
                {"value": value, "pos": "0", "note": "", "reason": ""},
                HTTP_HX_REQUEST="true",
            )
        else:
            response = self.client.post(
                "/r/bench/screen/decisions/",
                {
                    "record": record,
                    "value": value,
                    "reason": "",
                    "note": "",
                    "pos": "0",
                    # What the page holds after the swap: the upcoming records it was sent.
                    "have": ",".join(upcoming),
                },
                HTTP_HX_REQUEST="true",
            )
        assert response.status_code == 200, response.status_code
        self.page = response.content.decode()
        return True


def _decide(who: Reviewer, n: int) -> tuple[list[float], list[float]]:
    cpu, wall = [], []
    for i in range(n):
        c, w = time.process_time(), time.perf_counter()
        if not who.decide():
            raise SystemExit(f"queue empty after {i} requests: --reviewer another, or build again")
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return cpu, wall


def _queries(who: Reviewer) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        who.decide()
    return len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/reviewapp_screenprofile"
        ),
    )
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100, help="timed (and again profiled)")
    parser.add_argument("--mode", choices=["decide", "page"], default="page")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a former run")
    parser.add_argument(
        "--reviewer",
        default="reviewer00@bench.example",
        help="who decides (another, once their queue is empty)",
    )
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    sb.setup_in_process(args.database)
    if not args.reuse:
        sb.create_database(args.database)
        info = sb.build(argparse.Namespace(records=args.records, reviewers=2, prescreened=0.3))
        print(f"data set: {info['records']:,} records, {info['prescreened']:,} already screened")
    who = Reviewer(args.reviewer, args.mode, seed=0)
    _decide(who, 10)  # warm: imports, template compilation, plan caches
    statements = _queries(who)
    load0 = sb.load()
    cpu, wall = _decide(who, args.requests)
    print(
        f"mode {args.mode}: {args.requests} decisions + next record, {statements} statements each; "
        f"{load0} before, {sb.load()} after"
    )
    for label, ms in (("CPU", cpu), ("wall", wall)):
        print(
            f"{label:>5} ms per request: mean {statistics.fmean(ms):.2f}, median "
            f"{statistics.median(ms):.2f}, p95 {sb.percentile(ms, 95):.2f}"
        )
    if args.no_profile:
        return
    # CPU time, not wall: waiting on the database is not this process's work.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    _decide(who, args.requests)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(args.top)
        print(f"\n## by {order}, CPU seconds ({args.requests} requests, profiled)\n")
        print("\n".join(out.getvalue().splitlines()[4:]))


if __name__ == "__main__":
    main()
