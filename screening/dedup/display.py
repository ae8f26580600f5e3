"""What the de-duplication pages show: which searches found a record, and two records side by side."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from screening.models import (
    Record,
    Search,
)

# ---------------------------------------------------------------------------------------------
# What pages show
# ---------------------------------------------------------------------------------------------


def found_in(record: Record) -> list[Search]:
    """The searches that found this work (its own and its duplicates'), each with the ids of
    its records in the cluster as ``.record_ids``; earliest phase first."""
    if record.cluster_id:
        members = Record.objects.filter(cluster_id=record.cluster_id)
    else:
        members = Record.objects.filter(pk=record.pk)
    by_search: dict[int, list[int]] = defaultdict(list)
    for search_id, record_id in members.values_list("search_id", "id").order_by("id"):
        by_search[search_id].append(record_id)
    searches = list(Search.objects.filter(pk__in=by_search).order_by("phase", "date_run", "id"))
    for search in searches:
        search.record_ids = by_search[search.pk]
    return searches


_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def diff_html(a: Any, b: Any) -> tuple[SafeString, SafeString]:
    """Both values escaped, with the words that differ wrapped in <mark>."""
    ta, tb = _TOKEN.findall(_text(a)), _TOKEN.findall(_text(b))
    la = [t.casefold() for t in ta]
    lb = [t.casefold() for t in tb]
    out_a: list[str] = []
    out_b: list[str] = []
    matcher = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for tokens, lo, hi, out in ((ta, i1, i2, out_a), (tb, j1, j2, out_b)):
            for token in tokens[lo:hi]:
                if op == "equal" or token.isspace():
                    out.append(escape(token))
                else:
                    out.append(f"<mark>{escape(token)}</mark>")
    return mark_safe("".join(out_a)), mark_safe("".join(out_b))


DIFF_FIELDS = (
    ("title", gettext_lazy("Title")),
    ("authors", gettext_lazy("Authors")),
    ("journal", gettext_lazy("Journal")),
    ("year", gettext_lazy("Year")),
    ("volume", gettext_lazy("Volume")),
    ("issue", gettext_lazy("Issue")),
    ("pages", gettext_lazy("Pages")),
    ("doi", "DOI"),
)


def pair_rows(a: Record, b: Record) -> list[dict]:
    """The lines of the side-by-side view: label, both values marked, and whether they differ."""
    rows = []
    for name, label in DIFF_FIELDS:
        va, vb = getattr(a, name), getattr(b, name)
        left, right = diff_html(va, vb)
        rows.append(
            {
                "label": label,
                "a": left,
                "b": right,
                "differs": _text(va).casefold().strip() != _text(vb).casefold().strip(),
            }
        )
    return rows
