"""EndNote / Refer tagged text (.enw, .txt): '%0 Journal Article', '%A Smith, J.', '%T ...', one
field per line, records separated by blank lines. Airiti Library, Wanfang, CNKI, Google Scholar
and the AIS eLibrary export it; some of them leave out '%0' or put '%T' first.

Tags as EndNote defines them: %A author, %B secondary title, %D year, %J journal, %V volume,
%N issue, %P pages, %R DOI, %X abstract, %K keywords, %U URL, %M accession number, %G language,
%@ ISBN/ISSN, %Q translated title, %H translated author, %8 date, %F label, %W/%~ database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from screening.identification.importers.base import ParseReport, new_record, year_of
from screening.identification.importers.base import first_value as _first
from screening.identification.importers.normalise import (
    expand_pages,
    normalise_doi,
    normalise_pmid,
    split_keywords,
)
from screening.identification.importers.tagged import (
    TaggedFormat,
    names_in,
    read_tagged,
    two_titles,
)


class _Refer(TaggedFormat):
    name = "EndNote/Refer"
    start_tag = "0"
    example = "%T ..."

    line = re.compile(r"%([0-9A-Z@!#$&()*+^~>])(?:[ \t](.*))?$")

    def build(self, fields, raw: str, start: int, report: ParseReport) -> dict:
        return _build(fields, raw, start, report)


FORMAT = _Refer()


def parse_refer(blocks: Iterable[list[str]], report: ParseReport) -> Iterator[dict]:
    return read_tagged(blocks, report, FORMAT)


def _build(fields: dict[str, list[str]], raw: str, start: int, report: ParseReport) -> dict:
    record = new_record(start)
    record["raw"] = raw
    record["publication_type"] = _first(fields, "0")
    title, title_alt = two_titles(fields.get("T", ()), _first(fields, "Q"))
    record["title"] = title
    record["title_alt"] = title_alt
    # One name a line, but CNKI joins a patent's inventors with ';' on one: no name holds one.
    record["authors"] = names_in(fields.get("A", ()))
    record["authors_alt"] = [a for a in fields.get("H", ()) if a]
    record["abstract"] = _first(fields, "X")
    record["journal"] = " ".join(_first(fields, "J", "B").split())
    year_text = _first(fields, "D", "8")
    record["year"] = year_of(report, start, year_text)
    record["volume"] = _first(fields, "V")
    record["issue"] = _first(fields, "N")
    record["pages"] = expand_pages(_first(fields, "P"))
    urls = [u for u in fields.get("U", ()) if u]
    record["url"] = urls[0].split("\n", 1)[0] if urls else ""
    doi = normalise_doi(_first(fields, "R"))
    for url in urls:
        if doi:
            break
        if "doi" in url.lower():
            doi = normalise_doi(url)
    record["doi"] = doi
    record["keywords"] = split_keywords("\n".join(fields.get("K", ())))
    record["language"] = _first(fields, "G")
    accession = _first(fields, "M")
    database = _first(fields, "W", "~").lower()
    if accession.isdigit() and ("pubmed" in database or "medline" in database):
        record["pmid"] = normalise_pmid(accession)
    other_ids = record["other_ids"]
    if accession:
        other_ids["accession"] = accession
    issn = _first(fields, "@")
    if issn:
        other_ids["issn"] = issn
    record["source_key"] = accession or _first(fields, "F")
    return record
