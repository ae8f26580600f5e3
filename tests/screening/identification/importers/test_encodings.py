from __future__ import annotations

import codecs
import io

import pytest

from screening.identification.importers import detect_encoding, iter_records

from .conftest import parse_bytes

RIS_ZH_TW = (
    "TY  - JOUR\nTI  - 臺灣地區糖尿病患者自我照顧行為之研究\n"
    "TT  - Self-care among diabetic patients in Taiwan\nAU  - 王小明\nAU  - 陳美玲\n"
    "JO  - 護理雜誌\nPY  - 2015\nKW  - 糖尿病\nER  - \n"
)
RIS_ZH_CN = (
    "TY  - JOUR\nTI  - 软组织肉瘤诊治中国专家共识\nAU  - 中国临床肿瘤学会\nAU  - 张三\n"
    "JO  - 中华肿瘤杂志\nPY  - 2016\nKW  - 肉瘤；软组织肿瘤；诊断\nER  - \n"
)
RIS_LATIN = (
    "TY  - JOUR\nTI  - Étude des effets du café sur la santé – résumé\n"
    "AU  - Müller, José\nAU  - Núñez, François\nPY  - 2001\nER  - \n"
)


def test_big5_ris_keeps_traditional_chinese_intact():
    records, report = parse_bytes(RIS_ZH_TW.encode("big5"))
    assert report.encoding == "big5"
    assert records[0]["title"] == "臺灣地區糖尿病患者自我照顧行為之研究"
    assert records[0]["authors"] == ["王小明", "陳美玲"]


def test_gb18030_ris_keeps_simplified_chinese_intact():
    records, report = parse_bytes(RIS_ZH_CN.encode("gb18030"))
    assert report.encoding == "gb18030"
    assert records[0]["title"] == "软组织肉瘤诊治中国专家共识"
    assert records[0]["keywords"] == ["肉瘤", "软组织肿瘤", "诊断"]


def test_windows_1252_accents_are_read_as_windows_1252():
    records, report = parse_bytes(RIS_LATIN.encode("cp1252"))
    assert report.encoding == "cp1252"
    assert records[0]["title"] == "Étude des effets du café sur la santé – résumé"
    assert records[0]["authors"] == ["Müller, José", "Núñez, François"]


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
    ],
)
def test_unicode_encodings_with_and_without_bom(encoding, bom, expected):
    data = bom + (RIS_ZH_CN + RIS_LATIN).encode(encoding)
    assert detect_encoding(data[:65536]) == expected
    records, report = parse_bytes(data)
    assert report.encoding == expected
    assert [r["title"] for r in records] == [
        "软组织肉瘤诊治中国专家共识",
        "Étude des effets du café sur la santé – résumé",
    ]
    assert records[1]["line"] == 9


def test_a_stray_latin1_byte_after_a_utf8_start_is_kept_and_reported():
    padding = "TY  - JOUR\nTI  - plain ascii\nER  - \n" * 3000  # > the 64 KB sniffed
    data = padding.encode() + b"TY  - JOUR\nTI  - Caf" + b"\xe9\nER  - \n"
    records, report = parse_bytes(data)
    assert report.encoding == "utf-8"
    assert records[-1]["title"] == "Café"
    assert any("read as Windows-1252" in message for _, message in report.warnings)


def test_crlf_and_lone_cr_line_endings_count_as_lines():
    data = b"TY  - JOUR\r\nTI  - A\r\nER  - \r\nTY  - JOUR\rTI  - B\rER  - \r"
    records, _ = parse_bytes(data)
    assert [(r["title"], r["line"]) for r in records] == [("A", 1), ("B", 4)]


class _NonSeekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:
        chunk = self._data.read(min(len(buffer), 7000))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_non_seekable_streams_are_read_from_the_start():
    data = (RIS_ZH_CN * 3000).encode("gb18030")
    records = list(iter_records(_NonSeekable(data)))
    assert len(records) == 3000
    assert all(r["title"] == "软组织肉瘤诊治中国专家共识" for r in records)


def test_the_callers_stream_is_left_open():
    stream = io.BytesIO(RIS_LATIN.encode())
    list(iter_records(stream))
    assert not stream.closed


BIBTEX_ASCII = "@article{key1,\n  title = {Plain ASCII title},\n  author = {Smith, John},\n}\n"
RIS_ASCII = "TY  - JOUR\nTI  - Plain ASCII title\nAU  - Smith, John\nPY  - 2001\nER  - \n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [BIBTEX_ASCII, RIS_ASCII], ids=["bibtex", "ris"])
def test_ascii_text_in_utf16_without_bom_is_read_as_utf16(encoding, text):
    # Every other byte NUL: also valid UTF-8, which must not win.
    data = text.encode(encoding)
    assert detect_encoding(data) == encoding
    records, report = parse_bytes(data)
    assert report.encoding == encoding
    assert records[0]["title"] == "Plain ASCII title"
    assert records[0]["authors"] == ["Smith, John"]


def test_a_utf8_file_with_a_few_nul_bytes_stays_utf8():
    data = RIS_ASCII.encode() + b"\x00" * 3 + RIS_ASCII.encode()
    assert detect_encoding(data) == "utf-8"
