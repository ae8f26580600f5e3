from __future__ import annotations

import pytest

from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
    split_names,
)


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("10.1000/ABC", "10.1000/abc"),
        ("https://doi.org/10.1000/ABC.", "10.1000/abc"),
        ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),
        ("doi: 10.1000/xyz", "10.1000/xyz"),
        ("DOI 10.1000/xyz [doi]", "10.1000/xyz"),
        ("https://doi.org/10.3390%2fani15010003", "10.3390/ani15010003"),
        ("  ", ""),
        ("not a doi", ""),
    ],
)
def test_dois_lose_prefixes_and_case(raw, doi):
    assert normalise_doi(raw) == doi


@pytest.mark.parametrize(
    ("raw", "pages"),
    [
        ("1045-58", "1045-1058"),
        ("466-75", "466-475"),
        ("134--137", "134-137"),
        ("23–6", "23-26"),
        ("S12-5", "S12-S15"),
        ("e0209483", "e0209483"),
        ("98-102", "98-102"),
        ("", ""),
    ],
)
def test_medline_pages_are_expanded(raw, pages):
    assert expand_pages(raw) == pages


def test_pmids_come_out_of_links_and_labels():
    assert normalise_pmid("https://pubmed.ncbi.nlm.nih.gov/25657356") == "25657356"
    assert normalise_pmid("25657356 [pmid]") == "25657356"


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Smith, John", ["Smith, John"]),
        ("Liu R., Adler D.G.", ["Liu R.", "Adler D.G."]),
        ("Smith, J and Doe, A", ["Smith, J", "Doe, A"]),
        ("Smith, J; Doe, A", ["Smith, J", "Doe, A"]),
        ("中国临床肿瘤学会", ["中国临床肿瘤学会"]),
    ],
)
def test_one_cell_author_lists_are_split(raw, names):
    assert split_names(raw) == names
