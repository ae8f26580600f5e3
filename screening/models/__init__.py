"""Identification and screening: PRISMA's first two phases.

records    searches, import jobs, records and their duplicate clusters
decisions  reviewers' independent decisions and each record's outcome at a stage
conflicts  disagreements, their discussion, consensus and adjudication
fulltext   reports sought for retrieval, full-text files, studies
"""

from .conflicts import Conflict, ConflictComment, ConsensusProposal
from .decisions import Decision, DecisionValue, Outcome, RecordStatus
from .fulltext import Report, Study
from .records import (
    DuplicateCluster,
    ImportJob,
    NotDuplicatePair,
    Phase,
    Record,
    Search,
    SourceType,
)

__all__ = [
    "Conflict",
    "ConflictComment",
    "ConsensusProposal",
    "Decision",
    "DecisionValue",
    "DuplicateCluster",
    "ImportJob",
    "NotDuplicatePair",
    "Outcome",
    "Phase",
    "Record",
    "RecordStatus",
    "Report",
    "Search",
    "SourceType",
    "Study",
]
