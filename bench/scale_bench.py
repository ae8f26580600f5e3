"""Scale (issue 21): one review of 100,000 or 500,000 real records and 50 reviewers, PostgreSQL.

    DATABASE_URL=... .venv/bin/python bench/scale_bench.py --records 100000
    .venv/bin/python bench/scale_bench.py --records 500000 --parts build search prisma explain
    .venv/bin/python bench/scale_bench.py --records 100000 --parts import   # index cost, flat RSS

Parts (each selectable with --parts; `build` first, the others reuse its database):
- import: end-to-end import (`import_file_now`, as bench/import_bench.py) of n and n/5 records in
  fresh processes (peak RSS: flat = streaming), with the search indexes (GIN on `search_doc`,
  pg_trgm on titles) and again with both dropped; then the background search indexing
  (`search.index_pending`) of the n records, the other half of the indexes' cost.
- build: the data set in its own database (default `reviewapp_scalebench`, dropped and made
  again): a lead, 50 reviewers, the pool split so each record goes to 2 of them; n records
  imported end to end (99 % the real Scopus records of ../shared/data/revtools repeated as
  import_bench.py does, 1 % the real CNKI NoteExpress records, Chinese titles, as a second
  source), search-indexed, assigned, 30 % already screened by both. Prints each step's time and
  the import's records/s and peak RSS.
- screen: gunicorn + 50 signed-in reviewers deciding at once over HTTP (bench/screening_bench.py's
  clients), median/p95 of decision + next record from the server's access log.
- search: the records page (server-side, Django test client in this process) over typical
  queries and filters, facets included, and keyset pages deep in the list; p50/p95 per query.
- prisma: the PRISMA page, and its counts (`flow_for`) in process, wall and CPU. With
  --past-ta PCT, first moves works past title/abstract until PCT % of the works are (see
  `_past_ta`; committed, so it stays for later runs), and EXPLAINs the page's statements.
- explain: EXPLAIN (ANALYZE, BUFFERS) of the slowest statements of each hot request (next
  record, decision write -- rolled back --, search, filtered list, facet counts, PRISMA counts);
  the key lines are printed, the whole plans written to --plans.
De-duplication at 500k: bench/dedup_scale.py --records 500000; ranking retrain:
bench/ranking_bench.py --speed-only. They are not repeated here.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import import_bench  # noqa: E402
import screening_bench as sb  # noqa: E402
from fresh import in_fresh_process, peak_mb  # noqa: E402
from screening_bench import load  # noqa: E402

REVIEWERS = 50
CJK_SHARE = 0.01
SEARCH_INDEXES = {
    "screening_record_search_doc": "USING gin (search_doc)",
    "screening_record_search_title_trgm": "USING gin (search_title gin_trgm_ops)",
}
# Typical queries: words, a phrase, an excluded word, fields, CJK characters, and filters.
QUERIES = {
    "words": "q=habitat restoration",
    "phrase": 'q="ecological restoration"',
    "-term": "q=restoration -forest",
    "author:": "q=author:zhang",
    "journal:": 'q=journal:"restoration ecology"',
    "year: range": "q=year:2015..2018",
    "words+fields": "q=wetland author:li year:2010..2020",
    "CJK": "q=铁路",
    "typo (no match)": "q=restoraton",
    "filter mine=undecided": "mine=undecided",
    "filter final=excluded": "final=excluded",
    "filter source": "source=CNKI",
    "filter year+abstract": "year=2019&abstract=yes",
    "search+filter": "q=restoration&final=excluded",
    "no filter (all)": "",
}


def pct(values: list[float], p: float) -> float:
    return sb.percentile(values, p)


def _files(n: int, folder: Path) -> tuple[Path, Path]:
    cjk = max(15, int(n * CJK_SHARE))
    ris, net = folder / f"scopus-{n}.ris", folder / f"cnki-{n}.net"
    import_bench.generate("ris", n - cjk, ris)
    import_bench.generate("noteexpress", cjk, net)
    return ris, net


PER_FILE = 100_000


def _split(path: Path, per: int) -> list[Path]:
    """A RIS file cut into files of `per` records each, as a user splits a large export."""
    parts: list[Path] = []
    out, count = None, per
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if count >= per and line.startswith("TY  - "):
                if out:
                    out.close()
                parts.append(path.with_name(f"{path.stem}-{len(parts)}.ris"))
                out, count = parts[-1].open("w", encoding="utf-8"), 0
            out.write(line)
            if line.startswith("ER  -"):
                count += 1
    if out:
        out.close()
    path.unlink()
    return parts


def _import(search, path: Path, user) -> tuple[int, float]:
    from screening.identification import lifecycle
    from screening.identification.imports import import_file_now

    lifecycle.after_import = lambda job: None  # de-dup and indexing are timed on their own
    started = time.perf_counter()
    job = import_file_now(search, path, path.name, user=user)
    assert job.status == "done", job.error
    return job.records_imported, time.perf_counter() - started


# --- build ----------------------------------------------------------------------------------


def build(n: int) -> dict:
    """Runs in its own process (--one build): its peak RSS is the import's and what follows."""
    from django.core.management import call_command
    from django.db import connection

    from reviewapp.models import ExclusionReason, Membership, Review, User
    from reviewapp.services import vouch_for_email
    from screening.decisions import queues
    from screening.identification import search as search_index
    from screening.models import Assignment, Decision, RecordStatus, ScreeningSettings, Search

    out: dict = {"load_before": load()}
    call_command("migrate", verbosity=0)
    lead = User.objects.create_user("lead@bench.example", sb.PASSWORD)
    review = Review.objects.create(title="Scale benchmark", slug="bench", created_by=lead)
    Membership.objects.create(review=review, user=lead, is_lead=True)
    reviewers = [
        User.objects.create_user(f"reviewer{i:02d}@bench.example", sb.PASSWORD, full_name=f"R{i}")
        for i in range(REVIEWERS)
    ]
    for user in [lead, *reviewers]:
        vouch_for_email(user)
    Membership.objects.bulk_create(
        [Membership(review=review, user=u, is_reviewer=True) for u in reviewers]
    )
    for i, label in enumerate(["Wrong population", "Not research", "Wrong setting"]):
        ExclusionReason.objects.create(review=review, stage="ta", label=label, position=i)
    ScreeningSettings.objects.create(review=review, split_pool=True)
    with tempfile.TemporaryDirectory() as tmp:
        ris, net = _files(n, Path(tmp))
        scopus = Search.objects.create(review=review, source="Scopus", created_by=lead)
        cnki = Search.objects.create(review=review, source="CNKI", created_by=lead)
        rss0 = peak_mb()
        n1, s1 = 0, 0.0
        for part in _split(ris, PER_FILE):  # uploads are capped at 600 MB: files of 100,000
            n, seconds = _import(scopus, part, lead)
            n1, s1 = n1 + n, s1 + seconds
            part.unlink()
        n2, s2 = _import(cnki, net, lead)
    out.update(
        records=n1 + n2, import_s=s1 + s2, import_rate=(n1 + n2) / (s1 + s2),
        import_peak_mb=peak_mb(), rss_before_import_mb=rss0,
    )  # fmt: skip
    t = time.perf_counter()
    out["indexed"] = search_index.index_pending(review.pk)
    out["index_s"] = time.perf_counter() - t
    t = time.perf_counter()
    queues.ensure_assignments(review, wait=True)
    out["assign_s"] = time.perf_counter() - t
    t = time.perf_counter()
    _prescreen(review, Assignment, Decision, RecordStatus, queues)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    out["prescreen_s"] = time.perf_counter() - t
    out["assignments"] = Assignment.objects.filter(review=review).count()
    out["load_after"] = load()
    return out


def _prescreen(review, Assignment, Decision, RecordStatus, queues) -> None:
    """Both assignees of 30 % of the records excluded them (agreement), as screening_bench."""
    rng = random.Random(7)
    ids = list(review.records.values_list("pk", flat=True))
    done = sorted(rng.sample(ids, int(len(ids) * 0.3)))
    for i in range(0, len(done), 10000):
        chunk = done[i : i + 10000]
        rows = Assignment.objects.filter(review=review, record_id__in=chunk).values_list(
            "record_id", "reviewer_id"
        )
        Decision.objects.bulk_create(
            [Decision(review=review, record_id=r, reviewer_id=u, stage="ta", value="exclude")
             for r, u in rows],
            batch_size=5000,
        )  # fmt: skip
        RecordStatus.objects.filter(record_id__in=chunk).update(
            outcome="excluded", resolution="agreement", decisions_count=2
        )
        Assignment.objects.filter(record_id__in=chunk).update(open=False)
    queues.reset_counts(review, "ta")


# --- import: flat memory and the search indexes' cost ---------------------------------------


def import_one(n: int, with_indexes: bool) -> dict:
    """One end-to-end import of n records in this fresh process; then the search indexing."""
    from django.db import connection

    from reviewapp.models import User
    from reviewapp.services import create_review
    from screening.identification import search as search_index
    from screening.models import Search

    with connection.cursor() as cursor:
        for name, spec in SEARCH_INDEXES.items():
            if with_indexes:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON screening_record {spec}")
            else:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
    user, _ = User.objects.get_or_create(email="importbench@example.org")
    review = create_review(f"Scale import {time.time_ns()}", user)
    search = Search.objects.create(review=review, source="Scopus")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench-{n}.ris"
        import_bench.generate("ris", n, path)
        base = peak_mb()
        count, seconds = _import(search, path, user)
    peak = peak_mb()
    t = time.perf_counter()
    search_index.index_pending(review.pk)
    index_s = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE screening_record")
        cursor.execute("DELETE FROM screening_record WHERE review_id = %s", [review.pk])
        cursor.execute("VACUUM screening_record")
        for name, spec in SEARCH_INDEXES.items():  # leave them as the migration made them
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON screening_record {spec}")
    return {"records": count, "seconds": seconds, "peak_mb": peak, "base_mb": base,
            "index_s": index_s}  # fmt: skip


def part_import(args) -> None:
    print(f"\n## Import end to end (RIS, real Scopus records), {load()}")
    print("| records | search indexes | seconds | records/s | peak RSS MB | indexing s | "
          "indexing rec/s |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n in (args.records // 5, args.records):
        for with_indexes in (True, False):
            r = _child("import", str(n), "1" if with_indexes else "0", database=args.database)
            print(
                f"| {n:,} | {'with' if with_indexes else 'dropped'} | {r['seconds']:.1f} "
                f"| {r['records'] / r['seconds']:,.0f} | {r['peak_mb']:.0f} "
                f"| {r['index_s']:.1f} | {r['records'] / r['index_s']:,.0f} |",
                flush=True,
            )
    print(f"({load()})")


def _child(*argv: str, database: str) -> dict:
    return in_fresh_process(__file__, "--database", database, "--one", *argv)


# --- screen: 50 reviewers over HTTP ---------------------------------------------------------


def part_screen(args) -> None:
    load0 = load()
    latencies, errors, wall, seconds = sb.screen_at_once(
        {**os.environ}, args.workers, REVIEWERS, args.decisions, args.think, join_timeout=1200
    )
    server_side = [v * 1000 for v in seconds]
    print(f"\n## Screening: {REVIEWERS} reviewers at once, decision + next record "
          f"({args.decisions} each, think ~{args.think} s, {args.workers} gunicorn workers); "
          f"{load0} before, {load()} after")  # fmt: skip
    if errors:
        print(f"ERRORS: {len(errors)} requests failed: {sorted(set(errors))}")
    client = [v * 1000 for v in latencies]
    for label, ms in (("server-side", server_side), ("client (loopback)", client)):
        if not ms:
            print(f"{label:>18}: no request completed")
            continue
        print(f"{label:>18}: n={len(ms)} median {statistics.median(ms):.1f} ms, "
              f"p95 {pct(ms, 95):.1f} ms, p99 {pct(ms, 99):.1f} ms, max {max(ms):.1f} ms")  # fmt: skip
    print(f"throughput: {len(latencies) / wall:.1f} decisions/s over {wall:.1f} s; "
          f"{len(errors)} failed")  # fmt: skip


# --- search, filters, pages, PRISMA (server-side, in this process) --------------------------


def _client(email: str):
    from django.test import Client

    from reviewapp.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def _time(client, url: str, repeat: int) -> list[float]:
    client.get(url)  # warm: the first request of a kind pays for imports and plan caches
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def _row(label: str, ms: list[float], goal: float, extra: str = "") -> None:
    p95 = pct(ms, 95)
    ok = "yes" if p95 <= goal else "**no**"
    print(f"| {label} | {statistics.median(ms):.0f} | {p95:.0f} | {max(ms):.0f} | {ok} | {extra} |",
          flush=True)  # fmt: skip


def part_search(args) -> None:
    from screening.models import Record

    client = _client("reviewer00@bench.example")
    print(f"\n## Records page, server-side ms over {args.repeat} requests each "
          f"(goal p95 <= 50 ms); {load()}")  # fmt: skip
    print("| query | median | p95 | max | goal met | matches shown |")
    print("|---|---:|---:|---:|---|---|")
    for label, query in QUERIES.items():
        url = "/r/bench/records/?" + _quoted(query)
        ms = _time(client, url, args.repeat)
        text = client.get(url).content.decode()
        shown = _total(text)
        _row(label, ms, 50, shown)
    ids = list(
        Record.objects.filter(review__slug="bench")
        .order_by("-pk")
        .values_list("pk", flat=True)[:200]
    )
    for label, url in (
        ("keyset page 2", f"/r/bench/records/?after={_after_first_page()}"),
        ("keyset last pages (after=)", f"/r/bench/records/?after={ids[120]}"),
        ("keyset before= (deep)", f"/r/bench/records/?before={ids[60]}"),
        ("search, deep page", f"/r/bench/records/?q=restoration&after={ids[199]}"),
    ):
        _row(label, _time(client, url, args.repeat), 50)
    print(f"({load()})")


def _quoted(query: str) -> str:
    from urllib.parse import parse_qsl, urlencode

    return urlencode(parse_qsl(query))


def _after_first_page() -> int:
    from screening.models import Record

    return list(
        Record.objects.filter(review__slug="bench").order_by("pk").values_list("pk", flat=True)[:50]
    )[-1]


def _total(text: str) -> str:
    import re

    match = re.search(r'class="muted">((?:More than )?[\d,]+) record', text)
    return match.group(1) if match else ""


def _past_ta(pct: float) -> str:
    """Move works past title/abstract until `pct` % of the review's works are: included there
    by agreement, each with a report sought (8 in 10 retrieved, 1 not retrieved, 1 still
    sought), the retrieved ones assessed at full text (a third included, a third excluded with
    a reason, a third pending). Committed and then vacuumed, as autovacuum would: in a
    rolled-back transaction the moved rows' pages would not be all-visible, and index-only scans
    would pay heap fetches that a settled review does not."""
    from django.db import connection, transaction

    from reviewapp.models import ExclusionReason, Review
    from screening.models import Outcome, Record, RecordStatus, Report

    review = Review.objects.get(slug="bench")
    works = Record.objects.filter(review=review, is_canonical=True).count()
    ta = RecordStatus.objects.filter(review=review, stage="ta")
    want = int(works * pct / 100) - ta.filter(outcome=Outcome.INCLUDED).count()
    if want > 0:
        pending = ta.filter(outcome=Outcome.PENDING, record__is_canonical=True)
        chosen = sorted(
            random.Random(21).sample(list(pending.values_list("record_id", flat=True)), want)
        )
        why, _ = ExclusionReason.objects.get_or_create(
            review=review, stage="ft", label="Wrong design"
        )
        with transaction.atomic():
            for start in range(0, len(chosen), 5000):
                chunk = chosen[start : start + 5000]
                ta.filter(record_id__in=chunk).update(
                    outcome=Outcome.INCLUDED, resolution="agreement", decisions_count=2
                )
                searches = dict(Record.objects.filter(pk__in=chunk).values_list("pk", "search_id"))
                retrieval = {
                    r: ("not_retrieved", "sought", *["retrieved"] * 8)[r % 10] for r in chunk
                }
                Report.objects.bulk_create(
                    [Report(review=review, record_id=r, search_id=searches[r], retrieval=retrieval[r])
                     for r in chunk]
                )  # fmt: skip
                outcomes = (Outcome.INCLUDED, Outcome.EXCLUDED, Outcome.PENDING)
                RecordStatus.objects.bulk_create(
                    [RecordStatus(review=review, record_id=r, search_id=searches[r], stage="ft",
                                  outcome=outcomes[r // 10 % 3],
                                  final_reason=why if outcomes[r // 10 % 3] == Outcome.EXCLUDED else None)
                     for r in chunk if retrieval[r] == "retrieved"]
                )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE screening_recordstatus, screening_report")
    beyond = ta.filter(outcome=Outcome.INCLUDED).count()
    return f"{beyond:,} of {works:,} works past title/abstract ({beyond / works:.0%})"


def _server_cpu_ms() -> float:
    """CPU time (user + system) this connection's PostgreSQL backend has used so far: unlike
    the wall clock, it does not grow with the other processes' load. (Same machine only; the
    kernel counts in clock ticks, 10 ms: read it around many statements.)"""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def part_prisma(args) -> None:
    from reviewapp.models import Review
    from screening.prisma import counts

    if args.past_ta is not None:
        print(f"\n{_past_ta(args.past_ta)}")
    client = _client("lead@bench.example")
    print(f"\n## PRISMA page (goal <= 200 ms); {load()}")
    print("| page | median | p95 | max | goal met | |")
    print("|---|---:|---:|---:|---|---|")
    from django.urls import reverse

    _row("PRISMA page", _time(client, "/r/bench/prisma/", args.repeat), 200)
    review = Review.objects.get(slug="bench")
    counts.flow_for(review)  # warm
    wall, cpu = [], []
    server = _server_cpu_ms()
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        counts.flow_for(review)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    server = (_server_cpu_ms() - server) / args.repeat
    extra = f"CPU {statistics.median(cpu):.1f} ms here, {server:.0f} ms in PostgreSQL (mean)"
    _row("counts (flow_for), in process", wall, 200, extra)
    for fmt in ("svg", "png", "pdf"):
        url = reverse(f"prisma_{fmt}", args=["bench"])
        _row(f"PRISMA {fmt.upper()} download", _time(client, url, max(5, args.repeat // 4)), 200)
    print(f"({load()})")
    if args.past_ta is not None:
        import scale_explain

        scale_explain.run(args, only="PRISMA")


# Requests whose work grows with the review (issue 21 asks that anything over a few hundred ms be
# a task): the pages are timed as they answer; the whole-review exports answer with a redirect
# to a background job's progress page, timed, and then the job itself until its file is stored.
HEAVY = [
    ("overview (50 reviewers' waiting work)", "lead", "/r/bench/"),
    ("screening progress + agreement", "lead", "/r/bench/screen/progress/"),
    ("agreement CSV", "lead", "/r/bench/screen/progress/agreement.csv"),
    ("my decisions", "reviewer07", "/r/bench/screen/mine/"),
    ("conflicts list", "lead", "/r/bench/conflicts/"),
    ("full-text list", "lead", "/r/bench/full-text/"),
    ("searches list", "lead", "/r/bench/searches/"),
    ("duplicates queue", "lead", "/r/bench/duplicates/"),
    ("audit trail", "lead", "/r/bench/audit/"),
]
EXPORTS = [
    ("records export, CSV, all", "lead", "/r/bench/records/export/?format=csv"),
    ("records export, RIS, a search", "lead", "/r/bench/records/export/?format=ris&q=wetland"),
    ("decisions export, CSV", "lead", "/r/bench/records/history/export/"),
]


def part_heavy(args) -> None:
    print(f"\n## Other pages at this size; {load()}")
    print("| request | median ms | p95 ms | max ms | bytes |")
    print("|---|---:|---:|---:|---:|")
    for label, who, url in HEAVY:
        client = _client(f"{who}@bench.example")
        ms, size = [], 0
        for _ in range(args.repeat // 2):
            t = time.perf_counter()
            response = client.get(url)
            ms.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.content)
        print(f"| {label} | {statistics.median(ms):.0f} | {pct(ms, 95):.0f} | {max(ms):.0f} "
              f"| {size:,} |", flush=True)  # fmt: skip
    print(f"\n## Whole-review exports: the request, then the background job; {load()}")
    print("| export | request ms | job s | rows | bytes |")
    print("|---|---:|---:|---:|---:|")
    for label, who, url in EXPORTS:
        print(_export(_client(f"{who}@bench.example"), label, url), flush=True)


def _export(client, label: str, url: str) -> str:
    """One export as a lead starts it: the request's time, and the job's until it is done."""
    import re

    from reviewapp.models import Job

    t = time.perf_counter()
    response = client.get(url)
    if response.status_code == 200 and response.streaming:  # small enough for the request
        body = b"".join(response.streaming_content)
        return (
            f"| {label} (streamed) | {(time.perf_counter() - t) * 1000:.0f} | | | {len(body):,} |"
        )
    t = time.perf_counter()  # the GET showed the button: the job starts from its POST
    response = client.post(url)
    request_ms = (time.perf_counter() - t) * 1000
    assert response.status_code == 302, (url, response.status_code)
    job = Job.objects.get(pk=int(re.search(r"/exports/(\d+)/", response["Location"]).group(1)))
    while job.status not in (Job.Status.DONE, Job.Status.FAILED):
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    seconds = (job.finished_at - job.created_at).total_seconds()
    result = job.result or {}
    rows, size = result.get("rows", 0), result.get("bytes", 0)
    return f"| {label} | {request_ms:.0f} | {seconds:.1f} | {rows:,} | {size:,} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/reviewapp_scalebench"
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--parts", nargs="+", default=["import", "build", "screen", "search", "prisma", "explain"]
    )
    parser.add_argument("--decisions", type=int, default=40, help="per reviewer")
    parser.add_argument("--think", type=float, default=3.0, help="mean seconds between decisions")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--plans", default="/tmp/scale_plans.txt")
    parser.add_argument(
        "--past-ta", type=float, metavar="PCT", help="prisma: first move PCT %% of works past TA"
    )
    parser.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sb.setup_in_process(args.database)
    if args.one:
        kind, n = args.one[0], int(args.one[1])
        result = build(n) if kind == "build" else import_one(n, args.one[2] == "1")
        print(json.dumps(result))
        return
    if not import_bench.DATA.exists():
        sys.exit(f"{import_bench.DATA} is absent: the records come from ../shared/data")
    print(f"# Scale benchmark: {args.records:,} records, {REVIEWERS} reviewers, "
          f"{os.cpu_count()} CPUs, {args.database.rsplit('@', 1)[-1]}; {load()}")  # fmt: skip
    if "build" in args.parts:
        sb.create_database(args.database)
        info = _child("build", str(args.records), database=args.database)
        print(f"\n## Build: {info['records']:,} records imported in {info['import_s']:.1f} s "
              f"({info['import_rate']:,.0f} records/s end to end, peak RSS "
              f"{info['import_peak_mb']:.0f} MB, {info['rss_before_import_mb']:.0f} MB before); "
              f"search indexing {info['index_s']:.1f} s; {info['assignments']:,} assignments "
              f"in {info['assign_s']:.1f} s; 30 % pre-screened in {info['prescreen_s']:.1f} s; "
              f"{info['load_before']} before, {info['load_after']} after")  # fmt: skip
    elif "import" in args.parts:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    if "import" in args.parts:
        part_import(args)
    if "screen" in args.parts:
        part_screen(args)
    if "search" in args.parts:
        part_search(args)
    if "prisma" in args.parts:
        part_prisma(args)
    if "heavy" in args.parts:
        part_heavy(args)
    if "explain" in args.parts:
        import scale_explain

        scale_explain.run(args)


if __name__ == "__main__":
    main()
