"""RIS: AU and A1 in one record are both authors, in file order; Ovid MEDLINE's RIS puts the
journal's NLM ID in IS (not an issue) and the PMID only in its link."""

from __future__ import annotations

import pytest

from .conftest import parse_bytes


def test_a1_and_au_authors_are_kept_in_file_order_once_each():
    data = (
        b"TY  - JOUR\nTI  - Mixed author tags\nA1  - Georgiev, Danko\nAU  - Bello, Leon\n"
        b"AU  - Carmi, Avishy\nA1  - Cohen, Eliahu\nAU  - cohen,  eliahu\nER  - \n"
    )
    records, _ = parse_bytes(data)
    assert records[0]["authors"] == [
        "Georgiev, Danko", "Bello, Leon", "Carmi, Avishy", "Cohen, Eliahu",
    ]  # fmt: skip


OVID_MEDLINE = """TY  - JOUR
TI  - An invented review of fire and sleep.
AU  - Zhang, San
T2  - Journal of invented results
PY  - 2024
DO  - 10.1000/invented.9
IS  - {issue}
SN  - 1234-5678
DB  - {database}
L2  - http://ovidsp.ovid.com/ovidweb.cgi?T=JS&PAGE=reference&D=med25&NEWS=N&AN=38111111
ER  -
"""


@pytest.mark.parametrize(
    "nlm_id", ["9439514, b6e", "uj0, 0330500", "101676033", "6dr, 2985151r", "0372347"]
)
def test_ovid_medline_ris_nlm_journal_id_is_not_an_issue(nlm_id):
    data = OVID_MEDLINE.format(issue=nlm_id, database="Ovid MEDLINE(R) <2023>").encode()
    records, _ = parse_bytes(data)
    assert records[0]["issue"] == ""
    assert f"IS  - {nlm_id}" in records[0]["raw"]


@pytest.mark.parametrize("issue", ["7", "Suppl 2", "6660", "Pt 1"])
def test_ovid_medline_ris_real_issues_are_kept(issue):
    data = OVID_MEDLINE.format(issue=issue, database="Ovid MEDLINE(R)").encode()
    records, _ = parse_bytes(data)
    assert records[0]["issue"] == issue


def test_ovid_medline_ris_pmid_comes_from_the_links_accession_number():
    data = OVID_MEDLINE.format(issue="7", database="Ovid MEDLINE(R) Epub Ahead of Print")
    records, _ = parse_bytes(data.encode())
    assert records[0]["pmid"] == "38111111"


def test_an_ovid_embase_accession_number_is_not_a_pmid():
    data = OVID_MEDLINE.format(issue="7", database="Embase <1974 to 2024>").replace("med25", "emed")
    records, _ = parse_bytes(data.encode())
    assert records[0]["pmid"] == ""


def test_a_seven_digit_issue_outside_ovid_is_kept():
    data = OVID_MEDLINE.format(issue="1234567", database="Invented DB").replace("ovid.com", "x.org")
    records, _ = parse_bytes(data.encode())
    assert records[0]["issue"] == "1234567"
