"""A review large enough to export in the background: every export with a row is large, and
the files go to a temporary folder."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from reviewapp.models import Job
from screening.identification.imports import import_file_now
from tests.screening.transfer.helpers import screened

# Titles a spreadsheet would run as formulas, another script, an abstract over two lines.
EXTRA = """TY  - JOUR
TI  - =HYPERLINK("http://x") and formula cells
AU  - Zhang, Wei
PY  - 2016
AB  - First line
  of the abstract.
ER  -

TY  - JOUR
TI  - 鐵路建設與生態恢復
AU  - 李, 明
PY  - 2015
KW  - 生態
ER  -
""".encode()


@pytest.fixture(autouse=True)
def _exports_in_background(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 0


@pytest.fixture
def large(team):
    """The team's review with seven records (four screened by both reviewers)."""
    screened(team)
    search = team.review.searches.create(source="CNKI")
    assert import_file_now(search, EXTRA, "extra.ris", user=team.lead).status == "done"
    return team


def export_url(team, query: str = "format=csv") -> str:
    return reverse("record_export", args=[team.review.slug]) + "?" + query


def streamed(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response.streaming, response
    return b"".join(response.streaming_content)


def export_job(response) -> Job:
    """The job a redirect to an export's page names."""
    assert response.status_code == 302, response
    export_id = int(response["Location"].rstrip("/").split("/")[-1])
    return Job.objects.get(pk=export_id)


def stored_files(review) -> list[str]:
    folder = f"exports/{review.pk}"
    if not default_storage.exists(folder):
        return []
    return sorted(default_storage.listdir(folder)[1])
