"""Relevance-ranking benchmark: our ranking vs ASReview's default model, same data, same priors.

Simulates a reviewer who screens the records in the order the model proposes, starting from
prior knowledge of one included and one excluded record drawn at random (per seed), and who
labels each record with its final label. ASReview retrains after every label; ours on the app's
schedule (`screening.ranking.service.retrain_interval`: after every label up to 199 decisions,
then after every 1 % of the decisions so far, at most every RANKING_RETRAIN_EVERY = 10), with
the app's switch to the explore features after a streak of irrelevant labels. One difference
remains: the simulation's retrain is instantaneous, while the app's runs in the background and
the reviewer keeps screening the previous order until it finishes.

For each of our runs it also replays the screening and reports where the app's stopping rule
(`screening.ranking.stopping`) first suggests stopping, the recall there and the work saved,
next to the "N irrelevant in a row" heuristics (N = 50, 100, 200, 5 % of the records).

The speed part builds the review's on-disk feature store (`screening.ranking.store`) for
synthetic reviews of copied real records (100k by default), then retrains on 10 % of them and
ranks the rest, normally and in explore mode, each step in a fresh process so its peak RSS is
its own.

    .venv/bin/python bench/ranking_bench.py                 # both datasets, 3 seeds, + ASReview
    .venv/bin/python bench/ranking_bench.py --no-asreview   # ours only
    .venv/bin/python bench/ranking_bench.py --datasets Kitchenham_2010 --no-speed
    .venv/bin/python bench/ranking_bench.py --speed-only --speed-records 100000 500000
    .venv/bin/python bench/ranking_bench.py --asreview-cache /tmp/asr.json   # reuse ASReview runs

ASReview runs from its own virtualenv (bench/.venv-asreview, not an app dependency):
    python3 -m venv bench/.venv-asreview && bench/.venv-asreview/bin/pip install asreview==3.0.8

Metrics exclude the two prior records (as asreview-insights does): N = records - 2,
relevant = included - 1. WSS@r = (N - screened until recall r) / N - (1 - r).
Rows are shuffled per seed before anything else (Kitchenham_2010.csv lists includes first) and
ASReview gets the same shuffled file, so neither model can profit from file order.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.ranking import model as ranking  # noqa: E402
from screening.ranking.stopping import first_suggested_stop  # noqa: E402


def app_retrain_interval():
    """The app's retraining schedule, read from the app itself (Django settings)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
    import django

    django.setup()
    from screening.ranking.service import retrain_interval

    return retrain_interval


DATA = ROOT / ".." / "shared" / "data" / "systematic-review-datasets"
DATASETS = ["Nagtegaal_2019", "Kitchenham_2010"]
ASREVIEW = ROOT / "bench" / ".venv-asreview" / "bin" / "asreview"
PNG = ROOT / "docs" / "ranking_recall.png"


# --------------------------------------------------------------------------------------------
# Data and simulation


def load(name: str) -> list[dict]:
    with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def shuffled_with_priors(rows: list[dict], seed: int) -> tuple[list[dict], list[int]]:
    """Rows in a seeded random order, and the row numbers of 1 included + 1 excluded prior."""
    rows = rows[:]
    random.Random(seed).shuffle(rows)
    rng = random.Random(1000 + seed)
    included = [i for i, r in enumerate(rows) if r["label_included"] == "1"]
    excluded = [i for i, r in enumerate(rows) if r["label_included"] != "1"]
    return rows, [rng.choice(included), rng.choice(excluded)]


def simulate_ours(
    rows: list[dict], priors: list[int], seed: int, features: ranking.Features, interval=None
) -> tuple[list[int], float]:
    """Screening order (row numbers, priors first) until every included record is found.

    ``features`` holds every record of the data set (IDF over all of them, as in the app).
    """
    interval = interval or app_retrain_interval()
    y = np.array([r["label_included"] == "1" for r in rows], dtype=np.int8)
    started = time.perf_counter()
    position = features.rows([r["record_id"] for r in rows])  # row number -> features row
    tiebreak = np.random.default_rng(seed).random(len(rows))
    order = list(priors)
    screened = np.zeros(len(rows), dtype=bool)
    screened[priors] = True
    found, total = int(y[priors].sum()), int(y.sum())
    run = 0  # irrelevant labels in a row (the priors end with the excluded one)
    while found < total:
        lab = np.array(order)
        rest = np.flatnonzero(~screened)
        scores = ranking.score_rows(
            features, position[lab], y[lab], position[rest], seed=seed,
            explore=ranking.explores(run),
        )  # fmt: skip
        # The app's schedule: screen `interval(decided)` top-ranked records between retrains.
        for best in rest[np.lexsort((tiebreak[rest], -scores))[: interval(len(order))]]:
            order.append(int(best))
            screened[best] = True
            found += int(y[best])
            run = 0 if y[best] else run + 1
            if found == total:
                break
    return order, time.perf_counter() - started


def simulate_asreview(rows: list[dict], priors: list[int], seed: int, workdir: Path):
    """Run `asreview simulate` (default model) on the same shuffled file and priors."""
    csv_path = workdir / "data.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["title", "abstract", "label_included"])
        writer.writeheader()
        for r in rows:
            writer.writerow({k: r[k] for k in ("title", "abstract", "label_included")})
    project = workdir / "sim.asreview"
    started = time.perf_counter()
    subprocess.run(
        [str(ASREVIEW), "simulate", str(csv_path), "--prior-idx", *map(str, priors),
         "--seed", str(seed), "-o", str(project)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    with zipfile.ZipFile(project) as zf:
        zf.extract("results.db", workdir)
    con = sqlite3.connect(workdir / "results.db")
    # ASReview's record_id is the 0-based row of the file it was given; rowid = labelling order.
    labelled = [rid for (rid,) in con.execute("SELECT record_id FROM results ORDER BY rowid")]
    con.close()
    rest = [i for i in labelled if i not in set(priors)]
    return list(priors) + rest, seconds


# --------------------------------------------------------------------------------------------
# Metrics


def curve(order: list[int], y: np.ndarray, n_prior: int = 2) -> np.ndarray:
    """Recall after each screened record (priors excluded); 1.0 once all are found."""
    n = len(y) - n_prior
    relevant = int(y.sum() - y[order[:n_prior]].sum())
    hits = np.zeros(n)
    screened = order[n_prior:]
    hits[: len(screened)] = y[screened]
    return np.cumsum(hits) / relevant


def metrics(recall: np.ndarray) -> dict[str, float]:
    n = len(recall)

    def wss(r: float) -> float:
        needed = int(np.argmax(recall >= r - 1e-12)) + 1
        return (n - needed) / n - (1 - r)

    return {
        "wss95": wss(0.95),
        "wss100": wss(1.0),
        "recall10": float(recall[round(0.10 * n) - 1]),
        "recall25": float(recall[round(0.25 * n) - 1]),
    }


# --------------------------------------------------------------------------------------------
# Stopping: where the app's rule says stop, against the simplest published heuristics


def stop_after_run(decisions: list[bool], run_needed: int) -> int:
    """Records screened when ``run_needed`` irrelevant records in a row (after a first relevant
    one) were first seen; all of them if never."""
    run, found = 0, False
    for screened, relevant in enumerate(decisions, start=1):
        found = found or relevant
        run = 0 if relevant else run + 1
        if found and run >= run_needed:
            return screened
    return len(decisions)


# Name -> records screened at the stop, given the decisions in order (padded to every record).
STOPPING_RULES = {
    "ours (knee + run)": lambda d: first_suggested_stop(d, len(d)),
    "50 in a row": lambda d: stop_after_run(d, 50),
    "100 in a row": lambda d: stop_after_run(d, 100),
    "200 in a row": lambda d: stop_after_run(d, 200),
    "5 % of records in a row": lambda d: stop_after_run(d, math.ceil(0.05 * len(d))),
}


def stopping_points(order: list[int], y: np.ndarray) -> dict[str, dict[str, float]]:
    """For each rule: records screened at its stop, recall there and work saved (share of all
    records left unscreened). Recall counts every included record, priors too: the reviewer's
    first two decisions are the priors."""
    decisions = [bool(y[i]) for i in order]
    decisions += [False] * (len(y) - len(decisions))  # after the last include: excludes only
    curve = np.cumsum(decisions)
    out = {}
    for rule, stop in STOPPING_RULES.items():
        screened = stop(decisions)
        out[rule] = {
            "screened": screened,
            "recall": float(curve[screened - 1] / curve[-1]),
            "saved": 1 - screened / len(y),
        }
    return out


def stopping_table(runs: list[dict]) -> None:
    rules = list(STOPPING_RULES)
    print("\nStopping: records screened at the suggested stop, recall there, work saved")
    print("| dataset | seed | " + " | ".join(rules) + " |")
    print("|---|---|" + "---|" * len(rules))
    for r in runs:
        cells = [
            f"{p['screened']} · {p['recall']:.3f} · {p['saved']:.2f}"
            for p in (r["stopping"][rule] for rule in rules)
        ]
        print(f"| {r['dataset']} | {r['seed']} | " + " | ".join(cells) + " |")
    summary = []
    for rule in rules:
        points = [r["stopping"][rule] for r in runs]
        ok = sum(p["recall"] >= 0.95 for p in points)
        summary.append(
            f"{ok}/{len(points)} ≥ 0.95, min {min(p['recall'] for p in points):.3f}, "
            f"saved {np.mean([p['saved'] for p in points]):.2f}"
        )
    print("| **all runs** | | " + " | ".join(summary) + " |")


# --------------------------------------------------------------------------------------------
# Speed and memory: the review's on-disk store at 100k records, a retrain in a fresh process


def _replicated_featuriser(n_records: int) -> tuple[dict, object, dict]:
    """Digests and a featuriser for ``n_records`` synthetic records, each a copy of one of the
    real records (row i is record i mod 3,723): the hashed rows are per record, so a copy has
    the copied row. The real records are featurised on first use only (timed)."""
    texts = []
    for name in DATASETS:
        texts += [ranking.record_text(r["title"], r["abstract"]) for r in load(name)]
    digests = {i: f"{i % len(texts):032d}" for i in range(n_records)}
    cache: dict = {}

    def featurise(ids: list[int]) -> dict:
        if "weights" not in cache:
            started = time.perf_counter()
            cache["weights"] = ranking.term_weights(texts)
            cache["per_1000"] = (time.perf_counter() - started) / len(texts) * 1000
        rows = np.asarray(ids) % len(texts)
        return {name: m[rows] for name, m in cache["weights"].items()}

    return digests, featurise, cache


def _speed_step(step: str, directory: Path, n_records: int, n_labelled: int) -> dict:
    """One measured step, run in its own process so its peak memory is its own."""
    import resource

    from screening.ranking import store

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    digests, featurise, cache = _replicated_featuriser(n_records)
    cpu, wall = time.process_time(), time.perf_counter()
    out: dict = {}
    if step == "build":
        features, built = store.open_features(directory, digests, featurise)
        out["featurised"] = built
        out["featurise_per_1000"] = cache["per_1000"]
        sizes = [f.stat().st_size for f in features.path.iterdir()]
        out["disk_mb"] = sum(sizes) / 2**20
        out["nnz_per_record"] = {
            name: int(block.indptr[-1]) / n_records for name, block in features.blocks.items()
        }
    else:
        features, _ = store.open_features(directory, digests, featurise)
        labels = (np.random.default_rng(0).random(n_labelled) < 0.05).astype(np.int8)
        run = ranking.DEFAULT_CONFIG.explore_after if step == "explore" else 0
        result = ranking.rank_ids(
            list(range(n_labelled)), labels, list(range(n_labelled, n_records)), features, run=run
        )
        out["model"] = result.model
    out["cpu"] = time.process_time() - cpu
    out["wall"] = time.perf_counter() - wall
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["rss_before_mb"] = baseline
    return out


def speed(n_records: int = 100_000, n_labelled: int = 10_000) -> dict:
    """Build the store for ``n_records`` (as after an import), then retrain with ``n_labelled``
    decided (random labels, 5 % relevant: the SVM's slowest case) and rank the rest, normally and
    in explore mode; each step in a fresh process (peak RSS = ru_maxrss of that process)."""
    out: dict = {"records": n_records, "labelled": n_labelled}
    with tempfile.TemporaryDirectory() as tmp:
        for step in ("build", "retrain", "explore"):
            done = subprocess.run(
                [sys.executable, __file__, "--speed-step", step, tmp, str(n_records),
                 str(n_labelled)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            out[step] = json.loads(done.stdout.strip().splitlines()[-1])
    out["load_average"] = os.getloadavg()
    return out


# --------------------------------------------------------------------------------------------
# Output


def recall_svg(curves: dict[str, dict[str, list[np.ndarray]]]) -> str:
    """Mean recall curves, one panel per dataset, as an SVG line chart."""
    w, h, pad = 420, 320, 48
    colours = {"ours": "#1b6ac9", "asreview": "#d9480f", "random": "#888"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w * len(curves)}" height="{h}" '
        'font-family="DejaVu Sans, sans-serif" font-size="12">',
        f'<rect width="{w * len(curves)}" height="{h}" fill="white"/>',
    ]
    for k, (name, by_model) in enumerate(curves.items()):
        x0 = k * w + pad
        pw, ph = w - pad - 16, h - 2 * pad
        parts.append(f'<text x="{x0 + pw / 2}" y="24" text-anchor="middle">{name}</text>')
        parts.append(
            f'<rect x="{x0}" y="{pad}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>'
        )
        for t in (0, 0.25, 0.5, 0.75, 1):
            parts.append(
                f'<text x="{x0 - 6}" y="{pad + ph * (1 - t) + 4}" text-anchor="end">{t:g}</text>'
                f'<text x="{x0 + pw * t}" y="{pad + ph + 16}" text-anchor="middle">{t:g}</text>'
            )
        parts.append(
            f'<text x="{x0 + pw / 2}" y="{h - 8}" text-anchor="middle">share screened</text>'
        )
        series = dict(by_model)
        n = len(next(iter(series.values()))[0])
        series["random"] = [np.arange(1, n + 1) / n]
        for j, (model, runs) in enumerate(series.items()):
            mean = np.mean(runs, axis=0)
            step = max(1, len(mean) // 400)
            pts = " ".join(
                f"{x0 + pw * (i + 1) / len(mean):.1f},{pad + ph * (1 - mean[i]):.1f}"
                for i in range(0, len(mean), step)
            )
            dash = ' stroke-dasharray="4 3"' if model == "random" else ""
            parts.append(
                f'<polyline points="{pts}" fill="none" stroke="{colours[model]}" '
                f'stroke-width="1.6"{dash}/>'
            )
            parts.append(
                f'<text x="{x0 + pw - 8}" y="{pad + ph - 12 - 16 * j}" text-anchor="end" '
                f'fill="{colours[model]}">{model}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--datasets", nargs="*", default=DATASETS)
    parser.add_argument("--no-asreview", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument(
        "--speed-records",
        type=int,
        nargs="*",
        default=[100_000],
        help="review sizes for the speed and memory part (e.g. 100000 500000)",
    )
    parser.add_argument("--speed-step", nargs=4, help=argparse.SUPPRESS)  # internal
    parser.add_argument("--json", type=Path, help="also write all numbers to this file")
    parser.add_argument(
        "--asreview-cache",
        type=Path,
        help="reuse ASReview's labelling orders from this JSON file (written on first use); "
        "ASReview's runs are deterministic for a seed, so this only saves time while iterating",
    )
    args = parser.parse_args()
    if args.speed_step:
        step, directory, n_records, n_labelled = args.speed_step
        print(json.dumps(_speed_step(step, Path(directory), int(n_records), int(n_labelled))))
        return

    if not DATA.is_dir():
        sys.exit(f"../shared/data not present: {DATA}")
    out: dict = {}
    if args.speed_only:
        report_speed(out, args.speed_records)
        return
    run_asreview = not args.no_asreview and ASREVIEW.exists()
    if not args.no_asreview and not run_asreview:
        print(f"(ASReview not found at {ASREVIEW}: skipped)")
    models = ["ours", "asreview"] if run_asreview else ["ours"]

    cache = {}
    if args.asreview_cache and args.asreview_cache.exists():
        cache = json.loads(args.asreview_cache.read_text())
    interval = app_retrain_interval()
    curves: dict[str, dict[str, list[np.ndarray]]] = {}
    for name in args.datasets:
        rows = load(name)
        features = ranking.Features.from_texts(
            [r["record_id"] for r in rows],
            [ranking.record_text(r["title"], r["abstract"]) for r in rows],
        )
        curves[name] = {m: [] for m in models}
        for seed in range(args.seeds):
            shuffled, priors = shuffled_with_priors(rows, seed)
            y = np.array([r["label_included"] == "1" for r in shuffled], dtype=np.int8)
            runs = {"ours": simulate_ours(shuffled, priors, seed, features, interval)}
            key = f"{name}:{seed}"
            if run_asreview and key in cache:
                runs["asreview"] = (cache[key]["order"], cache[key]["seconds"])
            elif run_asreview:
                with tempfile.TemporaryDirectory() as tmp:
                    runs["asreview"] = simulate_asreview(shuffled, priors, seed, Path(tmp))
                if args.asreview_cache:
                    cache[key] = dict(zip(("order", "seconds"), runs["asreview"], strict=True))
                    args.asreview_cache.write_text(json.dumps(cache))
            for model, (order, seconds) in runs.items():
                rec = curve(order, y)
                curves[name][model].append(rec)
                row = {"dataset": name, "seed": seed, "model": model, "seconds": seconds}
                row |= metrics(rec)
                print(json.dumps(row), flush=True)
                if model == "ours":
                    row["stopping"] = stopping_points(order, y)
                    row["order"] = [int(i) for i in order]
                out.setdefault("runs", []).append(row)

    print("\n| dataset | model | WSS@95 | WSS@100 | recall@10% | recall@25% | seconds/run |")
    print("|---|---|---|---|---|---|---|")
    for name in args.datasets:
        for model in models:
            runs = [r for r in out["runs"] if r["dataset"] == name and r["model"] == model]
            mean = {k: np.mean([r[k] for r in runs]) for k in ("wss95", "wss100", "recall10")}
            mean |= {k: np.mean([r[k] for r in runs]) for k in ("recall25", "seconds")}
            sd = np.std([r["wss95"] for r in runs])
            print(
                f"| {name} | {model} | {mean['wss95']:.3f} ± {sd:.3f} | {mean['wss100']:.3f} "
                f"| {mean['recall10']:.3f} | {mean['recall25']:.3f} | {mean['seconds']:.0f} |"
            )
    import cairosvg

    PNG.parent.mkdir(exist_ok=True)
    cairosvg.svg2png(bytestring=recall_svg(curves).encode(), write_to=str(PNG))
    print(f"\nrecall curves: {PNG.relative_to(ROOT)}")
    stopping_table([r for r in out["runs"] if r["model"] == "ours"])
    if not args.no_speed:
        report_speed(out, args.speed_records)
    out["load_average"] = os.getloadavg()
    print(f"load average (1, 5, 15 min): {out['load_average']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


def report_speed(out: dict, sizes: list[int]) -> None:
    for n_records in sizes:
        n_labelled = n_records // 10
        result = out.setdefault("speed", {})[n_records] = speed(n_records, n_labelled)
        build, retrain, explore = result["build"], result["retrain"], result["explore"]
        print(
            f"\nspeed at {n_records:,} records ({n_labelled:,} decided, the rest ranked; "
            f"load {result['load_average'][0]:.1f}):\n"
            f"| step | wall s | CPU s | peak RSS MB |\n|---|---|---|---|\n"
            f"| build the store (after an import) | {build['wall']:.1f} | {build['cpu']:.1f} "
            f"| {build['peak_rss_mb']:.0f} |\n"
            f"| retrain + rank ({retrain['model']}) | {retrain['wall']:.2f} | "
            f"{retrain['cpu']:.2f} | {retrain['peak_rss_mb']:.0f} |\n"
            f"| explore retrain + rank ({explore['model']}) | {explore['wall']:.2f} | "
            f"{explore['cpu']:.2f} | {explore['peak_rss_mb']:.0f} |\n"
            f"store on disk: {build['disk_mb']:.0f} MB; non-zeros per record: "
            f"{build['nnz_per_record']}; a fresh process before any work: "
            f"{retrain['rss_before_mb']:.0f} MB; featurising new records: "
            f"{build['featurise_per_1000']:.2f} s per 1,000",
            flush=True,
        )


if __name__ == "__main__":
    main()
