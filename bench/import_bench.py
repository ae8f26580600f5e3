"""Import benchmark: 100,000-record files of each format through the app's own import path.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reviewapp_bench .venv/bin/python bench/import_bench.py
    .venv/bin/python bench/import_bench.py --records 100000 50000 --formats ris medline
    .venv/bin/python bench/import_bench.py --formats noteexpress endnote-tagged refworks ovid pubmed-xml csl-json

The files are built from real exports (../shared/data: a Scopus RIS and a PubMed .nbib from
revtools, CNKI's NoteExpress file from cnki-2-bibtex, the AIS eLibrary .enw from colrev), every
record repeated with its title, DOI and ids varied, so field shapes, lengths and continuation
lines are those of real databases. Formats with no real file at hand (RefWorks, Ovid, PubMed XML,
CSL-JSON) carry the real PubMed and Scopus records written out in that format's layout
(`_render`): same fields, same lengths. For each format and size, in a fresh process (so
the peak RSS belongs to that run alone):
- parse-only: the same parser (`iter_records`) over the file, records discarded;
- end to end: `import_file_now` -- the function behind the upload page and the Celery task:
  hash and store the upload, claim the job, parse (in a second thread) and COPY in one
  transaction, mark DONE;
- peak memory: ru_maxrss of the end-to-end process, for two file sizes (flat = streaming).
Goal (issue 3): >= 10,000 records/s end to end and end to end <= 2.5 x parse-only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared" / "data"
DATA = SHARED / "revtools"
TEMPLATES = {
    "ris": DATA / "restoration_scopus.ris",
    "medline": DATA / "restoration_pubmed.nbib",
    "noteexpress": SHARED / "cnki-2-bibtex" / "CoverAllTest15Entries.net",
    "endnote-tagged": SHARED / "colrev" / "ais_enl.txt",
}
# Formats written from the real records of another file: format -> (its source, title line).
RENDERED = {"refworks": "ris", "csl-json": "ris", "ovid": "medline", "pubmed-xml": "medline"}
SUFFIX = {
    "ris": "ris", "medline": "nbib", "noteexpress": "net", "endnote-tagged": "enw",
    "refworks": "txt", "ovid": "cgi", "pubmed-xml": "xml", "csl-json": "json",
}  # fmt: skip
_TITLE_LINE = {"noteexpress": r"^(\{Title\}\s*[:：]\s?)", "endnote-tagged": r"^(%T )"}
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from fresh import in_fresh_process, peak_mb  # noqa: E402
from screening_bench import loadavg  # noqa: E402


def _ris_records(text: str) -> list[str]:
    return [r.strip("\n") + "\n" for r in re.split(r"(?m)^ER  -.*$", text) if "TY  -" in r]


def _medline_records(text: str) -> list[str]:
    return [r.strip("\n") + "\n" for r in re.split(r"\n\s*\n(?=PMID-)", text) if "PMID-" in r]


def _blank_line_records(text: str) -> list[str]:
    return [r.strip("\n") + "\n" for r in re.split(r"\n\s*\n", text) if r.strip()]


def generate(fmt: str, n: int, out: Path) -> int:
    """Write an n-record file of `fmt` made from the real template records; returns its size."""
    if fmt in RENDERED:
        return _generate_rendered(fmt, n, out)
    text = TEMPLATES[fmt].read_text(encoding="utf-8-sig")
    if fmt in _TITLE_LINE:
        records = _blank_line_records(text)
        with out.open("w", encoding="utf-8") as fh:
            for i in range(n):
                record = re.sub(
                    _TITLE_LINE[fmt],
                    rf"\g<1>[{i}] ",
                    records[i % len(records)],
                    count=1,
                    flags=re.MULTILINE,
                )
                fh.write(record + "\n")
        return out.stat().st_size
    records = _ris_records(text) if fmt == "ris" else _medline_records(text)
    with out.open("w", encoding="utf-8") as fh:
        for i in range(n):
            record = records[i % len(records)]
            k = i // len(records)
            record = re.sub(r"(?m)^(TI  - )", rf"\g<1>[{k}] ", record, count=1)
            if fmt == "ris":
                record = re.sub(r"(?m)^(DO  - .*)$", rf"\1.{k}", record)
                record = re.sub(r"(?m)^(ID  - .*)$", rf"\1-{k}", record)
                fh.write(record + "ER  - \n\n")
            else:
                record = re.sub(r"(?m)^PMID- (\d+)", f"PMID- {90000000 + i}", record)
                fh.write(record + "\n")
    return out.stat().st_size


def _source_records(fmt: str) -> list[dict]:
    from screening.identification.importers import iter_records

    path = TEMPLATES[fmt]
    with path.open("rb") as fh:
        return list(iter_records(fh, filename=path.name))


def _generate_rendered(fmt: str, n: int, out: Path) -> int:
    records = _source_records(RENDERED[fmt])
    with out.open("w", encoding="utf-8") as fh:
        fh.write(_HEADS.get(fmt, ""))
        for i in range(n):
            record = dict(records[i % len(records)])
            record["id"] = i
            record["title"] = f"[{i}] {record['title']}"
            record["doi"] = f"{record['doi']}.{i}" if record["doi"] else ""
            record["pmid"] = str(90000000 + i) if record["pmid"] else ""
            fh.write(_render(fmt, record, first=i == 0))
        fh.write(_TAILS.get(fmt, ""))
    return out.stat().st_size


_HEADS = {
    "pubmed-xml": '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD '
    'PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/'
    'pubmed_250101.dtd">\n<PubmedArticleSet>\n',
    "csl-json": "[\n",
}
_TAILS = {"pubmed-xml": "</PubmedArticleSet>\n", "csl-json": "\n]\n"}


def _render(fmt: str, r: dict, first: bool) -> str:
    """One record in the layout of `fmt` (the fields each reader takes)."""
    from xml.sax.saxutils import escape as x

    if fmt == "csl-json":
        from screening.identification.exports_structured import csl_item

        return ("" if first else ",\n") + json.dumps(csl_item(r), ensure_ascii=False)
    if fmt == "refworks":
        lines = ["RT Journal Article", f"ID {r['id']}", *(f"A1 {a}" for a in r["authors"])]
        lines += [f"T1 {r['title']}", f"JF {r['journal']}", f"YR {r['year'] or ''}"]
        lines += [f"VO {r['volume']}", f"IS {r['issue']}", f"SP {r['pages']}"]
        lines += [f"K1 {k}" for k in r["keywords"]] + [f"AB {r['abstract']}", f"DO {r['doi']}"]
        return "\n".join(lines) + "\n\n"
    if fmt == "ovid":
        lines = [f"<{r['id'] + 1}. >", "VN  - Ovid Technologies", "DB  - Ovid MEDLINE(R)"]
        lines += [f"UI  - {r['pmid']}", f"TI  - {r['title']}"]
        lines += [f"SO  - {r['journal']}. {r['volume']}({r['issue']}):{r['pages']}, {r['year']}."]
        lines += [f"FA  - {a}" for a in r["authors"]] + [f"AB  - {r['abstract']}"]
        lines += [f"MH  - {k}" for k in r["keywords"]] + [
            f"DO  - {r['doi']}",
            f"LG  - {r['language']}",
        ]
        lines += [f"PT  - {r['publication_type']}", f"YR  - {r['year']}"]
        return "\n".join(lines) + "\n\n"
    authors = "".join(
        f"<Author><LastName>{x(a.partition(', ')[0])}</LastName>"
        f"<ForeName>{x(a.partition(', ')[2])}</ForeName></Author>"
        for a in r["authors"]
    )
    mesh = "".join(
        f'<MeshHeading><DescriptorName MajorTopicYN="N">{x(k)}</DescriptorName></MeshHeading>'
        for k in r["keywords"]
    )
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID>{r["pmid"]}</PMID>'
        f"<Article><Journal><JournalIssue><Volume>{x(r['volume'])}</Volume><Issue>"
        f"{x(r['issue'])}</Issue><PubDate><Year>{r['year']}</Year></PubDate></JournalIssue>"
        f"<Title>{x(r['journal'])}</Title></Journal><ArticleTitle>{x(r['title'])}</ArticleTitle>"
        f"<Pagination><MedlinePgn>{x(r['pages'])}</MedlinePgn></Pagination>"
        f"<Abstract><AbstractText>{x(r['abstract'])}</AbstractText></Abstract>"
        f"<AuthorList>{authors}</AuthorList><Language>{x(r['language'])}</Language>"
        f"</Article><MeshHeadingList>{mesh}</MeshHeadingList></MedlineCitation>"
        f'<PubmedData><ArticleIdList><ArticleId IdType="doi">{x(r["doi"])}</ArticleId>'
        "</ArticleIdList></PubmedData></PubmedArticle>\n"
    )


def run_one(mode: str, fmt: str, path: Path) -> dict:
    """One measurement, in this (fresh) process."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    django.setup()
    from screening.identification.importers import ParseReport, iter_records

    baseline = peak_mb()
    if mode == "parse":
        report = ParseReport()
        started = time.perf_counter()
        with path.open("rb") as fh:
            count = sum(1 for _ in iter_records(fh, fmt="auto", filename=path.name, report=report))
        seconds = time.perf_counter() - started
        return {"records": count, "seconds": seconds, "peak_mb": peak_mb(), "base_mb": baseline}

    import resource

    from reviewapp.models import User
    from reviewapp.services import create_review
    from screening.identification import lifecycle, second_parser

    if mode == "one-process":  # no second parser, whatever the file's size
        second_parser.MIN_BYTES = 1 << 62
    from screening.identification.imports import import_file_now

    # De-duplication follows each import as its own queued job, timed by bench/dedup_bench.py;
    # without a broker it would run inline here, inside the import's timing.
    lifecycle.after_import = lambda job: None
    from screening.models import Search

    user, _ = User.objects.get_or_create(email="bench@example.org")
    review = create_review(f"Import bench {time.time_ns()}", user)
    search = Search.objects.create(review=review, source=f"Bench {fmt}")
    split = _cpu_split()
    load_before = loadavg()
    started, cpu = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    job = import_file_now(search, path, path.name, user=user)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The second parser's CPU (a forked child, reaped when the import ends).
    second_cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    split = split()
    assert job.status == "done", job.error
    stored = search.records.count()
    # Keep the bench database small (raw DELETE: no cascade through other stages' tables) and the
    # upload folder too. ANALYZE first: the DELETE's foreign-key checks (12 tables point at
    # records) are planned from the table's statistics, and those of a table that was empty
    # moments ago can make each check scan a whole index. VACUUM after, here rather than by
    # autovacuum in the middle of the next measurement.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE screening_record")
        cursor.execute("DELETE FROM screening_record WHERE search_id = %s", [search.pk])
        cursor.execute("VACUUM screening_record")
    job.file.delete(save=False)
    return {
        "records": job.records_imported,
        "stored": stored,
        "seconds": seconds,
        "cpu": cpu,
        "second_cpu": second_cpu,
        # Its peak RSS (Linux: kB), pages shared with this process at the fork counted too.
        "second_mb": after.ru_maxrss / 1024 if second_cpu else 0.0,
        **split,
        "load": f"{load_before} -> {loadavg()}",
        "peak_mb": peak_mb(),
        "base_mb": baseline,
    }


def _proc_cpu(pid: int | str) -> float:
    """utime + stime of a process or thread (/proc/<pid>/stat), in seconds: the CPU it used,
    which a loaded machine does not inflate the way it inflates wall time."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_split():
    """Start accounting the import's CPU by part; call the result to stop and read it.

    - store: `store_upload` (hash, copy, job row), wall and process CPU;
    - run: `run_import` (claim, parse, COPY, finish), wall;
    - parser: the COPY producer thread's own CPU (parse + encode), from time.thread_time in it;
    - writer: the calling thread's CPU during the run (feeding COPY, waiting on the server);
    - backend: the PostgreSQL backend process's utime + stime during the run (/proc/<pid>/stat;
      the server runs on this machine).
    """
    from django.db import connection

    from screening.identification import pgcopy, uploads

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    out: dict = {}
    run_import, produce, store_upload = (
        uploads.run_import,
        pgcopy._Producer._run,
        uploads.store_upload,
    )

    def timed_store(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return store_upload(*args, **kwargs)
        finally:
            out["store_s"] = time.perf_counter() - wall
            out["store_cpu"] = time.process_time() - cpu

    def timed_run(*args, **kwargs):
        wall, main, server = time.perf_counter(), time.thread_time(), _proc_cpu(backend)
        try:
            return run_import(*args, **kwargs)
        finally:
            out["run_s"] = time.perf_counter() - wall
            out["writer_cpu"] = time.thread_time() - main
            out["backend_cpu"] = _proc_cpu(backend) - server

    def timed_produce(self):
        cpu = time.thread_time()
        try:
            return produce(self)
        finally:
            out["parser_cpu"] = out.get("parser_cpu", 0.0) + time.thread_time() - cpu

    uploads.run_import, pgcopy._Producer._run = timed_run, timed_produce
    uploads.store_upload = timed_store

    def stop() -> dict:
        uploads.run_import, pgcopy._Producer._run = run_import, produce
        uploads.store_upload = store_upload
        return out

    return stop


def _measure(mode: str, fmt: str, path: Path) -> dict:
    return in_fresh_process(__file__, "--one", mode, fmt, str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 25_000])
    parser.add_argument("--formats", nargs="+", default=["ris", "medline"])
    parser.add_argument(
        "--repeat", type=int, default=1, help="end-to-end runs per file (each its own process)"
    )
    parser.add_argument(
        "--processes",
        choices=["2", "1", "both"],
        default="2",
        help="parse large RIS/MEDLINE files with a second process (2, the import's own way), "
        "in one process (1), or alternate the two, run by run (both)",
    )
    parser.add_argument(
        "--one", nargs=3, metavar=("MODE", "FORMAT", "FILE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        mode, fmt, path = args.one
        print(json.dumps(run_one(mode, fmt, Path(path))))
        return
    if not DATA.exists():
        sys.exit(f"{DATA} is absent: the templates come from ../shared/data/revtools")
    db = os.environ.get("DATABASE_URL", "")
    if not db.startswith("postgres"):
        print("warning: DATABASE_URL is not PostgreSQL; the goal is stated for PostgreSQL")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, check=True
    )
    print(f"# Import benchmark — {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{db.rsplit('@', 1)[-1] if db else 'SQLite'}")  # fmt: skip
    print(
        "| format | records | processes | file MB | parse-only s | parse rec/s | end-to-end s "
        "| e2e rec/s | e2e / parse | e2e CPU s | peak RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ways = {"2": ["import"], "1": ["one-process"], "both": ["one-process", "import"]}
    splits = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats:
            for n in args.records:
                path = Path(tmp) / f"bench-{n}.{SUFFIX[fmt]}"
                size = generate(fmt, n, path)
                parse = _measure("parse", fmt, path)
                runs = [way for _ in range(args.repeat) for way in ways[args.processes]]
                for way in runs:
                    e2e = _measure(way, fmt, path)
                    assert parse["records"] == e2e["records"] == e2e["stored"] == n, (parse, e2e)
                    e2e["processes"] = 1 if way == "one-process" else 2
                    print(
                        f"| {fmt} | {n:,} | {e2e['processes']} | {size / 1e6:.1f} "
                        f"| {parse['seconds']:.2f} "
                        f"| {n / parse['seconds']:,.0f} | {e2e['seconds']:.2f} "
                        f"| {n / e2e['seconds']:,.0f} | {e2e['seconds'] / parse['seconds']:.2f} "
                        f"| {e2e['cpu']:.2f} | {e2e['peak_mb']:.0f} |",
                        flush=True,
                    )
                    splits.append((fmt, n, e2e))
                path.unlink()
    print()
    print("CPU by part, seconds (run = claim, parse, COPY and finish; parser = the COPY producer")
    print("thread; second = the second parser process; writer = the calling thread during the")
    print("run; backend = the PostgreSQL backend):")
    print()
    print("| format | records | processes | store wall | store CPU | run wall | parser CPU "
          "| second CPU | second peak RSS MB | writer CPU | backend CPU "
          "| load (1, 5, 15 min) before -> after |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for fmt, n, e in splits:
        print(
            f"| {fmt} | {n:,} | {e['processes']} | {e['store_s']:.2f} | {e['store_cpu']:.2f} "
            f"| {e['run_s']:.2f} | {e.get('parser_cpu', 0):.2f} | {e['second_cpu']:.2f} "
            f"| {e['second_mb']:.0f} "
            f"| {e['writer_cpu']:.2f} | {e['backend_cpu']:.2f} | {e['load']} |"
        )


if __name__ == "__main__":
    main()
