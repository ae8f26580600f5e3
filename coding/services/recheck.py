"""Re-checking codings after the codebook changed: confirm a coding or recode its excerpt.

Above both the codebook (which versions the codes) and codings (which creates them), so neither
imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from reviewapp.audit import record_event
from reviewapp.models import Review

from ..models import Code, Coding, CodingStatus
from .codebook import CodingError, get_codebook, version_tree
from .codings import create_codings
from .tree import DEFINING, Node


@dataclass
class Recheck:
    coding: Coding
    old: Node | None  # the code as it stood when the coding was made or last confirmed
    new: Node | None  # the code now (None: removed from the codebook)
    fields: list[str]


def codings_to_recheck(review: Review, coder=None) -> list[Recheck]:
    """Codings judged under an older definition of their code than the latest version's."""
    codebook = get_codebook(review)
    latest = codebook.latest_version()
    if latest is None:
        return []
    codings = (
        Coding.objects.filter(review=review)
        .current()
        .select_related("study", "coder", "code", "version", "checked_version")
        .order_by("study__reference_number", "study__label", "start", "id")
    )
    if coder is not None:
        codings = codings.by(coder)
    codings = [c for c in codings if c.basis_version.number < latest.number]
    if not codings:
        return []
    trees = {latest.pk: version_tree(codebook, latest)}
    out = []
    for coding in codings:
        basis = coding.basis_version
        if basis.pk not in trees:
            trees[basis.pk] = version_tree(codebook, basis)
        old = trees[basis.pk].by_key.get(str(coding.code.key))
        new = trees[latest.pk].resolve_key(str(coding.code.key))
        if new is None:
            out.append(Recheck(coding, old, None, ["removed"]))
            continue
        fields = [f for f in DEFINING if old is None or getattr(old, f) != getattr(new, f)]
        if new.key != str(coding.code.key):
            fields.insert(0, "merged")
        if fields:
            out.append(Recheck(coding, old, new, fields))
    return out


def _own(coding: Coding, user) -> None:
    if coding.coder_id != user.pk:
        raise CodingError(_("Only the coder who made a coding can re-check it."))


@transaction.atomic
def confirm_coding(coding: Coding, user) -> Coding:
    """The coding still fits its code as now defined."""
    _own(coding, user)
    latest = coding.review.codebook.latest_version()
    before = coding.checked_version_id
    coding.checked_version = latest
    coding.save(update_fields=["checked_version", "updated_at"])
    record_event(
        coding.review,
        user,
        "coding.confirmed",
        coding,
        before={"checked_version": before},
        after={"checked_version": latest.pk},
    )
    return coding


@transaction.atomic
def recode(coding: Coding, user, codes: list[Code]) -> list[Coding]:
    """Replace a coding by codings of the same excerpt with other codes (none: just drop it)."""
    _own(coding, user)
    new = []
    if codes:
        new = create_codings(
            coding.study,
            user,
            codes,
            document=coding.document,
            start=coding.start,
            end=coding.end,
            excerpt=coding.excerpt,
            source_type=coding.source_type,
            section=coding.section,
            note=coding.note,
        )
    coding.status = CodingStatus.REMOVED
    coding.replaced_by = new[0] if new else None
    coding.save(update_fields=["status", "replaced_by", "updated_at"])
    record_event(
        coding.review,
        user,
        "coding.recoded",
        coding,
        before={"code": coding.code_id},
        after={"codes": [c.pk for c in codes]},
    )
    return new
