"""Cells for CSV and XLSX exports that a spreadsheet shows as text and never evaluates."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, with a leading quote when it could start a formula (=, +, -, @)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
