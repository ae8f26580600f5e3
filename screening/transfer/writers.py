"""Writers of screening histories (pure: rows of plain values in, text out).

- Rayyan-style RIS: each record with ``N1  - RAYYAN-INCLUSION: {"Name"=>"Included", ...} |
  RAYYAN-LABELS: ... | RAYYAN-EXCLUSION-REASONS: ...``, which Rayyan and our reader take back.
- The decisions CSV: one row per decision (`readers.DECISION_COLUMNS`).
- ASReview's labelled CSV: ``title, abstract, label_included`` (1, 0, or empty when unresolved)
  and the bibliographic columns ASReview also reads, so a team can simulate on its own review.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from reviewapp.spreadsheet import safe_cell
from screening.transfer.readers import DECISION_COLUMNS

_RAYYAN = {"include": "Included", "exclude": "Excluded", "maybe": "Maybe"}
ASREVIEW_COLUMNS = ("title", "abstract", "label_included", "authors", "year", "doi")


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _quoted(text: str) -> str:
    return _one_line(text).replace("\\", "\\\\").replace('"', '\\"')


def rayyan_note(votes: list[tuple[str, str]], reasons: list[str], labels: list[str]) -> str:
    inclusion = ", ".join(f'"{_quoted(name)}"=>"{_RAYYAN[value]}"' for name, value in votes)
    parts = [f"RAYYAN-INCLUSION: {{{inclusion}}}"]
    if labels:
        parts.append("RAYYAN-LABELS: " + ",".join(_one_line(x) for x in labels))
    if reasons:
        parts.append("RAYYAN-EXCLUSION-REASONS: " + ",".join(_one_line(x) for x in reasons))
    return " | ".join(parts)


def rayyan_ris(rows: Iterable[dict]) -> Iterator[str]:
    """rows: record fields plus "votes" [(name, value)], "reasons" and "labels"."""
    for row in rows:
        lines = ["TY  - JOUR"]
        lines += [f"AU  - {_one_line(a)}" for a in row["authors"] or []]
        for tag, key in (("TI", "title"), ("T2", "journal"), ("AB", "abstract")):
            if row[key]:
                lines.append(f"{tag}  - {_one_line(row[key])}")
        if row["year"]:
            lines.append(f"PY  - {row['year']}")
        for tag, key in (("VL", "volume"), ("IS", "issue"), ("SP", "pages"), ("DO", "doi")):
            if row[key]:
                lines.append(f"{tag}  - {_one_line(row[key])}")
        if row["pmid"]:
            lines.append(f"AN  - {row['pmid']}")
        lines.append(f"ID  - {row['id']}")
        lines.append("N1  - " + rayyan_note(row["votes"], row["reasons"], row["labels"]))
        lines.append("ER  - ")
        yield "\n".join(lines) + "\n\n"


def _csv(header: Iterable[str], rows: Iterable[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n, row in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in row])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def decisions_csv(rows: Iterable[dict]) -> Iterator[str]:
    return _csv(DECISION_COLUMNS, ([row.get(c, "") for c in DECISION_COLUMNS] for row in rows))


def asreview_csv(rows: Iterable[dict]) -> Iterator[str]:
    return _csv(ASREVIEW_COLUMNS, ([row.get(c, "") for c in ASREVIEW_COLUMNS] for row in rows))
