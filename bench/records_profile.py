"""Where the records page's time goes, per query: the database's part and the Python's.

    .venv/bin/python bench/records_profile.py --database postgres://…/reviewapp_scalebench
    .venv/bin/python bench/records_profile.py --profile words --top 40   # cProfile of one query
    .venv/bin/python bench/records_profile.py --htmx    # the table alone, as search-as-you-type

Runs on the data set that `bench/scale_bench.py --parts build` made (the review `bench`, signed
in as reviewer00, through Django's test client in this process, as its `search` part does).
For each of scale_bench's queries and keyset pages: wall time (median, p95), the process's CPU
time (time.process_time: the Python, plus the database driver's work in this process), and the
time spent inside SQL statements (a connection execute wrapper) with their count. Wall minus
SQL is what the page's own Python costs; SQL is the database plus the round trips. With
--htmx the requests carry HX-Request, as the search box's and the pages' links do: the answer
is the table alone, without the navigation (whose waiting-work counts are ~10 ms of Python).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import scale_bench  # noqa: E402


class SqlTimer:
    """Time spent in SQL statements, and how many, while installed on the connection."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def _urls() -> dict[str, str]:
    from screening.models import Record

    urls = {
        label: "/r/bench/records/?" + scale_bench._quoted(query)
        for label, query in scale_bench.QUERIES.items()
    }
    ids = list(
        Record.objects.filter(review__slug="bench")
        .order_by("-pk")
        .values_list("pk", flat=True)[:200]
    )
    urls["keyset page 2"] = f"/r/bench/records/?after={scale_bench._after_first_page()}"
    urls["keyset before= (deep)"] = f"/r/bench/records/?before={ids[60]}"
    urls["search, deep page"] = f"/r/bench/records/?q=restoration&after={ids[199]}"
    return urls


def measure(client, url: str, repeat: int, headers: dict | None = None) -> dict:
    from django.db import connection

    headers = headers or {}
    client.get(url, headers=headers)  # warm
    wall, cpu, sql, count = [], [], [], 0
    for _ in range(repeat):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        sql.append(timer.seconds * 1000)
        count = timer.count
    python = [w - s for w, s in zip(wall, sql, strict=True)]
    return {
        "wall": statistics.median(wall), "p95": scale_bench.pct(wall, 95),
        "cpu": statistics.median(cpu), "sql": statistics.median(sql),
        "python": statistics.median(python), "queries": count,
    }  # fmt: skip


def profile(client, url: str, repeat: int, top: int) -> None:
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/reviewapp_scalebench"
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", nargs="*", help="labels of the queries to time")
    parser.add_argument("--profile", help="a query's label: cProfile it instead of timing")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--htmx", action="store_true", help="the table alone (HX-Request)")
    args = parser.parse_args()
    scale_bench.sb.setup_in_process(args.database)
    client = scale_bench._client("reviewer00@bench.example")
    urls = _urls()
    if args.profile:
        profile(client, urls[args.profile], args.repeat, args.top)
        return
    headers = {"HX-Request": "true"} if args.htmx else {}
    print(f"## Records page{' (htmx: the table alone)' if args.htmx else ''}: where the time "
          f"goes, ms, median of {args.repeat} (p95 of wall); {scale_bench.load()}")  # fmt: skip
    print("| query | wall | p95 | CPU | SQL | wall - SQL | queries |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    walls = []
    for label, url in urls.items():
        if args.only and label not in args.only:
            continue
        r = measure(client, url, args.repeat, headers)
        walls.append(r["p95"])
        print(f"| {label} | {r['wall']:.1f} | {r['p95']:.1f} | {r['cpu']:.1f} | {r['sql']:.1f} "
              f"| {r['python']:.1f} | {r['queries']} |", flush=True)  # fmt: skip
    print(f"({scale_bench.load()}; {sum(p <= 50 for p in walls)} of {len(walls)} at p95 <= 50 ms)")


if __name__ == "__main__":
    main()
