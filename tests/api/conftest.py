"""An API client that sends a persona's bearer token."""

from __future__ import annotations

import pytest
from django.test import Client

from api.tokens import create_token


class ApiClient:
    def __init__(self, user=None, secret: str | None = None) -> None:
        self.client = Client()
        self.secret = secret
        if user is not None and secret is None:
            _token, self.secret = create_token(user, "tests")

    def _headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str, **params):
        return self.client.get("/api/v1" + path, params, **self._headers())

    def post(self, path: str, data=None, **extra):
        if extra.get("multipart"):
            return self.client.post("/api/v1" + path, data, **self._headers())
        return self.client.post(
            "/api/v1" + path, data or {}, content_type="application/json", **self._headers()
        )


@pytest.fixture
def api_as(team):
    return lambda user: ApiClient(user)
