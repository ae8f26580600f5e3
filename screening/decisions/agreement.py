"""Inter-rater agreement: pure functions over plain data (no Django, no ORM).

Reviewers may screen different subsets of the records (a split pool), so every statistic is
computed on what was actually rated: Cohen's kappa per pair on the records both decided,
Fleiss' kappa over records with the same number of ratings, and Krippendorff's alpha (nominal),
which handles missing ratings directly.

References used by the tests: Cohen (1960); Fleiss (1971) and its worked example on Wikipedia;
Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the nominal example with
missing data (alpha = 0.743).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations

Value = Hashable


@dataclass(frozen=True)
class PairAgreement:
    """Two raters on the items both rated."""

    rater_a: Hashable
    rater_b: Hashable
    categories: tuple[Value, ...]
    # table[i][j]: items rater_a put in categories[i] and rater_b in categories[j].
    table: tuple[tuple[int, ...], ...]
    n: int
    percent_agreement: float | None
    kappa: float | None

    def rows(self) -> list[tuple[Value, list[int]]]:
        return [(c, list(r)) for c, r in zip(self.categories, self.table, strict=True)]


@dataclass
class AgreementSummary:
    pairs: list[PairAgreement] = field(default_factory=list)
    raters: int = 0
    items: int = 0
    fleiss_kappa: float | None = None
    fleiss_items: int = 0
    krippendorff_alpha: float | None = None
    alpha_items: int = 0


def confusion_table(
    pairs: Iterable[tuple[Value, Value]], categories: Sequence[Value]
) -> list[list[int]]:
    index = {c: i for i, c in enumerate(categories)}
    table = [[0] * len(categories) for _ in categories]
    for a, b in pairs:
        table[index[a]][index[b]] += 1
    return table


def percent_agreement(table: Sequence[Sequence[int]]) -> float | None:
    n = sum(map(sum, table))
    if not n:
        return None
    return sum(table[i][i] for i in range(len(table))) / n


def cohen_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Cohen's kappa from a square table of counts; None when undefined (no items).

    When chance agreement is total (both raters used one and the same category throughout)
    kappa is 0/0; we report 1.0 for perfect observed agreement in that case, as the raters
    never disagreed, and say so in the interface.
    """
    n = sum(map(sum, table))
    if not n:
        return None
    k = len(table)
    observed = sum(table[i][i] for i in range(k)) / n
    rows = [sum(table[i]) / n for i in range(k)]
    cols = [sum(table[i][j] for i in range(k)) / n for j in range(k)]
    expected = sum(r * c for r, c in zip(rows, cols, strict=True))
    if expected == 1:
        return 1.0 if observed == 1 else None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(items: Sequence[Mapping[Value, int]]) -> float | None:
    """Fleiss' kappa: each item maps category -> number of raters who chose it.

    Every item must have the same number of ratings (at least two); the raters may differ.
    """
    return _fleiss([(item, 1) for item in items])


def _fleiss(items: Sequence[tuple[Mapping[Value, int], int]]) -> float | None:
    """fleiss_kappa over (item, how many items rated just so)."""
    items = [(i, w) for i, w in items if sum(i.values()) and w]
    if not items:
        return None
    n = sum(items[0][0].values())
    if n < 2 or any(sum(i.values()) != n for i, _w in items):
        raise ValueError("Fleiss' kappa needs the same number (≥ 2) of ratings on every item")
    count = sum(w for _i, w in items)
    total = count * n
    categories = {c for i, _w in items for c in i}
    p_j = {c: sum(i.get(c, 0) * w for i, w in items) / total for c in categories}
    p_bar = sum(w * (sum(v * v for v in i.values()) - n) / (n * (n - 1)) for i, w in items) / count
    p_e = sum(p * p for p in p_j.values())
    if p_e == 1:
        return 1.0 if p_bar == 1 else None
    return (p_bar - p_e) / (1 - p_e)


def krippendorff_alpha_nominal(units: Iterable[Sequence[Value]]) -> float | None:
    """Krippendorff's alpha for nominal data; each unit lists the values it received.

    Missing ratings are simply absent; units with fewer than two values carry no information
    about agreement and are left out, as the coefficient prescribes.
    """
    return _alpha([(Counter(values), 1) for values in units])


def _alpha(units: Iterable[tuple[Mapping[Value, int], int]]) -> float | None:
    """krippendorff_alpha_nominal over (a unit's count of each value, how many units so)."""
    coincidence: Counter[tuple[Value, Value]] = Counter()
    for counts, w in units:
        m = sum(counts.values())
        if m < 2 or not w:
            continue
        for c, nc in counts.items():
            for k, nk in counts.items():
                pairs = nc * (nk - 1) if c == k else nc * nk
                if pairs:
                    coincidence[(c, k)] += w * pairs / (m - 1)
    n_c: Counter[Value] = Counter()
    for (c, _k), v in coincidence.items():
        n_c[c] += v
    n = sum(n_c.values())
    if n <= 1:
        return None
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k) / (n - 1)
    if expected == 0:
        return 1.0 if observed == 0 else None
    return 1 - observed / expected


Pattern = tuple[tuple[Value, int], ...]  # an item's ratings: (value, how many), by value


@dataclass
class Tallies:
    """Ratings counted instead of listed, as a database can count them: everything the
    statistics need, whatever the number of items.

    pairs: {(rater a, rater b): {(a's value, b's value): items}}, each pair of raters once;
    patterns: {an item's ratings as a Pattern: items rated so}."""

    raters: set = field(default_factory=set)
    items: int = 0
    pairs: dict[tuple, Counter] = field(default_factory=dict)
    patterns: Counter = field(default_factory=Counter)


def pattern_of(counts: Mapping[Value, int]) -> Pattern:
    """An item's ratings as a Pattern, from how many raters gave each value."""
    return tuple(sorted(((v, n) for v, n in counts.items() if n), key=lambda vn: str(vn[0])))


def tally(ratings: Mapping[Hashable, Mapping[Hashable, Value]]) -> Tallies:
    """The Tallies of ratings given as {item: {rater: value}}."""
    out = Tallies(items=len(ratings))
    for by_rater in ratings.values():
        out.raters.update(by_rater)
        out.patterns[pattern_of(Counter(by_rater.values()))] += 1
        for a, b in combinations(sorted(by_rater, key=str), 2):
            out.pairs.setdefault((a, b), Counter())[by_rater[a], by_rater[b]] += 1
    return out


def summarise(
    ratings: Mapping[Hashable, Mapping[Hashable, Value]], categories: Sequence[Value]
) -> AgreementSummary:
    """All the statistics for ratings given as {item: {rater: value}}.

    Pairs are reported for every two raters who rated at least one item in common, on those
    common items only; Fleiss' kappa uses the items with the most common number of ratings.
    """
    return summarise_tallies(tally(ratings), categories)


def summarise_tallies(tallies: Tallies, categories: Sequence[Value]) -> AgreementSummary:
    """summarise, from ratings already counted (Tallies): pairs in the order of their raters
    (as text), each table with the first rater's values as rows."""
    raters = sorted(tallies.raters, key=str)
    summary = AgreementSummary(raters=len(raters), items=tallies.items)
    place = {r: i for i, r in enumerate(raters)}
    common: dict[tuple, Counter] = {}
    for (a, b), counts in tallies.pairs.items():
        if place[a] > place[b]:  # counted the other way round: turn the table over
            a, b, counts = b, a, Counter({(vb, va): n for (va, vb), n in counts.items()})
        common.setdefault((a, b), Counter()).update(counts)
    for a, b in sorted(common, key=lambda pair: (place[pair[0]], place[pair[1]])):
        table = confusion_table(common[a, b].elements(), categories)
        summary.pairs.append(
            PairAgreement(
                rater_a=a,
                rater_b=b,
                categories=tuple(categories),
                table=tuple(tuple(r) for r in table),
                n=sum(map(sum, table)),
                percent_agreement=percent_agreement(table),
                kappa=cohen_kappa(table),
            )
        )
    rated = [(dict(p), w) for p, w in tallies.patterns.items() if sum(n for _v, n in p) >= 2]
    summary.alpha_items = sum(w for _p, w in rated)
    summary.krippendorff_alpha = _alpha(rated)
    if rated:
        by_size: Counter[int] = Counter()
        for p, w in rated:
            by_size[sum(p.values())] += w
        # The most common number of ratings; on a tie, the smaller (more items reach it).
        modal = max(by_size, key=lambda m: (by_size[m], -m))
        same = [(p, w) for p, w in rated if sum(p.values()) == modal]
        summary.fleiss_items = sum(w for _p, w in same)
        summary.fleiss_kappa = _fleiss(same)
    return summary


def as_data(summary: AgreementSummary) -> dict:
    """The summary as JSON-ready data (kept by a background job; from_data reads it back)."""
    return asdict(summary)


def from_data(data: Mapping) -> AgreementSummary:
    """The AgreementSummary that as_data gave, equal to the one it was given."""
    pairs = [
        PairAgreement(
            **{
                **pair,
                "categories": tuple(pair["categories"]),
                "table": tuple(tuple(row) for row in pair["table"]),
            }
        )
        for pair in data.get("pairs", [])
    ]
    return AgreementSummary(**{**data, "pairs": pairs})
