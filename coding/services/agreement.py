"""Agreement between two coders: presence/absence of each code per study (Cohen's kappa)
and the overlap of the passages they coded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from reviewapp.models import Review

from ..models import Coding
from .codebook import get_codebook, version_tree
from .codings import studies_for
from .tree import Node


def cohen_kappa(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    """Kappa of a 2×2 table; None when chance agreement is total (kappa is undefined)."""
    n = both + only_a + only_b + neither
    if n == 0:
        return None
    observed = (both + neither) / n
    yes_a, yes_b = (both + only_a) / n, (both + only_b) / n
    expected = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _length(spans: list[tuple[int, int]]) -> int:
    return sum(e - s for s, e in spans)


def _intersection(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        total += max(0, hi - lo)
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


@dataclass
class CodeAgreement:
    node: Node
    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0
    overlap_chars: int = 0
    union_chars: int = 0

    @property
    def studies(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def observed(self) -> float | None:
        return (self.both + self.neither) / self.studies if self.studies else None

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.both, self.only_a, self.only_b, self.neither)

    @property
    def overlap(self) -> float | None:
        """Characters both coded with this code over characters either did (Jaccard)."""
        return self.overlap_chars / self.union_chars if self.union_chars else None


@dataclass
class Agreement:
    coder_a: object
    coder_b: object
    study_ids: list[int]
    codes: list[CodeAgreement]

    @property
    def pooled(self) -> CodeAgreement | None:
        """All study × code cells together."""
        if not self.codes:
            return None
        total = CodeAgreement(self.codes[0].node)
        for row in self.codes:
            for f in ("both", "only_a", "only_b", "neither", "overlap_chars", "union_chars"):
                setattr(total, f, getattr(total, f) + getattr(row, f))
        return total


def agreement(review: Review, coder_a, coder_b, version=None) -> Agreement:
    """Compare two coders over the studies both have coded."""
    tree = version_tree(get_codebook(review), version)
    codings = list(
        Coding.objects.filter(
            review=review, coder__in=[coder_a, coder_b], study__in=studies_for(review)
        )
        .current()
        .values_list("coder_id", "study_id", "document_id", "code__key", "start", "end")
    )
    coded: dict[int, set[int]] = defaultdict(set)
    for coder_id, study_id, *_ in codings:
        coded[coder_id].add(study_id)
    shared = sorted(coded[coder_a.pk] & coded[coder_b.pk])
    present: dict[tuple[int, str, int], bool] = {}
    spans: dict[tuple[int, str, int | None, int], list[tuple[int, int]]] = defaultdict(list)
    for coder_id, study_id, document_id, key, start, end in codings:
        node = tree.resolve_key(str(key))
        if node is None or study_id not in shared:
            continue
        present[(coder_id, node.key, study_id)] = True
        if start is not None and end is not None:
            spans[(study_id, node.key, document_id, coder_id)].append((start, end))
    rows = []
    for node in tree:
        row = CodeAgreement(node)
        for study_id in shared:
            a = present.get((coder_a.pk, node.key, study_id), False)
            b = present.get((coder_b.pk, node.key, study_id), False)
            if a and b:
                row.both += 1
            elif a:
                row.only_a += 1
            elif b:
                row.only_b += 1
            else:
                row.neither += 1
        rows.append(row)
    by_row = {r.node.key: r for r in rows}
    documents = {(s, k, d) for (s, k, d, _c) in spans}
    for study_id, key, document_id in documents:
        a = _union(spans.get((study_id, key, document_id, coder_a.pk), []))
        b = _union(spans.get((study_id, key, document_id, coder_b.pk), []))
        inter = _intersection(a, b)
        by_row[key].overlap_chars += inter
        by_row[key].union_chars += _length(a) + _length(b) - inter
    return Agreement(coder_a, coder_b, shared, rows)
