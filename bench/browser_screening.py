"""Key press to the next record's title on screen, in Chromium, while screening.

    .venv/bin/python bench/browser_screening.py                       # both set-ups, documented run
    .venv/bin/python bench/browser_screening.py --setup embedded --order relevance
    .venv/bin/python bench/browser_screening.py --setup pg --decisions 200 --others-think 1
    .venv/bin/python bench/browser_screening.py --repo /tmp/main-checkout   # another checkout's server

Two set-ups, each in its own process and its own fresh database:

- ``embedded``: what ``make run`` starts: SQLite, tasks in-process (no REDIS_URL), ``manage.py
  runserver`` with DEBUG on. One review, 2,000 records, two reviewers (the second one idle).
- ``pg``: PostgreSQL and gunicorn (4 workers, DEBUG off, tasks in-process as in
  ``bench/screening_bench.py``), 20,000 records split between 21 reviewers (two per record):
  20 of them decide over HTTP all the time (``requests`` sessions logged in through the login
  form, posting as the page does, ~``--others-think`` seconds apart), the 21st is the browser.

The browser is Debian's Chromium (``/usr/bin/chromium``, never a downloaded one) driven by
Playwright: it signs in through the login form, opens the screening page, and makes
``--decisions`` decisions with the keyboard (``1`` then ``E`` to exclude with a reason, ``I``,
``M``; 80/15/5 %), ``--think`` seconds apart on average (a reviewer reading the title).

What is measured, in the page itself: from the decision key's ``keydown`` timestamp to the first
frame drawn after the next record's title is in the document (``requestAnimationFrame``, then a
task). The first ``--warmup`` decisions are not counted. Printed per set-up: median, p95 and max
over the counted decisions, the part spent before the swap (script and layout), how long the
background saves took (Resource Timing of the decision requests), and the machine's load
average before and after (the machine is shared: say it next to the figures).

Loopback only; every loop is bounded; servers and the browser are stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
sys.path.insert(0, str(REPO / "bench"))

from screening_bench import (  # noqa: E402  (bench/ is not a package)
    CSRF_INPUT,
    PASSWORD,
    create_database,
    decide_as_page,
    free_port,
    login,
    percentile,
    queue_of,
    saved,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SLUG = "bench"
WORDS = [
    "clinician",
    "nurse",
    "education",
    "research",
    "engagement",
    "barrier",
    "facilitator",
    "medical",
    "student",
    "curriculum",
    "hospital",
    "qualitative",
    "survey",
    "outcome",
    "training",
    "faculty",
    "development",
    "time",
    "mentoring",
    "funding",
    "support",
    "culture",
    "leadership",
    "workload",
    "interest",
    "skills",
    "protected",
]

# Runs in the page: the time from a decision key to the frame showing the next record's title.
PROBE = """
() => {
  window.__bench = {lat: [], swap: []};
  let t0 = null, from = null, swapped = 0;
  document.addEventListener('keydown', e => {
    if (!['i', 'e', 'm'].includes(e.key)) return;
    const el = document.getElementById('screen-record');
    t0 = e.timeStamp; from = el && el.dataset.record;
  }, true);
  new MutationObserver(() => {
    if (t0 === null) return;
    const el = document.getElementById('screen-record');
    if (!el || !document.getElementById('record-title') || el.dataset.record === from) return;
    const start = t0; t0 = null; swapped = performance.now() - start;
    const swap = swapped;
    requestAnimationFrame(() => setTimeout(() => {
      window.__bench.lat.push(performance.now() - start);
      window.__bench.swap.push(swap);
    }, 0));
  }).observe(document.body, {subtree: true, childList: true, attributes: true});
}
"""


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the data set ----------------------------------------------------------------------------


def build(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from reviewapp import services
    from reviewapp.models import Membership, User
    from screening.decisions import queues
    from screening.models import HighlightKeyword, Record, ScreeningSettings, Search

    call_command("migrate", verbosity=0)
    lead = User.objects.create_user("lead@bench.example", PASSWORD, full_name="Lead")
    review = services.create_review(
        "Browser screening benchmark",
        lead,
        slug=SLUG,
        criteria=[
            ("Population", "Healthcare professionals.", "Studies of students only."),
            ("Focus", "Engagement in education research.", "Curriculum design only."),
            ("Publication type", "Peer-reviewed articles.", "Editorials and commentaries."),
        ],
    )
    Membership.objects.filter(review=review, user=lead).update(is_reviewer=False)
    people = [
        User.objects.create_user(f"reviewer{i:02d}@bench.example", PASSWORD, full_name=f"R{i}")
        for i in range(args.others)
    ]
    you = User.objects.create_user("you@bench.example", PASSWORD, full_name="You")
    from reviewapp.services import vouch_for_email

    for user in [lead, *people, you]:
        vouch_for_email(user)  # they sign in over HTTP: email verification is mandatory
    Membership.objects.bulk_create(
        [Membership(review=review, user=u, is_reviewer=True) for u in [*people, you]]
    )
    ScreeningSettings.objects.create(review=review, split_pool=args.others > 1)
    HighlightKeyword.objects.create(review=review, kind="include", word="engagement")
    HighlightKeyword.objects.create(review=review, kind="exclude", word="student*")
    search = Search.objects.create(review=review, source="Web of Science", created_by=lead)
    rng = random.Random(11)
    batch: list[Record] = []
    for i in range(args.records):
        batch.append(
            Record(
                review=review,
                search=search,
                source_key=f"WOS:{i:09d}",
                title=" ".join(rng.choices(WORDS, k=rng.randint(8, 18))).capitalize(),
                abstract=" ".join(rng.choices(WORDS, k=rng.randint(120, 320))),
                authors=["Smith, J.", "Lee, K.", "Chen, Y."],
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
    queues.ensure_assignments(review)
    queues.set_ordering(review, you, args.order)


# --- servers ---------------------------------------------------------------------------------


def wait_for_port(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def start_server(args: argparse.Namespace, env: dict, port: int, log: Path) -> subprocess.Popen:
    repo = Path(args.repo or REPO)
    if args.setup == "embedded":
        cmd = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    else:
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "reviewapp.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ]
    with log.open("w") as out:
        server = subprocess.Popen(
            cmd, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    wait_for_port(port, server)
    return server


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- the other reviewers ---------------------------------------------------------------------


def other_reviewer(base: str, session, think: float, seed: int, stop_event, counts) -> None:
    rng = random.Random(seed)
    page = session.get(f"{base}/r/{SLUG}/screen/", timeout=30)
    token = CSRF_INPUT.search(page.text).group(1)
    current, upcoming = queue_of(page.text)
    for _ in range(100_000):
        if current is None or stop_event.is_set():
            return
        value = rng.choices(["exclude", "include", "maybe"], weights=[80, 15, 5])[0]
        response = decide_as_page(session, base, SLUG, token, current, upcoming, value, 60)
        if not saved(response):
            counts["errors"] += 1
            return
        counts["decisions"] += 1
        current, upcoming = queue_of(response.text)
        stop_event.wait(rng.uniform(0.5 * think, 1.5 * think))


# --- the browser -----------------------------------------------------------------------------


def browse(args: argparse.Namespace, base: str) -> dict:
    from playwright.sync_api import sync_playwright

    rng = random.Random(5)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=login]", "you@bench.example")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/login" not in url)
            page.goto(f"{base}/r/{SLUG}/screen/")
            page.evaluate(PROBE)
            total = args.warmup + args.decisions
            for i in range(total):
                value = rng.choices(["e", "i", "m"], weights=[80, 15, 5])[0]
                if value == "e":
                    page.keyboard.press("1")
                page.keyboard.press(value)
                page.wait_for_function("(n) => window.__bench.lat.length > n", arg=i, timeout=60000)
                time.sleep(rng.uniform(0.5 * args.think, 1.5 * args.think))
            # Let the last saves finish, then read the figures.
            page.wait_for_function(
                "() => !document.getElementById('screen-record').hasAttribute('aria-busy')"
            )
            time.sleep(1.0)
            result = page.evaluate(
                """() => ({
                  lat: window.__bench.lat, swap: window.__bench.swap,
                  saves: performance.getEntriesByType('resource')
                    .filter(e => e.name.includes('/decide/') || e.name.includes('/decisions/'))
                    .map(e => e.duration),
                })"""
            )
        finally:
            browser.close()
    result["lat"] = result["lat"][args.warmup :]
    result["swap"] = result["swap"][args.warmup :]
    result["console_errors"] = errors
    return result


# --- one set-up ------------------------------------------------------------------------------


def run_setup(args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="browser-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reviewapp.settings",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOGIN_RATE_LIMIT": "1000/m/ip,1000/m/key",
    }
    if args.setup == "embedded":
        env.update({"DATABASE_URL": "", "SQLITE_PATH": str(tmp / "db.sqlite3"), "DEBUG": "true"})
    else:
        env.update({"DATABASE_URL": args.database, "DEBUG": "false"})
        create_database(args.database)
    os.environ.update(env)
    t0 = time.perf_counter()
    build(args)
    built = time.perf_counter() - t0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args, env, port, tmp / "server.log")
    stop_event = threading.Event()
    counts = {"decisions": 0, "errors": 0}
    threads = []
    load_before = loadavg()
    try:
        if args.setup == "pg":
            sessions = [login(base, f"reviewer{i:02d}@bench.example") for i in range(args.others)]
            threads = [
                threading.Thread(
                    target=other_reviewer,
                    args=(base, s, args.others_think, i, stop_event, counts),
                    daemon=True,
                )
                for i, s in enumerate(sessions)
            ]
            for thread in threads:
                thread.start()
            time.sleep(2.0)
        t_browse = time.perf_counter()
        result = browse(args, base)
        seconds = time.perf_counter() - t_browse
    finally:
        stop_event.set()
        for thread in threads:
            thread.join(timeout=60)
        stop(server)
    result.update(
        setup=args.setup,
        order=args.order,
        records=args.records,
        built=built,
        others=args.others if args.setup == "pg" else 0,
        others_decisions=counts["decisions"],
        others_errors=counts["errors"],
        others_rate=counts["decisions"] / seconds if seconds else 0.0,
        load_before=load_before,
        load_after=loadavg(),
    )
    return result


def summary(r: dict) -> str:
    lat, swap, saves = r["lat"], r["swap"], r["saves"]
    lines = [
        f"{r['setup']} ({r['order']} order, {r['records']:,} records"
        + (
            f"; {r['others']} other reviewers made {r['others_decisions']} decisions, "
            f"{r['others_rate']:.1f}/s, {r['others_errors']} errors"
            if r["setup"] == "pg"
            else ""
        )
        + f"); load average {r['load_before']} before, {r['load_after']} after",
        f"  key to next title on screen: n={len(lat)} median {statistics.median(lat):.1f} ms, "
        f"p95 {percentile(lat, 95):.1f} ms, max {max(lat):.1f} ms",
        f"  of which before the swap (script + layout): median {statistics.median(swap):.1f} ms, "
        f"p95 {percentile(swap, 95):.1f} ms",
    ]
    if saves:
        lines.append(
            f"  background saves (requests saving decisions): n={len(saves)} median "
            f"{statistics.median(saves):.0f} ms, p95 {percentile(saves, 95):.0f} ms"
        )
    if r["console_errors"]:
        lines.append(f"  console errors: {r['console_errors'][:5]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", choices=["both", "embedded", "pg"], default="both")
    parser.add_argument("--order", choices=["random", "relevance"], default="random")
    parser.add_argument("--decisions", type=int, default=120, help="counted decisions")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--think", type=float, default=0.8, help="mean seconds per record")
    parser.add_argument("--records", type=int, default=0, help="default 2,000 / 20,000")
    parser.add_argument("--others", type=int, default=20, help="other reviewers (pg)")
    parser.add_argument("--others-think", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (pg)")
    parser.add_argument(
        "--database", default="postgres://postgres@127.0.0.1:5432/reviewapp_browserbench"
    )
    parser.add_argument("--repo", default="", help="serve another checkout (before/after)")
    parser.add_argument("--json", default="", help="also write the raw figures here")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is absent: apt-get install chromium")
    if args.setup == "both":
        results = []
        for setup in ("embedded", "pg"):
            cmd = [sys.executable, __file__, *sys.argv[1:], "--setup", setup]
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                subprocess.run([*cmd, "--json", out.name], check=True)
                results.extend(json.loads(Path(out.name).read_text() or "[]"))
        if args.json:
            Path(args.json).write_text(json.dumps(results))
        return
    if args.setup == "embedded":
        args.others = 1  # the second screener, idle
    if not args.records:
        args.records = 2_000 if args.setup == "embedded" else 20_000
    result = run_setup(args)
    print(summary(result), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps([result]))


if __name__ == "__main__":
    main()
