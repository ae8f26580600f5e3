"""Pages of this stage, mounted under /r/<slug>/ by reviewapp.urls."""

from __future__ import annotations

urlpatterns: list = []
