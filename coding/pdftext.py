"""Text of a full-text PDF for coding: bytes in, text out, no ORM.

One reader for the whole app: screening.fulltext.pdftext, with its page, time and size limits.
A report's PDF is read once, in the background, when it is attached (its text is then on the
report, `Report.text`); this function serves callers that hold the bytes themselves.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from screening.fulltext.pdftext import Limits, PdfTextError, extract

__all__ = ["MAX_PAGES", "PdfTextError", "extract_text"]

MAX_PAGES = Limits().max_pages


def extract_text(data: bytes, limits: Limits | None = None) -> str:
    """All pages' text (within the limits), pages separated by a blank line, hyphenated line
    breaks joined."""
    if not data.startswith(b"%PDF"):
        raise PdfTextError(_("This file is not a PDF."))
    result = extract(io.BytesIO(data), limits or Limits())
    if not result.text.strip():
        raise PdfTextError(
            _("No text found in this PDF (a scanned image?); paste the text instead.")
        )
    return result.text
