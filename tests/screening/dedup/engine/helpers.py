"""Small inline records for the matching tests, and what the engine made of a pair."""

from __future__ import annotations

from itertools import count

from screening.dedup.engine import find_duplicates

_ids = count(1)


def record(**fields) -> dict:
    """A parsed record with every field the engine reads, blank unless given."""
    base = {
        "id": next(_ids),
        "title": "",
        "title_alt": "",
        "abstract": "",
        "authors": [],
        "year": None,
        "journal": "",
        "volume": "",
        "issue": "",
        "pages": "",
        "doi": "",
        "pmid": "",
        "other_ids": {},
        "publication_type": "",
        "language": "",
    }
    return base | fields


def merged(a: dict, b: dict, **kwargs) -> bool:
    result = find_duplicates([a, b], **kwargs)
    return any({a["id"], b["id"]} <= c for c in result.clusters)


def queued(a: dict, b: dict, **kwargs) -> bool:
    result = find_duplicates([a, b], **kwargs)
    return any({p.a, p.b} == {a["id"], b["id"]} for p in result.uncertain)
