"""The demo's second review, screening in progress, so every demo login has work waiting while
the reference review keeps the paper's counts.

Its records are real: the first 200 of the 2,019 records of the labelled title/abstract screening
dataset of Nagtegaal, Tummers, Noordegraaf & Bekkers (2019), released under CC0 1.0, shipped in
demo/fixtures/ (see the README there). The question, criteria and people are the demo's; the
screening so far follows the dataset's title/abstract labels, except where two reviewers are made
to disagree so that a conflict waits for discussion and another for the adjudicator.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from reviewapp import services
from reviewapp.models import Review, Stage
from screening.conflicts import service as conflicts
from screening.decisions import service as decisions
from screening.dedup.service import run_dedup
from screening.identification import imports
from screening.models import Conflict, Record

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "nagtegaal_2019_excerpt.csv"
SLUG = "nudging-ebm-demo"
SOURCE = "Nagtegaal et al. 2019 screening dataset (first 200 records)"
CITATION = (
    "Nagtegaal R, Tummers L, Noordegraaf M, Bekkers V. Nudging healthcare professionals towards "
    "evidence-based medicine: a systematic scoping review. Journal of Behavioral Public "
    "Administration 2019;2(2). doi:10.30636/jbpa.22.71"
)
DATASET = (
    "Harvard Dataverse doi:10.7910/DVN/WMGPGZ, CC0 1.0, as published in ASReview's "
    "systematic-review-datasets (commit 0909240f)"
)

TITLE = "Nudging healthcare professionals towards evidence-based medicine (demo, in progress)"
QUESTION = (
    "Which nudges have been tried to bring healthcare professionals' decisions closer to "
    "evidence-based medicine? (The demo's wording.)"
)
CRITERIA = [
    (
        "Population",
        "Healthcare professionals: physicians, nurses, pharmacists and other clinicians.",
        "Studies of patients or the public only.",
    ),
    (
        "Intervention",
        "A nudge: a change in how choices are presented (defaults, reminders, feedback, social "
        "norms, salience) that leaves every option open.",
        "Mandates, bans or financial incentives only, or education alone.",
    ),
    (
        "Outcome",
        "Professionals' behaviour, measured against evidence-based guidance.",
        "No behavioural outcome (attitudes or knowledge only).",
    ),
    (
        "Study design",
        "Empirical studies with a comparison.",
        "Reviews, protocols, editorials and commentaries.",
    ),
]

# How far screening has got: both reviewers have decided the first BOTH_DONE records (in the
# dataset's order), reviewer 1 the next R1_AHEAD as well; the rest wait for them.
BOTH_DONE = 60
R1_AHEAD = 15


@dataclass(frozen=True)
class Row:
    key: str  # the dataset's record_id
    title: str
    abstract: str
    included: bool  # label_abstract_screening: included at title/abstract by the review's team
    included_full_text: bool  # label_included


def rows() -> list[Row]:
    with FIXTURE.open(encoding="utf-8", newline="") as f:
        return [
            Row(
                r["record_id"],
                r["title"],
                r["abstract"],
                r["label_abstract_screening"] == "1",
                r["label_included"] == "1",
            )
            for r in csv.DictReader(f)
        ]


def import_file(data: list[Row]) -> bytes:
    """The records without their labels: the reviewers must not see the answers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["record_id", "title", "abstract"])
    writer.writerows([r.key, r.title, r.abstract] for r in data)
    return out.getvalue().encode("utf-8")


def description(n: int) -> str:
    return (
        "A second demo review, with screening in progress, so that every demo login has work "
        "waiting; it is separate from the reference review, whose counts stay the paper's.\n\n"
        f"Real: its {n} records, the first {n} of the 2,019 records of the labelled title/abstract "
        f"screening dataset of {CITATION}. Data: {DATASET}. Titles and abstracts are the "
        "dataset's, unedited; the duplicate pair waiting for the lead is one the dataset itself "
        "marks as duplicates.\n\n"
        "Illustrative: the question and eligibility criteria (written for the demo, not "
        "Nagtegaal et al.'s), the people, and the screening so far. The reviewers' decisions "
        "follow the dataset's title/abstract labels, except on the two records in conflict, where "
        "one reviewer departs from the label; exclusions carry no reason, because the dataset "
        "gives none."
    )


def load(lead, r1, r2, adjudicator) -> Review:
    data = rows()
    review = services.create_review(
        TITLE,
        lead,
        slug=SLUG,
        question=QUESTION,
        description=description(len(data)),
        criteria=CRITERIA,
    )
    # The lead runs this review and does not screen (create_review makes them a reviewer too).
    services.change_roles(review.memberships.get(user=lead), ["lead"], by=lead)
    services.add_member(review, r1.email, ["reviewer"], by=lead)
    services.add_member(review, r2.email, ["reviewer"], by=lead)
    services.add_member(review, adjudicator.email, ["adjudicator"], by=lead)
    search = imports.create_search(
        review,
        lead,
        source=SOURCE,
        source_type="database",
        phase="initial",
        notes=f"{CITATION}. {DATASET}.",
    )
    # Imported as a person would upload it. De-duplication, which an import queues for after
    # the commit, runs now too, so the dataset's duplicate pair waits for the lead before anyone
    # screens (and with or without a worker).
    job = imports.import_file_now(
        search, import_file(data), "nagtegaal_2019_excerpt.csv", fmt="csv", user=lead
    )
    if job.status != job.Status.DONE:
        raise RuntimeError(f"Demo import of the Nagtegaal excerpt failed: {job.error}")
    run_dedup(review, user=lead)
    _screen(review, data, r1, r2)
    return review


def _screen(review: Review, data: list[Row], r1, r2) -> None:
    by_key = {r.source_key: r for r in review.records.filter(is_canonical=True)}
    pending_pair = {
        rid
        for pair in review.duplicate_candidates.filter(status="open")
        for rid in (pair.record_a_id, pair.record_b_id)
    }
    order = [row for row in data if row.key in by_key and by_key[row.key].pk not in pending_pair]
    # Where reviewers could well disagree: the first two records the dataset includes at
    # title/abstract but excludes on full text. One is left open for discussion, the other is
    # escalated to the adjudicator.
    borderline = [r.key for r in order[:BOTH_DONE] if r.included and not r.included_full_text]
    discussed, escalated = borderline[:2]
    for i, row in enumerate(order[: BOTH_DONE + R1_AHEAD]):
        record = by_key[row.key]
        if row.key in (discussed, escalated):
            _disagree(record, r1, r2, discuss=row.key == discussed)
            continue
        value = "include" if row.included else "exclude"
        decisions.decide(record, r1, value)
        if i < BOTH_DONE:
            decisions.decide(record, r2, value)


def _disagree(record: Record, r1, r2, *, discuss: bool) -> None:
    decisions.decide(record, r1, "include" if discuss else "exclude")
    decisions.decide(record, r2, "exclude" if discuss else "include")
    conflict = Conflict.objects.get(record=record, stage=Stage.TITLE_ABSTRACT)
    if discuss:
        conflicts.comment(conflict, r1, "I included it on the abstract; shall we go through it?")
    else:
        conflicts.escalate(
            conflict, r1, "We read the abstract differently and could not agree: please decide."
        )
