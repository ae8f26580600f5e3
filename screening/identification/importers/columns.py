"""The column names of the spreadsheet exports people use, and the record field each one holds.

A header cell matches a name here when both are equal once lower-cased with everything but
letters and digits removed: 'Author/s', 'Author(s)' and 'authors' are one name, as are
'publication_year', 'Publication Year' and 'PublicationYear'. Within a field the rows are in
order of preference: when a file has two of them (Scopus's 'Source title' and 'Source'), the
first wins. Each row says which exports write that name, so a new export is one more row.
"""

from __future__ import annotations

import re

# (our field, their column name, the exports that write it)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("title", "Title", "Scopus, Lens.org, Dimensions, Covidence, Rayyan, Zotero, Mendeley, "
     "Publish or Perish, Embase, EBSCO, ProQuest, ACM, Semantic Scholar, ASReview"),
    ("title", "Document Title", "IEEE Xplore"),
    ("title", "Article Title", "Web of Science (Excel)"),
    ("title", "Item Title", "SpringerLink"),
    ("title", "display_name", "OpenAlex"),
    ("title", "primary_title", "ASReview"),
    ("title", "Primary Title", "EndNote (tab-delimited)"),
    ("title", "Paper Title", "conference systems"),
    ("title", "Title-题名", "CNKI (Excel)"),
    ("title", "题名", "CNKI, Wanfang"),
    ("title", "篇名", "CNKI, Airiti"),
    ("title", "标题", "Chinese reference managers"),
    ("title", "文献标题", "Scopus (Chinese interface)"),
    ("title", "TI", "tag-named columns (RIS, Web of Science)"),
    ("title", "T1", "tag-named columns (RIS)"),
    ("title_alt", "Original Title", "Embase"),
    ("title_alt", "Translated Title", "reference managers, rispy (ASReview)"),
    ("title_alt", "Title-英文篇名", "CNKI (Excel)"),
    ("title_alt", "英文篇名", "CNKI"),
    ("title_alt", "TT", "tag-named columns (RIS)"),
    ("title_alt", "Z1", "tag-named columns (Web of Science)"),
    ("abstract", "Abstract", "most exports"),
    ("abstract", "Abstract Note", "Zotero"),
    ("abstract", "notes_abstract", "ASReview"),
    ("abstract", "Summary-摘要", "CNKI (Excel)"),
    ("abstract", "摘要", "CNKI, Wanfang"),
    ("abstract", "AB", "tag-named columns"),
    ("abstract", "N2", "tag-named columns (RIS)"),
    ("authors", "Authors", "Scopus, IEEE Xplore, Dimensions, Covidence, SpringerLink, Mendeley, "
     "Publish or Perish, Rayyan, ProQuest, EBSCO, Semantic Scholar, ASReview"),
    ("authors", "Author/s", "Lens.org"),
    ("authors", "Author", "Zotero, ACM, bib-dedupe"),
    ("authors", "Author Names", "Embase"),
    ("authors", "first_authors", "ASReview"),
    ("authors", "authorships.author.display_name", "OpenAlex"),
    ("authors", "author_names", "OpenAlex (before 2024)"),
    ("authors", "authorships.raw_author_name", "OpenAlex"),
    ("authors", "Author Full Names", "Web of Science (Excel), Scopus"),
    ("authors", "Creators", "repositories"),
    ("authors", "Creator", "repositories"),
    ("authors", "Author-作者", "CNKI (Excel)"),
    ("authors", "作者", "CNKI, Wanfang, Airiti"),
    ("authors", "责任者", "Chinese library catalogues"),
    ("authors", "AU", "tag-named columns"),
    ("authors", "A1", "tag-named columns (RIS)"),
    ("authors", "AF", "tag-named columns (Web of Science)"),
    ("year", "Year", "Rayyan, Publish or Perish, Mendeley, Scopus, Semantic Scholar"),
    ("year", "Publication Year", "Lens.org, IEEE Xplore, SpringerLink, Zotero, Web of Science"),
    ("year", "publication_year", "OpenAlex"),
    ("year", "PubYear", "Dimensions"),
    ("year", "Published Year", "Covidence"),
    ("year", "Year Published", "reference managers"),
    ("year", "Pub Year", "reference managers"),
    ("year", "Year-年", "CNKI (Excel)"),
    ("year", "年", "CNKI"),
    ("year", "年份", "Wanfang"),
    ("year", "出版年", "Airiti"),
    ("year", "PY", "tag-named columns"),
    ("year", "Publication Date", "Dimensions, EBSCO"),
    ("year", "Date Published", "Lens.org"),
    ("year", "publication_date", "OpenAlex"),
    ("year", "pubdate", "ProQuest"),
    ("year", "PubTime-发表时间", "CNKI (Excel)"),
    ("year", "发表时间", "CNKI"),
    ("year", "Date", "Zotero, generic"),
    ("journal", "Source title", "Scopus, Dimensions, Lens.org, Web of Science (Excel)"),
    ("journal", "来源出版物名称", "Scopus (Chinese interface)"),
    ("journal", "Journal", "Rayyan, Covidence, generic"),
    ("journal", "Journal Title", "generic"),
    ("journal", "Publication Title", "IEEE Xplore, SpringerLink, Zotero"),
    ("journal", "Publication Name", "EBSCO"),
    ("journal", "pubtitle", "ProQuest"),
    ("journal", "primary_location.source.display_name", "OpenAlex"),
    ("journal", "primary_location_display_name", "OpenAlex (before 2024)"),
    ("journal", "host_venue.display_name", "OpenAlex (before 2023)"),
    ("journal", "journal.name", "Semantic Scholar"),
    ("journal", "venue", "Semantic Scholar"),
    ("journal", "Secondary Title", "EndNote (tab-delimited)"),
    ("journal", "Journal/Book", "generic"),
    ("journal", "Journal Name", "generic, rispy (ASReview: journal_name)"),
    ("journal", "alternate_title3", "rispy (ASReview): JF"),
    ("journal", "alternate_title2", "rispy (ASReview): JA"),
    ("journal", "alternate_title1", "rispy (ASReview): J2"),
    ("journal", "Source-文献来源", "CNKI (Excel)"),
    ("journal", "文献来源", "CNKI"),
    ("journal", "刊名", "CNKI, Airiti"),
    ("journal", "来源", "Chinese databases"),
    ("journal", "期刊名称", "Wanfang"),
    ("journal", "booktitle", "ACM, bib-dedupe"),
    ("journal", "Anthology title", "Dimensions"),
    ("journal", "Source", "Publish or Perish, Embase, Scopus (the database's name, last)"),
    ("journal", "Publication", "generic"),
    ("journal", "JO", "tag-named columns"),
    ("journal", "SO", "tag-named columns (Web of Science)"),
    ("journal", "T2", "tag-named columns (RIS)"),
    ("journal", "JF", "tag-named columns (RIS)"),
    ("volume", "Volume", "most exports"),
    ("volume", "Journal Volume", "SpringerLink"),
    ("volume", "biblio.volume", "OpenAlex"),
    ("volume", "biblio_volume", "OpenAlex (before 2024)"),
    ("volume", "Volume-卷", "CNKI (Excel)"),
    ("volume", "卷", "CNKI"),
    ("volume", "Vol", "generic"),
    ("volume", "VL", "tag-named columns"),
    ("issue", "Issue", "most exports"),
    ("issue", "Issue Number", "Lens.org"),
    ("issue", "Journal Issue", "SpringerLink"),
    ("issue", "biblio.issue", "OpenAlex"),
    ("issue", "biblio_issue", "OpenAlex (before 2024)"),
    ("issue", "issue_no", "ACM"),
    ("issue", "Number", "bib-dedupe, BibTeX-shaped CSV"),
    ("issue", "Period-期", "CNKI (Excel)"),
    ("issue", "期", "CNKI"),
    ("issue", "IS", "tag-named columns"),
    ("issue", "IP", "tag-named columns (MEDLINE)"),
    ("pages", "Pages", "most exports"),
    ("pages", "Page range", "generic"),
    ("pages", "Pagination", "Dimensions"),
    ("pages", "Page", "generic"),
    ("pages", "PageCount-页码", "CNKI (Excel)"),
    ("pages", "页码", "CNKI"),
    ("pages", "PG", "tag-named columns"),
    ("page_start", "Start Page", "IEEE Xplore, Lens.org"),
    ("page_start", "Page start", "Scopus"),
    ("page_start", "StartPage", "Publish or Perish, ProQuest"),
    ("page_start", "First Page", "generic"),
    ("page_start", "biblio.first_page", "OpenAlex"),
    ("page_start", "biblio_first_page", "OpenAlex (before 2024)"),
    ("page_start", "SP", "tag-named columns (RIS)"),
    ("page_start", "BP", "tag-named columns (Web of Science)"),
    ("page_end", "End Page", "IEEE Xplore, Lens.org"),
    ("page_end", "Page end", "Scopus"),
    ("page_end", "EndPage", "Publish or Perish"),
    ("page_end", "Last Page", "generic"),
    ("page_end", "biblio.last_page", "OpenAlex"),
    ("page_end", "biblio_last_page", "OpenAlex (before 2024)"),
    ("page_end", "EP", "tag-named columns"),
    ("doi", "DOI", "most exports"),
    ("doi", "Item DOI", "SpringerLink"),
    ("doi", "ids.doi", "OpenAlex"),
    ("doi", "externalIds.DOI", "Semantic Scholar"),
    ("doi", "digitalObjectIdentifier", "ProQuest"),
    ("doi", "DI", "tag-named columns (Web of Science)"),
    ("doi", "DO", "tag-named columns (RIS)"),
    ("pmid", "PMID", "Lens.org, Dimensions, OpenAlex (before 2024)"),
    ("pmid", "PubMed ID", "Scopus"),
    ("pmid", "ids.pmid", "OpenAlex"),
    ("pmid", "externalIds.PubMed", "Semantic Scholar"),
    ("pmid", "PubMed", "generic"),
    ("pmid", "PM", "tag-named columns (Web of Science)"),
    ("source_key", "ID", "bib-dedupe, generic"),
    ("source_key", "record_id", "ASReview"),
    ("source_key", "Record ID", "generic"),
    ("source_key", "Key", "Zotero, Rayyan"),
    ("source_key", "Citation Key", "reference managers"),
    ("source_key", "Lens ID", "Lens.org"),
    ("source_key", "Publication ID", "Dimensions"),
    ("source_key", "Covidence #", "Covidence"),
    ("source_key", "paperId", "Semantic Scholar"),
    ("source_key", "StoreId", "ProQuest"),
    ("source_key", "EID", "Scopus"),
    ("source_key", "UT", "Web of Science"),
    ("source_key", "Accession Number", "EBSCO, Ovid, Covidence"),
    ("source_key", "accession_number", "rispy (ASReview)"),
    ("source_key", "AN", "tag-named columns"),
    ("source_key", "Unique-ID", "Web of Science (BibTeX-shaped)"),
    ("publication_type", "ENTRYTYPE", "bib-dedupe, BibTeX-shaped CSV"),
    ("publication_type", "Document Type", "Scopus, Web of Science (Excel), Dimensions"),
    ("publication_type", "Publication Type", "Lens.org, Dimensions"),
    ("publication_type", "Content Type", "SpringerLink"),
    ("publication_type", "Item Type", "Zotero"),
    ("publication_type", "documentType", "ProQuest"),
    ("publication_type", "type_of_reference", "rispy (ASReview)"),
    ("publication_type", "Type", "OpenAlex, ACM, Publish or Perish"),
    ("publication_type", "文献类型", "CNKI"),
    ("publication_type", "TY", "tag-named columns (RIS)"),
    ("publication_type", "DT", "tag-named columns (Web of Science)"),
    ("publication_type", "PT", "tag-named columns"),
    ("keywords", "Author Keywords", "Scopus, IEEE Xplore, Web of Science (Excel)"),
    ("keywords", "作者关键字", "Scopus (Chinese interface)"),
    ("keywords", "Keywords", "Lens.org, Rayyan, Embase, ASReview, generic"),
    ("keywords", "Keyword", "generic"),
    ("keywords", "keywords.display_name", "OpenAlex"),
    ("keywords", "Keyword-关键词", "CNKI (Excel)"),
    ("keywords", "关键词", "CNKI, Wanfang"),
    ("keywords", "Manual Tags", "Zotero"),
    ("keywords", "Tags", "Covidence"),
    ("keywords", "subjectTerms", "ProQuest"),
    ("keywords", "Subjects", "EBSCO"),
    ("keywords", "KW", "tag-named columns"),
    ("keywords", "DE", "tag-named columns (Web of Science)"),
    ("url", "URL", "SpringerLink, Zotero, Rayyan, Semantic Scholar, generic"),
    ("url", "Link", "Scopus"),
    ("url", "链接", "Scopus (Chinese interface)"),
    ("url", "Links", "generic"),
    ("url", "urls", "rispy (ASReview)"),
    ("url", "ArticleURL", "Publish or Perish"),
    ("url", "DocumentURL", "ProQuest"),
    ("url", "Dimensions URL", "Dimensions"),
    ("url", "Source URLs", "Lens.org"),
    ("url", "primary_location.landing_page_url", "OpenAlex"),
    ("url", "PDF Link", "IEEE Xplore"),
    ("url", "Open URL Link", "Embase"),
    ("url", "UR", "tag-named columns"),
    ("language", "Language", "most exports"),
    ("language", "Language of Original Document", "Scopus"),
    ("language", "Lang", "generic"),
    ("language", "语种", "CNKI"),
    ("language", "LA", "tag-named columns"),
)  # fmt: skip

# More keyword columns, merged after the main one when a file has them.
MORE_KEYWORDS: tuple[str, ...] = (
    "Index Keywords",  # Scopus
    "索引关键字",  # Scopus (Chinese interface)
    "IEEE Terms",  # IEEE Xplore
    "INSPEC Controlled Terms",  # IEEE Xplore
    "MeSH Terms",  # Lens.org, Dimensions
    "Mesh_Terms",  # IEEE Xplore
    "Emtree Medical Index Terms",  # Embase
    "Automatic Tags",  # Zotero
    "ID",  # Web of Science's Keywords Plus, when ID is not the record's key
)

# Identifier columns kept in the record's other_ids: (their column, our name).
OTHER_IDS: tuple[tuple[str, str], ...] = (
    ("EID", "eid"),
    ("PMCID", "pmcid"),
    ("PMC", "pmcid"),
    ("ids.pmcid", "pmcid"),
    ("ids.openalex", "openalex"),
    ("openalex_id", "openalex"),
    ("OpenAlex ID", "openalex"),
    ("Lens ID", "lens"),
    ("Publication ID", "dimensions"),
    ("Covidence #", "covidence"),
    ("paperId", "semantic_scholar"),
    ("Microsoft Academic ID", "mag"),
    ("UT", "wos"),
    ("ISSN", "issn"),
    ("ISSNs", "issn"),
    ("ISBN", "isbn"),
    ("ISBNs", "isbn"),
)

# Columns known to hold something other than the record's fields we read (people's IDs and
# affiliations, counts, screening labels...): never offered as where the authors might be.
NOT_AUTHORS: tuple[str, ...] = (
    "Author(s) ID", "Authors with affiliations", "Author Affiliations", "Authors Affiliations",
    "Authors (Raw Affiliation)", "Authors Affiliations - Name of Research organization",
    "Corresponding Authors", "Correspondence Address", "authorships.author.id",
    "authorships.author.orcid", "authorships.institutions.display_name", "author_ids",
    "author_orcids", "author_institution_ids", "author_institution_names", "AuthorCount",
    "CitesPerAuthor", "Affiliations", "Editors", "Editor", "Publisher", "Funding Details",
    "Funding Information", "Funding", "References", "Cited references", "Notes", "Extra",
    "Conference name", "Conference location", "Place", "Place Published",
    "Original Abstract", "Copyright", "License", "secondary_authors", "tertiary_authors",
    "subsidiary_authors", "author_address", "Secondary Authors",
)  # fmt: skip

# Exports whose author cell joins the names without any separator, known by columns only they
# write: "Araz R. AlievNigar T. Ismayilova".
GLUED_AUTHORS: tuple[frozenset[str], ...] = (
    frozenset({"Item Title", "Content Type", "Item DOI"}),  # SpringerLink
)


def key(header: str) -> str:
    """The form in which a header is compared: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", "", header.lstrip("\ufeff").lower())


def _aliases() -> dict[str, tuple[str, ...]]:
    aliases: dict[str, list[str]] = {}
    for field, name, _ in COLUMNS:
        names = aliases.setdefault(field, [])
        if key(name) not in names:
            names.append(key(name))
    return {field: tuple(names) for field, names in aliases.items()}


ALIASES: dict[str, tuple[str, ...]] = _aliases()
MORE_KEYWORD_KEYS = tuple(key(name) for name in MORE_KEYWORDS)
OTHER_ID_KEYS = tuple((key(name), ours) for name, ours in OTHER_IDS)
NOT_AUTHOR_KEYS = frozenset(key(name) for name in NOT_AUTHORS)
GLUED_AUTHOR_KEYS = tuple(frozenset(key(n) for n in names) for names in GLUED_AUTHORS)
