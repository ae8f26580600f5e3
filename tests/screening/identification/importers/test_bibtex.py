from __future__ import annotations

import pytest

from .conftest import parse_bytes, parse_file


@pytest.mark.parametrize(
    ("relative", "count"),
    [
        ("asysd/zotero_export.bib", 1000),
        ("colrev/30_example_records.bib", 30),
        ("cnki-2-bibtex/Classic5Test.bib", 5),
        ("cnki-2-bibtex/CoverAllTest15Entries.bib", 15),
        ("cnki-2-bibtex/ChineseColon.bib", 1),
    ],
)
def test_real_bibtex_files_read_with_their_counts(relative, count):
    records, report = parse_file(relative)
    assert report.format == "bibtex"
    assert len(records) == count
    assert all(r["source_key"] and r["raw"].lstrip().startswith("@") for r in records)


def test_zotero_bibtex_braces_removed_and_pages_normalised():
    records, _ = parse_file("asysd/zotero_export.bib")
    first = records[0]
    assert first["title"] == (
        "Microangiography of the humeral condyle in Cocker Spaniel and non-Cocker Spaniel dogs"
    )
    assert first["source_key"] == "larsen_microangiography_1999"
    assert first["authors"] == ["Larsen, LJ", "Roush, JK", "McLaughlin, RM", "Cash, WC"]
    assert first["pages"] == "134-137"
    assert first["year"] == 1999
    assert first["line"] == 2
    assert records[1]["doi"] == "10.21521/mw.6330"
    assert not any("{" in r["title"] or "\\" in r["title"] for r in records)


def test_cnki_bibtex_keeps_chinese_intact_with_its_translated_title():
    records, _ = parse_file("cnki-2-bibtex/ChineseColon.bib")
    record = records[0]
    assert record["title"] == "软组织肉瘤诊治中国专家共识(2015年版)"
    assert record["title_alt"].startswith("Chinese expert consensus on diagnosis")
    assert record["authors"] == ["中国临床肿瘤学会"]
    assert record["journal"] == "中华肿瘤杂志"
    assert record["keywords"][:2] == ["肉瘤", "软组织肿瘤"]
    assert record["abstract"].startswith("软组织肉瘤是一类间叶来源的恶性肿瘤")


def test_colrev_bibtex_decodes_latex_and_keeps_unicode():
    records, _ = parse_file("colrev/30_example_records.bib")
    stabell = next(r for r in records if r["source_key"] == "Stabell1998")
    assert stabell["authors"] == ["Stabell, Charles B.", "Fjeldstad, Øystein D."]
    assert stabell["title"] == (
        "Configuring value for competitive advantage: On chains, shops, and networks"
    )
    assert stabell["pages"] == "413-437"


LATEX = r"""
@string{jtest = "Journal of Tests"}
% a comment line
@article{muller2001,
  title = {Caf{\'e} {\"o}l and 50\% of {\textless}p{\textgreater} in $\alpha$-cells},
  author = {M{\"u}ller, J{\"u}rgen and {World Health Organization} and O'Brien, A.},
  journal = jtest,
  year = 2001,
  pages = {1045--58},
  doi = {https://doi.org/10.1000/ABC},
  keywords = {coffee, cells},
  url = {https://example.org/~user/paper},
}
@article{muller2001,
  title = {Same key},
  year = {2002},
}
"""


def test_latex_accents_macros_and_duplicate_keys():
    records, report = parse_bytes(LATEX.encode("utf-8"))
    first, second = records
    assert first["title"] == "Café öl and 50% of <p> in α-cells"
    assert first["authors"] == ["Müller, Jürgen", "World Health Organization", "O'Brien, A."]
    assert first["journal"] == "Journal of Tests"
    assert first["pages"] == "1045-1058"
    assert first["doi"] == "10.1000/abc"
    assert first["keywords"] == ["coffee", "cells"]
    assert first["url"] == "https://example.org/~user/paper"
    assert first["line"] == 4
    assert second["line"] == 14
    assert (14, "BibTeX key 'muller2001' used twice; both entries kept") in report.warnings


def test_bibtex_batches_keep_line_numbers_and_macros_across_batches():
    entries = "\n".join(
        f"@article{{k{i},\n  title = {{Title {i}}},\n  journal = jn,\n}}" for i in range(450)
    )
    data = '@string{jn = "J N"}\n' + entries + "\n"
    records, _ = parse_bytes(data.encode("utf-8"))
    assert len(records) == 450
    assert records[0]["line"] == 2
    assert records[449]["line"] == 2 + 449 * 4
    assert records[449]["title"] == "Title 449"
    assert records[449]["journal"] == "J N"


def test_a_name_wrapped_across_lines_is_one_name_with_single_spaces():
    bib = (
        "@article{x,\n  title = {An invented title},\n"
        "  author = {Lopes, Ana and Neuser-Hoffmann,\n                  Miriam and Chen, Bo},\n"
        "  year = {2020}\n}\n"
    )
    records, _ = parse_bytes(bib.encode(), filename="x.bib")
    assert records[0]["authors"] == ["Lopes, Ana", "Neuser-Hoffmann, Miriam", "Chen, Bo"]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (r"{\v S}{\v c}ajev, Ana", "Ščajev, Ana"),
        (r"Morko{\c c}, Bo", "Morkoç, Bo"),
        (r"Erd{\H o}s, Paul", "Erdős, Paul"),
        (r"\v{S}ajev, Ana", "Šajev, Ana"),
    ],
)
def test_a_letter_accent_written_with_a_space_before_its_letter_is_read(written, read):
    bib = f"@article{{x,\n  title = {{An invented title}},\n  author = {{{written}}},\n}}\n"
    records, _ = parse_bytes(bib.encode(), filename="x.bib")
    assert records[0]["authors"] == [read]


def test_an_entry_whose_key_came_before_is_read_as_any_other():
    # Mendeley writes '@article{,' for every entry without a key. (Invented entries.)
    bib = (
        '@string{jn = "Journal of Invented Results"}\n'
        '@article{,\n  title = {A first invented title},\n  author = "Lopes, Ana and Chen, Bo",\n'
        "  journal = jn,\n  year = 2019\n}\n"
        '@article{,\n  title = {A second invented title},\n  author = "Ivanova, Maria and Wu, Di",\n'
        "  journal = jn,\n  year = 2020\n}\n"
    )
    records, report = parse_bytes(bib.encode(), filename="mendeley.bib")
    second = records[1]
    assert second["title"] == "A second invented title"
    assert second["authors"] == ["Ivanova, Maria", "Wu, Di"]
    assert second["journal"] == "Journal of Invented Results"
    assert report.warnings == []  # entries with no key at all: no key is used twice


def test_an_entry_with_no_key_at_all_is_read_as_it_was_written():
    # EndNote's BibTeX export of a record whose label is empty. (Invented entries.)
    bib = (
        "@article{\n  author = {Huang, Ana and Chen, Bo},\n  title = {A first invented title},\n"
        "  year = {2019}\n}\n\n"
        "@article{\n  author = {Wu, Di},\n  title = {A second invented title},\n  year = {2020}\n}\n"
    )
    records, report = parse_bytes(bib.encode(), filename="endnote.bib")
    assert [r["title"] for r in records] == ["A first invented title", "A second invented title"]
    assert records[0]["authors"] == ["Huang, Ana", "Chen, Bo"]
    assert records[1]["raw"].startswith("@article{\n")
    assert report.warnings == []
