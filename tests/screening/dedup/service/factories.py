"""Records that are (or are not) the same work, as two databases export them."""

from __future__ import annotations

from screening.models import Phase, Record, Search
from tests.factories import RecordFactory, SearchFactory

TITLE = "Protected research time for nurses: a randomised controlled trial"


def search(review, source: str = "MEDLINE", phase: str = Phase.INITIAL) -> Search:
    return SearchFactory(review=review, source=source, phase=phase)


def article(search: Search, **fields) -> Record:
    """One journal article; pass fields to make it a variant (another database's export)."""
    values = {
        "title": TITLE,
        "authors": ["Smith, Jane", "Lee, Kim"],
        "year": 2019,
        "journal": "Nurse Education Today",
        "volume": "72",
        "issue": "3",
        "pages": "101-108",
        "doi": "10.1016/j.nedt.2019.01.004",
        "abstract": "",
    }
    values.update(fields)
    return RecordFactory(search=search, **values)


def pair_of_searches(review) -> tuple[Search, Search]:
    return search(review, "MEDLINE"), search(review, "Embase")


TOPICS = [
    ("Mentoring clinicians into research", "Okafor"), ("Protected time for audit", "Nguyen"),
    ("Journal clubs in rural hospitals", "Schmidt"), ("Research champions on wards", "Rossi"),
    ("Funding allied health doctorates", "Kowalski"), ("Peer review training for midwives", "Haddad"),
    ("Embedded researchers in primary care", "Tanaka"), ("Paramedic engagement with trials", "Silva"),
    ("Library support for clinical questions", "Dubois"), ("Writing retreats for physiotherapists", "Ivanova"),
    ("Pharmacist-led practice research networks", "Murphy"), ("Clinical academic careers for radiographers", "Kim"),
    ("Nurse consultants and research capacity", "Andersen"), ("Dietitians appraising evidence", "Costa"),
    ("Research culture in mental health teams", "Novak"), ("Secondments into university departments", "Price"),
]  # fmt: skip


def uncertain_pair(review, n: int = 0) -> tuple[Record, Record]:
    """Two records the engine is unsure about: near-identical titles, nothing else to go on.

    Each `n` gives an unrelated pair."""
    topic, surname = TOPICS[n]
    medline, embase = pair_of_searches(review)
    common = {"authors": [f"{surname}, Ann"], "doi": "", "journal": "", "volume": "", "issue": ""}
    a = article(
        medline, title=f"{topic}: a prospective multicentre cohort study", pages="", **common
    )
    b = article(
        embase, title=f"{topic}: a prospective multicentre cohort analysis", pages="", **common
    )
    return a, b
