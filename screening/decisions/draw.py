"""Who screens which record, and in what order: pure functions of ids, no database.

A record goes to everyone taking part, or (the pool split) to one combination of the required
number of reviewers, the combinations taken in turn by record id; each reviewer meets their
records in their own random order, a hash of their seed and the record's id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import combinations

_MASK = (1 << 64) - 1


def reviewer_seed(review_id: int, reviewer_id: int) -> int:
    digest = hashlib.blake2b(f"{review_id}:{reviewer_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def sort_key(seed: int, record_id: int) -> int:
    """A reviewer's random position for a record: splitmix64 of (seed xor id), as a bigint."""
    z = (seed ^ record_id) + 0x9E3779B97F4A7C15 & _MASK
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & _MASK
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB & _MASK
    return (z ^ (z >> 31)) >> 1  # 63 bits: fits a signed bigint


def assignees(
    record_id: int, participants: Sequence[int], required: int, split: bool
) -> tuple[int, ...]:
    """The reviewers (user ids) a record goes to: everyone, or one balanced combination.

    With the pool split, records cycle through all combinations of `required` reviewers by
    record id, so each combination (and so each reviewer) gets an equal share.
    """
    people = sorted(participants)
    if not split or len(people) <= required:
        return tuple(people)
    combos = _combinations(tuple(people), required)
    return combos[record_id % len(combos)]


_COMBOS: dict[tuple[tuple[int, ...], int], list[tuple[int, ...]]] = {}


def _combinations(people: tuple[int, ...], k: int) -> list[tuple[int, ...]]:
    key = (people, k)
    if key not in _COMBOS:
        if len(_COMBOS) > 256:
            _COMBOS.clear()
        _COMBOS[key] = list(combinations(people, k))
    return _COMBOS[key]
