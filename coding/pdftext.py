"""Text of a full-text PDF for coding (pypdf): bytes in, text out, no ORM."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_PAGES = 400


class PdfTextError(Exception):
    """The PDF could not be read; the message is shown to the user."""


def extract_text(data: bytes) -> str:
    """All pages' text, pages separated by a blank line, hyphenated line breaks joined."""
    if not data.startswith(b"%PDF"):
        raise PdfTextError("This file is not a PDF.")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for a wrong password
                raise PdfTextError("This PDF is password-protected.") from exc
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PAGES]]
    except PdfReadError as exc:
        raise PdfTextError(f"This PDF could not be read: {exc}") from exc
    text = "\n\n".join(_tidy(p) for p in pages if p.strip())
    if not text.strip():
        raise PdfTextError("No text found in this PDF (a scanned image?); paste the text instead.")
    return text


def _tidy(page: str) -> str:
    # "partici-\npation" → "participation"; trailing blanks off every line.
    page = re.sub(r"(\w)-\n(\w)", r"\1\2", page)
    return "\n".join(line.rstrip() for line in page.splitlines()).strip()
