"""Chinese exports are read in the encoding their databases write (GB18030/GBK, Big5), judged by
what the text becomes; the encoding can be chosen instead of detected."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.identification.importers import ImportFormatError
from screening.identification.importers.textio import (
    ENCODINGS,
    _common,
    cjk_score,
    codec_name,
    detect_encoding,
)

from .conftest import data_file, parse_bytes

# The shape of a GBK BibTeX export from a Chinese database: the names are made up.
GBK_BIBTEX = (
    "@article{kaisa2020,\n"
    "  author = {凯撒 and 张伟},\n"
    "  title = {护士科研能力的培养},\n"
    "  journal = {测试期刊},\n"
    "  year = {2020},\n"
    "}\n"
)


def test_a_gbk_bibtex_is_read_as_chinese_not_korean():
    records, report = parse_bytes(GBK_BIBTEX.encode("gbk"))
    assert report.encoding == "gb18030"
    assert records[0]["authors"] == ["凯撒", "张伟"]
    assert records[0]["journal"] == "测试期刊"


def test_the_same_bytes_score_as_chinese_in_gb18030_and_badly_in_big5():
    data = GBK_BIBTEX.encode("gbk")
    gb = cjk_score(data.decode("gb18030", "replace"), "gb18030")
    big5 = cjk_score(data.decode("big5", "replace"), "big5")
    assert gb == 1.0 and big5 < 0.5


def test_real_cnki_bibtex_saved_as_gbk_or_big5_keeps_its_characters():
    path = data_file("cnki-2-bibtex/CoverAllTest15Entries.bib")
    text = path.read_text("utf-8")
    expected = [r["title"] for r in parse_bytes(text.encode("utf-8"))[0]]
    records, report = parse_bytes(text.encode("gb18030"))
    assert report.encoding == "gb18030"
    assert [r["title"] for r in records] == expected


def test_korean_text_is_read_as_korean():
    ris = (
        "TY  - JOUR\nTI  - 간호사의 연구 역량에 관한 연구\nAU  - 김민수\nAU  - 이서연\n"
        "AB  - 병원 간호사의 연구 참여를 높이는 방법을 조사하였다.\nER  - \n"
    )
    records, report = parse_bytes(ris.encode("cp949"))
    assert report.encoding == "cp949"
    assert records[0]["authors"] == ["김민수", "이서연"]


def test_a_chosen_encoding_overrides_detection_and_is_reported():
    data = GBK_BIBTEX.encode("gbk")
    records, report = parse_bytes(data, encoding="big5")
    assert report.encoding == "big5" and report.encoding_chosen
    assert records[0]["journal"] != "测试期刊"
    records, report = parse_bytes(data, encoding="GBK")
    assert report.encoding == "gb18030" and records[0]["journal"] == "测试期刊"


@pytest.mark.parametrize("name", ["klingon", "base64", "rot13"])
def test_an_unknown_or_non_text_encoding_is_refused_by_name(name):
    with pytest.raises(ImportFormatError, match="not a text encoding we know"):
        codec_name(name)


def test_the_offered_encodings_all_exist():
    for code in ENCODINGS:
        assert codec_name(code)


@settings(max_examples=60, deadline=None)
@given(chars=st.lists(st.sampled_from(sorted(_common("gb18030"))), min_size=8, max_size=60,
                     unique=True))  # fmt: skip
def test_simplified_chinese_in_gb18030_is_detected(chars):
    data = f"TY  - JOUR\nTI  - {''.join(chars)}\nER  - \n".encode("gb18030")
    assert detect_encoding(data) == "gb18030"


def test_big5_text_of_the_first_rows_is_not_taken_for_korean():
    # Big5 gives these hanzi trail bytes 40-A3, where CP949 keeps its extra Hangul syllables:
    # read as CP949 they are all Hangul (hypothesis found this set).
    chars = "二仔余侮丘丙乾且乍亂了丁七丸丕丈三上下不"
    data = f"TY  - JOUR\nTI  - {chars}\nER  - \n".encode("big5")
    assert sum("\uac00" <= c <= "\ud7a3" for c in data.decode("cp949")) >= 18
    assert detect_encoding(data) in ("big5", "cp950")


@settings(max_examples=60, deadline=None)
@given(chars=st.lists(st.sampled_from(sorted(_common("big5"))), min_size=8, max_size=60,
                     unique=True))  # fmt: skip
def test_traditional_chinese_in_big5_is_detected(chars):
    data = f"TY  - JOUR\nTI  - {''.join(chars)}\nER  - \n".encode("big5")
    assert detect_encoding(data) in ("big5", "cp950")


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzéèàüöñçøåÉÜ -,;"),
                    min_size=3, max_size=80))  # fmt: skip
def test_western_text_in_windows_1252_is_never_taken_for_chinese(text):
    data = f"TY  - JOUR\nAU  - Müller, José\nTI  - {text}\nER  - \n".encode("cp1252")
    assert detect_encoding(data) not in ("gb18030", "big5", "cp950", "cp949")


# Hanzi whose GB codes all sit in the rows where CP949 keeps its Hangul (lead bytes B0-C8): read
# as Korean they give Hangul syllables. Written as Korean writes, in short words with spaces
# between them, only the file's own language field can tell.
HANGUL_ROWS_HANZI = "啊阿 埃挨哎 唉哀 皑癌蔼 矮艾 碍爱隘 鞍氨 安俺按 暗岸 胺案肮 昂盎 凹敖熬 翱袄"


@pytest.mark.parametrize(
    "field", ["LA  - Chinese\n", "LA  - chi\n", "language = {Chinese}\n", "Language,Chinese\n"]
)
def test_a_chinese_language_field_keeps_the_text_from_being_read_as_korean(field):
    data = f"TY  - JOUR\nTI  - {HANGUL_ROWS_HANZI}\n{field}ER  - \n".encode("gb18030")
    assert detect_encoding(data) == "gb18030"
    without = f"TY  - JOUR\nTI  - {HANGUL_ROWS_HANZI}\nER  - \n".encode("gb18030")
    assert detect_encoding(without) == "cp949"


def test_chinese_that_reads_as_hangul_throughout_is_still_chinese():
    # Every character from GB 2312's rows B0-C8, which KS X 1001 gives Hangul syllables: read
    # as Korean it is all Hangul, but one run of 21 syllables is no Korean word.
    title = HANGUL_ROWS_HANZI.replace(" ", "")[:21]
    data = f"TY  - JOUR\nTI  - {title}\nAU  - 曹刚\nER  - \n".encode("gb18030")
    assert all(0xB0 <= c.encode("gb18030")[0] <= 0xC8 for c in title + "曹刚")
    assert all(0xAC00 <= ord(c) <= 0xD7A3 for c in data.decode("cp949") if ord(c) >= 0x80)
    records, report = parse_bytes(data)
    assert report.encoding == "gb18030"
    assert records[0]["title"] == title
