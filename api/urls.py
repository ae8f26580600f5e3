"""/api/v1/ (the JSON API and its docs) and /api/tokens/ (a person's tokens page)."""

from __future__ import annotations

from django.urls import path

from api import views
from api.v1 import api


def _token_authenticated(urls):
    """The API authenticates each call by its bearer token, not the session: exempt its views
    from the site-wide login redirect (LoginRequiredMiddleware) so a script gets 401 JSON."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace


urlpatterns = [
    path("api/v1/", _token_authenticated(api.urls)),
    path("api/tokens/", views.token_list, name="api_tokens"),
    path("api/tokens/<int:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
]
