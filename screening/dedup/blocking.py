"""Candidate generation (blocking): only records that share a cheap key are compared, so the
cost grows close to linearly with the number of records."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from .normalise import compact
from .records import PreparedRecord

_MAX_BLOCK = 60  # a block bigger than this is too common to be a useful key (e.g. "wang 2012")
_COMMON = {"and", "of", "the", "in", "with", "for", "a", "an", "on", "to", "by", "from", "at",
           "patients", "study", "after", "or", "is", "are", "as", "its", "their", "during"}  # fmt: skip


def block_keys(p: PreparedRecord) -> set[tuple]:
    keys: set[tuple] = set()
    if p.doi:
        keys.add(("doi", p.doi))
    if p.pmid:
        keys.add(("pmid", p.pmid))
    for k, v in p.other_ids:
        keys.add(("id", k, v))
    for title in p.titles:
        c = compact(title)
        if len(c) >= 8:
            keys.add(("t0", c[:18]))
            keys.add(("t1", c[-18:]))
            if len(c) > 40:
                mid = len(c) // 2
                keys.add(("tm", c[mid - 9 : mid + 9]))
        words = sorted(
            {w for w in title.split() if w not in _COMMON and len(w) > 2},
            key=lambda w: (-len(w), w),
        )
        if len(words) >= 3:
            keys.add(("tw", *sorted(words[:3])))
    if p.surnames and p.year:
        keys.add(("ay", p.surnames[0].surname, p.year))
    if p.volume and p.first_page:
        keys.add(("vp", p.volume, p.first_page))
    if p.year and p.first_page and len(p.first_page) >= 2:
        keys.add(("yp", p.year, p.first_page))
    return keys


def candidate_pairs(preps: list[PreparedRecord]) -> set[tuple[int, int]]:
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(preps):
        for key in block_keys(p):
            blocks[key].append(i)
    pairs: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        if len(members) > _MAX_BLOCK and key[0] not in {"doi", "pmid", "id"}:
            continue
        for i, j in combinations(members, 2):
            pairs.add((i, j) if i < j else (j, i))
    return pairs
