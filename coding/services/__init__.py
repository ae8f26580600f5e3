"""Operations of the coding stage: atomic, audited, raising CodingError with a user message.

The synthesis reads through: studies_for, codings_for, code_frequencies, version_tree,
diff_versions.
"""

from .agreement import Agreement, CodeAgreement, agreement, cohen_kappa
from .codebook import (
    CodingError,
    add_code,
    diff_versions,
    draft_changes,
    draft_tree,
    get_codebook,
    merge_codes,
    publish,
    remove_code,
    tree_for,
    update_code,
    version_tree,
)
from .codings import (
    CodeFrequency,
    add_document,
    code_frequencies,
    coders_of,
    codings_for,
    create_codings,
    delete_coding,
    documents_of,
    extract_pdf_document,
    locate,
    segments,
    set_status,
    studies_for,
    study_coding_counts,
)
from .permissions import CodingForbidden, is_lead, may_set_status
from .recheck import Recheck, codings_to_recheck, confirm_coding, recode
from .tree import Diff, Node, Tree, build_tree, diff_trees

__all__ = [
    "Agreement",
    "CodeAgreement",
    "CodeFrequency",
    "CodingError",
    "CodingForbidden",
    "Diff",
    "Node",
    "Recheck",
    "Tree",
    "add_code",
    "add_document",
    "agreement",
    "build_tree",
    "code_frequencies",
    "coders_of",
    "codings_for",
    "codings_to_recheck",
    "cohen_kappa",
    "confirm_coding",
    "create_codings",
    "delete_coding",
    "diff_trees",
    "diff_versions",
    "documents_of",
    "draft_changes",
    "draft_tree",
    "extract_pdf_document",
    "get_codebook",
    "is_lead",
    "locate",
    "may_set_status",
    "merge_codes",
    "publish",
    "recode",
    "remove_code",
    "segments",
    "set_status",
    "studies_for",
    "study_coding_counts",
    "tree_for",
    "update_code",
    "version_tree",
]

from .proposals import (
    accept_proposal,
    comment_on,
    decline_proposal,
    merge_proposal,
    propose_code,
)

__all__ += [
    "accept_proposal",
    "comment_on",
    "decline_proposal",
    "merge_proposal",
    "propose_code",
]

from .interchange import (  # noqa: E402
    codebook_csv,
    codebook_qdc,
    import_codes,
    import_file,
    parse_codebook_csv,
    safe_cell,
)

__all__ += [
    "codebook_csv",
    "codebook_qdc",
    "import_codes",
    "import_file",
    "parse_codebook_csv",
    "safe_cell",
]

from .extraction import (  # noqa: E402
    DEFAULT_TEMPLATE,
    StudyRow,
    add_section,
    delete_field,
    display,
    ensure_default_form,
    save_extraction,
    save_field,
    set_extractors_per_study,
    study_table,
    study_table_csv,
    study_table_xlsx,
)

__all__ += [
    "DEFAULT_TEMPLATE",
    "StudyRow",
    "add_section",
    "delete_field",
    "display",
    "ensure_default_form",
    "save_extraction",
    "save_field",
    "set_extractors_per_study",
    "study_table",
    "study_table_csv",
    "study_table_xlsx",
]
