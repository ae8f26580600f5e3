"""Readers of screening histories exported by Rayyan, Covidence and Sift itself (pure).

Bibliographic fields are read by the project's own parsers (`identification.importers`), the
same ones the normal import runs on `History.import_bytes`, so the n-th record of the history
is the n-th record the import stores. Decisions are read from what each tool writes:

- Rayyan (RIS or CSV): the notes carry ``RAYYAN-INCLUSION: {"Name"=>"Included", ...}``,
  ``RAYYAN-LABELS: a,b`` and ``RAYYAN-EXCLUSION-REASONS: x,y`` (title/abstract votes).
- Covidence (CSV or RIS of one list: Irrelevant, Excluded, Included, Full text review): the
  team's outcome, from the list's name (``review_123_excluded_csv_2024....csv``) or as chosen;
  full-text exclusions carry ``Exclusion reason: ...`` in their notes. Covidence does not
  export each reviewer's vote, so these land as team outcomes, not as votes.
- Sift's decisions CSV (``export_decisions --format decisions-csv``): one row per decision.
"""

from __future__ import annotations

import csv
import io
import re

from django.utils.translation import gettext as _

from screening.identification.importers import ImportFormatError, iter_records
from screening.transfer.history import (
    EXCLUDE,
    FT,
    INCLUDE,
    MAYBE,
    TA,
    Entry,
    Final,
    History,
    HistoryError,
    Vote,
)

_INCLUSION = re.compile(r"RAYYAN-INCLUSION:\s*\{(.*?)\}", re.S)
_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*"((?:[^"\\]|\\.)*)"')
_LABELS = re.compile(r"RAYYAN-LABELS:\s*([^|\n]*)")
_REASONS = re.compile(r"RAYYAN-EXCLUSION-REASONS:\s*([^|\n]*)")
_RAYYAN_VALUES = {"included": INCLUDE, "excluded": EXCLUDE, "maybe": MAYBE}


def _records(data: bytes, filename: str) -> list[dict]:
    try:
        return list(iter_records(io.BytesIO(data), filename=filename))
    except ImportFormatError as exc:
        raise HistoryError(str(exc)) from exc


def _where(record: dict, n: int) -> str:
    return f"line {record['line']}" if record.get("line") else f"record {n}"


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


def read_rayyan(data: bytes, filename: str) -> History:
    entries = []
    for n, record in enumerate(_records(data, filename), 1):
        where, raw = _where(record, n), record["raw"]
        entry = Entry(where=where, title=record["title"], order=n)
        labels = _LABELS.search(raw)
        entry.labels = _split(labels.group(1)) if labels else []
        reasons = _REASONS.search(raw)
        reason = "; ".join(_split(reasons.group(1))) if reasons else ""
        # Rayyan keeps one set of reasons per record; the first names the reason we record.
        first_reason = _split(reasons.group(1))[0] if reasons and _split(reasons.group(1)) else ""
        match = _INCLUSION.search(raw)
        if match:
            pairs = _PAIR.findall(match.group(1))
            if match.group(1).strip() and not pairs:
                raise HistoryError(
                    _("%(where)s: RAYYAN-INCLUSION is not understood: %(group)s")
                    % {"where": where, "group": match.group(0)}
                )
            for name, value in pairs:
                decision = _RAYYAN_VALUES.get(value.strip().lower())
                if decision is None:
                    raise HistoryError(
                        _(
                            "%(where)s: %(name)s's decision %(value)s is not Included, Excluded or Maybe."
                        )
                        % {"where": where, "name": name, "value": f"{value!r}"}
                    )
                entry.votes.append(
                    Vote(
                        reviewer=name.strip(),
                        stage=TA,
                        value=decision,
                        reason=first_reason if decision == EXCLUDE else "",
                        note=reason if decision == EXCLUDE and reason != first_reason else "",
                    )
                )
        entries.append(entry)
    if not entries:
        raise HistoryError(_("%(filename)s holds no records.") % {"filename": filename})
    return History("rayyan", entries, data, filename)


# Covidence lists -> the team's outcomes they stand for.
COVIDENCE_LISTS = {
    "irrelevant": [Final(TA, EXCLUDE)],
    "excluded": [Final(TA, INCLUDE), Final(FT, EXCLUDE)],
    "included": [Final(TA, INCLUDE), Final(FT, INCLUDE)],
    "fulltext": [Final(TA, INCLUDE)],
    "screen": [],
}
_COVIDENCE_NAME = re.compile(r"_(irrelevant|excluded|included|fulltext|full_text|select|screen)_")
_COVIDENCE_REASON = re.compile(r"Exclusion reason:\s*([^;\n|]+)", re.I)


def covidence_list(filename: str) -> str | None:
    match = _COVIDENCE_NAME.search(filename.lower())
    if not match:
        return None
    name = match.group(1)
    return {"full_text": "fulltext", "select": "screen"}.get(name, name)


def read_covidence(data: bytes, filename: str, which: str = "auto") -> History:
    if which == "auto":
        which = covidence_list(filename) or ""
    if which not in COVIDENCE_LISTS:
        raise HistoryError(
            _(
                "Say which Covidence list %(filename)s is (irrelevant, excluded, included, fulltext or screen): its name does not tell."
            )
            % {"filename": filename}
        )
    entries = []
    for n, record in enumerate(_records(data, filename), 1):
        where = _where(record, n)
        entry = Entry(where=where, title=record["title"], order=n)
        reason = _COVIDENCE_REASON.search(record["raw"])
        for final in COVIDENCE_LISTS[which]:
            text = reason.group(1).strip() if reason and final.value == EXCLUDE else ""
            if final.stage == FT and final.value == EXCLUDE and not text:
                raise HistoryError(
                    _("%(where)s: a full-text exclusion without its reason.") % {"where": where}
                )
            entry.finals.append(Final(final.stage, final.value, text))
        entries.append(entry)
    if not entries:
        raise HistoryError(_("%(filename)s holds no records.") % {"filename": filename})
    return History("covidence", entries, data, filename)


# Sift's decisions CSV ------------------------------------------------------------------------

DECISION_COLUMNS = (
    "record_id", "title", "authors", "year", "journal", "doi", "pmid", "abstract", "stage",
    "reviewer", "reviewer_email", "decision", "reason", "note", "decided_at",
)  # fmt: skip
RECORD_COLUMNS = ("title", "authors", "year", "journal", "doi", "pmid", "abstract")
_STAGES = {"ta": TA, "title/abstract": TA, "ft": FT, "full text": FT}


def records_csv(rows: list[dict]) -> bytes:
    """A CSV the normal import reads, one row per record, in order."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RECORD_COLUMNS)
    for row in rows:
        writer.writerow([row.get(c, "") or "" for c in RECORD_COLUMNS])
    return out.getvalue().encode()


def read_decisions_csv(data: bytes, filename: str) -> History:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HistoryError(_("%(filename)s is not UTF-8 text.") % {"filename": filename}) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"record_id", "title", "stage", "reviewer", "decision"} - set(reader.fieldnames or [])
    if missing:
        raise HistoryError(
            _("%(filename)s lacks the columns %(missing)s.")
            % {"filename": filename, "missing": ", ".join(sorted(missing))}
        )
    entries: dict[str, Entry] = {}
    records: list[dict] = []
    for row in reader:
        line = reader.line_num
        key = (row["record_id"] or "").strip()
        if not key:
            raise HistoryError(_("line %(line)s: no record_id.") % {"line": line})
        stage = _STAGES.get((row["stage"] or "").strip().lower())
        value = (row["decision"] or "").strip().lower()
        if stage is None:
            raise HistoryError(
                _("line %(line)s: stage %(stage)s is not ta or ft.")
                % {"line": line, "stage": f"{row['stage']!r}"}
            )
        if value not in (INCLUDE, EXCLUDE, MAYBE):
            raise HistoryError(
                _("line %(line)s: decision %(decision)s is not understood.")
                % {"line": line, "decision": f"{row['decision']!r}"}
            )
        if key not in entries:
            entries[key] = Entry(where=f"line {line}", title=row["title"], order=len(entries) + 1)
            records.append(row)
        entries[key].votes.append(
            Vote(
                reviewer=(row["reviewer"] or row.get("reviewer_email") or "").strip(),
                stage=stage,
                value=value,
                reason=(row.get("reason") or "").strip() if value == EXCLUDE else "",
                note=(row.get("note") or "").strip(),
            )
        )
    if not entries:
        raise HistoryError(_("%(filename)s holds no decisions.") % {"filename": filename})
    return History("sift", list(entries.values()), records_csv(records), "decisions-records.csv")
