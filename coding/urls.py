"""Pages of this stage, mounted under /r/<slug>/ by reviewapp.urls."""

from __future__ import annotations

from .views import codebook, coding, extraction, proposals

urlpatterns: list = [
    *codebook.urlpatterns,
    *coding.urlpatterns,
    *proposals.urlpatterns,
    *extraction.urlpatterns,
]
