"""Pages of identification and screening, mounted under /r/<slug>/ by reviewapp.urls.

Each part of the workflow keeps its URL patterns beside its views.
"""

from __future__ import annotations

from screening.views import (
    appraisal,
    conflicts,
    dedup,
    fulltext,
    imports,
    prisma,
    ranking,
    records,
    screen,
    transfer,
)

urlpatterns = [
    *imports.urlpatterns,
    *records.urlpatterns,
    *dedup.urlpatterns,
    *screen.urlpatterns,
    *conflicts.urlpatterns,
    *fulltext.urlpatterns,
    *appraisal.urlpatterns,
    *prisma.urlpatterns,
    *ranking.urlpatterns,
    *transfer.urlpatterns,
]
