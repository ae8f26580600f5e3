"""Property tests (hypothesis) of the incremental de-duplication (issue 29): running twice is
running once, and two imports de-duplicated one after the other give the same clusters and the
same queue in either order, and as the two de-duplicated together.

Records are drawn from a few works, each exported with the changes databases make (case, no DOI,
no pages, an abbreviated journal, a reworded title, nothing but title, authors and year), so runs merge some and queue others.
Where order does matter is said in the README (de-duplication): the canonical record of a
cluster, and a blocking key that grows too common between two runs.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.dedup.service import run_dedup
from screening.models import DuplicateCandidate, Record
from tests.factories import RecordFactory, ReviewFactory, SearchFactory

pytestmark = pytest.mark.django_db

WORKS = [
    {
        "title": "Protected research time for nurses: a randomised controlled trial",
        "authors": ["Smith, Jane", "Lee, Kim"],
        "year": 2019,
        "journal": "Nurse Education Today",
        "volume": "72",
        "issue": "3",
        "pages": "101-108",
        "doi": "10.1016/j.nedt.2019.01.004",
    },
    {
        "title": "Journal clubs in rural hospitals: a prospective multicentre cohort study",
        "authors": ["Schmidt, Ann"],
        "year": 2021,
        "journal": "Journal of Advanced Nursing",
        "volume": "77",
        "issue": "2",
        "pages": "455-463",
        "doi": "10.1111/jan.14601",
    },
    {
        "title": "Research champions on wards: a qualitative study of allied health staff",
        "authors": ["Rossi, Marco", "Okafor, Chidi"],
        "year": 2020,
        "journal": "BMC Health Services Research",
        "volume": "20",
        "issue": "1",
        "pages": "88",
        "doi": "10.1186/s12913-020-4930-1",
    },
]
ABBREVIATED = {
    "Nurse Education Today": "Nurse Educ Today",
    "Journal of Advanced Nursing": "J Adv Nurs",
    "BMC Health Services Research": "BMC Health Serv Res",
}

variant = st.fixed_dictionaries(
    {
        "work": st.integers(0, len(WORKS) - 1),
        "case": st.sampled_from(["as is", "upper", "lower"]),
        "no_doi": st.booleans(),
        "no_pages": st.booleans(),
        "abbreviated": st.booleans(),
        "reworded": st.booleans(),
        "bare": st.booleans(),  # title, authors and year only: a pair the engine is unsure of
        "in_b": st.booleans(),  # which of the two imports it comes in
    }
)


def _fields(v: dict) -> dict:
    fields = dict(WORKS[v["work"]])
    title = fields["title"]
    if v["reworded"]:
        title = title.rsplit(" ", 1)[0] + " analysis"
    fields["title"] = {"as is": title, "upper": title.upper(), "lower": title.lower()}[v["case"]]
    if v["no_doi"]:
        fields["doi"] = ""
    if v["no_pages"]:
        fields["pages"] = ""
    if v["abbreviated"]:
        fields["journal"] = ABBREVIATED[fields["journal"]]
    if v["bare"]:
        fields.update(journal="", volume="", issue="", pages="", doi="")
    return fields


def _import(review, source: str, variants: list[tuple[int, dict]]) -> None:
    search = SearchFactory(review=review, source=source)
    for label, v in variants:
        RecordFactory(search=search, source_key=f"L{label}", abstract="", **_fields(v))


def _outcome(review) -> tuple[frozenset, frozenset]:
    """(clusters, open pairs), each as the labels of its records; the queue as pairs of the
    groups the two records are in (one question stands for its two groups)."""
    label = dict(Record.objects.filter(review=review).values_list("id", "source_key"))
    groups: dict[int, set] = {}
    for pk, cluster in Record.objects.filter(review=review).values_list("id", "cluster_id"):
        groups.setdefault(cluster or -pk, set()).add(label[pk])
    group_of = {m: frozenset(g) for g in groups.values() for m in g}
    clusters = frozenset(frozenset(g) for g in groups.values() if len(g) > 1)
    pairs = DuplicateCandidate.objects.filter(review=review, status="open")
    queue = frozenset(
        frozenset((group_of[label[a]], group_of[label[b]]))
        for a, b in pairs.values_list("record_a_id", "record_b_id")
    )
    return clusters, queue


def _everything(review) -> tuple:
    records = Record.objects.filter(review=review).order_by("pk").values()
    pairs = DuplicateCandidate.objects.filter(review=review).order_by("pk").values()
    return list(records), list(pairs)


examples = st.lists(variant, min_size=1, max_size=7)
FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(examples)
def test_running_twice_is_running_once(db, variants):
    review = ReviewFactory()
    _import(review, "MEDLINE", list(enumerate(variants)))
    run_dedup(review)
    once = _everything(review)

    again = run_dedup(review)

    assert (again.auto_merged, again.queued) == (0, 0)
    assert _everything(review) == once


@FAST
@given(examples)
def test_two_imports_give_the_same_clusters_and_queue_in_either_order(db, variants):
    a = [(i, v) for i, v in enumerate(variants) if not v["in_b"]]
    b = [(i, v) for i, v in enumerate(variants) if v["in_b"]]
    outcomes = []
    for first, second in ((a, b), (b, a)):
        review = ReviewFactory()
        _import(review, "first", first)
        run_dedup(review)
        _import(review, "second", second)
        run_dedup(review)
        outcomes.append(_outcome(review))
    together = ReviewFactory()
    _import(together, "first", a)
    _import(together, "second", b)
    run_dedup(together)

    assert outcomes[0] == outcomes[1] == _outcome(together)
