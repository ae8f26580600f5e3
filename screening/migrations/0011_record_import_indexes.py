"""Fewer record indexes for an import to write (issue 21, bench/import_bench.py), none that a
query needs (PostgreSQL only; SQLite keeps its indexes):

- `(review, search)` goes: `screening_record_facets` (review, search, year, language) starts with
  the same columns and serves the same lookups and index-only counts of records per search;
- `(search)` alone goes: `screening_record_search_order` (search, id) starts with it (a search's
  records, the foreign key's cascade);
- `(review, is_canonical, id)` and `screening_record_prisma` (review, is_canonical) INCLUDE
  (search, id) become one index, (review, is_canonical, id) INCLUDE (search): the keyset pages in
  id order and the PRISMA grouping's index-only scan both read it;
- the two GIN indexes (search document, title trigrams) keep only the records that have a
  document: an import writes NULL in both, and a GIN index stores an entry even for a NULL.
  Every query that uses them (`search_doc @@ q`, `q <% search_title`) is strict, so it implies
  IS NOT NULL and the planner still picks the partial index.

Each row of an import wrote 17 index entries before; 12 now (≈ 0.3 s of the server's CPU per
100,000 records). Django's state keeps the model's indexes: the two that are gone on
PostgreSQL are dropped with IF EXISTS by any later migration that touches them."""

from django.db import migrations

from reviewapp.migration_sql import postgres_only

FORWARD = [
    "DROP INDEX IF EXISTS screening_r_review__fc7bfc_idx",
    "DROP INDEX IF EXISTS screening_record_search_id_c4d70af2",
    "DROP INDEX IF EXISTS screening_record_prisma",
    "CREATE INDEX IF NOT EXISTS screening_record_prisma ON screening_record"
    " (review_id, is_canonical, id) INCLUDE (search_id)",
    "DROP INDEX IF EXISTS screening_r_review__2fcbce_idx",
    "DROP INDEX IF EXISTS screening_record_search_doc",
    "CREATE INDEX IF NOT EXISTS screening_record_search_doc ON screening_record"
    " USING gin (search_doc) WHERE search_doc IS NOT NULL",
    "DROP INDEX IF EXISTS screening_record_search_title_trgm",
    "CREATE INDEX IF NOT EXISTS screening_record_search_title_trgm ON screening_record"
    " USING gin (search_title gin_trgm_ops) WHERE search_title IS NOT NULL",
]
BACKWARD = [
    "DROP INDEX IF EXISTS screening_record_search_title_trgm",
    "CREATE INDEX IF NOT EXISTS screening_record_search_title_trgm ON screening_record"
    " USING gin (search_title gin_trgm_ops)",
    "DROP INDEX IF EXISTS screening_record_search_doc",
    "CREATE INDEX IF NOT EXISTS screening_record_search_doc ON screening_record"
    " USING gin (search_doc)",
    "CREATE INDEX IF NOT EXISTS screening_r_review__2fcbce_idx ON screening_record"
    " (review_id, is_canonical, id)",
    "DROP INDEX IF EXISTS screening_record_prisma",
    "CREATE INDEX IF NOT EXISTS screening_record_prisma ON screening_record"
    " (review_id, is_canonical) INCLUDE (search_id, id)",
    "CREATE INDEX IF NOT EXISTS screening_record_search_id_c4d70af2 ON screening_record"
    " (search_id)",
    "CREATE INDEX IF NOT EXISTS screening_r_review__fc7bfc_idx ON screening_record"
    " (review_id, search_id)",
]


class Migration(migrations.Migration):
    dependencies = [("screening", "0010_dedup_keys")]
    operations = [postgres_only(FORWARD, BACKWARD)]
