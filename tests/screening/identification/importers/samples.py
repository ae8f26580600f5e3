"""Small files of every tagged and structured format, two or three records each, written for
the tests (invented records: no real study). Each `Sample` knows where its last record starts,
so the truncation tests can cut it anywhere inside that record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    fmt: str
    text: str
    titles: tuple[str, ...]
    last_start: int  # the line the last record starts on
    marker: str  # a string inside the last record, after its first line

    def cut_inside_last(self) -> bytes:
        """The file cut in the middle of a line of its last record (no line end after)."""
        data = self.text.encode("utf-8")
        at = data.rindex(self.marker.encode("utf-8")) + 3
        return data[:at]


RIS = Sample(
    "ris",
    "TY  - JOUR\nTI  - First invented title\nAU  - Zhang, San\nPY  - 2001\nER  - \n\n"
    "TY  - JOUR\nTI  - Second invented title\nAU  - Li, Si\nPY  - 2002\nER  - \n",
    ("First invented title", "Second invented title"),
    7,
    "Li, Si",
)
WOS = Sample(
    "wos",
    "FN Clarivate Analytics Web of Science\nVR 1.0\n"
    "PT J\nAU Zhang, S\nTI First invented title\nPY 2001\nUT WOS:0001\nER\n\n"
    "PT J\nAU Li, S\nTI Second invented title\nPY 2002\nUT WOS:0002\nER\n\nEF\n",
    ("First invented title", "Second invented title"),
    10,
    "Li, S",
)
MEDLINE = Sample(
    "medline",
    "PMID- 1001\nTI  - First invented title\nFAU - Zhang, San\nDP  - 2001\nSO  - J Invent. 2001.\n\n"
    "PMID- 1002\nTI  - Second invented title\nFAU - Li, Si\nDP  - 2002\nSO  - J Invent. 2002.\n\n"
    "PMID- 1003\nTI  - Third invented title\nFAU - Wang, Wu\nDP  - 2003\nSO  - J Invent. 2003.\n",
    ("First invented title", "Second invented title", "Third invented title"),
    13,
    "Wang, Wu",
)
REFER = Sample(
    "endnote-tagged",
    "%0 Journal Article\n%T First invented title\n%A Zhang, San\n%D 2001\n%J J Invent\n\n"
    "%0 Journal Article\n%T Second invented title\n%A Li, Si\n%D 2002\n%J J Invent\n",
    ("First invented title", "Second invented title"),
    7,
    "Li, Si",
)
REFWORKS = Sample(
    "refworks",
    "RT Journal Article\nA1 Zhang, San\nT1 First invented title\nJF J Invent\nYR 2001\n\n"
    "RT Journal Article\nA1 Li, Si\nT1 Second invented title\nJF J Invent\nYR 2002\n",
    ("First invented title", "Second invented title"),
    7,
    "Li, Si",
)
COCHRANE = Sample(
    "cochrane",
    "Record #1 of 2\nID: CN-01000001\nAU: Zhang San\nTI: First invented title\nYR: 2001\n"
    "US: https://example.org/1\n\n"
    "Record #2 of 2\nID: CN-01000002\nAU: Li Si\nTI: Second invented title\nYR: 2002\n"
    "US: https://example.org/2\n",
    ("First invented title", "Second invented title"),
    8,
    "Li Si",
)
NOTEEXPRESS = Sample(
    "noteexpress",
    "{Reference Type}: Journal Article\n{Title}: 第一个虚构的题名\n{Author}: 张三\n{Year}: 2001\n"
    "{Database Provider}: CNKI\n\n"
    "{Reference Type}: Journal Article\n{Title}：第二个虚构的题名\n{Author}：李四\n{Year}：2002\n"
    "{Database Provider}：CNKI\n",
    ("第一个虚构的题名", "第二个虚构的题名"),
    7,
    "李四",
)
OVID = Sample(
    "ovid",
    "<1. >\nVN  - Ovid Technologies\nDB  - Embase\nUI  - 5001\nTI  - First invented title\n"
    "AU  - Zhang S.\nYR  - 2001\n\n"
    "<2. >\nVN  - Ovid Technologies\nDB  - Embase\nUI  - 5002\nTI  - Second invented title\n"
    "AU  - Li S.\nYR  - 2002\n",
    ("First invented title", "Second invented title"),
    9,
    "Li S.",
)
BIBTEX = Sample(
    "bibtex",
    "@article{zhang2001,\n  title = {First invented title},\n  author = {Zhang, San},\n"
    "  year = {2001}\n}\n\n"
    "@article{li2002,\n  title = {Second invented title},\n  author = {Li, Si},\n"
    "  year = {2002}\n}\n",
    ("First invented title", "Second invented title"),
    7,
    "Li, Si",
)
ENDNOTE_XML = Sample(
    "endnote-xml",
    '<?xml version="1.0" encoding="UTF-8"?>\n<xml><records>\n'
    '<record><ref-type name="Journal Article">17</ref-type>\n'
    "<titles><title>First invented title</title></titles>\n"
    "<contributors><authors><author>Zhang, San</author></authors></contributors>\n</record>\n"
    '<record><ref-type name="Journal Article">17</ref-type>\n'
    "<titles><title>Second invented title</title></titles>\n"
    "<contributors><authors><author>Li, Si</author></authors></contributors>\n</record>\n"
    "</records></xml>\n",
    ("First invented title", "Second invented title"),
    7,
    "Li, Si",
)
PUBMED_XML = Sample(
    "pubmed-xml",
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n'
    "<PubmedArticle><MedlineCitation><PMID>1001</PMID><Article>\n"
    "<ArticleTitle>First invented title</ArticleTitle>\n"
    "<AuthorList><Author><LastName>Zhang</LastName><ForeName>San</ForeName></Author></AuthorList>\n"
    "</Article></MedlineCitation></PubmedArticle>\n"
    "<PubmedArticle><MedlineCitation><PMID>1002</PMID><Article>\n"
    "<ArticleTitle>Second invented title</ArticleTitle>\n"
    "<AuthorList><Author><LastName>Li</LastName><ForeName>Si</ForeName></Author></AuthorList>\n"
    "</Article></MedlineCitation></PubmedArticle>\n</PubmedArticleSet>\n",
    ("First invented title", "Second invented title"),
    8,
    "<ForeName>Si",
)
CSL_JSON = Sample(
    "csl-json",
    '[\n{"id": "a", "type": "article-journal", "title": "First invented title",\n'
    ' "author": [{"family": "Zhang", "given": "San"}]},\n'
    '{"id": "b", "type": "article-journal", "title": "Second invented title",\n'
    ' "author": [{"family": "Li", "given": "Si"}]}\n]\n',
    ("First invented title", "Second invented title"),
    4,
    '"Li"',
)

OPENALEX_JSON = Sample(
    "openalex-json",
    '[\n{"id": "https://openalex.org/W1", "display_name": "First invented title",\n'
    ' "authorships": [{"author": {"display_name": "San Zhang"}}]},\n'
    '{"id": "https://openalex.org/W2", "display_name": "Second invented title",\n'
    ' "authorships": [{"author": {"display_name": "Si Li"}}]}\n]\n',
    ("First invented title", "Second invented title"),
    4,
    '"Si Li"',
)
CROSSREF_JSON = Sample(
    "crossref-json",
    '[\n{"DOI": "10.1000/1", "title": ["First invented title"],\n'
    ' "author": [{"family": "Zhang", "given": "San"}]},\n'
    '{"DOI": "10.1000/2", "title": ["Second invented title"],\n'
    ' "author": [{"family": "Li", "given": "Si"}]}\n]\n',
    ("First invented title", "Second invented title"),
    4,
    '"Li"',
)

TAGGED = [RIS, WOS, MEDLINE, REFER, REFWORKS, COCHRANE, NOTEEXPRESS, OVID]
ALL = [*TAGGED, BIBTEX, ENDNOTE_XML, PUBMED_XML, CSL_JSON, OPENALEX_JSON, CROSSREF_JSON]
