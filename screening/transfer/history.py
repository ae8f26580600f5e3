"""What a screening history holds, whatever tool it came from (pure: no Django).

A reader turns a file into a `History`: its records in file order (fed to the normal import as
`import_bytes`/`import_name`, whose records come back in the same order), each with the votes
of the reviewers named in the file and, where the tool exported only the team's outcome, that
outcome (`finals`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TA, FT = "ta", "ft"
INCLUDE, EXCLUDE, MAYBE = "include", "exclude", "maybe"


class HistoryError(Exception):
    """The file cannot be read as a screening history; the message names the line or record."""


@dataclass
class Vote:
    reviewer: str
    stage: str
    value: str
    reason: str = ""
    note: str = ""


@dataclass
class Final:
    stage: str
    value: str
    reason: str = ""


@dataclass
class Entry:
    where: str  # "line 12" or "record 7": how messages name it
    title: str
    votes: list[Vote] = field(default_factory=list)
    finals: list[Final] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    order: int = 0  # the position this record was screened in (ASReview), else its file position


@dataclass
class History:
    source: str  # rayyan | covidence | asreview | sift
    entries: list[Entry]
    import_bytes: bytes
    import_name: str
    warnings: list[str] = field(default_factory=list)

    @property
    def reviewers(self) -> list[str]:
        """The names of the people whose votes the file holds, in order of appearance."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            for vote in entry.votes:
                seen.setdefault(vote.reviewer, None)
        return list(seen)

    @property
    def reasons(self) -> list[tuple[str, str]]:
        """(stage, label) of every exclusion reason the file uses."""
        seen: dict[tuple[str, str], None] = {}
        for entry in self.entries:
            for item in (*entry.votes, *entry.finals):
                if item.value == EXCLUDE and item.reason:
                    seen.setdefault((item.stage, item.reason), None)
        return list(seen)

    def count(self, stage: str) -> tuple[int, int]:
        """(votes, team outcomes) at a stage."""
        votes = sum(1 for e in self.entries for v in e.votes if v.stage == stage)
        finals = sum(1 for e in self.entries for f in e.finals if f.stage == stage)
        return votes, finals
