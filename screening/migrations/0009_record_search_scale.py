"""Indexes the records page needs at 100,000+ records (issue 21, bench/scale_bench.py):

- records not yet search-indexed (search_doc IS NULL), so a search's "not indexed yet" branch
  reads those few rows through an index and the whole query can use the GIN index (BitmapOr)
  instead of scanning every record;
- a covering index for the facet counts and the language list over a whole review: source
  (search), year and language read by an index-only scan, never the wide record rows;
- records without an abstract, for the "has abstract" count;
- a search's records in id order, for a source or phase filter's keyset page (without it the
  planner walked the primary key through every other search's records: 2.6 s at 500,000);
- the review's journals, read by a skip scan for a journal: search (search.review_journals);
- the canonical records with their search, for the PRISMA counts (an index-only scan);
- the statuses' outcome and reason, for the "final decision" and "reason" counts;
- the trigram index (near-match suggestions) moves from `title` to `search_title`, a copy of the
  title the background indexing writes with `search_doc`: an import no longer updates a GIN
  index of trigrams for every record it writes (bench/scale_bench.py --parts import).
Nothing on SQLite, where search scans."""

from django.db import migrations

from reviewapp.migration_sql import postgres_only

FORWARD = [
    "ALTER TABLE screening_record ADD COLUMN IF NOT EXISTS search_title text",
    "UPDATE screening_record SET search_title = title WHERE search_doc IS NOT NULL",
    "DROP INDEX IF EXISTS screening_record_title_trgm",
    "CREATE INDEX IF NOT EXISTS screening_record_search_title_trgm ON screening_record"
    " USING gin (search_title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS screening_record_unindexed ON screening_record (review_id)"
    " WHERE search_doc IS NULL",
    "CREATE INDEX IF NOT EXISTS screening_record_facets ON screening_record"
    " (review_id, search_id, year, language)",
    "CREATE INDEX IF NOT EXISTS screening_record_no_abstract ON screening_record (review_id)"
    " WHERE abstract = ''",
    "CREATE INDEX IF NOT EXISTS screening_record_journal ON screening_record (review_id, journal)",
    "CREATE INDEX IF NOT EXISTS screening_record_search_order ON screening_record (search_id, id)",
    "CREATE INDEX IF NOT EXISTS screening_record_prisma ON screening_record"
    " (review_id, is_canonical) INCLUDE (search_id, id)",
    "CREATE INDEX IF NOT EXISTS screening_recordstatus_facets ON screening_recordstatus"
    " (review_id, stage, outcome, final_reason_id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS screening_record_search_order",
    "DROP INDEX IF EXISTS screening_record_prisma",
    "DROP INDEX IF EXISTS screening_record_journal",
    "DROP INDEX IF EXISTS screening_record_search_title_trgm",
    "CREATE INDEX IF NOT EXISTS screening_record_title_trgm ON screening_record"
    " USING gin (title gin_trgm_ops)",
    "ALTER TABLE screening_record DROP COLUMN IF EXISTS search_title",
    "DROP INDEX IF EXISTS screening_recordstatus_facets",
    "DROP INDEX IF EXISTS screening_record_no_abstract",
    "DROP INDEX IF EXISTS screening_record_facets",
    "DROP INDEX IF EXISTS screening_record_unindexed",
]


class Migration(migrations.Migration):
    dependencies = [("screening", "0008_report_text_read_in_the_background")]
    operations = [postgres_only(FORWARD, BACKWARD)]
