"""Identification and screening: PRISMA's first two phases.

records    searches, import jobs, records and their duplicate clusters
dedup      pairs of records the de-duplication asks a person about
decisions  reviewers' independent decisions and each record's outcome at a stage
conflicts  disagreements, their discussion, consensus and adjudication
fulltext   reports sought for retrieval, full-text files, studies
appraisal  critical appraisal tools, appraisers' judgements and the agreed result
prisma     the lead's manual entries and box wording on the PRISMA diagram
status_counts  the statuses' counts per outcome and reason, kept by the database
"""

from screening.models.appraisal import (
    Appraisal,
    AppraisalPlan,
    AppraisalResult,
    AppraisalTool,
    AppraisalToolVersion,
    StudyAppraisalTool,
)
from screening.models.conflicts import (
    Conflict,
    ConflictComment,
    ConflictStage,
    ConsensusProposal,
)
from screening.models.decisions import (
    Assignment,
    Decision,
    DecisionStamp,
    DecisionValue,
    HighlightKeyword,
    Outcome,
    QueueCount,
    RecordStatus,
    ReviewerQueue,
    ScreeningSettings,
    StoredAgreement,
)
from screening.models.dedup import DedupKey, DedupPrepared, DuplicateCandidate
from screening.models.fulltext import Report, Study
from screening.models.prisma import PrismaOverride
from screening.models.ranking import RankedRecord, RankingState, ScreeningStop, StoppedRecord
from screening.models.records import (
    DuplicateCluster,
    ImportJob,
    NotDuplicatePair,
    Phase,
    Record,
    Search,
    SourceType,
)
from screening.models.status_counts import StatusCountDelta

__all__ = [
    "Appraisal",
    "AppraisalPlan",
    "AppraisalResult",
    "AppraisalTool",
    "AppraisalToolVersion",
    "Assignment",
    "Conflict",
    "ConflictComment",
    "ConflictStage",
    "ConsensusProposal",
    "Decision",
    "DecisionStamp",
    "DecisionValue",
    "DedupKey",
    "DedupPrepared",
    "DuplicateCandidate",
    "DuplicateCluster",
    "HighlightKeyword",
    "ImportJob",
    "NotDuplicatePair",
    "Outcome",
    "Phase",
    "PrismaOverride",
    "QueueCount",
    "RankedRecord",
    "RankingState",
    "Record",
    "RecordStatus",
    "Report",
    "ReviewerQueue",
    "ScreeningSettings",
    "ScreeningStop",
    "Search",
    "SourceType",
    "StatusCountDelta",
    "StoppedRecord",
    "StoredAgreement",
    "Study",
    "StudyAppraisalTool",
]
