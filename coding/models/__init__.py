"""Extraction and coding.

extraction  the review's extraction form and each extractor's answers per study
codebook    the coding framework: draft codes, published versions, proposed codes
codings     a study's texts and the excerpts coded against the codebook
"""

from .codebook import (
    Code,
    Codebook,
    CodebookVersion,
    CodeProposal,
    CodeVersion,
    Polarity,
    ProposalComment,
    ProposalStatus,
)
from .codings import Coding, CodingStatus, Document, SourceType
from .extraction import (
    Extraction,
    ExtractionField,
    ExtractionForm,
    ExtractionSection,
    FieldKind,
)

__all__ = [
    "Code",
    "CodeProposal",
    "CodeVersion",
    "Codebook",
    "CodebookVersion",
    "Coding",
    "CodingStatus",
    "Document",
    "Extraction",
    "ExtractionField",
    "ExtractionForm",
    "ExtractionSection",
    "FieldKind",
    "Polarity",
    "ProposalComment",
    "ProposalStatus",
    "SourceType",
]
