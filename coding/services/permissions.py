"""Who may change what in the coding stage, checked in the service functions themselves.

Views check roles too, but a service is reachable from more than one view (and from commands);
the rule lives here so no endpoint can forget it:
- the draft codebook, its publication, proposals' decisions and the extraction form: a lead;
- a coding's status (agreed, removed, open again): its coder, a coder reconciling it (someone
  with codings of the same study), or a lead;
- a study's consensus extraction: one of its extractors, or a lead.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from reviewapp.models import Membership, Review, Role
from reviewapp.services import ReviewError

from ..models import Coding, Extraction


class CodingForbidden(ReviewError, PermissionDenied):
    """The person may not do this; a view lets it through as 403 Forbidden."""


def _membership(review: Review | int, user: Any) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    review_id = review if isinstance(review, int) else review.pk
    return Membership.objects.filter(review_id=review_id, user_id=user.pk, active=True).first()


def is_lead(review: Review | int, user: Any) -> bool:
    membership = _membership(review, user)
    return membership is not None and membership.has_role(Role.LEAD)


def require_lead(review: Review | int, user: Any) -> None:
    if not is_lead(review, user):
        raise CodingForbidden(_("Only a lead of the review can change the codebook or its forms."))


def may_set_status(coding: Coding, user: Any) -> bool:
    """Its coder, a coder of the same study (the other side of a reconciliation), or a lead."""
    membership = _membership(coding.review_id, user)
    if membership is None:
        return False
    if membership.has_role(Role.LEAD):
        return True
    if not membership.has_role(Role.REVIEWER):
        return False
    if coding.coder_id == user.pk:
        return True
    return Coding.objects.filter(study_id=coding.study_id, coder_id=user.pk).current().exists()


def require_status_right(coding: Coding, user: Any) -> None:
    if not may_set_status(coding, user):
        raise CodingForbidden(
            _(
                "Only its coder, a coder reconciling the same study, or a lead can change "
                "this coding."
            )
        )


def require_consensus_right(study: Any, user: Any) -> None:
    """The consensus extraction of a study: one of its extractors, or a lead."""
    if is_lead(study.review_id, user):
        return
    extracted = Extraction.objects.filter(
        study_id=study.pk, extractor_id=getattr(user, "pk", None), is_consensus=False
    ).exists()
    if not extracted or _membership(study.review_id, user) is None:
        raise CodingForbidden(
            _("Only one of the study's extractors, or a lead, can set its consensus answers.")
        )
