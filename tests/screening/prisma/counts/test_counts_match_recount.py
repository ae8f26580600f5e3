"""The PRISMA counts and the screening progress, counted the fast way (issue 21: index-only
counts for the many works that never got past title/abstract, a grouping for the few that
did), equal a plain recount from every row, at each step of a review's life: imports, de-
duplication merges and their undoing, decisions, conflicts resolved, full texts, an update
search and citation searching, a record sent back to screening, a screening history imported,
the review backed up and restored (from an archive written before statuses and reports kept
their record's search, too), and a search deleted."""

from __future__ import annotations

import json
import zipfile
from collections import Counter, defaultdict

import pytest
from django.db.models import F

from reviewapp import backup
from reviewapp.models import ExclusionReason, Stage
from screening.conflicts import service as conflicts
from screening.decisions import service as decisions
from screening.dedup import service as dedup
from screening.fulltext import service as fulltext
from screening.identification import imports
from screening.models import (
    Conflict,
    DuplicateCluster,
    Outcome,
    Phase,
    Record,
    RecordStatus,
    Report,
    SourceType,
)
from screening.prisma import counts
from screening.transfer import service as transfer


def ris(*works: tuple[str, str, int]) -> bytes:
    """A RIS file of (title, DOI, year) records."""
    entries = [
        f"TY  - JOUR\nTI  - {title}\nAU  - Author, {title[:1]}\nPY  - {year}\n"
        f"JO  - Journal of Tests\nAB  - About {title.lower()}.\nDO  - {doi}\nER  - \n"
        for title, doi, year in works
    ]
    return "\n".join(entries).encode()


def recount_columns(review, searches, *, reaching=True):
    """Every work read one by one: its column from its whole cluster, then where it stands."""
    records = list(Record.objects.filter(review=review).select_related("search"))
    clusters = defaultdict(list)
    for record in records:
        if record.cluster_id:
            clusters[record.cluster_id].append(record)
    statuses = {(s.record_id, s.stage): s for s in RecordStatus.objects.filter(review=review)}
    reports = {r.record_id: r for r in Report.objects.filter(review=review)}
    columns = defaultdict(counts._Column)
    for work in records:
        if not work.is_canonical:
            continue
        members = clusters[work.cluster_id] if work.cluster_id else [work]
        earlier = any(m.search.phase == Phase.INITIAL for m in members)
        in_dbr = any(m.search.source_type in counts.DBR_TYPES for m in members)
        phase = Phase.INITIAL if earlier else work.search.phase
        kind = SourceType.DATABASE if in_dbr else work.search.source_type
        ta = statuses.get((work.pk, Stage.TITLE_ABSTRACT))
        ft = statuses.get((work.pk, Stage.FULL_TEXT))
        report = reports.get(work.pk)
        row = {
            "ta_outcome": ta.outcome if ta else None,
            "ft_outcome": ft.outcome if ft else None,
            "ft_reason": ft.final_reason_id if ft else None,
            "retrieval": report.retrieval if report else None,
            "study": report.study_id if report else None,
        }
        counts._tally(columns[counts._key(phase, kind)], row, 1)
    return dict(columns)


def recount_progress(review, stage):
    canonical = set(Record.objects.filter(review=review, is_canonical=True).values_list("pk"))
    rows = [
        s
        for s in RecordStatus.objects.filter(review=review, stage=stage).select_related(
            "final_reason"
        )
        if (s.record_id,) in canonical
    ]
    outcomes = Counter(s.outcome for s in rows)
    waiting = Counter(s.decisions_count for s in rows if s.outcome == Outcome.PENDING)
    reasons = Counter(
        s.final_reason.label if s.final_reason else "No reason given"
        for s in rows
        if s.outcome == Outcome.EXCLUDED
    )
    return dict(outcomes), sorted(waiting.items()), sorted(reasons.items())


def standing(columns) -> dict:
    """Each column's figures, leaving out empty columns and reasons or studies counted 0."""
    out = {}
    for key, c in columns.items():
        figures = (
            c.works, c.ta_excluded, c.ta_pending, c.sought, c.not_retrieved, c.ft_pending,
            c.reports_included, c.unlinked_reports, +c.ft_excluded, +c.studies,
        )  # fmt: skip
        if any(figures):
            out[key] = figures
    return out


def assert_matches_recount(review, monkeypatch) -> counts.Flow:
    # Each status and report keeps its record's search: the fast counts read it there.
    for model in (RecordStatus, Report):
        rows = model.objects.filter(review=review)
        assert rows.exists() == rows.filter(search=F("record__search")).exists()
        assert not rows.exclude(search=F("record__search")).exists(), model.__name__
    # Every column, the earlier phase's too (the diagram shows only some of their figures).
    searches = counts._searches(review)
    assert standing(counts._columns(review, searches)) == standing(
        recount_columns(review, searches)
    )
    fast = counts.flow_for(review)
    with monkeypatch.context() as patched:
        patched.setattr(counts, "_columns", recount_columns)
        slow = counts.flow_for(review)
    assert fast.counts == slow.counts
    assert (fast.awaiting_screening, fast.awaiting_full_text) == (
        slow.awaiting_screening,
        slow.awaiting_full_text,
    )
    for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT):
        team = decisions.team_progress(review, stage)
        outcomes, waiting, reasons = recount_progress(review, stage)
        assert {k: v for k, v in team.outcomes.items() if v} == outcomes
        assert team.records == sum(outcomes.values())
        assert team.by_decisions == waiting
        assert sorted(team.reasons) == reasons
    return fast


@pytest.mark.django_db(transaction=False)
def test_fast_counts_equal_a_recount_through_a_reviews_life(team, monkeypatch, tmp_path):
    review, lead, rita, remy, ada = (
        team.review,
        team.lead,
        team.reviewer1,
        team.reviewer2,
        team.adjudicator,
    )
    ta_reason = ExclusionReason.objects.create(
        review=review, stage=Stage.TITLE_ABSTRACT, label="Wrong population"
    )
    ft_reason = ExclusionReason.objects.create(
        review=review, stage=Stage.FULL_TEXT, label="Wrong design"
    )
    check = lambda: assert_matches_recount(review, monkeypatch)  # noqa: E731
    check()  # an empty review

    # Imports: two databases finding some of the same works.
    medline = imports.create_search(review, lead, source="MEDLINE", query="q")
    embase = imports.create_search(review, lead, source="Embase", query="q")
    works = [(f"Study number {i} of protected time", f"10.1000/s{i}", 2010 + i) for i in range(12)]
    assert imports.import_file_now(medline, ris(*works[:9]), "m.ris", user=lead).status == "done"
    assert imports.import_file_now(embase, ris(*works[6:]), "e.ris", user=lead).status == "done"
    flow = check()
    assert flow.counts.database_results == 15 and flow.awaiting_screening == 15

    # De-duplication merges the three works both found; a lead merges two more, then undoes it.
    dedup.run_dedup(review)
    assert check().counts.duplicates == 3
    first, second = Record.objects.filter(search=medline).order_by("pk")[:2]
    undone = dedup.merge([first, second], by=lead)
    assert check().counts.duplicates == 4
    dedup.split(undone, by=lead)
    assert check().counts.duplicates == 3

    # Title/abstract: agreement both ways, a conflict adjudicated, one left half-decided.
    canonical = list(Record.objects.filter(review=review, is_canonical=True).order_by("pk"))
    for record in canonical[:4]:
        decisions.decide(record, rita, "include")
        decisions.decide(record, remy, "include")
    for record in canonical[4:8]:
        decisions.decide(record, rita, "exclude", reason=ta_reason)
        decisions.decide(record, remy, "exclude", reason=ta_reason)
    disputed = canonical[8]
    decisions.decide(disputed, rita, "include")
    decisions.decide(disputed, remy, "exclude", reason=ta_reason)
    decisions.decide(canonical[9], rita, "exclude")
    flow = check()
    assert flow.counts.records_excluded == 4
    conflict = Conflict.objects.get(record=disputed)
    conflicts.escalate(conflict, rita, "Include or exclude?")
    conflicts.adjudicate(conflict, ada, "include", note="In scope.")
    assert check().counts.dbr_sought_reports == 5
    # Two works excluded by both reviewers turn out to be one: the duplicate keeps its status.
    dedup.merge([canonical[6], canonical[7]], by=lead)
    assert RecordStatus.objects.filter(
        record__is_canonical=False, outcome=Outcome.EXCLUDED, stage=Stage.TITLE_ABSTRACT
    ).exists()
    flow = check()
    assert (flow.counts.duplicates, flow.counts.records_excluded) == (4, 3)

    # Full text: included, excluded with a reason, not retrieved, one still to assess.
    reports = list(Report.objects.filter(review=review).order_by("pk"))
    reports[0] = fulltext.attach_link(reports[0], "https://example.org/a.pdf", lead)
    fulltext.assess(reports[0], rita, "include")
    fulltext.assess(reports[0], remy, "include")
    reports[1] = fulltext.attach_link(reports[1], "https://example.org/b.pdf", lead)
    fulltext.assess(reports[1], rita, "exclude", reason=ft_reason)
    fulltext.assess(reports[1], remy, "exclude", reason=ft_reason)
    fulltext.mark_not_retrieved(reports[2], "Paywalled", lead)
    flow = check()
    assert (flow.counts.new_reports, flow.counts.dbr_notretrieved_reports) == (1, 1)
    assert flow.counts.dbr_excluded == [("Wrong design", 1)]

    # A lead sends an included record back to screening.
    decisions.reopen(canonical[3], Stage.TITLE_ABSTRACT, by=lead, reason="Check the population")
    check()
    # ... and both reviewers now exclude it: excluded at title/abstract, its report kept.
    decisions.decide(canonical[3], rita, "exclude", reason=ta_reason)
    decisions.decide(canonical[3], remy, "exclude", reason=ta_reason)
    assert Report.objects.filter(record=canonical[3]).exists()
    flow = check()
    assert flow.counts.dbr_sought_reports == 5

    # An update search finding two earlier works again and two new ones, and citation
    # searching finding one database work and one of its own.
    update = imports.create_search(review, lead, source="MEDLINE", query="q", phase=Phase.UPDATE)
    later = [(f"Update study {i} on mentoring", f"10.1000/u{i}", 2024) for i in range(2)]
    assert (
        imports.import_file_now(update, ris(works[0], works[5], *later), "u.ris", user=lead).status
        == "done"
    )
    citations = imports.create_search(
        review, lead, source="Citation searching", source_type=SourceType.CITATION
    )
    snowball = [works[1], ("Snowballed study on time", "10.1000/c1", 2015)]
    assert imports.import_file_now(citations, ris(*snowball), "c.ris", user=lead).status == "done"
    check()
    dedup.run_dedup(review)
    flow = check()
    assert flow.counts.database_results == 4 and flow.counts.duplicates == 2
    assert flow.counts.previous_reports == 1
    newcomers = Record.objects.filter(review=review, search=update, is_canonical=True)
    for record in newcomers:
        decisions.decide(record, rita, "exclude", reason=ta_reason)
        decisions.decide(record, remy, "exclude", reason=ta_reason)
    # Both new works turn out to be one (the duplicate keeps its exclusion).
    dedup.merge(list(newcomers), by=lead)
    assert check().counts.records_excluded == 1
    # Undo the update's merges: its records become works of their own again.
    for cluster in DuplicateCluster.objects.filter(members__search=update).distinct():
        dedup.split(cluster, by=lead)
    assert check().counts.duplicates == 0
    # Two works both sought at full text turn out to be one: the duplicate keeps its inclusion
    # and its report, and is no longer a work of its own.
    dedup.merge([canonical[2], disputed], by=lead)
    assert Report.objects.filter(record__is_canonical=False).exists()
    check()

    # A screening history from ASReview: its records and outcomes through the decisions' paths
    # (one included, so a report is sought for it).
    labels = (
        b"title,abstract,label_included,authors,year,doi\n"
        b'Mentoring in the history,About mentors.,1,"Ng, A",2019,10.1000/h1\n'
        b'Coaching in the history,About coaches.,0,"Ng, B",2018,10.1000/h2\n'
        b'Unlabelled in the history,About nothing.,,"Ng, C",2017,10.1000/h3\n'
    )

    def sought_in_the_initial_phase() -> int:
        return counts._columns(review, counts._searches(review))[Phase.INITIAL, "dbr"].sought

    sought = sought_in_the_initial_phase()
    history = transfer.read("asreview", labels, "labels.csv")
    assert transfer.import_history(review, history, {}, by=lead).outcomes == 2
    check()
    assert sought_in_the_initial_phase() == sought + 1
    # An inclusion whose report is missing (data from before reports were sought on inclusion)
    # still counts as sought: it is found by its status, not its report.
    Report.objects.filter(record__title="Mentoring in the history").delete()
    flow = check()
    assert sought_in_the_initial_phase() == sought + 1

    # Backed up and restored as a new review; and from an archive written before statuses and
    # reports kept their record's search (restore reads it from the restored records).
    archive = tmp_path / "review.zip"
    backup.export_review(review, archive)
    restored, _ = backup.import_review(archive, slug="restored")
    assert assert_matches_recount(restored, monkeypatch).counts == flow.counts
    with zipfile.ZipFile(archive) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    data = json.loads(entries["data.json"])
    for label in ("screening.recordstatus", "screening.report"):
        assert all(row["fields"].pop("search") for row in data["objects"][label])
    entries["data.json"] = json.dumps(data).encode()
    older = tmp_path / "older.zip"
    with zipfile.ZipFile(older, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    restored, _ = backup.import_review(older, slug="restored-older")
    assert assert_matches_recount(restored, monkeypatch).counts == flow.counts

    # A search deleted: its records go, and their statuses and report with them.
    history_search = Record.objects.get(review=review, title="Mentoring in the history").search
    history_search.delete()
    check()
    assert sought_in_the_initial_phase() == sought
