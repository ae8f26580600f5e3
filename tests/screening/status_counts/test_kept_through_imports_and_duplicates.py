"""The statuses' counts follow the bulk paths: imports (their statuses inserted a batch at a
time), de-duplication runs, merges and their undoing, and a screening history imported."""

from __future__ import annotations

from reviewapp.models import ExclusionReason, Stage
from screening.decisions import service as decisions
from screening.dedup import service as dedup
from screening.identification import imports
from screening.models import DuplicateCluster, Outcome, Record, RecordStatus
from screening.transfer import service as transfer
from tests.screening.transfer.helpers import fresh_review, screened

from .helpers import assert_kept, live


def ris(*works: tuple[str, str, int]) -> bytes:
    return "".join(
        f"TY  - JOUR\nTI  - {title}\nDO  - {doi}\nPY  - {year}\nER  - \n\n"
        for title, doi, year in works
    ).encode()


def test_counts_follow_imports_merges_and_splits(team):
    review, lead, rita, remy = team.review, team.lead, team.reviewer1, team.reviewer2
    excluded = ExclusionReason.objects.create(
        review=review, stage=Stage.TITLE_ABSTRACT, label="Wrong population"
    )
    medline = imports.create_search(review, lead, source="MEDLINE", query="q")
    embase = imports.create_search(review, lead, source="Embase", query="q")
    works = [(f"Study number {i} of protected time", f"10.1000/s{i}", 2010 + i) for i in range(8)]
    assert imports.import_file_now(medline, ris(*works[:6]), "m.ris", user=lead).status == "done"
    assert imports.import_file_now(embase, ris(*works[4:]), "e.ris", user=lead).status == "done"
    assert_kept(review)
    dedup.run_dedup(review)
    assert_kept(review)

    canonical = list(Record.objects.filter(review=review, is_canonical=True).order_by("pk"))
    for record in canonical[:2]:
        decisions.decide(record, rita, "exclude", reason=excluded)
        decisions.decide(record, remy, "exclude", reason=excluded)
    decisions.decide(canonical[2], rita, "include")
    decisions.decide(canonical[2], remy, "include")
    assert_kept(review)
    # Two excluded works are one; a lead merges an unscreened one in too, then undoes it all.
    cluster = dedup.merge([canonical[0], canonical[1], canonical[3]], by=lead)
    assert_kept(review)
    dedup.split(cluster, by=lead)
    assert_kept(review)
    for cluster in DuplicateCluster.objects.filter(review=review):
        dedup.split(cluster, by=lead)
    assert_kept(review)
    assert live(review.pk, Stage.TITLE_ABSTRACT)[(Outcome.EXCLUDED, excluded.pk)] == 2
    assert (
        sum(live(review.pk, Stage.TITLE_ABSTRACT).values())
        == RecordStatus.objects.filter(review=review, stage=Stage.TITLE_ABSTRACT).count()
    )


def test_counts_follow_a_screening_history_imported(team):
    screened(team)
    data = "".join(transfer.export(team.review, "rayyan-ris", None, is_lead=True)).encode()
    target = fresh_review(team)
    history = transfer.read("rayyan", data, "export.ris")
    mapping = transfer.preview(target, history).suggested
    transfer.import_history(target, history, mapping, by=team.lead)
    assert_kept(team.review)
    assert_kept(target)
    assert live(target.pk, Stage.TITLE_ABSTRACT)  # the history brought statuses


def test_counts_follow_labels_imported_into_the_same_review(team):
    screened(team)
    labels = (
        b"title,abstract,label_included,authors,year,doi\n"
        b'Mentoring in the history,About mentors.,1,"Ng, A",2019,10.1000/h1\n'
        b'Coaching in the history,About coaches.,0,"Ng, B",2018,10.1000/h2\n'
    )
    history = transfer.read("asreview", labels, "labels.csv")
    assert transfer.import_history(team.review, history, {}, by=team.lead).outcomes == 2
    assert_kept(team.review)
