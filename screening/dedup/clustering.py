"""From judged pairs to duplicate groups: certain pairs are joined strongest first, and two
groups only when every member of one is compatible with every member of the other, so a chain
of weak links never glues different works together."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from .authors import author_similarity
from .records import PreparedRecord, title_similarity
from .rules import DIFFERENT, Verdict, compare

Judged = tuple[float, int, int, list[str]]  # score, record index, record index, reasons


def may_share_a_cluster(a: PreparedRecord, b: PreparedRecord, v: Verdict) -> bool:
    """Inside one cluster every member must at least not contradict every other member: a
    pair judged different may stand in one only where its titles are alike (a record with
    garbled fields) and its authors are not other people, or where it shares a DOI."""
    if v.hard_conflict:
        return False
    if v.kind != DIFFERENT or "same DOI" in v.reasons:
        return True
    t = title_similarity(a, b) if a.titles and b.titles else 1.0
    return t >= 0.8 and not _other_people(a, b)


def _other_people(a: PreparedRecord, b: PreparedRecord) -> bool:
    """Both records name their authors, in Latin letters, and no author of one is among the
    other's: a like title is then a shared column or topic, not a garbled record. (Names in
    another script may be the same people transliterated: those say nothing here.)"""
    if not (a.surnames and b.surnames):
        return False
    if not all(x.surname.isascii() for x in (*a.surnames, *b.surnames)):
        return False
    return author_similarity(a.surnames, b.surnames) == 0.0


@dataclass
class Groups:
    """Union-find over groups that keep their member lists, so compatibility can be checked."""

    preps: list[PreparedRecord]
    blocked: set[frozenset]
    cache: dict[tuple[int, int], bool]
    parent: list[int] = field(init=False)
    members: dict[int, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.parent = list(range(len(self.preps)))
        self.members = {i: [i] for i in range(len(self.preps))}

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return
        if len(self.members[rx]) < len(self.members[ry]):
            rx, ry = ry, rx
        self.parent[ry] = rx
        self.members[rx].extend(self.members.pop(ry))

    def _compatible(self, i: int, j: int) -> bool:
        key = (i, j) if i < j else (j, i)
        if key not in self.cache:
            a, b = self.preps[i], self.preps[j]
            self.cache[key] = may_share_a_cluster(a, b, compare(a, b))
        return self.cache[key]

    def compatible_groups(self, rx: int, ry: int) -> bool:
        for x in self.members[rx]:
            for y in self.members[ry]:
                if frozenset((self.preps[x].id, self.preps[y].id)) in self.blocked:
                    return False
                if not self._compatible(x, y):
                    return False
        return True

    def join_certain(self, certain: list[Judged]) -> list[Judged]:
        """Join the certain pairs strongest first; returns those refused, for a person."""
        rejected: list[Judged] = []
        for score, i, j, reasons in sorted(certain, key=lambda e: (-e[0], e[1], e[2])):
            ri, rj = self.find(i), self.find(j)
            if ri == rj:
                continue
            if self.compatible_groups(ri, rj):
                self.union(ri, rj)
            else:
                rejected.append(
                    (score, i, j, [*reasons, "conflicts with another member of the group"])
                )
        return rejected

    def clusters(self) -> list[set]:
        return [{self.preps[m].id for m in g} for g in self.members.values() if len(g) >= 2]

    def questions(self, pairs: list[Judged]) -> list[tuple[Hashable, Hashable, float, list[str]]]:
        """One question per pair of groups: the answer applies to the whole group."""
        out = []
        seen_groups: set[frozenset[int]] = set()
        for score, i, j, reasons in sorted(pairs, key=lambda e: (-e[0], e[1], e[2])):
            ri, rj = self.find(i), self.find(j)
            if ri == rj:
                continue
            key = frozenset((ri, rj))
            if key in seen_groups:
                continue
            seen_groups.add(key)
            out.append((self.preps[i].id, self.preps[j].id, score, reasons))
        return out
