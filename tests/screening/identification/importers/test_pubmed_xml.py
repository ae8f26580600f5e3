"""PubMed XML (efetch, 'Save as XML'): the DOCTYPE is fine, entities are not; each record's own
PMID and DOI, never those of its reference list; fields as the MEDLINE reader gives them."""

from __future__ import annotations

import io

import pytest

from screening.identification.importers import (
    ImportFormatError,
    ParseReport,
    iter_records,
    pubmed_xml,
)

from .conftest import parse_bytes

PUBMED = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">
<PubmedArticleSet>
<PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
    <PMID Version="1">11111111</PMID>
    <Article PubModel="Print">
      <Journal>
        <ISSN IssnType="Electronic">1234-5678</ISSN>
        <JournalIssue CitedMedium="Internet"><Volume>12</Volume><Issue>3</Issue>
          <PubDate><Year>2019</Year><Month>Mar</Month></PubDate></JournalIssue>
        <Title>Journal of Invented Results</Title>
        <ISOAbbreviation>J Invent Res</ISOAbbreviation>
      </Journal>
      <ArticleTitle>[Tea drinking and <i>sleep</i> in an invented cohort].</ArticleTitle>
      <Pagination><MedlinePgn>1045-58</MedlinePgn></Pagination>
      <ELocationID EIdType="doi" ValidYN="Y">10.1000/INVENTED.1</ELocationID>
      <Abstract>
        <AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">First part.</AbstractText>
        <AbstractText Label="METHODS">Second part with H<sub>2</sub>O.</AbstractText>
      </Abstract>
      <AuthorList CompleteYN="Y">
        <Author ValidYN="Y"><LastName>Zhang</LastName><ForeName>San</ForeName><Initials>S</Initials></Author>
        <Author ValidYN="Y"><LastName>Smith</LastName><Initials>J</Initials><Suffix>Jr</Suffix></Author>
        <Author ValidYN="Y"><CollectiveName>The Invented Study Group</CollectiveName></Author>
      </AuthorList>
      <Language>chi</Language>
      <PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType><PublicationType UI="D016454">Review</PublicationType></PublicationTypeList>
      <VernacularTitle>饮茶与睡眠</VernacularTitle>
    </Article>
    <MeshHeadingList>
      <MeshHeading><DescriptorName UI="D1" MajorTopicYN="N">Humans</DescriptorName></MeshHeading>
      <MeshHeading><DescriptorName UI="D2" MajorTopicYN="Y">Tea</DescriptorName><QualifierName UI="Q1" MajorTopicYN="N">adverse effects</QualifierName></MeshHeading>
    </MeshHeadingList>
    <CommentsCorrectionsList><CommentsCorrections RefType="CommentIn"><RefSource>Other</RefSource><PMID Version="1">99999999</PMID></CommentsCorrections></CommentsCorrectionsList>
    <KeywordList Owner="NOTNLM"><Keyword MajorTopicYN="N">sleep quality</Keyword></KeywordList>
  </MedlineCitation>
  <PubmedData>
    <ArticleIdList><ArticleId IdType="pubmed">11111111</ArticleId><ArticleId IdType="doi">10.1000/invented.1</ArticleId><ArticleId IdType="pmc">PMC1111111</ArticleId><ArticleId IdType="pii">S0000-0000(19)00001-1</ArticleId></ArticleIdList>
    <ReferenceList><Reference><Citation>Another.</Citation><ArticleIdList><ArticleId IdType="doi">10.9999/wrong</ArticleId><ArticleId IdType="pubmed">88888888</ArticleId></ArticleIdList></Reference></ReferenceList>
  </PubmedData>
</PubmedArticle>
<PubmedArticle>
  <MedlineCitation Status="PubMed-not-MEDLINE" Owner="NLM">
    <PMID Version="1">22222222</PMID>
    <Article PubModel="Electronic">
      <Journal><JournalIssue><Volume>5</Volume><PubDate><MedlineDate>2020 Jan-Feb</MedlineDate></PubDate></JournalIssue>
        <ISOAbbreviation>Invent Lett</ISOAbbreviation></Journal>
      <ArticleTitle>A second invented article.</ArticleTitle>
      <Pagination><StartPage>e101</StartPage><EndPage>e109</EndPage></Pagination>
      <Language>eng</Language>
    </Article>
  </MedlineCitation>
  <PubmedData><ArticleIdList><ArticleId IdType="doi">10.1000/invented.2</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
<PubmedBookArticle>
  <BookDocument>
    <PMID Version="1">33333333</PMID>
    <Book><Publisher><PublisherName>Invented Press</PublisherName></Publisher><BookTitle>An Invented Handbook</BookTitle><PubDate><Year>2018</Year></PubDate></Book>
    <ArticleTitle>A chapter of the invented handbook</ArticleTitle>
    <AuthorList><Author><LastName>Li</LastName><ForeName>Si</ForeName></Author></AuthorList>
    <Abstract><AbstractText>Invented book abstract.</AbstractText></Abstract>
  </BookDocument>
</PubmedBookArticle>
</PubmedArticleSet>
"""


def test_pubmed_xml_fields_from_invented_records():
    records, report = parse_bytes(PUBMED.encode("utf-8"))
    assert report.format == "pubmed-xml" and report.encoding == "utf-8"
    first, second, book = records
    assert first["pmid"] == first["source_key"] == "11111111"  # not the comment's 99999999
    assert first["title"] == "[Tea drinking and sleep in an invented cohort]."
    assert first["title_alt"] == "饮茶与睡眠"
    assert first["abstract"] == "BACKGROUND: First part. METHODS: Second part with H2O."
    assert first["authors"] == ["Zhang, San", "Smith, J Jr", "The Invented Study Group"]
    assert (first["journal"], first["year"], first["volume"], first["issue"]) == (
        "Journal of Invented Results", 2019, "12", "3",
    )  # fmt: skip
    assert first["pages"] == "1045-1058"
    assert first["doi"] == "10.1000/invented.1"  # not the reference list's 10.9999/wrong
    assert first["keywords"] == ["Humans", "*Tea/adverse effects", "sleep quality"]
    assert first["publication_type"] == "Journal Article; Review"
    assert first["language"] == "chi"
    assert first["other_ids"] == {
        "pmcid": "PMC1111111", "pii": "S0000-0000(19)00001-1", "issn": "1234-5678",
    }  # fmt: skip
    assert first["raw"].startswith("<PubmedArticle>") and first["raw"].endswith("</PubmedArticle>")
    assert first["line"] == 4
    assert (second["year"], second["journal"], second["pages"]) == (
        2020,
        "Invent Lett",
        "e101-e109",
    )
    assert second["doi"] == "10.1000/invented.2"
    assert (book["pmid"], book["title"], book["journal"], book["year"]) == (
        "33333333", "A chapter of the invented handbook", "An Invented Handbook", 2018,
    )  # fmt: skip
    assert book["authors"] == ["Li, Si"] and book["abstract"] == "Invented book abstract."


def test_pubmed_xml_is_streamed_across_small_reads(monkeypatch):
    monkeypatch.setattr(pubmed_xml, "CHUNK", 97)
    report = ParseReport()
    records = list(iter_records(io.BytesIO(PUBMED.encode()), report=report))
    assert [r["pmid"] for r in records] == ["11111111", "22222222", "33333333"]
    assert records[1]["raw"].startswith("<PubmedArticle>")


def test_pubmed_xml_declaring_utf16_is_read():
    data = PUBMED.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    records, report = parse_bytes(data)
    assert report.format == "pubmed-xml" and records[0]["title_alt"] == "饮茶与睡眠"


def test_entities_are_refused_even_with_the_doctype_allowed():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaa">]>'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>&a;</PMID>"
        "</MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    with pytest.raises(ImportFormatError, match="declares entities"):
        parse_bytes(bomb.encode())


def test_pubmed_xml_is_no_longer_refused_as_not_endnote_xml():
    records, report = parse_bytes(PUBMED.encode(), filename="pubmed_result.xml")
    assert report.format == "pubmed-xml" and len(records) == 3


def test_a_set_without_articles_is_refused():
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(b"<PubmedArticleSet></PubmedArticleSet>")
    assert "no <PubmedArticle> elements found" in error.value.message


def test_a_namespace_prefix_declared_on_the_root_resolves_inside_a_record():
    data = (
        '<PubmedArticleSet xmlns:mml="http://www.w3.org/1998/Math/MathML">\n'
        "<PubmedArticle><MedlineCitation><PMID>7</PMID><Article><ArticleTitle>Dose "
        "<mml:math><mml:mi>x</mml:mi></mml:math> and more</ArticleTitle></Article>"
        "</MedlineCitation></PubmedArticle>\n</PubmedArticleSet>\n"
    )
    [record], _ = parse_bytes(data.encode())
    assert (record["pmid"], record["title"], record["line"]) == ("7", "Dose x and more", 2)


def test_a_broken_record_in_the_middle_is_refused_with_its_line():
    broken = PUBMED.replace("<Volume>5</Volume>", "<Volume>5</Volme>")
    with pytest.raises(ImportFormatError) as error:
        parse_bytes(broken.encode(), allow_truncated=True)
    assert error.value.line == 47
    assert "not well formed: a closing tag does not match the tag it should close" in (
        error.value.message
    )


def _article(pmid: str, title_element: str) -> str:
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}'
        '</PMID><Article PubModel="Print"><Journal><Title>Invented Tidskrift</Title></Journal>'
        f"{title_element}<Language>swe</Language>"
        "<VernacularTitle>Psykisk ohälsa och sömn - ett påhittat samband.</VernacularTitle>"
        "</Article></MedlineCitation></PubmedArticle>\n"
    )


@pytest.mark.parametrize(
    "title_element",
    ["<ArticleTitle/>", "<ArticleTitle>[Not Available].</ArticleTitle>"],
    ids=["empty", "NLM's placeholder"],
)
def test_with_no_english_title_the_vernacular_title_is_the_title(title_element):
    data = f"<PubmedArticleSet>\n{_article('22222222', title_element)}</PubmedArticleSet>\n"
    records, report = parse_bytes(data.encode())
    assert report.format == "pubmed-xml"
    assert records[0]["title"] == "Psykisk ohälsa och sömn - ett påhittat samband."
    assert records[0]["title_alt"] == ""
