"""A blank line inside a record that opened with its format's start tag does not end it: CNKI's
EndNote export writes a thesis abstract as blank-separated paragraphs, then a blank line, then
'%W CNKI'. Records without the start tag are still separated by blank lines."""

from __future__ import annotations

import pytest

from .conftest import parse_bytes

# As CNKI writes a thesis: paragraphs indented by four spaces, a blank line between them and
# after the last one, then the database line.
THESIS = (
    "%0 Thesis\n"
    "%A 张三\n"
    "%T 一篇虚构的学位论文\n"
    "%D 2015\n"
    "%X 第一段摘要。\n"
    "\n"
    "    第二段摘要。\n"
    "\n"
    "    第三段摘要。\n"
    "\n"
    "%W CNKI\n"
)
ARTICLE = "%0 Journal Article\n%A 李四\n%T 一篇虚构的期刊论文\n%D sometime\n%W CNKI\n"


def test_a_thesis_abstract_in_paragraphs_stays_one_record():
    text = ARTICLE + "\n" + THESIS + "\n" + ARTICLE
    records, report = parse_bytes(text.encode())
    assert [r["title"] for r in records] == [
        "一篇虚构的期刊论文",
        "一篇虚构的学位论文",
        "一篇虚构的期刊论文",
    ]
    thesis = records[1]
    # The paragraphs joined with a line break, as any continuation line is.
    assert thesis["abstract"] == "第一段摘要。\n第二段摘要。\n第三段摘要。"
    assert thesis["raw"].endswith("    第三段摘要。\n\n%W CNKI")
    assert [r["line"] for r in records] == [1, 7, 19]
    # Warnings of later records keep the file's own line numbers.
    assert report.warnings == [(1, "year not understood: 'sometime'"),
                               (19, "year not understood: 'sometime'")]  # fmt: skip


def test_with_crlf_line_ends_as_cnki_writes_them():
    text = (THESIS + "\n" + ARTICLE).replace("\n", "\r\n")
    records, _ = parse_bytes(text.encode())
    assert len(records) == 2 and records[0]["abstract"].endswith("第三段摘要。")


def test_records_without_a_type_line_are_still_separated_by_blank_lines():
    data = b"%T One\n%A Li, Si\n\n%T Two\n%A Wu, Wei\n\n%A Zhang, San\n%T Three\n"
    records, _ = parse_bytes(data)
    assert [(r["title"], r["line"]) for r in records] == [("One", 1), ("Two", 4), ("Three", 7)]


def test_a_record_without_a_type_line_after_one_with_it_is_its_own_record():
    # Two exports pasted together: the second opens with a title, as the first record has one.
    data = b"%0 Book\n%T One\n%A Li, Si\n\n%T Two\n%A Wu, Wei\n"
    records, _ = parse_bytes(data)
    assert [(r["title"], r["line"]) for r in records] == [("One", 1), ("Two", 5)]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("RT Journal Article\nT1 {t}\nAB First.\n\nSecond.\n\nDS CNKI\n", "abstract"),
        (
            "{{Reference Type}}: Thesis\n{{Title}}: {t}\n{{Abstract}}: First.\n\nSecond.\n\n"
            "{{Database Provider}}: CNKI\n",
            "abstract",
        ),
        (
            "<{n}. >\nVN  - Ovid Technologies\nTI  - {t}\nAB  - First.\n\nSecond.\n\nDB  - Embase\n",
            "abstract",
        ),
    ],
    ids=["refworks", "noteexpress", "ovid"],
)
def test_other_formats_with_a_start_tag_keep_a_record_across_blank_lines(text, field):
    data = "\n".join(text.format(t=t, n=n) for n, t in ((1, "One"), (2, "Two"))).encode()
    records, _ = parse_bytes(data)
    assert [r["title"] for r in records] == ["One", "Two"]
    assert records[0][field] == "First.\nSecond."
