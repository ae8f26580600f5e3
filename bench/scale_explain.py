"""EXPLAIN (ANALYZE, BUFFERS) of the hot requests' statements, for bench/scale_bench.py.

Each hot request is made once through the Django test client with its statements captured
(inside a transaction that is rolled back, so the data set stays as built). The captured
statements are then replayed in order inside another rolled-back transaction, each under
EXPLAIN (ANALYZE, BUFFERS), so a write is planned against the same state it met. The slowest
statements of each request are printed with their plans' key lines (top node, scans and the
indexes they use, buffers, execution time); every plan goes to --plans.
"""

from __future__ import annotations

import re
from pathlib import Path

KEY = re.compile(
    r"(Scan|Execution Time|Planning Time|Buffers: shared|^\S|Sort Method|Limit|Join|Aggregate)"
)
WRITES = ("INSERT", "UPDATE", "DELETE")


class _Rollback(Exception):
    pass


def _capture(client, method: str, url: str, data: dict | None = None) -> list[dict]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    captured: list[dict] = []
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            response = (
                client.post(url, data or {}, HTTP_HX_REQUEST="true")
                if method == "POST"
                else client.get(url)
            )
            assert response.status_code == 200, (url, response.status_code)
            captured = list(ctx.captured_queries)
            raise _Rollback
    except _Rollback:
        pass
    return captured


def _replay(statements: list[dict]) -> list[tuple[float, str, list[str]]]:
    """(execution ms, sql, plan lines) of each statement, replayed in order and rolled back."""
    from django.db import connection, transaction

    out = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for q in statements:
                sql = q["sql"]
                head = sql.lstrip().split(None, 1)[0].upper()
                if head not in ("SELECT", "WITH", *WRITES):
                    cursor.execute(sql)  # SAVEPOINT / RELEASE: keep the transaction's shape
                    continue
                try:
                    cursor.execute("SAVEPOINT explain_one")
                    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                    plan = [row[0] for row in cursor.fetchall()]
                    cursor.execute("RELEASE SAVEPOINT explain_one")
                except Exception as exc:  # e.g. a statement that depends on a skipped one
                    cursor.execute("ROLLBACK TO SAVEPOINT explain_one")
                    plan = [f"(not explained: {type(exc).__name__}: {str(exc)[:120]})"]
                ms = next(
                    (float(line.split(":")[1].split()[0]) for line in plan
                     if line.startswith("Execution Time")), 0.0,
                )  # fmt: skip
                out.append((ms, sql, plan))
            raise _Rollback
    except _Rollback:
        pass
    return out


def _requests():
    from screening.models import Assignment, Record

    reviewer_id, record_id = (
        Assignment.objects.filter(
            review__slug="bench", open=True, reviewer__email="reviewer07@bench.example"
        )
        .order_by("sort_key")
        .values_list("reviewer_id", "record_id")
        .first()
    )
    assert Record.objects.filter(pk=record_id).exists()
    return [
        ("next record (screening page)", "reviewer07@bench.example", "GET", "/r/bench/screen/", None),
        ("decision write + next record", "reviewer07@bench.example", "POST",
         "/r/bench/screen/decisions/",  # as the page's script sends it
         {"record": record_id, "value": "include", "reason": "", "note": "", "pos": "0",
          "have": ""}),
        ("search (words, with facets)", "reviewer07@bench.example", "GET",
         "/r/bench/records/?q=habitat+restoration", None),
        ("filtered list (mine=undecided)", "reviewer07@bench.example", "GET",
         "/r/bench/records/?mine=undecided", None),
        ("facet counts (all records)", "reviewer07@bench.example", "GET", "/r/bench/records/", None),
        ("PRISMA counts", "lead@bench.example", "GET", "/r/bench/prisma/", None),
    ]  # fmt: skip


def run(args, only: str = "") -> None:
    """Every hot request, or those whose label contains `only`."""
    from django.test import Client

    from reviewapp.models import User

    plans_out: list[str] = []
    print("\n## EXPLAIN (ANALYZE, BUFFERS): the slowest statements of each hot request")
    for label, email, method, url, data in _requests():
        if only not in label:
            continue
        client = Client()
        client.force_login(User.objects.get(email=email))
        client.get(url if method == "GET" else "/r/bench/screen/")  # warm
        statements = _capture(client, method, url, data)
        replayed = _replay(statements)
        total = sum(ms for ms, _, _ in replayed)
        print(f"\n### {label}: {len(statements)} statements, {total:.1f} ms executing in all")
        plans_out.append(f"===== {label} ({method} {url})")
        writes = [r for r in replayed if r[1].lstrip().upper().startswith(WRITES)]
        slowest = sorted(replayed, key=lambda r: -r[0])[:3]
        for ms, sql, plan in slowest + [w for w in writes if w not in slowest][:3]:
            print(f"- {ms:.2f} ms: `{' '.join(sql.split())[:150]}`")
            for line in [ln for ln in plan if KEY.search(ln.strip()) or ln is plan[0]][:10]:
                print(f"      {line.rstrip()[:140]}")
        for ms, sql, plan in replayed:
            plans_out.append(f"--- {ms:.2f} ms\n{sql}\n" + "\n".join(plan))
    Path(args.plans).write_text("\n".join(plans_out))
    print(f"\n(all plans in {args.plans})")
