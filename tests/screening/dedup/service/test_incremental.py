"""An import's de-duplication compares only its new (or edited) records with the review, through
the stored blocking keys, and answers as the whole review compared at once would (issue 29)."""

from __future__ import annotations

import json
from unittest import mock

from screening.dedup import incremental
from screening.dedup.records import prepare, to_plain
from screening.dedup.service import run_dedup
from screening.models import DedupKey, DedupPrepared, DuplicateCandidate, DuplicateCluster, Record

from .factories import article, pair_of_searches, search, uncertain_pair

JOURNAL = "American Journal of Transplantation"
TITLE = (
    "Anti-factor H autoantibodies in a renal transplant recipient with atypical uraemic syndrome"
)
NOTE = " [Erratum appears in Am J Transplant. 2009 Sep;9(9):2205]"


def _transplant(s, **fields):
    values = {
        "title": TITLE,
        "authors": ["Quintrec, M.", "Zuber, J.", "Noel, L. H.", "Thervet, E."],
        "year": 2009,
        "journal": JOURNAL,
        "volume": "9",
        "issue": "5",
        "pages": "1223-1229",
        "doi": "",
    }
    return article(s, **(values | fields))


def _unrelated(s, n: int, **fields):
    return article(
        s,
        title=f"Unrelated work number {n} on ward staffing",
        authors=[f"Author{n}, Ann"],
        year=1960 + n,
        doi=f"10.9/{n}",
        volume=str(n),
        pages=f"{n * 10 + 1}-{n * 10 + 5}",
        **fields,
    )


def _all_seen(review) -> bool:
    seen = DedupKey.objects.filter(key=incremental.key_hash(("seen", incremental.KEYS_VERSION)))
    return set(seen.values_list("record_id", flat=True)) == set(
        Record.objects.filter(review=review).values_list("pk", flat=True)
    )


def test_a_run_with_nothing_new_reads_no_record_and_changes_nothing(team):
    medline, embase = pair_of_searches(team.review)
    article(medline)
    article(embase, pages="")
    uncertain_pair(team.review)
    first = run_dedup(team.review)
    assert (first.auto_merged, first.queued) == (2, 1)

    with mock.patch.object(incremental, "prepare") as prepare:
        again = run_dedup(team.review)

    prepare.assert_not_called()
    assert (again.auto_merged, again.queued, again.clusters_found, again.open_pairs) == (0, 0, 1, 1)


def test_an_update_prepares_only_its_records_and_the_earlier_records_they_share_a_key_with(team):
    medline = search(team.review, "MEDLINE")
    original = article(medline)
    for n in range(30):
        _unrelated(medline, n)
    run_dedup(team.review)
    assert DedupKey.objects.filter(review=team.review).count() > 31 * 5
    assert _all_seen(team.review)

    update = article(search(team.review, "Update 2025"), pages="101-8")
    with (
        mock.patch.object(incremental, "prepare", wraps=incremental.prepare) as prepare,
        mock.patch.object(incremental, "from_plain", wraps=incremental.from_plain) as stored,
    ):
        report = run_dedup(team.review)

    # the new record is prepared; its one partner is read back as prepared when it was new
    assert [c.args[0]["id"] for c in prepare.call_args_list] == [update.pk]
    assert [c.args[0] for c in stored.call_args_list] == [original.pk]
    assert report.auto_merged == 2
    assert set(Record.objects.get(pk=update.pk).cluster.members.all()) == {original, update}


def test_an_edited_record_is_compared_again(team):
    medline, embase = pair_of_searches(team.review)
    a = article(medline)
    b = article(embase, title="A different study altogether", doi="", authors=["Brown, A"])
    assert run_dedup(team.review).clusters_found == 0

    # a correction of the record's fields (as an edit page or an API would make it)
    Record.objects.filter(pk=b.pk).update(title=a.title, doi=a.doi, authors=a.authors)
    incremental.forget([b])
    report = run_dedup(team.review)

    assert report.clusters_found == 1 and report.auto_merged == 2
    assert DedupKey.objects.filter(record=b).count() == DedupKey.objects.filter(record=a).count()


def test_new_keys_version_compares_the_whole_review_again_and_asks_nothing_twice(team, monkeypatch):
    medline, embase = pair_of_searches(team.review)
    article(medline)
    article(embase)
    for n in range(3):
        uncertain_pair(team.review, n)
    # a third record of the first uncertain work, a copy of one of the pair: they merge, and
    # the cluster is asked about the other record once
    a, _ = uncertain_pair(team.review, 0)
    Record.objects.filter(pk=a.pk).update(title=a.title.upper())
    first = run_dedup(team.review)
    assert first.queued == 3
    monkeypatch.setattr(incremental, "KEYS_VERSION", incremental.KEYS_VERSION + 1)

    report = run_dedup(team.review)

    assert (report.clusters_found, report.auto_merged, report.queued) == (
        first.clusters_found,
        0,
        0,
    )
    assert _all_seen(team.review)
    keys = DedupKey.objects.filter(review=team.review)
    assert keys.count() == keys.values("key", "record").distinct().count()  # no key twice


def test_an_erratum_cited_by_an_earlier_record_is_not_queued_with_it(team):
    s1 = search(team.review, "MEDLINE")
    _transplant(s1, title=TITLE + NOTE)
    run_dedup(team.review)

    # the erratum, exported later under the article's own title, where the note puts it
    _transplant(search(team.review, "Update"), issue="9", pages="2205")
    report = run_dedup(team.review)

    assert (report.auto_merged, report.queued) == (0, 0)


def test_an_article_citing_an_earlier_record_as_its_erratum_is_not_queued_with_it(team):
    _transplant(search(team.review, "MEDLINE"), issue="9", pages="2205")
    run_dedup(team.review)

    _transplant(search(team.review, "Update"), title=TITLE + NOTE)
    report = run_dedup(team.review)

    assert (report.auto_merged, report.queued) == (0, 0)


def test_without_the_note_the_same_pair_is_queued(team):
    # the control for the two tests above
    _transplant(search(team.review, "MEDLINE"), issue="9", pages="2205")
    run_dedup(team.review)
    _transplant(search(team.review, "Update"))
    assert run_dedup(team.review).queued == 1
    assert DuplicateCandidate.objects.count() == 1 and not DuplicateCluster.objects.exists()


def test_record_numbers_read_as_issues_stay_ignored_when_the_record_is_a_partner_later(team):
    # an EndNote export with the library's record numbers in the issue column...
    endnote = search(team.review, "EndNote library")
    for n in range(40):
        _unrelated(endnote, n, issue=str(1100 + n))
    place = {"authors": ["Okafor, C.", "Lindgren, P."], "year": 2011, "doi": "", "volume": "47"}
    place |= {"journal": "Revista de Neumologia Clinica", "pages": "120-126"}
    spanish = article(
        endnote,
        title="Drenaje pleural ambulatorio en el derrame maligno: estudio de cohorte",
        language="spa",
        issue="1041",
        **place,
    )
    run_dedup(team.review)

    # ...and the English record of the same article from MEDLINE, with its real issue
    english = article(
        search(team.review, "MEDLINE"),
        title="Ambulatory pleural drainage in malignant effusion: a cohort study",
        issue="5",
        **place,
    )
    report = run_dedup(team.review)

    assert report.auto_merged == 2
    assert Record.objects.get(pk=spanish.pk).cluster == Record.objects.get(pk=english.pk).cluster


def test_each_record_is_stored_as_prepared(team):
    medline = search(team.review, "MEDLINE")
    awkward = article(medline, title='Back\\slash, "quotes",\ttab and 中文 \\N', doi="")
    plain = article(medline, title="A plain title for a plain study", doi="10.1/x")
    run_dedup(team.review)

    for rec in (awkward, plain):
        row = Record.objects.filter(pk=rec.pk).values(*incremental.MATCH_FIELDS).get()
        stored = DedupPrepared.objects.get(pk=rec.pk)
        assert stored.version == incremental.KEYS_VERSION
        assert json.loads(stored.data) == to_plain(prepare(row))
