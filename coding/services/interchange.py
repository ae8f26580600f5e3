"""Codebook import and export: CSV and REFI-QDA (.qdc)."""

from __future__ import annotations

import csv
import io
import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from reviewapp.audit import record_event
from reviewapp.spreadsheet import safe_cell

from ..models import Code, Codebook, Polarity
from ..refi_qda import export_qdc, parse_qdc
from .codebook import CodingError
from .permissions import require_lead
from .tree import Tree

CSV_COLUMNS = [
    "key",
    "parent_key",
    "path",
    "name",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "level",
    "polarity",
    "effective_level",
    "effective_polarity",
    "color",
    "position",
]
IMPORTED = ["name", "definition", "inclusion", "exclusion", "example", "level", "polarity", "color"]


def codebook_csv(tree: Tree) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for n in tree:
        writer.writerow([safe_cell(getattr(n, c)) for c in CSV_COLUMNS])
    return out.getvalue()


def codebook_qdc(tree: Tree, origin: str) -> bytes:
    return export_qdc(tree.roots, origin=origin)


def parse_codebook_csv(data: bytes) -> list[dict]:
    """Rows as dicts; a row's parent is given by parent_key (or by its path), checked first."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodingError(_("The CSV file must be UTF-8.")) from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise CodingError(_("The CSV needs at least a 'name' column."))
    rows, errors, by_path = [], [], {}
    for line, raw in enumerate(reader, start=2):
        row = {k: (raw.get(k) or "").strip() for k in CSV_COLUMNS}
        for f in IMPORTED:
            if row[f].startswith("'") and row[f][1:2] in ("=", "+", "-", "@"):
                row[f] = row[f][1:]  # undo our own formula guard
        if not row["name"]:
            errors.append(f"Line {line}: a code needs a name.")
            continue
        if row["polarity"] not in Polarity.values:
            errors.append(f"Line {line}: polarity must be facilitator, barrier or empty.")
        try:
            row["key"] = str(uuid.UUID(row["key"])) if row["key"] else str(uuid.uuid4())
        except ValueError:
            errors.append(f"Line {line}: {row['key']!r} is not a valid key.")
        if not row["parent_key"] and " › " in row["path"]:
            parent_path = row["path"].rsplit(" › ", 1)[0]
            row["parent_key"] = by_path.get(parent_path, "")
        row["parent_key"] = row["parent_key"] or None
        row["position"] = int(row["position"]) if row["position"].isdigit() else len(rows)
        row["path"] = row["path"] or row["name"]
        by_path[row["path"]] = row["key"]
        rows.append(row)
    keys = {r["key"] for r in rows}
    for r in rows:
        if r["parent_key"] and r["parent_key"] not in keys:
            errors.append(f"Code {r['name']!r}: its parent {r['parent_key']} is not in the file.")
    if errors:
        raise CodingError(" ".join(errors[:20]))
    return rows


@transaction.atomic
def import_codes(codebook: Codebook, user, rows: list[dict], source: str) -> int:
    """Add imported codes to the draft, keeping their keys unless this codebook uses them."""
    require_lead(codebook.review_id, user)
    taken = {str(k) for k in Code.objects.filter(codebook=codebook).values_list("key", flat=True)}
    new_key = {r["key"]: (str(uuid.uuid4()) if r["key"] in taken else r["key"]) for r in rows}
    created: dict[str, Code] = {}
    for r in rows:  # parents come before children in both formats
        parent = created.get(r["parent_key"]) if r["parent_key"] else None
        created[r["key"]] = Code.objects.create(
            codebook=codebook,
            key=new_key[r["key"]],
            parent=parent,
            position=r["position"],
            **{f: r.get(f, "") or "" for f in IMPORTED if f != "polarity"},
            polarity=r.get("polarity") if r.get("polarity") in Polarity.values else "",
        )
    record_event(
        codebook.review,
        user,
        "codebook.imported",
        codebook,
        message=f"{len(rows)} codes from {source}",
    )
    return len(rows)


def import_file(codebook: Codebook, user, name: str, data: bytes) -> int:
    from ..refi_qda import QdcError

    if name.lower().endswith((".qdc", ".xml")):
        try:
            rows = parse_qdc(data)
        except QdcError as exc:
            raise CodingError(str(exc)) from exc
    else:
        rows = parse_codebook_csv(data)
    if not rows:
        raise CodingError(_("The file holds no codes."))
    return import_codes(codebook, user, rows, name)
