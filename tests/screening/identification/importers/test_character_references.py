"""Letters written as HTML character references in a plain-text export (ACM's CSV, DBLP) are
read as the letters they stand for; the ';' that ends one never splits an author list."""

from __future__ import annotations

import pytest

from screening.identification.importers.normalise import decode_character_references

from .conftest import parse_bytes

# The shape of an ACM Digital Library CSV export: BibTeX's fields as columns, authors joined
# with "and", two spaces between given and family names. Illustrative rows, not real records.
ACM_CSV = (
    b'"type","id","author","title","pages","doi","journal","year","booktitle","publisher"\n'
    b'"article","1","Ana  Lopes and Miguel  Jim&#233;nez-Gan&#225;n and Jozsef  Bir&#x00F3;",'
    b'"Services &amp; clouds: a study","494--499","10.1/x.1","","2012",'
    b'"Proceedings of a symposium","IEEE"\n'
)


def test_an_author_with_a_reference_in_the_name_stays_one_author():
    records, report = parse_bytes(ACM_CSV, filename="acm.csv")
    assert records[0]["authors"] == ["Ana Lopes", "Miguel Jiménez-Ganán", "Jozsef Biró"]
    assert records[0]["title"] == "Services & clouds: a study"
    assert not report.warnings


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("B&#246;hm", "Böhm"),
        ("G&#xFC;ting", "Güting"),
        ("&Ouml;zg&uuml;r", "Özgür"),
        ("R&D and AT&T", "R&D and AT&T"),  # no reference at all
        ("fish &parasites", "fish &parasites"),  # html.unescape would give "fish ¶sites"
        ("&notanentity; &#0; &#xD800;", "&notanentity; &#0; &#xD800;"),  # not characters
    ],
)
def test_only_whole_references_to_characters_are_decoded(text, read):
    assert decode_character_references(text) == read
