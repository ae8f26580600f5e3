"""Hostile payloads in every field people or imports control: every page escapes them, every
spreadsheet export neutralises formula cells.

The review holds a row in every model (tests/hardening/rich_review.py, plus the URL walk's
samples), then every free-text field is overwritten with `<script>`, an attribute break-out and
a formula start, and every page of the URLconf is fetched as a lead and as a reviewer.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.core.test_permission_walk import app_patterns, build

from .hostile import (
    IMG,
    SCRIPT,
    csv_formula_cells,
    make_hostile,
    unescaped,
    xlsx_formula_cells,
)
from .rich_review import build as build_rich

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Downloads in more than one format behind one URL.
VARIANTS = {
    "record_export": ["?format=csv", "?format=ris", "?format=bibtex"],
    "codebook_export": ["", "?format=qdc"],
}
# A reflected parameter on every page: search boxes, filters, the proposal's prefilled excerpt.
REFLECTED = "?" + urlencode(
    dict.fromkeys(("q", "excerpt", "action", "value", "state", "show"), f"-1+1{SCRIPT}{IMG}")
)


@pytest.fixture
def hostile_site(team, settings, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build_rich(team)
        pages = []
        for route, pattern in app_patterns():
            if "<slug:slug>" not in route:
                continue
            pages.append((pattern.name, build(route, team)))
    users = [team.lead, team.reviewer1, team.reviewer2, team.adjudicator]
    assert make_hostile(team.review, users) > 50
    return pages


def check(response, url: str) -> list[str]:
    kind = response.get("Content-Type", "").split(";")[0]
    if response.status_code >= 500:
        return [f"{url}: server error {response.status_code}"]
    if response.status_code != 200:
        return []
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind in ("text/html", "image/svg+xml", "text/markdown"):
        return [f"{url}: unescaped {snippet!r}" for snippet in unescaped(body.decode())]
    if kind == "text/csv":
        return [f"{url}: formula cell {c!r}" for c in csv_formula_cells(body.decode("utf-8-sig"))]
    if kind == XLSX:
        return [f"{url}: formula cell {c}" for c in xlsx_formula_cells(body)]
    return []


def test_no_page_or_export_lets_a_hostile_payload_through(team, hostile_site):
    problems = []
    for persona in (team.lead, team.reviewer1):
        client = team.client(persona)
        for name, url in hostile_site:
            if url.endswith((".png", ".pdf", "/pdf/")):
                continue  # images and the stored PDF: nothing a browser would parse as markup
            for suffix in VARIANTS.get(name, [""]):
                response = client.get(url + suffix)
                if response.status_code == 405:
                    break
                problems += check(response, f"{persona.email} GET {url}{suffix}")
                # The htmx fragments and reflected parameters: as a lead, who sees the most.
                if persona == team.lead and response.get("Content-Type", "").startswith(
                    "text/html"
                ):
                    htmx = client.get(url + suffix, headers={"HX-Request": "true"})
                    problems += check(htmx, f"{persona.email} HX {url}{suffix}")
                    reflected = client.get(url + REFLECTED)
                    problems += check(reflected, f"{persona.email} GET {url}{REFLECTED[:12]}…")
    assert not problems, "\n".join(problems)


def test_the_payloads_did_reach_the_pages(team, hostile_site):
    """The sweep is not vacuous: the escaped payloads are on the pages it checks."""
    client = team.client(team.lead)
    by_name = dict(hostile_site)
    for name in ("record_list", "conflict_list", "codebook", "synthesis_matrix", "audit_log"):
        body = client.get(by_name[name]).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, name
