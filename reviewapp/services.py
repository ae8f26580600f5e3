"""Operations on reviews and teams: atomic, audited, with user-facing errors."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .audit import record_event
from .models import (
    Criterion,
    ExclusionReason,
    Invitation,
    Membership,
    Review,
    Role,
    Stage,
    User,
    role_labels,
)


class ReviewError(Exception):
    """A refused operation; the message is shown to the user as is."""


# An invitation link is bound to the address it was sent to: a forwarded or leaked link does
# not let someone else in (a lead role included).
WRONG_ADDRESS = _(
    "This invitation was sent to another email address than yours. Sign in with the address "
    "it was sent to (confirmed), or ask the lead to invite the address you use."
)


def holds_address(user: User, email: str) -> bool:
    """Whether the person owns this address: a confirmed one of their addresses (any one when
    the operator turned email verification off)."""
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user, email__iexact=email.strip())
    if settings.ACCOUNT_EMAIL_VERIFICATION == "none":
        return addresses.exists() or user.email.lower() == email.strip().lower()
    return addresses.filter(verified=True).exists()


def vouch_for_email(user: User) -> None:
    """An account an operator created (command line, demo): its address counts as confirmed, so
    mandatory email verification does not lock the person out at their first sign-in."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "verified": True, "primary": True},
    )


def unique_slug(title: str, wanted: str | None = None) -> str:
    base = slugify(wanted or title)[:50] or "review"
    if wanted:
        if Review.objects.filter(slug=base).exists():
            raise ReviewError(
                gettext("The slug %(base)s is already taken.") % {"base": f"{base!r}"}
            )
        return base
    slug, n = base, 2
    while Review.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def create_review(
    title: str,
    lead: User,
    *,
    slug: str | None = None,
    question: str = "",
    description: str = "",
    criteria: Iterable[tuple[str, str, str]] = (),
) -> Review:
    """Create a review with its lead; criteria are (domain, inclusion, exclusion) rows."""
    title = title.strip()
    if not title:
        raise ReviewError(gettext("A review needs a title."))
    review = Review.objects.create(
        title=title,
        slug=unique_slug(title, slug),
        question=question,
        description=description,
        created_by=lead,
    )
    Membership.objects.create(review=review, user=lead, is_lead=True, is_reviewer=True)
    for position, (domain, inclusion, exclusion) in enumerate(criteria):
        Criterion.objects.create(
            review=review,
            domain=domain,
            inclusion=inclusion,
            exclusion=exclusion,
            position=position,
        )
    derive_exclusion_reasons(review)
    record_event(
        review, lead, "review.created", review, after={"title": title, "slug": review.slug}
    )
    return review


def derive_exclusion_reasons(review: Review) -> int:
    """Create one reason per criterion with exclusion text, at both stages, if missing.

    Existing (possibly edited) reasons are kept; returns how many were added.
    """
    added = 0
    for criterion in review.criteria.all():
        if not criterion.exclusion.strip():
            continue
        label = f"{criterion.domain}: {_short(criterion.exclusion)}"
        for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT):
            if review.exclusion_reasons.filter(stage=stage, criterion=criterion).exists():
                continue
            _, created = ExclusionReason.objects.get_or_create(
                review=review,
                stage=stage,
                label=label[:200],
                defaults={"criterion": criterion, "position": criterion.position},
            )
            added += created
    return added


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clean_roles(roles: Iterable[str]) -> list[str]:
    roles = [r for r in roles if r in Role.values]
    if not roles:
        raise ReviewError(gettext("Choose at least one role."))
    return sorted(set(roles), key=Role.values.index)


@transaction.atomic
def invite(review: Review, email: str, roles: Iterable[str], by: User) -> Invitation:
    email = User.objects.normalize_email(email).strip().lower()
    if not email or "@" not in email:
        raise ReviewError(gettext("Enter a valid email address."))
    roles = _clean_roles(roles)
    if review.memberships.filter(user__email__iexact=email, active=True).exists():
        raise ReviewError(
            gettext("%(email)s is already a member of this review.") % {"email": email}
        )
    invitation = review.invitations.filter(email=email, accepted_at=None, revoked=False).first()
    if invitation:
        invitation.roles = roles
        invitation.save(update_fields=["roles"])
    else:
        invitation = Invitation.objects.create(
            review=review, email=email, roles=roles, invited_by=by
        )
    record_event(review, by, "member.invited", invitation, after={"email": email, "roles": roles})
    link = settings.SITE_URL.rstrip("/") + reverse("accept_invitation", args=[invitation.token])
    transaction.on_commit(
        lambda: send_mail(
            gettext("Invitation to the review “%(title)s”") % {"title": review.title},
            gettext(
                "%(name)s invites you to join the review “%(title)s” as %(roles)s.\n\n"
                "Accept the invitation: %(link)s\n"
            )
            % {
                "name": by.display_name,
                "title": review.title,
                "roles": ", ".join(role_labels(roles)),
                "link": link,
            },
            None,
            [email],
        )
    )
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ReviewError(gettext("This invitation has already been used or was withdrawn."))
    if not holds_address(user, invitation.email):
        raise ReviewError(WRONG_ADDRESS)
    membership, _ = Membership.objects.select_for_update().get_or_create(
        review=invitation.review, user=user
    )
    before = membership.roles if membership.active else []
    membership.active = True
    membership.set_roles(set(before) | set(invitation.roles))
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_event(
        invitation.review,
        user,
        "member.joined",
        membership,
        before={"roles": before},
        after={"roles": membership.roles, "invitation": invitation.pk},
    )
    return membership


def _ensure_a_lead_remains(review: Review, leaving: Membership) -> None:
    others = review.memberships.filter(active=True, is_lead=True).exclude(pk=leaving.pk)
    if not others.exists():
        raise ReviewError(gettext("A review must keep at least one lead."))


@transaction.atomic
def change_roles(membership: Membership, roles: Iterable[str], by: User) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    roles = _clean_roles(roles)
    if membership.is_lead and Role.LEAD not in roles:
        _ensure_a_lead_remains(membership.review, membership)
    before = membership.roles
    membership.set_roles(roles)
    membership.save()
    record_event(
        membership.review,
        by,
        "member.roles_changed",
        membership,
        before={"roles": before},
        after={"roles": membership.roles},
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, by: User) -> None:
    """Deactivate: past decisions stay attributed to the person."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_lead:
        _ensure_a_lead_remains(membership.review, membership)
    membership.active = False
    membership.save(update_fields=["active"])
    record_event(
        membership.review,
        by,
        "member.removed",
        membership,
        before={"user": membership.user.email, "roles": membership.roles},
    )


@transaction.atomic
def add_member(
    review: Review, email: str, roles: Iterable[str], by: User | None = None
) -> tuple[Membership, str | None]:
    """Add someone directly (command line); creates the account if needed.

    Returns the membership and a one-time password when the account was created.
    """
    email = User.objects.normalize_email(email).strip().lower()
    roles = _clean_roles(roles)
    password = None
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        try:
            user = User.objects.create_user(email=email, password=password)
        except IntegrityError as exc:  # pragma: no cover - a race with another creator
            raise ReviewError(
                gettext("Could not create %(email)s: %(exc)s") % {"email": email, "exc": exc}
            ) from exc
        vouch_for_email(user)
    membership, _ = Membership.objects.get_or_create(review=review, user=user)
    before = membership.roles if membership.active else []
    membership.active = True
    membership.set_roles(set(before) | set(roles))
    membership.save()
    record_event(
        review,
        by,
        "member.added",
        membership,
        before={"roles": before},
        after={"roles": membership.roles},
    )
    return membership, password
