"""The steps that fill the demo review, each through the app's own services.

searches → imports (real export formats) → de-duplication → dual title/abstract screening with
a consensus and an adjudication → full text → extraction (Table 2) → codebook v1 → coding →
a proposed code and v2 → re-coding and re-checks. PRISMA needs no step: it is counted from all
of this. Each step takes (review, {email: user}).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from coding import services as coding
from coding.models import Code, SourceType
from demo import codebook, data, files, paper
from reviewapp.audit import record_event
from reviewapp.models import Review, Stage
from screening.conflicts import service as conflicts
from screening.decisions import queues
from screening.decisions import service as decisions
from screening.fulltext import service as fulltext
from screening.identification import imports
from screening.models import Conflict, Decision, Record, Report, Study

LEAD = "lead@demo.example"
R1 = "reviewer1@demo.example"
R2 = "reviewer2@demo.example"
ADJUDICATOR = "adjudicator@demo.example"

# Which works each database returned. Initial counts match demo_data.INITIAL_COUNTS (216 in
# all); the included studies sit in several databases, so de-duplication has work to do.
REFS_IN = {
    "Web of Science": [3, 9, 13, 18, 38, 41],
    "MEDLINE": [27, 34],  # the two with a PMID in the paper's reference list
    "Scopus": [3, 9, 13, 18, 27, 34, 38, 41],
}
BACKGROUND_IN = {
    "Web of Science": range(0, 58),
    "MEDLINE": range(30, 86),
    "Scopus": range(50, 113),
    "Airiti Library": range(113, 129),
}
# Update-phase works (2025): new ones, plus a few the initial search had already found.
UPDATE_IN = {
    "Web of Science": (range(0, 7), ["bg-0", "bg-1"]),
    "MEDLINE": (range(7, 13), ["ref-34"]),
    "Scopus": (range(13, 22), ["ref-3"]),
    "Airiti Library": (range(22, 24), ["zh-0"]),
}
TWIN = "zh-4"
# The paper gives the months (August 2022, January 2025); the days are the demo's.
SEARCH_DATES = {"initial": dt.date(2022, 8, 31), "update": dt.date(2025, 1, 31)}

# Title/abstract screening: which illustrative works are included, and the two disagreements.
TA_INCLUDED = ["bg-10", "bg-40", "bg-60", "bg-90"]
CONSENSUS = "bg-20"  # reviewer 1 includes, reviewer 2 excludes; they agree on exclude
ESCALATED = "bg-70"  # reviewer 1 excludes, reviewer 2 includes; the adjudicator includes
NOT_RETRIEVED = "bg-90"
FT_EXCLUDED = {"bg-10": "Population", "bg-40": "Focus", "bg-60": "Study design", ESCALATED: "Other"}

CODERS_OF = {3: R1, 9: R1, 13: R1, 18: R1, 27: R2, 34: R2, 38: R2, 41: R2}


@dataclass
class Works:
    by_key: dict[str, files.Work]
    title_key: dict[str, str]  # normalised title → key, to find a work again after import

    def key_of(self, record: Record) -> str:
        return self.title_key.get(_norm(record.title), "")


def _norm(title: str) -> str:
    return re.sub(r"\W+", " ", title).strip().lower()


def all_works() -> Works:
    works: dict[str, files.Work] = {}
    for study in paper.STUDIES:
        work = files.included_work(study)
        works[work.key] = work
    for i, rec in enumerate(data.background_records(129, seed=2022)):
        works[f"bg-{i}"] = files.background_work(f"bg-{i}", rec)
    for i, rec in enumerate(data.background_records(24, seed=2025)):
        work = files.background_work(f"up-{i}", rec)
        work.year = 2023 + i % 2
        works[work.key] = work
    for i, row in enumerate(data.CHINESE_RECORDS):
        works[f"zh-{i}"] = files.chinese_work(f"zh-{i}", row)
    # Scopus indexes one of the Chinese papers under its English title only: the same work.
    zh = works[TWIN]
    works[f"{TWIN}-en"] = files.Work(
        key=f"{TWIN}-en",
        title=zh.title_alt,
        authors=["Demo Author A", "Demo Author B", "Demo Author C"],
        year=zh.year,
        journal="Illustrative Journal of Medical Education (Taiwan)",
        journal_abbrev="Illus J Med Educ Taiwan",
        abstract=f"{data.ILLUSTRATIVE} (English-language indexing of a Chinese record.)",
    )
    title_key = {_norm(w.title): k.removesuffix("-en") for k, w in works.items()}
    return Works(works, title_key)


WORKS = all_works()


def _users(users: dict) -> tuple:
    return users[LEAD], users[R1], users[R2], users[ADJUDICATOR]


# --- 1. searches and imports ---------------------------------------------------------------------


def initial_keys(source: str) -> list[str]:
    keys = [f"ref-{n}" for n in REFS_IN.get(source, [])]
    keys += [f"bg-{i}" for i in BACKGROUND_IN[source]]
    if source == "Scopus":
        keys.append(f"{TWIN}-en")
    if source == "Airiti Library":
        keys = [f"zh-{i}" for i in range(len(data.CHINESE_RECORDS))] + keys
    return keys


def update_keys(source: str) -> list[str]:
    fresh, again = UPDATE_IN[source]
    return [f"up-{i}" for i in fresh] + again


def initial_searches(review: Review, users: dict) -> None:
    _searches(review, users[LEAD], "initial", data.INITIAL_COUNTS, initial_keys)


def update_searches(review: Review, users: dict) -> None:
    _searches(review, users[LEAD], "update", data.UPDATE_COUNTS, update_keys)


def _searches(review: Review, lead, phase: str, counts: dict, pick) -> None:
    for source, expected in counts.items():
        keys = pick(source)
        assert len(keys) == expected, (source, phase, len(keys), expected)
        search = imports.create_search(
            review,
            lead,
            source=source,
            source_type="database",
            date_run=SEARCH_DATES[phase],
            phase=phase,
            query=data.QUERY,
        )
        write, fmt, filename = files.WRITERS[source]
        job = imports.import_file_now(
            search,
            write([WORKS.by_key[k] for k in keys]),
            f"{phase}-{filename}",
            fmt=fmt,
            user=lead,
        )
        if job.status != job.Status.DONE:
            raise RuntimeError(f"Demo import of {source} ({phase}) failed: {job.error}")


# --- 2. de-duplication ---------------------------------------------------------------------------


def deduplicate(review: Review, users: dict) -> None:
    """Certain duplicates merge into clusters; only their canonical records are screened."""
    from screening.dedup.service import run_dedup

    run_dedup(review, user=users[LEAD])


# --- 3. title/abstract screening -----------------------------------------------------------------


def _reason(review: Review, stage: str, domain: str):
    return review.exclusion_reasons.get(stage=stage, label__startswith=f"{domain}:")


def ta_reason_domain(work: files.Work) -> str:
    title = work.title_alt or work.title
    if work.publication_type in ("Editorial", "Conference Abstract"):
        return "Publication type"
    if any(p in title for p in ("students", "patients", "trainees")) or "學生" in work.title:
        return "Population"
    if "systematic review" in title:
        return "Study design"
    return "Focus"


def title_abstract_screening(review: Review, users: dict) -> None:
    lead, r1, r2, adjudicator = _users(users)
    settings = queues.settings_for(review)
    if settings.participant_ids != sorted([r1.pk, r2.pk]):
        # The two screening reviewers (the lead screens nothing); no service sets this yet.
        settings.participant_ids = sorted([r1.pk, r2.pk])
        settings.save()
        record_event(
            review,
            lead,
            "screening.settings_changed",
            settings,
            after={"participants": [r1.email, r2.email]},
        )
    queues.ensure_assignments(review, Stage.TITLE_ABSTRACT)
    screened = Decision.objects.filter(review=review, stage=Stage.TITLE_ABSTRACT)
    for record in (
        review.records.canonical().exclude(pk__in=screened.values("record_id")).order_by("id")
    ):
        key = WORKS.key_of(record)
        work = WORKS.by_key.get(key)
        if key.startswith("ref-") or key in TA_INCLUDED:
            decisions.decide(record, r1, "include")
            decisions.decide(record, r2, "include")
            continue
        reason = _reason(review, Stage.TITLE_ABSTRACT, ta_reason_domain(work) if work else "Focus")
        if key == CONSENSUS:
            decisions.decide(record, r1, "include", note="Might report barriers to research.")
            decisions.decide(record, r2, "exclude", reason=reason)
            conflict = Conflict.objects.get(record=record, stage=Stage.TITLE_ABSTRACT)
            conflicts.comment(
                conflict, r2, "It is about teaching, not about engaging in education research."
            )
            proposal = conflicts.propose(conflict, r2, "exclude", reason=reason)
            conflicts.comment(conflict, r1, "Agreed after re-reading the abstract.")
            conflicts.confirm(proposal, r1)
        elif key == ESCALATED:
            decisions.decide(record, r1, "exclude", reason=reason)
            decisions.decide(record, r2, "include", note="Mentions protected time for research.")
            conflict = Conflict.objects.get(record=record, stage=Stage.TITLE_ABSTRACT)
            conflicts.escalate(
                conflict,
                r1,
                "R1: the population looks like trainees only. R2: the abstract mentions faculty "
                "and protected research time. Please decide.",
            )
            conflicts.adjudicate(
                conflict,
                adjudicator,
                "include",
                note="The abstract is ambiguous about the population: include and check the "
                "full text.",
            )
        else:
            decisions.decide(record, r1, "exclude", reason=reason)
            decisions.decide(record, r2, "exclude", reason=reason)


# --- 4. full text --------------------------------------------------------------------------------


STUDY_BY_KEY = {f"ref-{s.ref}": s for s in paper.STUDIES}


def full_text(review: Review, users: dict) -> None:
    lead, r1, r2, _ = _users(users)
    reports = (
        Report.objects.filter(review=review, retrieval=Report.Retrieval.SOUGHT)
        .select_related("record")
        .order_by("id")
    )
    for report in reports:
        key = WORKS.key_of(report.record)
        work = WORKS.by_key[key]
        if key == NOT_RETRIEVED:
            fulltext.mark_not_retrieved(
                report, "Not held by the library; the authors did not reply.", lead
            )
            continue
        if work.doi:
            url = f"https://doi.org/{work.doi}"
        else:
            url = f"https://pubmed.ncbi.nlm.nih.gov/{work.pmid}/"
        report = fulltext.attach_link(report, url, lead)
        if key in FT_EXCLUDED:
            reason = _reason(review, Stage.FULL_TEXT, FT_EXCLUDED[key])
            fulltext.assess(report, r1, "exclude", reason=reason)
            fulltext.assess(report, r2, "exclude", reason=reason)
            continue
        fulltext.assess(report, r1, "include")
        fulltext.assess(report, r2, "include")
        study = STUDY_BY_KEY[key]
        linked = Study.objects.get(reports=report)
        # The paper's reference number, so citation lists read like the paper's "[3, 13, 41]".
        # No service sets it yet; the full-text helper may add one (see the synthesis report).
        Study.objects.filter(pk=linked.pk).update(label=study.label, reference_number=study.ref)
        record_event(
            review,
            lead,
            "study.numbered",
            linked,
            after={"label": study.label, "reference_number": study.ref},
        )


# --- 5. extraction (Table 2) ---------------------------------------------------------------------


def _sample_size(text: str) -> int | None:
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else None


def extraction(review: Review, users: dict) -> None:
    lead, r1, _, _ = _users(users)
    coding.ensure_default_form(review, lead)
    studies = {s.reference_number: s for s in coding.studies_for(review)}
    for item in paper.STUDIES:
        study = studies[item.ref]
        first = item.authors[0].split(",")[0]
        values = {
            "reference": f"{first} [{item.ref}]",
            "year": item.year,
            "region": item.region,
            "participants": item.participants,
            "methods": item.methods,
            "sample_size": _sample_size(item.sample_size),
            "outcome": item.outcome,
            "strategy": item.strategy,
        }
        coding.save_extraction(study, r1, values, completed=True)


# --- 6. codebook v1, coding, a proposed code, v2 -------------------------------------------------

# The demo's coding history (illustrative): v1 had mentorship and coaching as one subtheme;
# coding [27] made the team split it (v2), which gives the paper's 25.
V1_MENTORSHIP = (
    "Mentorship and coaching",
    "Experienced mentors and coaches who turn ideas into projects and guide researchers.",
)
COACHING = next(s for s in codebook.SUBTHEMES if s.key == "coaching")


def passages_citing(ref: int) -> list[tuple[codebook.Subtheme, codebook.Passage]]:
    """The Results passages that cite the study, in the paper's order of subthemes."""
    return [(sub, p) for sub in codebook.SUBTHEMES for p in sub.passages if ref in p.studies]


def review_text(study: paper.IncludedStudy) -> str:
    """What the review says of one study, in its own words: the study's Table 2 outcome and
    strategy, then every Results passage that cites it, under its section. The coders code
    this text (the demo does not reproduce the studies' own texts)."""
    parts = [
        f"Table 2, {paper.TABLE2_COLUMNS['outcome']}\n{study.outcome}",
        f"Table 2, {paper.TABLE2_COLUMNS['strategy']}\n{study.strategy}",
    ]
    section = None
    for sub, passage in passages_citing(study.ref):
        if sub.section != section:
            section = sub.section
            parts.append(f"{section}\n{passage.text}")
        else:
            parts.append(passage.text)
    return "\n\n".join(parts)


def _codebook_v1(review: Review, lead) -> dict[str, Code]:
    book = coding.get_codebook(review)
    codes: dict[str, Code] = {}
    for position, (level, label, definition) in enumerate(codebook.LEVELS):
        node = coding.add_code(
            book, lead, name=label, level=level, definition=definition, position=position
        )
        for p, polarity in enumerate(("facilitator", "barrier")):
            category = coding.add_code(
                book,
                lead,
                parent=node,
                name=f"{level.capitalize()} {polarity}s",
                polarity=polarity,
                definition=f"What {'helps' if p == 0 else 'hinders'} engagement at the "
                f"{level} level.",
                position=p,
            )
            subs = [s for s in codebook.SUBTHEMES if s.level == level and s.polarity == polarity]
            for i, sub in enumerate(s for s in subs if s.key != "coaching"):
                name, definition_ = (
                    V1_MENTORSHIP if sub.key == "mentorship" else (sub.name, sub.definition)
                )
                codes[sub.key] = coding.add_code(
                    book,
                    lead,
                    parent=category,
                    name=name,
                    definition=definition_,
                    position=i if i < 2 or level != "interpersonal" else i + 1,
                )
            codes[f"{level}-{polarity}"] = category
    coding.publish(
        book,
        lead,
        "v1: the framework agreed after reading a subset of the papers (levels of the "
        "ecological model → facilitators and barriers → subthemes).",
    )
    return codes


def codebook_and_coding(review: Review, users: dict) -> None:
    """Each study's coder codes the review's passages that cite it, with the subtheme the
    review reports them under: so every subtheme cites exactly the studies the paper cites."""
    lead, r1, r2, _ = _users(users)
    codes = _codebook_v1(review, lead)
    studies = {s.reference_number: s for s in coding.studies_for(review)}
    people = {R1: r1, R2: r2}
    coaching_coding = None
    for item in paper.STUDIES:
        study = studies[item.ref]
        coder = people[CODERS_OF[item.ref]]
        document = coding.add_document(
            study,
            coder,
            review_text(item),
            title=f"{item.label} [{item.ref}] in the review (Chen, Liao & Yau 2025): Table 2 "
            "and the Results passages that cite it",
            report=study.reports.first(),
        )
        for sub, passage in passages_citing(item.ref):
            # Under v1, coaching was part of "Mentorship and coaching".
            code = codes["mentorship" if sub.key == "coaching" else sub.key]
            made = coding.create_codings(
                study,
                coder,
                [code],
                document=document,
                excerpt=passage.text,
                source_type=SourceType.REVIEW,
                section=sub.section,
            )
            if sub.key == "coaching":
                coaching_coding = made[0]
    _version_two(review, lead, r2, codes, coaching_coding, people)


def _version_two(review: Review, lead, r2, codes, coaching_coding, people) -> None:
    """Coding [27] showed coaching is its own theme: proposed, accepted, mentorship redefined."""
    book = coding.get_codebook(review)
    parent = codes["interpersonal-facilitator"]
    proposal = coding.propose_code(
        book,
        r2,
        name=COACHING.name,
        definition=COACHING.definition,
        parent=parent,
        excerpt=coaching_coding.excerpt,
        study=coaching_coding.study,
    )
    coding.comment_on(
        proposal, lead, "Agreed: coaching on specific tasks is not the same as mentorship."
    )
    coding.accept_proposal(proposal, lead, "Split from “Mentorship and coaching”.", position=2)
    mentorship = next(s for s in codebook.SUBTHEMES if s.key == "mentorship")
    coding.update_code(
        codes["mentorship"], lead, name=mentorship.name, definition=mentorship.definition
    )
    coding.publish(
        book,
        lead,
        "v2: “Coaching” split from “Mentorship and coaching” (proposed while coding [27]); "
        "mentorship renamed and redefined.",
    )
    coaching = Code.objects.get(codebook=book, name=COACHING.name, archived=False)
    coding.recode(coaching_coding, r2, [coaching])
    # The other mentorship codings were made under the v1 definition: their coders re-check
    # them; one is left for the re-check page to show.
    for recheck in coding.codings_to_recheck(review):
        if recheck.coding.study.reference_number != 41:
            coding.confirm_coding(recheck.coding, recheck.coding.coder)


STEPS = [
    initial_searches,
    deduplicate,
    title_abstract_screening,
    full_text,
    extraction,
    codebook_and_coding,
    # The 2025 update: de-duplicated against everything earlier, so a study screened in 2022
    # is not screened again; nothing new is included.
    update_searches,
    deduplicate,
    title_abstract_screening,
]
