"""Bearer-token authentication with a per-token rate limit, and review access for the API."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from api import tokens
from reviewapp.access import get_review_for
from reviewapp.models import Membership, Review


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


def _check_rate(token_key: str) -> None:
    """A fixed one-minute window per token (settings.API_RATE_LIMIT calls; 0 = unlimited).

    Counted in the shared cache (Redis in production), so every web process sees the same
    count; with the cache down the limit pauses rather than refusing everyone.
    """
    limit = getattr(settings, "API_RATE_LIMIT", 600)
    if not limit:
        return
    window = int(time.time() // 60)
    key = f"api-rate:{token_key}:{window}"
    try:
        cache.add(key, 0, timeout=70)
        used = cache.incr(key)
    except Exception:  # the cache blinked: do not lock scripts out for it
        return
    if used > limit:
        raise RateLimited(retry_after=60 - int(time.time() % 60))


class TokenAuth(HttpBearer):
    """`Authorization: Bearer TOKEN`: the token's user acts, with their roles and blinding."""

    def authenticate(self, request: HttpRequest, token: str):
        found = tokens.authenticate(token)
        if found is None:
            return None
        _check_rate(found.digest[:24])
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


def review_for(request: HttpRequest, slug: str, *roles: str) -> tuple[Review, Membership]:
    """As the pages: 404 for a non-member (the review is not revealed), 403 for a wrong role."""
    return get_review_for(request, slug, *roles)
