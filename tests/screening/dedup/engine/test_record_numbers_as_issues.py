"""An export that puts its library's record numbers in the issue column (EndNote does) must not
part every duplicate for "different issues", while real issue numbers still count."""

from __future__ import annotations

from screening.dedup.engine import find_duplicates

from .helpers import record

PLACE = {
    "authors": ["Okafor, C.", "Lindgren, P."],
    "year": 2011,
    "journal": "Revista de Neumologia Clinica",
    "volume": "47",
    "pages": "120-126",
}
SPANISH = "Drenaje pleural ambulatorio en el derrame maligno: estudio de cohorte"
ENGLISH = "Ambulatory pleural drainage in malignant effusion: a cohort study"


def _filler(n: int, issue_of) -> list[dict]:
    return [
        record(
            title=f"Unrelated trial number {i} of inhaled therapy in chronic airway disease",
            authors=[f"Author{i}, A."],
            year=2000 + i % 15,
            journal="Journal of Airway Medicine",
            volume=str(10 + i % 20),
            issue=issue_of(i),
            pages=f"{100 + 10 * i}-{105 + 10 * i}",
        )
        for i in range(n)
    ]


def _pair(issue_a: str, issue_b: str) -> tuple[dict, dict]:
    a = record(**PLACE | {"title": SPANISH, "issue": issue_a, "language": "spa"})
    b = record(**PLACE | {"title": ENGLISH, "issue": issue_b})
    return a, b


def test_record_numbers_in_the_issue_column_do_not_part_a_translated_duplicate():
    a, b = _pair("1041", "1042")
    result = find_duplicates([*_filler(60, lambda i: str(1100 + i)), a, b])
    assert any({a["id"], b["id"]} <= c for c in result.clusters)


def test_real_issue_numbers_still_part_two_articles_on_the_same_pages():
    a, b = _pair("3", "4")
    result = find_duplicates([*_filler(60, lambda i: str(1 + i % 6)), a, b])
    assert not any({a["id"], b["id"]} <= c for c in result.clusters)
