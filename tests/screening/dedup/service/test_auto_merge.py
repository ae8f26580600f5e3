"""The same article exported by two databases is merged into one cluster automatically."""

from __future__ import annotations

from screening.dedup.service import run_dedup
from screening.models import DuplicateCluster, Record

from .factories import article, pair_of_searches


def test_doi_duplicates_from_two_searches_are_merged_into_one_cluster(team):
    medline, embase = pair_of_searches(team.review)
    a = article(medline, abstract="")
    b = article(embase, doi="https://doi.org/10.1016/J.NEDT.2019.01.004", abstract="Background...")
    other = article(medline, title="Something else entirely", doi="10.1/other", authors=["X, Y"])

    report = run_dedup(team.review, user=team.lead)

    assert (report.clusters_found, report.auto_merged, report.duplicates_removed) == (1, 2, 1)
    cluster = DuplicateCluster.objects.get(review=team.review)
    assert set(cluster.members.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert cluster.method == "auto"
    # the most complete record (with the abstract) is the one screened
    assert cluster.canonical_id == b.pk
    assert list(Record.objects.filter(review=team.review).canonical().order_by("pk")) == [
        b,
        other,
    ]
    a.refresh_from_db()
    assert (a.is_canonical, a.cluster_id, a.cluster_key) == (False, cluster.pk, b.pk)


def test_the_canonical_record_takes_the_empty_fields_from_the_other_members(team):
    medline, embase = pair_of_searches(team.review)
    article(medline, abstract="A long abstract from MEDLINE.", pages="", issue="")
    b = article(embase, abstract="", pages="101-8", pmid="30712345", keywords=["nursing"])

    run_dedup(team.review)

    cluster = DuplicateCluster.objects.get(review=team.review)
    assert cluster.canonical_id == b.pk  # more fields filled in
    b.refresh_from_db()
    assert (b.abstract, b.pages, b.pmid) == ("A long abstract from MEDLINE.", "101-8", "30712345")
    assert cluster.filled == {"abstract": ""}
