from __future__ import annotations

import pytest

from .conftest import RECORD_KEYS, parse_bytes, parse_file

REAL_RIS = [
    ("asysd/scopus.ris", 10),
    ("asysd/wos_test.ris", 50),
    ("asysd/zotero_export.ris", 1000),
    ("revtools/restoration_scopus.ris", 286),
    ("revtools/avian_ecology_bibliography.ris", 20),
    ("litstudy/example.ris", 25),
    ("asreview-demo-data/embase.ris", 6),
    ("asreview-demo-data/scopus.ris", 6),
    ("asreview-demo-data/web_of_science.txt", 10),
    ("asreview-demo-data/pubmed_zotero.ris", 6),
    ("asreview-demo-data/ovid_psycinfo.ris", 6),
    ("asreview-demo-data/ovid_zotero.ris", 6),
    ("asreview-demo-data/ris_issue_992.txt", 19),
    ("asreview-demo-data/ris_issue_1099.txt", 7),
]


@pytest.mark.parametrize(("relative", "count"), REAL_RIS)
def test_every_real_ris_export_reads_with_its_record_count(relative, count):
    records, report = parse_file(relative)
    assert report.format == "ris"
    assert len(records) == count
    assert report.records_seen == count
    assert all(set(r) - {"raw_utf8"} == RECORD_KEYS for r in records)
    # A UTF-8 file's records carry their raw text's bytes too, exactly.
    assert all(r.get("raw_utf8", r["raw"].encode()) == r["raw"].encode() for r in records)
    assert all(r["title"] and r["raw"].startswith(("TY", "\ufeffTY")) for r in records)


def test_scopus_ris_keeps_authors_in_order_and_the_eid_as_source_key():
    records, report = parse_file("asysd/scopus.ris")
    first = records[0]
    assert report.encoding == "utf-8-sig"
    assert first["authors"][:3] == ["Furlanello, T.", "Masti, R.", "Bertolini, F.M."]
    assert first["authors"][-1] == "Sanchez del Pulgar, J."
    assert first["year"] == 2025
    assert first["journal"] == "Animals"
    assert first["doi"] == "10.3390/ani15010003"
    assert first["source_key"] == first["other_ids"]["eid"] == "2-s2.0-85214459603"
    assert first["line"] == 1


def test_web_of_science_ris_uses_the_accession_number_and_joins_pages():
    records, _ = parse_file("asysd/wos_test.ris")
    first = records[0]
    assert first["source_key"] == "WOS:000082252000006"
    assert first["other_ids"]["wos"] == "WOS:000082252000006"
    assert first["pages"] == "134-137"
    assert first["language"] == "English"
    assert "microangiography" in first["keywords"]


def test_zotero_ris_joins_untagged_abstract_lines_and_counts_lines():
    records, _ = parse_file("asysd/zotero_export.ris")
    first = records[0]
    assert first["abstract"].startswith("The purpose of this study")
    assert "Microangiography was performed" in first["abstract"]
    assert records[1]["line"] > first["line"]
    assert records[1]["raw"].splitlines()[0].startswith("TY  -")


def test_numbered_ovid_export_reads_records_and_normalises_resolver_dois():
    records, report = parse_file("asreview-demo-data/ovid_psycinfo.ris")
    assert records[0]["line"] == 2  # line 1 is Ovid's "1."
    assert records[0]["doi"] == "10.1002/cpp.2398"
    assert records[0]["source_key"] == "2019-65183-001"
    assert records[0]["pages"] == ""  # Ovid's "No pagination specified"
    assert records[1]["pages"] == "847-856"
    # Ovid writes NL after ER: reported once, not an error
    assert len(report.warnings) == 1


def test_rayyan_keyword_continuation_lines_are_separate_keywords():
    records, _ = parse_file("asreview-demo-data/ris_issue_992.txt")
    assert records[0]["keywords"][:3] == [
        "Health Facility Administration",
        "Joint Commission",
        "Standards",
    ]
    assert records[0]["source_key"] == "rayyan-264552525"


AIRITI = """TY  - JOUR
T1  - 臺灣地區糖尿病患者自我照顧行為之研究
T2  - A Study of Self-care Behaviors among Diabetic Patients in Taiwan
AU  - 王小明(Wang, Hsiao-Ming)
AU  - 陳美玲(Chen, Mei-Ling)
JO  - 護理雜誌
PY  - 2015
VL  - 62
IS  - 3
SP  - 45
EP  - 53
DO  - 10.6224/JN.62.3.45
KW  - 糖尿病；自我照顧
ID  - P20150101-001
ER  -
TY  - JOUR
TI  - 長期照護政策之比較
TT  - A Comparison of Long-term Care Policies
AU  - 林志明
AU  - 黃淑芬
AU  - Lin, Chih-Ming
AU  - Huang, Shu-Fen
TA  - Lin, Chih-Ming
PY  - 2018
T2  - 社會政策與社會工作學刊
ER  -
"""


def test_airiti_record_keeps_cjk_title_whole_with_its_parallel_english_title():
    records, report = parse_bytes(AIRITI.encode("utf-8"))
    first, second = records
    assert report.format == "ris"
    assert first["title"] == "臺灣地區糖尿病患者自我照顧行為之研究"
    assert first["title_alt"] == "A Study of Self-care Behaviors among Diabetic Patients in Taiwan"
    assert first["journal"] == "護理雜誌"
    assert first["authors"] == ["王小明", "陳美玲"]
    assert first["authors_alt"] == ["Wang, Hsiao-Ming", "Chen, Mei-Ling"]
    assert first["keywords"] == ["糖尿病", "自我照顧"]
    assert first["doi"] == "10.6224/jn.62.3.45"
    assert first["pages"] == "45-53"
    assert first["source_key"] == "P20150101-001"
    assert second["title_alt"] == "A Comparison of Long-term Care Policies"
    assert second["authors"] == ["林志明", "黃淑芬"]
    assert second["authors_alt"][:2] == ["Lin, Chih-Ming", "Huang, Shu-Fen"]
    assert second["journal"] == "社會政策與社會工作學刊"


def test_odd_tag_spacing_and_a_bom_are_tolerated():
    data = "\ufeffTY -  JOUR\nTI -  Odd spacing\nAU-  Smith, J\nPY  - 2001\nER  -\n"
    records, _ = parse_bytes(data.encode("utf-8"))
    assert records[0]["title"] == "Odd spacing"
    assert records[0]["authors"] == ["Smith, J"]
    assert records[0]["year"] == 2001


def test_unknown_tags_and_unreadable_years_are_warnings_with_lines():
    data = b"TY  - JOUR\nTI  - A\nQQ  - mystery\nPY  - n.d.\nER  - \n"
    records, report = parse_bytes(data)
    assert len(records) == 1
    assert (3, "unknown RIS tag QQ; kept in the raw record only") in report.warnings
    assert any(line == 1 and "year not understood" in msg for line, msg in report.warnings)
    assert "QQ  - mystery" in records[0]["raw"]


def test_ebscohost_gives_its_doi_bare_in_l3():
    ebsco = (
        "TY  - JOUR\nAU  - Lopes, Ana\nTI  - An invented title\nPY  - 2024\n"
        "L3  - 10.1371/journal.pone.0000001\nDP  - EBSCOhost\nDB  - CINAHL Complete\nER  - \n"
    )
    records, _ = parse_bytes(ebsco.encode(), filename="ebsco.ris")
    assert records[0]["doi"] == "10.1371/journal.pone.0000001"
