"""Creating, checking and revoking personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from reviewapp.audit import record_event
from reviewapp.models import User
from reviewapp.services import ReviewError

PREFIX = "sift_"
# last_used_at is written at most this often per token, so busy scripts do not write per call.
TOUCH_EVERY = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the secret is returned here once and never stored."""
    name = (name or "").strip()[:100]
    if not name:
        raise ReviewError(_("Name the token (e.g. the script or notebook that uses it)."))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(PREFIX) + 6], digest=digest(secret)
    )
    record_event(
        None, user, "api.token_created", token, after={"name": name, "prefix": token.prefix}
    )
    return token, secret


def authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret (and its user), or None."""
    if not secret or not secret.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(digest=digest(secret), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def revoke(token: ApiToken, by: User) -> None:
    if token.user_id != by.pk:
        raise ReviewError(_("Only its owner revokes a token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(None, by, "api.token_revoked", token, after={"prefix": token.prefix})
