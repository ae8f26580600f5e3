"""Searching a review's records: one query language, two engines.

    protected time "medical education" -students author:smith journal:"med educ" year:2015..2020

Plain words must all match (title, alternative title, abstract, keywords, authors, journal);
"quoted phrases" match as phrases; -word excludes; author:, journal: and year: (a year or a
range a..b) are fields; a DOI, PMID or record number finds that record. Chinese, Japanese and
Korean text matches by its characters: a query of CJK characters finds exactly the records
containing that sequence, with no word segmentation.

On PostgreSQL the words go through full-text search (English stemming) on a stored, GIN-indexed
`search_doc` that a background task fills after each import (records not indexed yet are matched
by a plain scan meanwhile), CJK runs through character bigrams in the same document, and a
pg_trgm index on titles (`search_title`, the copy the same task writes, so an import pays for no
trigram index) suggests near matches for a mistyped word. On SQLite (the embedded
default) the same queries run as case-insensitive substring matches: no stemming, same results
on small data otherwise.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from celery import shared_task
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.dispatch import receiver

from reviewapp import jobs
from screening.identification.signals import records_imported

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
CJK_RUN = re.compile(f"[{CJK}]+")
FIELD = re.compile(r"^(author|journal|year):(.*)$", re.I)
YEAR_RANGE = re.compile(r"^(\d{4})?\s*(?:\.\.|-)\s*(\d{4})?$")
DOI = re.compile(r"^10\.\d+/\S+$", re.I)


@dataclass
class Query:
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    journals: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    identifier: str = ""  # a DOI, PMID or record number typed alone

    @property
    def empty(self) -> bool:
        return not (
            self.words or self.phrases or self.excluded or self.authors or self.journals
            or self.year_from or self.year_to or self.identifier
        )  # fmt: skip

    @property
    def texts(self) -> list[str]:
        """What must occur in the record's text: words and phrases."""
        return [*self.words, *self.phrases]


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(token, was quoted); an unbalanced quote is read as if closed at the end."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    lexer.quotes = '"“”'
    out = []
    try:
        for token in lexer:
            out.append(token)
    except ValueError:  # no closing quotation
        return _tokens(text + '"')
    quoted = set(re.findall(r'["“]([^"”]+)["”]', text))
    return [(t, t in quoted) for t in out]


def parse(text: str) -> Query:
    """Read the query language (see the module docstring)."""
    query = Query()
    text = (text or "").strip()[:500]
    if not text:
        return query
    if DOI.match(text) or text.isdigit():
        query.identifier = text.lower()
        return query
    for token, quoted in _tokens(text):
        if not token:
            continue
        if match := FIELD.match(token):
            name, value = match.group(1).lower(), match.group(2).strip().strip('"“”')
            if name == "year":
                _year(query, value)
            elif value:
                (query.authors if name == "author" else query.journals).append(value)
        elif token.startswith("-") and len(token) > 1 and not quoted:
            query.excluded.append(token[1:])
        elif quoted or " " in token:
            query.phrases.append(token)
        else:
            query.words.append(token)
    return query


def _year(query: Query, value: str) -> None:
    if value.isdigit() and len(value) == 4:
        query.year_from = query.year_to = int(value)
    elif match := YEAR_RANGE.match(value):
        low, high = match.groups()
        query.year_from = int(low) if low else None
        query.year_to = int(high) if high else None


# --- the engines ------------------------------------------------------------------------------


def _substring(text: str) -> Q:
    """A case-insensitive substring of any searchable field (the plain engine)."""
    return (
        Q(title__icontains=text)
        | Q(title_alt__icontains=text)
        | Q(abstract__icontains=text)
        | Q(journal__icontains=text)
        | Q(keywords__icontains=text)
        | Q(authors__icontains=text)
        | Q(authors_alt__icontains=text)
    )


# A record's identifiers as one array, GIN-indexed for the records the background indexing has
# reached (migration 0019, PostgreSQL): an import writes no entry, as for search_doc.
IDENTIFIERS_SQL = "ARRAY[doi::text, pmid::text, source_key::text]"


def _identifier(query: Query) -> Q:
    """A DOI, PMID, source key or record number typed alone. On PostgreSQL the indexed records
    are found through the identifiers' index and the ones not indexed yet through theirs (the
    DOI or source key was an OR of unindexed columns: a scan of every row, 2.2 s at 500,000
    records)."""
    value = query.identifier
    match = Q(doi=value) | Q(source_key=value)
    if value.isdigit():
        match |= Q(pmid=value)
    if has_search_index():
        indexed = RawSQL(
            f"({IDENTIFIERS_SQL}) @> ARRAY[%s]::text[] AND search_doc IS NOT NULL",
            [value],
            output_field=_bool(),
        )
        match = Q(indexed) | (_not_indexed() & match)
    if value.isdigit():
        match |= Q(pk=int(value))
    return match


JOURNALS_SQL = """
WITH RECURSIVE j AS (
    (SELECT journal FROM screening_record WHERE review_id = %s ORDER BY journal LIMIT 1)
    UNION ALL
    SELECT (SELECT r.journal FROM screening_record r
            WHERE r.review_id = %s AND r.journal > j.journal ORDER BY r.journal LIMIT 1)
    FROM j WHERE j.journal IS NOT NULL
)
SELECT journal FROM j WHERE journal IS NOT NULL
"""


def journals_key(review) -> str:
    """Its creation time too: a test database made again reuses ids, the cache outlives it."""
    return f"record-journals:{review.pk}:{review.created_at.timestamp():.6f}"


def review_journals(review) -> list[str]:
    """The review's distinct journal names, by a skip scan of the (review, journal) index
    (one probe per journal, not a read of every record); cached until the next import."""
    journals = cache.get(journals_key(review))
    if journals is None:
        with connection.cursor() as cursor:
            cursor.execute(JOURNALS_SQL, [review.pk, review.pk])
            journals = [row[0] for row in cursor.fetchall()]
        cache.set(journals_key(review), journals, 600)
    return journals


def _journal(text: str, review) -> Q:
    if review is None or not has_search_index():
        return Q(journal__icontains=text)
    wanted = text.casefold()
    return Q(journal__in=[j for j in review_journals(review) if wanted in j.casefold()])


def _in_authors(text: str) -> Q:
    """A case-insensitive substring of the authors' names. On PostgreSQL written with strpos,
    which the planner estimates as a third of the rows, not as LIKE's 0.5 %: with LIKE it took
    a common name's 7,600 matches for 25 and sorted them all for a page (33 ms at 100,000
    records) instead of walking the id index to the first 50 (3 ms)."""
    if not has_search_index():
        return Q(authors__icontains=text) | Q(authors_alt__icontains=text)
    sql = "strpos(upper({}::text), upper(%s)) > 0"
    return Q(RawSQL(sql.format('"screening_record"."authors"'), [text], output_field=_bool())) | Q(
        RawSQL(sql.format('"screening_record"."authors_alt"'), [text], output_field=_bool())
    )


def _fields(records: QuerySet, query: Query, review=None) -> QuerySet:
    for author in query.authors:
        records = records.filter(_in_authors(author))
    for journal in query.journals:
        records = records.filter(_journal(journal, review))
    if query.year_from:
        records = records.filter(year__gte=query.year_from)
    if query.year_to:
        records = records.filter(year__lte=query.year_to)
    return records


def has_search_index() -> bool:
    return connection.vendor == "postgresql"


def cjk_bigrams(text: str) -> str:
    """The CJK runs of `text` as overlapping character bigrams (single characters alone)."""
    grams = []
    for run in CJK_RUN.findall(text or ""):
        if len(run) == 1:
            grams.append(run)
        grams += [run[i : i + 2] for i in range(len(run) - 1)]
    return " ".join(grams)


def _tsquery(text: str) -> tuple[str, list[str]]:
    """The tsquery of one word or phrase, as SQL and its parameters: CJK characters as a
    phrase of their bigrams, anything else through English full-text search."""
    cjk = CJK_RUN.findall(text)
    if cjk and len("".join(cjk)) >= 2 and not CJK_RUN.sub("", text).strip():
        grams = cjk_bigrams(text).split()
        return "to_tsquery('simple', %s)", [" <-> ".join(g for g in grams if len(g) == 2)]
    return "websearch_to_tsquery('english', %s)", [f'"{text}"' if " " in text else text]


def _pending(texts: list[str]) -> Q:
    """Records not indexed yet (the background task is still running), holding every text: a
    plain scan of those records only, found through the partial index on unindexed records
    (migration 0009)."""
    pending = _not_indexed()
    for text in texts:
        pending &= _substring(text)
    return pending


def _not_indexed() -> Q:
    """Records the background indexing has not reached yet (their own partial index,
    `screening_record_unindexed`)."""
    return Q(RawSQL("search_doc IS NULL", [], output_field=_bool()))


def _ts_match(text: str, negate: bool = False) -> Q:
    """Full-text match of one word or phrase on PostgreSQL; unindexed records by substring."""
    tsquery, params = _tsquery(text)
    sql = f"search_doc @@ {tsquery}"
    # COALESCE keeps NOT (...) true for a record whose document is NULL.
    indexed = Q(RawSQL(f"COALESCE({sql}, FALSE)" if negate else sql, params, output_field=_bool()))
    return indexed | _pending([text])


def _all_of(texts: list[str], authors: list[str]) -> Q:
    """Every word, phrase and author name (PostgreSQL): one `@@` of their tsqueries joined by
    `&&`, tested on the bare document so the GIN index answers it and intersects them itself.
    One `@@` per word let the planner take the rarest from the index and test the others row
    by row, reading each candidate's document: "wetland author:li" read 5,886 rows for 347
    matches (25 ms at 100,000 records; 2 ms now). An author's words only narrow: the names
    are checked by substring (_fields). A word that is a stopword alone (an empty tsquery)
    matches nothing, as its own `@@` did (`&&` would drop it): hence numnode."""
    parts = [_tsquery(text) for text in texts]
    parts += [("plainto_tsquery('english', %s)", [author]) for author in authors]
    params = [p for _, ps in parts for p in ps]
    joined = " && ".join(sql for sql, _ in parts)
    nonempty = " AND ".join(f"numnode({sql}) > 0" for sql, _ in parts)
    indexed = RawSQL(f"search_doc @@ ({joined}) AND {nonempty}", params * 2, output_field=_bool())
    return Q(indexed) | _pending(texts)


def _bool():
    from django.db.models import BooleanField

    return BooleanField()


def apply(records: QuerySet, query: Query, review=None) -> QuerySet:
    """The records matching the query (records must be of one review: `review`, when given,
    lets a journal: field use the review's journal list)."""
    if query.identifier:
        return records.filter(_identifier(query))
    records = _fields(records, query, review)
    if not has_search_index():
        for text in query.texts:
            records = records.filter(_substring(text))
        for text in query.excluded:
            records = records.exclude(_substring(text))
        return records
    if query.texts or query.authors:
        records = records.filter(_all_of(query.texts, query.authors))
    for text in query.excluded:
        records = records.exclude(_ts_match(text, negate=True))
    return records


# When a bounded read of the first matches walks the review's records in id order rather than
# taking the full-text index's bitmap (in_id_order). Walking reads about wanted x N / m rows for
# m matches among the review's N records, a heap page each; the bitmap first decodes every
# match's index entry (m of them, each about a 25th to a 50th of a page read: 46,000 entries
# took 8.6 ms, 1,001 pages 8 ms, at 500,000 records), then reads `wanted` pages. The walk is
# the cheaper one when m x m > WALK_RATIO x wanted x N: past a fifth of the review at 500,000
# records, half of it at 100,000. WALK_RATIO = 25 comes from those two costs, measured on the
# scale benchmark's data (Scopus records of ../shared/data/revtools, docs/benchmarks.md).
WALK_RATIO = 25


def in_id_order(records: QuerySet, review_records: QuerySet, wanted: int) -> bool:
    """Whether the first `wanted` of `records` (a search within `review_records`) are best read
    walking the ids in order (PostgreSQL; by the planner's estimates of both counts).

    A search matching most of a review ("restoration" in a review of restoration ecology, or a
    -term alone) must not be read by a sequential scan, which the planner picks for a LIMIT
    expecting matches spread evenly over the table: a review's records sit together, after
    other reviews' and after the free space their search indexing left (40,000 empty pages
    read for 1,001 matches at 500,000 records, 130 ms; 14 ms walking the ids)."""
    if not has_search_index():
        return False
    matches, total = _estimated_rows(records), _estimated_rows(review_records)
    return matches * matches > WALK_RATIO * wanted * total


def _estimated_rows(records: QuerySet) -> float:
    """The planner's estimate of how many rows `records` holds (EXPLAIN, not run)."""
    plan = json.loads(records.order_by().values("pk").explain(format="json"))
    return float(plan[0]["Plan"]["Plan Rows"])


SUGGEST_SIMILARITY = 0.3
SUGGEST_CANDIDATES = 200


def suggest(records: QuerySet, query: Query, limit: int = 5) -> list[str]:
    """Titles close to a mistyped query (pg_trgm word similarity), when nothing matched."""
    if not has_search_index() or not query.words:
        return []
    text = " ".join(query.words)
    with connection.cursor() as cursor:
        # Looser than pg_trgm's default (0.6): one swapped letter in a short word scores ~0.3.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(SUGGEST_SIMILARITY)],
        )
    similar = RawSQL("%s <%% search_title", [text], output_field=_bool())
    # The best of the first SUGGEST_CANDIDATES near matches the index finds: ranking every near
    # match took seconds at 100,000 records, where a common word's typo is near most titles.
    candidates = (
        records.order_by()
        .filter(Q(similar))
        .annotate(score=RawSQL("word_similarity(%s, search_title)", [text]))
        .values_list("score", "title")[:SUGGEST_CANDIDATES]
    )
    best = sorted(candidates, key=lambda c: -c[0])
    return list(dict.fromkeys(title for _, title in best))[:limit]


# --- the index (PostgreSQL) ---------------------------------------------------------------------

DOCUMENT_SQL = (
    "setweight(to_tsvector('english', coalesce(title, '') || ' ' || coalesce(title_alt, '')), 'A')"
    " || setweight(to_tsvector('english', coalesce(abstract, '')), 'B')"
    " || setweight(to_tsvector('english', coalesce(keywords::text, '') || ' '"
    " || coalesce(authors::text, '') || ' ' || coalesce(authors_alt::text, '') || ' '"
    " || coalesce(journal, '')), 'C')"
)
BATCH = 5000


def index_pending(review_id: int) -> int:
    """Fill search_doc for the review's records that have none; returns how many.

    Batched so no statement holds many rows locked for long; CJK records get their character
    bigrams (computed here) added to the document.
    """
    if not has_search_index():
        return 0
    done = 0
    cjk_pattern = f"[{CJK}]"
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, coalesce(title,'') || ' ' || coalesce(title_alt,'') || ' ' ||"
                " coalesce(abstract,'') || ' ' || coalesce(keywords::text,'') ||"
                " ' ' || coalesce(authors::text,'') || ' ' || coalesce(journal,'')"
                " ~ %s FROM screening_record WHERE review_id = %s AND search_doc IS NULL"
                " ORDER BY id LIMIT %s",
                [cjk_pattern, review_id, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            plain = [i for i, has_cjk in rows if not has_cjk]
            if plain:
                cursor.execute(
                    f"UPDATE screening_record SET search_title = title, search_doc = {DOCUMENT_SQL} WHERE id = ANY(%s)",
                    [plain],
                )
            for record_id in (i for i, has_cjk in rows if has_cjk):
                cursor.execute(
                    "SELECT coalesce(title,'') || ' ' || coalesce(title_alt,'') || ' ' ||"
                    " coalesce(abstract,'') || ' ' || coalesce(keywords::text,'') || ' ' ||"
                    " coalesce(authors::text,'') || ' ' || coalesce(journal,'')"
                    " FROM screening_record WHERE id = %s",
                    [record_id],
                )
                text = cursor.fetchone()[0]
                cursor.execute(
                    f"UPDATE screening_record SET search_title = title, search_doc = {DOCUMENT_SQL}"
                    " || to_tsvector('simple', %s) WHERE id = %s",
                    [cjk_bigrams(text), record_id],
                )
            done += len(rows)


@shared_task(base=jobs.TrackedTask, max_retries=5)
def index_records(review_id: int) -> int:
    """Index the review's new records for search (idempotent: only records without a document).

    A background job (reviewapp.jobs): re-sent if Redis lost it or its worker stopped, retried
    on a lost database connection."""
    return index_pending(review_id)


@receiver(records_imported, dispatch_uid="search.index_after_import")
def _index_after_import(sender, job, **kwargs) -> None:
    cache.delete(journals_key(job.review))
    if has_search_index():
        jobs.enqueue(index_records, job.review_id, review=job.review_id)
