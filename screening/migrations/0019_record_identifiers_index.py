"""The records page's identifier search (a DOI, PMID, source key or record number typed alone)
through an index (issue 21; PostgreSQL only).

It matched `doi = v OR source_key = v OR pmid = v`, an OR over columns without indexes (0018
dropped the DOI's and PMID's, which the OR never used): a read of every row of the review, 2.2 s
at 500,000 records. One GIN index over the three as an array answers the OR, and, partial like
the search document's (`WHERE search_doc IS NOT NULL`), it takes its entries when the background
indexing writes a record's document, so an import writes none; the records not indexed yet are
found through `screening_record_unindexed`, as a search finds them. Built from the rows as they
are: no row is rewritten.
"""

from django.db import migrations

from reviewapp.migration_sql import postgres_only

INDEX = "screening_record_identifiers"

class Migration(migrations.Migration):
    dependencies = [("screening", "0018_record_import_index_entries")]

    operations = [
        postgres_only(
            [
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON screening_record USING gin "
                "((ARRAY[doi::text, pmid::text, source_key::text])) "
                "WHERE search_doc IS NOT NULL"
            ],
            [f"DROP INDEX IF EXISTS {INDEX}"],
        )
    ]
