"""A BibTeX entry that cannot be read is named (line, key, title) with the reason in plain words;
skipping such entries imports the others and lists them; fields written twice never refuse a
file."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.identification.importers import ImportFormatError
from screening.identification.importers.bibtex_problems import entry_key, entry_title, explain

from .conftest import parse_bytes

# Shaped like an EBSCOhost BibTeX export: one field per line, and in the second entry a
# keyword field carrying scraped page code whose braces never balance.
EBSCO = """@article{11111111111111111,
Abstract = {Abstract text},
Author = {Reyes, Ana and Novak, Eli},
ISSN = {12345678},
Journal = {Journal of Research Practice},
Keywords = {Keyword 1, keyword 2},
Number = {1},
Pages = {1 - 10},
Title = {Protected research time.},
Volume = {1},
URL = {https://search.ebscohost.com/login.aspx?direct=true&db=bth&AN=11111111111111111},
Year = {2000},
}

@article{13362467620181001,
Abstract = {While research time},
Author = {Hale, Gus},
Journal = {Journal of Research Practice},
Keywords = {Research time, author:{name:Hale, author:{name:Hale, googletag.cmd.push(function() { var x = 1, 0},
Title = {When research time is shared.},
}
"""

# Shaped like a Scopus BibTeX export, whose entries can carry funding_details twice.
SCOPUS = """@ARTICLE{Reyes2021,
author={Reyes, A. and Novak, E.},
title={Research capacity in nursing},
journal={Nurse Education Today},
year={2021},
volume={96},
doi={10.1000/scopus.1},
funding_details={National Research Council, NRC},
funding_details={Hospital Foundation},
keywords={research; capacity},
keywords={research; capacity},
title={A second title that is not the title},
source={Scopus},
}
"""


def test_a_malformed_entry_is_named_with_its_line_key_title_and_reason():
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(EBSCO.encode())
    message = str(error.value)
    assert error.value.line == 15
    assert message.startswith(
        "Line 15: The BibTeX entry (key 13362467620181001, “When research time is shared.”) "
        "could not be read: in the field “Keywords” (line 19), 2 “{” are never closed, so "
        "the entry never ends."
    )
    assert "Nothing was imported" in message
    assert "To import the other entry, import the file again skipping unreadable entries" in (
        message
    )


def test_skipping_unreadable_entries_imports_the_others_and_lists_them():
    records, report = parse_bytes(EBSCO.encode(), skip_bad_entries=True)
    assert [r["title"] for r in records] == ["Protected research time."]
    assert len(report.skipped) == 1
    line, key, title, why = report.skipped[0]
    assert (line, key, title) == (15, "13362467620181001", "When research time is shared.")
    assert "“Keywords” (line 19)" in why


def test_every_unreadable_entry_is_listed_when_the_file_is_refused():
    good = "@article{ok{n}, title={Fine {n}}, year={2001}}\n"
    text = (
        good.replace("{n}", "1")
        + "@article{bad1, title={Missing a comma} year={2001}}\n"
        + good.replace("{n}", "2")
        + '@article{bad2, title="Never closed, year={2001}}\n'
    )
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(text.encode())
    message = str(error.value)
    assert "2 BibTeX entries could not be read" in message
    assert "at line 2 (key bad1, “Missing a comma”)" in message
    assert "a comma is missing after the field “title” (line 2)" in message
    assert "at line 4 (key bad2" in message
    assert "the other 2 entries" in message


def test_a_file_whose_every_entry_fails_is_refused_even_when_skipping():
    with pytest.raises(ImportFormatError, match="no entry of this BibTeX file could be read"):
        parse_bytes(b"@article{a, title={x\n}\n", skip_bad_entries=True)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("@article{k, title={A} year={2001}}", "a comma is missing after the field “title”"),
        ("@article{k, title {A}, year={2001}}", "“title” (line 1) is followed by “{” where “=”"),
        ('@article{k, title="A, year={2001}}', 'opens a quote “"” that is never closed'),
        ("@article{k, title={A}}, year={2001}}", "it ends too early, at line 1"),
        ("@article{title={A}, year={2001}}", "it has no citation key"),
        ("@article{k title={A}}", "a comma is missing after the citation key “k”"),
        ("@article{k, title={A},\n year={2001},\n", "its closing “}” is missing"),
        (
            "@article{k,\nKeywords = {a, b}, c:Person}, d},\nTitle = {T},\n}",
            "the value of the field “Keywords” (line 2) closes too early, before “c:Person}, d}",
        ),
    ],
)
def test_the_reason_is_in_plain_words(text, why):
    reason = explain(text, 1)
    assert why in reason
    for internal in ("`", "Block", "Exception", "bibtexparser", "mark"):
        assert internal not in reason


def test_key_and_title_are_made_out_of_a_broken_entry():
    text = "@article{smith2020,\n  title = {Broken {entry},\n  year = 2020\n"
    assert (entry_key(text), entry_title(text)) == ("smith2020", "Broken entry")
    assert (entry_key("@article{ , title={x}"), entry_title("@misc{k,}")) == ("", "")


def test_fields_written_twice_keep_the_first_or_join_and_never_refuse():
    records, report = parse_bytes(SCOPUS.encode())
    record = records[0]
    assert record["title"] == "Research capacity in nursing"
    assert record["doi"] == "10.1000/scopus.1"
    assert record["keywords"] == ["research", "capacity"]
    messages = [message for _, message in report.warnings]
    assert any("'funding_details' appears more than once" in m and "joined" in m for m in messages)
    assert any(
        "'title' appears more than once" in m and "first value was kept" in m for m in messages
    )


def test_a_repeated_field_with_a_macro_still_resolves_it():
    text = '@string{jn = "Journal of Macros"}\n@article{k, title={T}, journal=jn, note={a}, note={b}}\n'
    record = parse_bytes(text.encode())[0][0]
    assert (record["journal"], record["title"]) == ("Journal of Macros", "T")


@settings(max_examples=40, deadline=None)
@given(broken=st.lists(st.booleans(), min_size=1, max_size=12))
def test_skipping_keeps_exactly_the_readable_entries(broken):
    entries = []
    for i, bad in enumerate(broken):
        if bad:
            entries.append(f"@article{{e{i},\n  title = {{Entry {i},\n  year = {{2001}},\n}}\n")
        else:
            entries.append(f"@article{{e{i},\n  title = {{Entry {i}}},\n  year = {{2001}},\n}}\n")
    data = "".join(entries).encode()
    if all(broken):
        with pytest.raises(ImportFormatError):
            parse_bytes(data, skip_bad_entries=True)
        return
    records, report = parse_bytes(data, skip_bad_entries=True)
    assert [r["source_key"] for r in records] == [
        f"e{i}" for i, bad in enumerate(broken) if not bad
    ]
    assert [key for _, key, _, _ in report.skipped] == [
        f"e{i}" for i, bad in enumerate(broken) if bad
    ]
    if any(broken):
        with pytest.raises(ImportFormatError, match="could not be read"):
            parse_bytes(data)
