"""Back up one review into a zip archive and restore it, with fresh ids, into any database.

The archive holds ``manifest.json`` (format name and version, counts), ``data.json`` (the
review, the people it mentions, and every row that belongs to it, grouped by model) and
``files/`` (the bytes behind every FileField: uploaded exports, full-text PDFs).

Nothing here names the review's models one by one. A model belongs to a review when a chain
of foreign keys leads from it to Review (``Decision.review``, ``Extraction.study.review``,
``CodeVersion.version.codebook.review``); the chain, the order rows must be created in and the
references to remap are all read from ``_meta`` (``rules``), so a model added later is backed
up without touching this package. Only references Django cannot see — ids kept inside JSON,
and the audit trail's (object_type, object_id) pointer — are listed in ``rules``.

An archive is read within limits and as a stream (``archive``): its members are measured
before anything is decompressed, data.json is parsed a row at a time into spool files, and
stored files are streamed with their sha256 checked, so memory stays flat and a zip bomb is
refused. Restoring (``restore``) never reuses ids: every row gets a fresh primary key and every
reference is rewritten through an old-id → new-id map, so a review restores into a database
that already holds other reviews (or the same review under another slug). People are matched
by email; a person missing from the target database gets an account without a usable password.
"""

from __future__ import annotations

from .archive import Archive
from .export import export_review
from .restore import import_review
from .rules import (
    FORMAT,
    FORMAT_VERSION,
    BackupError,
    ReviewModel,
    Summary,
    not_backed_up,
    review_models,
    rows_of,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Archive",
    "BackupError",
    "ReviewModel",
    "Summary",
    "export_review",
    "import_review",
    "not_backed_up",
    "review_models",
    "rows_of",
]
