"""New themes met during coding: proposed by a coder, discussed, decided by a lead."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reviewapp.audit import record_event

from ..models import Code, Codebook, CodeProposal, ProposalComment, ProposalStatus
from .codebook import CodingError, add_code
from .permissions import require_lead


@transaction.atomic
def propose_code(
    codebook: Codebook,
    user,
    *,
    name: str,
    definition: str,
    parent: Code | None = None,
    excerpt: str = "",
    study=None,
) -> CodeProposal:
    if not name.strip() or not definition.strip():
        raise CodingError(_("A proposed code needs a name and a definition."))
    if parent is not None and (parent.codebook_id != codebook.pk or parent.archived):
        raise CodingError(_("Place the code under a code of this codebook."))
    proposal = CodeProposal.objects.create(
        codebook=codebook,
        proposed_by=user,
        name=name.strip(),
        definition=definition.strip(),
        parent=parent,
        excerpt=excerpt.strip(),
        study=study,
    )
    record_event(codebook.review, user, "proposal.created", proposal, after={"name": proposal.name})
    return proposal


@transaction.atomic
def comment_on(proposal: CodeProposal, user, text: str) -> ProposalComment:
    if not text.strip():
        raise CodingError(_("The comment is empty."))
    comment = ProposalComment.objects.create(proposal=proposal, author=user, text=text.strip())
    record_event(
        proposal.codebook.review, user, "proposal.commented", proposal, message=text.strip()
    )
    return comment


def _decide(proposal: CodeProposal, user, status: str, reason: str, code: Code | None) -> None:
    require_lead(proposal.codebook.review_id, user)
    if not proposal.is_open:
        raise CodingError(
            _("This proposal was already %(lower)s.")
            % {"lower": proposal.get_status_display().lower()}
        )
    proposal.status = status
    proposal.reason = reason.strip()
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.result_code = code
    proposal.save()
    record_event(
        proposal.codebook.review,
        user,
        f"proposal.{status}",
        proposal,
        before={"status": ProposalStatus.OPEN},
        after={"status": status, "code": code.pk if code else None},
        message=proposal.reason,
    )


@transaction.atomic
def accept_proposal(proposal: CodeProposal, user, reason: str = "", **overrides) -> Code:
    """Add the proposed code to the draft (the lead may adjust name, definition, parent)."""
    require_lead(proposal.codebook.review_id, user)
    fields = {"name": proposal.name, "definition": proposal.definition, "example": proposal.excerpt}
    parent = overrides.pop("parent", proposal.parent)
    fields.update({k: v for k, v in overrides.items() if v})
    code = add_code(proposal.codebook, user, parent=parent, **fields)
    _decide(proposal, user, ProposalStatus.ACCEPTED, reason, code)
    return code


@transaction.atomic
def merge_proposal(proposal: CodeProposal, user, target: Code, reason: str = "") -> Code:
    """The theme is an existing code: record that, nothing is added to the draft."""
    if target.codebook_id != proposal.codebook_id or target.archived:
        raise CodingError(_("Merge into a code of this codebook's draft."))
    _decide(proposal, user, ProposalStatus.MERGED, reason, target)
    return target


@transaction.atomic
def decline_proposal(proposal: CodeProposal, user, reason: str) -> None:
    if not reason.strip():
        raise CodingError(_("Say why the proposal is declined."))
    _decide(proposal, user, ProposalStatus.DECLINED, reason, None)
