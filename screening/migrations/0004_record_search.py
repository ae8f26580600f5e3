"""Full-text search over records on PostgreSQL: a stored tsvector (filled in the background
after each import, see screening.identification.search), its GIN index, and pg_trgm on titles
for near matches. Nothing on SQLite, where search scans."""

from django.db import migrations

from reviewapp.migration_sql import postgres_only

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE screening_record ADD COLUMN IF NOT EXISTS search_doc tsvector",
    "CREATE INDEX IF NOT EXISTS screening_record_search_doc ON screening_record USING gin (search_doc)",
    "CREATE INDEX IF NOT EXISTS screening_record_title_trgm ON screening_record USING gin (title gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS screening_record_title_trgm",
    "DROP INDEX IF EXISTS screening_record_search_doc",
    "ALTER TABLE screening_record DROP COLUMN IF EXISTS search_doc",
]


class Migration(migrations.Migration):
    dependencies = [("screening", "0003_appraisal")]
    operations = [postgres_only(FORWARD, BACKWARD)]
