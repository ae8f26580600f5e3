"""Parse-only benchmark of the tagged parsers (RIS, MEDLINE, WoS): records/s, CPU and wall.

    .venv/bin/python bench/parse_bench.py                       # 100,000 records, 3 repeats
    .venv/bin/python bench/parse_bench.py --records 20000 --repeats 5 --formats ris
    .venv/bin/python bench/parse_bench.py --profile ris         # cProfile of one run

The files are generated from real exports in ../shared/data/revtools (a Scopus RIS, a PubMed
.nbib and a Web of Science .ciw), each record repeated with its title and ids varied, so field
shapes, lengths and continuation lines are those of real databases. Each run goes through the
public entry point (`iter_records`, format detection included), as the importer does. The
machine is shared, so CPU time (time.process_time) is printed next to wall time: CPU time is
what the code costs, wall time what a user would wait on an idle machine. The best of the
repeats is reported (the least disturbed run).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".." / "shared" / "data" / "revtools"
TEMPLATES = {
    "ris": DATA / "restoration_scopus.ris",
    "medline": DATA / "restoration_pubmed.nbib",
    "wos": DATA / "restoration_WoS.ciw",
}
sys.path.insert(0, str(REPO))


def _records(fmt: str, text: str) -> list[str]:
    if fmt == "ris":
        return [r.strip("\n") + "\n" for r in re.split(r"(?m)^ER  -.*$", text) if "TY  -" in r]
    if fmt == "medline":
        return [r.strip("\n") + "\n" for r in re.split(r"\n\s*\n(?=PMID-)", text) if "PMID-" in r]
    return [r.strip("\n") + "\n" for r in re.split(r"(?m)^ER\s*$", text) if "\nPT " in "\n" + r]


def generate(fmt: str, n: int, out: Path) -> int:
    """Write an n-record file of `fmt` from the real template records; returns its size."""
    text = TEMPLATES[fmt].read_text(encoding="utf-8-sig")
    if fmt == "wos":
        text = text.split("\n", 2)[2].rsplit("\nEF", 1)[0]  # drop FN/VR ... EF
    records = _records(fmt, text)
    with out.open("w", encoding="utf-8") as fh:
        if fmt == "wos":
            fh.write("FN Clarivate Analytics Web of Science\nVR 1.0\n")
        for i in range(n):
            record = records[i % len(records)]
            k = i // len(records)
            if fmt == "ris":
                record = re.sub(r"(?m)^(TI  - )", rf"\g<1>[{k}] ", record, count=1)
                record = re.sub(r"(?m)^(DO  - .*)$", rf"\1.{k}", record)
                record = re.sub(r"(?m)^(ID  - .*)$", rf"\1-{k}", record)
                fh.write(record + "ER  - \n\n")
            elif fmt == "medline":
                record = re.sub(r"(?m)^(TI  - )", rf"\g<1>[{k}] ", record, count=1)
                record = re.sub(r"(?m)^PMID- (\d+)", f"PMID- {90000000 + i}", record)
                fh.write(record + "\n")
            else:
                record = re.sub(r"(?m)^(TI )", rf"\g<1>[{k}] ", record, count=1)
                record = re.sub(r"(?m)^(UT .*)$", rf"\1-{k}", record)
                fh.write(record + "ER\n\n")
        if fmt == "wos":
            fh.write("EF\n")
    return out.stat().st_size


def parse_once(path: Path) -> tuple[int, float, float]:
    from screening.identification.importers import ParseReport, iter_records

    report = ParseReport()
    wall, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as fh:
        count = sum(1 for _ in iter_records(fh, fmt="auto", filename=path.name, report=report))
    return count, time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["ris", "medline", "wos"])
    parser.add_argument("--profile", choices=sorted(TEMPLATES), help="cProfile one run")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"../shared/data not present: {DATA}")

    with tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            path = Path(tmp) / f"bench.{args.profile}"
            generate(args.profile, args.records, path)
            profiler = cProfile.Profile()
            profiler.runcall(parse_once, path)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
            return
        print(f"{'format':8} {'records':>8} {'MB':>6} {'CPU s':>7} {'wall s':>7} "
              f"{'rec/s CPU':>10} {'rec/s wall':>10}")  # fmt: skip
        for fmt in args.formats:
            path = Path(tmp) / f"bench.{'ciw' if fmt == 'wos' else fmt}"
            size = generate(fmt, args.records, path)
            runs = [parse_once(path) for _ in range(args.repeats)]
            count = runs[0][0]
            cpu = min(r[1] for r in runs)
            wall = min(r[2] for r in runs)
            print(f"{fmt:8} {count:>8} {size / 1e6:>6.1f} {cpu:>7.2f} {wall:>7.2f} "
                  f"{count / cpu:>10,.0f} {count / wall:>10,.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
