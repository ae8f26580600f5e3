"""The spreadsheets databases and tools export are read without a mapping: titles, authors,
years, DOIs where the export names them its own way. Every file here is made up in the shape of
the export it is named after (header row as that export writes it; invented records)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from screening.identification.importers import guess_column_map
from screening.identification.importers.columns import COLUMNS, key

from .conftest import data_file, parse_bytes

OPENALEX = (
    '"id","authorships.author.display_name","cited_by_count","display_name","doi",'
    '"primary_location.source.display_name","publication_year","type","biblio.first_page",'
    '"biblio.last_page","ids.pmid"\n'
    '"https://openalex.org/W1","Ana Reyes|Bo Lindqvist; Jr|Chen Wei","3",'
    '"Mentoring nurses into research roles","https://doi.org/10.1000/OA.1","Nurse Education",'
    '"2021","article","12","19","https://pubmed.ncbi.nlm.nih.gov/111"\n'
)
OPENALEX_2023 = (
    "id,display_name,publication_date,author_names,primary_location_display_name,doi,"
    "publication_year,biblio_volume\n"
    "https://openalex.org/W2,Residents as researchers,2019-03-01,Dee Okafor|Eli Novak,"
    "Medical Teacher,https://doi.org/10.1000/oa.2,2019,41\n"
)
LENS = (
    "Lens ID,Title,Date Published,Publication Year,Publication Type,Source Title,ISSNs,"
    "Author/s,Abstract,Volume,Issue Number,Start Page,End Page,PMID,DOI\n"
    "000-111-222,Protected time for clinical research,2020-05-01,2020,journal article,"
    "BMC Medical Education,14726920,Ana Reyes; Bo Lindqvist,An abstract.,20,1,101,110,"
    "222,10.1000/lens.1\n"
)
DIMENSIONS = (
    '"About the data: Exported on Mar 2, 2024. Criteria: ""research capacity"" in title '
    'and abstract; Publication Year is 2020."\n'
    "Rank,Publication ID,DOI,PMID,PMCID,Title,Abstract,Source title,PubYear,Volume,Issue,"
    "Pagination,Authors,Authors Affiliations\n"
    "1,pub.100,10.1000/dim.1,,,Research capacity in rural hospitals,Text.,Rural Health,2020,"
    '3,2,45-52,"Okafor, Dee; Novak, Eli","Univ A; Univ B"\n'
)
SEMANTIC_SCHOLAR = (
    "paperId,title,abstract,year,authors,venue,externalIds.DOI,externalIds.PubMed\n"
    "abc123,Journal clubs and research culture,Text.,2018,"
    "\"[{'authorId': '1', 'name': 'Fay Grant'}, {'authorId': '2', 'name': 'Gus Hale'}]\","
    "Clinical Teacher,10.1000/s2.1,333\n"
)
PUBLISH_OR_PERISH = (
    "Cites,Authors,Title,Year,Source,Publisher,ArticleURL,CitesURL,GSRank,QueryDate,Type,DOI,"
    "ISSN,CitationURL,Volume,Issue,StartPage,EndPage,ECC\n"
    '12,"F Grant, G Hale",Barriers to research among allied health staff,2017,'
    "Allied Health Journal,Publisher,https://example.org/a,,1,2024-01-01,,10.1000/pop.1,,,"
    "5,2,10,18,12\n"
)
RAYYAN = (
    "key,title,authors,journal,issn,volume,issue,pages,year,publisher,url,abstract,notes,doi,"
    "keywords\n"
    'rayyan-1,Research champions in hospitals,"Reyes, Ana and Lindqvist, Bo",J Hosp Res,,4,1,'
    '1-9,2022,,,Text.,"RAYYAN-INCLUSION: {""Lena""=>""Included""}",10.1000/ray.1,champions\n'
)
COVIDENCE = (
    "Title,Authors,Abstract,Published Year,Published Month,Journal,Volume,Issue,Pages,"
    "Accession Number,DOI,Ref,Covidence #,Study,Notes,Tags\n"
    'Clinician-researchers in surgery,"Hale, Gus; Grant, Fay",Text.,2016,May,Surgery Today,'
    "9,3,200-210,,10.1000/cov.1,1,#12,Hale 2016,,\n"
)
ASREVIEW = (
    "record_id,title,abstract,keywords,first_authors,year,doi,included\n"
    '1,Teaching evidence-based practice,Text.,ebp,"Novak, Eli; Okafor, Dee",2015,,1\n'
)
ZOTERO = (
    '"Key","Item Type","Publication Year","Author","Title","Publication Title","ISBN",'
    '"ISSN","DOI","Url","Abstract Note","Date","Pages","Issue","Volume","Manual Tags"\n'
    '"ABCD1234","journalArticle","2014","Grant, Fay; Hale, Gus","Research interest among '
    'junior doctors","Junior Doctor Journal","","","10.1000/zot.1","","Text.","2014-02",'
    '"33-40","2","7","interest; juniors"\n'
)
MENDELEY = (
    "Title,Authors,Year,Source,Volume,Issue,Pages,DOI,Abstract,Keywords\n"
    'Nurse-led research programmes,"Reyes, A.; Lindqvist, B.",2013,Nursing Research Today,'
    "8,1,5-12,10.1000/men.1,Text.,programmes\n"
)
EBSCO = (
    "Title,Authors,Publication Name,Publication Date,Volume,Issue,Subjects,Abstract,DOI,"
    "Accession Number\n"
    'Release time for research,"Okafor, Dee; Novak, Eli",Health Workforce Review,2012-06-01,'
    "12,4,workforce; research,Text.,10.1000/ebsco.1,123456\n"
)
PROQUEST = (
    "StoreId,Title,Abstract,Authors,pubtitle,pubdate,year,volume,issue,pages,ISSN,language,"
    "documentType,digitalObjectIdentifier,DocumentURL\n"
    '1001,Research mentorship for midwives,Text.,"Grant, Fay; Hale, Gus",Midwifery Forum,'
    "2011,2011,3,1,1-10,,English,Journal Article,10.1000/pq.1,https://example.org/pq\n"
)
IEEE = (
    '"Document Title",Authors,"Author Affiliations","Publication Title","Publication Year",'
    '"Volume","Issue","Start Page","End Page","Abstract","DOI","Author Keywords"\n'
    '"Tools for research training","A. Reyes; B. Lindqvist","Univ A; Univ B","IEEE Trans '
    'Educ","2019","62","1","1","9","Text.","10.1109/ieee.1","training"\n'
)
ACM = (
    "type,id,author,editor,title,pages,keywords,doi,journal,volume,issue_no,year,booktitle,"
    "publisher\n"
    'article,10.1145/1,"Hale, Gus and Grant, Fay",,Computing for clinicians,1-12,clinic,'
    "10.1145/acm.1,CACM,60,4,2017,,ACM\n"
)
SPRINGER = (
    "Item Title,Publication Title,Book Series Title,Journal Volume,Journal Issue,Item DOI,"
    "Authors,Publication Year,URL,Content Type\n"
    '"Research capacity building","Health Research Policy","","5","2","10.1007/spr.1",'
    '"Prof. Dee OkaforEli NovakDr. Ronald McDonald","2018","https://example.org/s","Article"\n'
)
EMBASE = (
    "Title,Original Title,Author Names,Source,Abstract,Emtree Medical Index Terms,keywords\n"
    '"Research nurses in oncology",,"Reyes A., Lindqvist B.","Oncology Nursing (2010) 5:2 '
    '(1-9)",Text.,"nurse, oncology",nurses\n'
)
CNKI = (
    "SrcDatabase-来源库,Title-题名,Author-作者,Organ-单位,Source-文献来源,Keyword-关键词,"
    "Summary-摘要,PubTime-发表时间,Year-年,Volume-卷,Period-期,PageCount-页码\n"
    "期刊,护士科研能力培养研究,王小明;陈美玲,某大学,护理研究,科研能力;护士,摘要文本,"
    "2019-05-01,2019,33,5,12-15\n"
)

EXPORTS = [
    ("openalex", OPENALEX, "Mentoring nurses into research roles",
     ["Ana Reyes", "Bo Lindqvist; Jr", "Chen Wei"], 2021, "10.1000/oa.1"),
    ("openalex-2023", OPENALEX_2023, "Residents as researchers", ["Dee Okafor", "Eli Novak"],
     2019, "10.1000/oa.2"),
    ("lens", LENS, "Protected time for clinical research", ["Ana Reyes", "Bo Lindqvist"], 2020,
     "10.1000/lens.1"),
    ("dimensions", DIMENSIONS, "Research capacity in rural hospitals",
     ["Okafor, Dee", "Novak, Eli"], 2020, "10.1000/dim.1"),
    ("semantic-scholar", SEMANTIC_SCHOLAR, "Journal clubs and research culture",
     ["Fay Grant", "Gus Hale"], 2018, "10.1000/s2.1"),
    ("publish-or-perish", PUBLISH_OR_PERISH, "Barriers to research among allied health staff",
     ["F Grant", "G Hale"], 2017, "10.1000/pop.1"),
    ("rayyan", RAYYAN, "Research champions in hospitals", ["Reyes, Ana", "Lindqvist, Bo"], 2022,
     "10.1000/ray.1"),
    ("covidence", COVIDENCE, "Clinician-researchers in surgery", ["Hale, Gus", "Grant, Fay"],
     2016, "10.1000/cov.1"),
    ("asreview", ASREVIEW, "Teaching evidence-based practice", ["Novak, Eli", "Okafor, Dee"],
     2015, ""),
    ("zotero", ZOTERO, "Research interest among junior doctors", ["Grant, Fay", "Hale, Gus"],
     2014, "10.1000/zot.1"),
    ("mendeley", MENDELEY, "Nurse-led research programmes", ["Reyes, A.", "Lindqvist, B."], 2013,
     "10.1000/men.1"),
    ("ebsco", EBSCO, "Release time for research", ["Okafor, Dee", "Novak, Eli"], 2012,
     "10.1000/ebsco.1"),
    ("proquest", PROQUEST, "Research mentorship for midwives", ["Grant, Fay", "Hale, Gus"], 2011,
     "10.1000/pq.1"),
    ("ieee", IEEE, "Tools for research training", ["A. Reyes", "B. Lindqvist"], 2019,
     "10.1109/ieee.1"),
    ("acm", ACM, "Computing for clinicians", ["Hale, Gus", "Grant, Fay"], 2017, "10.1145/acm.1"),
    ("springer", SPRINGER, "Research capacity building",
     ["Dee Okafor", "Eli Novak", "Ronald McDonald"], 2018, "10.1007/spr.1"),
    ("embase", EMBASE, "Research nurses in oncology", ["Reyes A.", "Lindqvist B."], 2010, ""),
    ("cnki", CNKI, "护士科研能力培养研究", ["王小明", "陈美玲"], 2019, ""),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "title", "authors", "year", "doi"),
    [pytest.param(*row[1:], id=row[0]) for row in EXPORTS],
)
def test_each_export_reads_without_a_mapping(text, title, authors, year, doi):
    records, report = parse_bytes(text.encode("utf-8"), filename="export.csv")
    assert report.format == "csv"
    assert len(records) == 1
    record = records[0]
    assert (record["title"], record["authors"], record["year"], record["doi"]) == (
        title,
        authors,
        year,
        doi,
    )


def test_openalex_pages_journal_and_pmid_come_from_their_dotted_columns():
    record = parse_bytes(OPENALEX.encode(), filename="works.csv")[0][0]
    assert (record["journal"], record["pages"], record["pmid"]) == (
        "Nurse Education",
        "12-19",
        "111",
    )
    assert record["publication_type"] == "article"
    assert record["source_key"] == "https://openalex.org/W1"


def test_dimensions_line_above_the_header_is_skipped_with_a_warning():
    records, report = parse_bytes(DIMENSIONS.encode(), filename="dimensions.csv")
    assert records[0]["line"] == 3
    assert records[0]["journal"] == "Rural Health"
    assert records[0]["other_ids"]["dimensions"] == "pub.100"
    assert report.warnings[0][0] == 1 and "not the header row" in report.warnings[0][1]


def test_a_renamed_dimensions_export_is_still_recognised_as_csv():
    records, report = parse_bytes(DIMENSIONS.encode(), filename="export.txt")
    assert report.format == "csv" and records[0]["title"]


def test_lens_ids_and_page_range():
    record = parse_bytes(LENS.encode(), filename="lens.csv")[0][0]
    assert record["other_ids"]["lens"] == "000-111-222"
    assert record["pages"] == "101-110"
    assert record["pmid"] == "222"


def test_the_same_export_as_an_xlsx_workbook_reads_the_same():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in LENS.splitlines():
        sheet.append(row.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    record = parse_bytes(buffer.getvalue())[0][0]
    assert (record["title"], record["authors"]) == (
        "Protected time for clinical research",
        ["Ana Reyes", "Bo Lindqvist"],
    )


def test_header_names_match_ignoring_case_spacing_and_punctuation():
    assert key("Author/s") == key("AUTHORS") == key("author_s") == "authors"
    guess = guess_column_map(["PUBLICATION_YEAR", "document title", "Author(s)"])
    assert guess == {"title": "document title", "authors": "Author(s)", "year": "PUBLICATION_YEAR"}


def test_the_table_names_the_exports_the_issue_lists():
    sources = " ".join(row[2] for row in COLUMNS)
    for export in ("OpenAlex", "Lens.org", "Dimensions", "Semantic Scholar", "Publish or Perish",
                   "Rayyan", "Covidence", "ASReview", "Zotero", "Mendeley", "EBSCO", "ProQuest",
                   "IEEE Xplore", "ACM", "SpringerLink", "Embase"):  # fmt: skip
        assert export in sources, export


def test_real_springer_export_splits_its_glued_author_names():
    path = data_file("litstudy/springer.csv")
    records, _ = parse_bytes(path.read_bytes(), filename=path.name)
    assert records[0]["authors"] == ["Araz R. Aliev", "Nigar T. Ismayilova"]
    assert all("Prof." not in name for r in records for name in r["authors"])


def test_real_embase_csv_keeps_its_author_names():
    path = data_file("asreview-demo-data/embase.csv")
    records, _ = parse_bytes(path.read_bytes(), filename=path.name)
    assert records[0]["authors"] == ["Liu R.", "Adler D.G."]
