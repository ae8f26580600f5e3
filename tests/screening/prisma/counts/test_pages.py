"""The diagram page, its downloads, the lead's entries and the overview panel."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from reviewapp.models import AuditEvent
from reviewapp.registry import registry
from screening.models import PrismaOverride
from screening.prisma import diagram as prisma_diagram

from .factories import excluded_at_screening, records, search
from .scenarios import new_review

pytestmark = pytest.mark.django_db


def registry_item(url_name: str):
    return next(item for item in registry.review_nav if item.url_name == url_name)


def url(name: str, team) -> str:
    return reverse(name, args=[team.review.slug])


def test_reviewers_see_the_live_diagram_with_its_downloads(
    team, django_assert_max_num_queries, monkeypatch
):
    new_review(team.review)
    client = team.client(team.reviewer1)
    # Other tabs' badges count their own queries; this page's are what is measured here.
    monkeypatch.setattr(registry, "review_nav", [registry_item("prisma")])

    # Session, user, membership, and the six counting queries (records per search apart).
    with django_assert_max_num_queries(9):
        response = client.get(url("prisma", team))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'src="{url("prisma_svg", team)}?v=' in page
    for name in ("prisma_png", "prisma_pdf", "prisma_csv", "prisma_json"):
        assert url(name, team) in page
    assert "20 records identified, 15 screened, 2 studies in 3 reports included" in page
    assert "Entered by the review lead: Records removed for other reasons" in page
    assert "Edit entries and wording" not in page  # only leads edit


def test_the_picture_follows_the_work(team):
    works = records(search(team.review, "Scopus"), 3)
    client = team.client(team.lead)
    before = client.get(url("prisma", team)).context["svg_url"]

    excluded_at_screening(works[0])

    response = client.get(url("prisma", team), headers={"HX-Request": "true"})
    assert response.context["svg_url"] != before
    assert "<h1>" not in response.content.decode()  # only the panel is swapped
    assert b"Records excluded" in client.get(response.context["svg_url"]).content


def test_the_svg_shows_inline_and_the_other_formats_download(team, monkeypatch):
    new_review(team.review)
    # Rasterising takes seconds; the command's tests check the real PNG and PDF.
    monkeypatch.setattr(prisma_diagram, "render_png", lambda counts, dpi: b"\x89PNG" + b"0" * dpi)
    monkeypatch.setattr(prisma_diagram, "render_pdf", lambda counts: b"%PDF-1.4")
    client = team.client(team.reviewer1)

    svg = client.get(url("prisma_svg", team))
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Disposition"].startswith("inline")
    download = client.get(url("prisma_svg", team) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    for name, content_type, start in [
        ("prisma_png", "image/png", b"\x89PNG"),
        ("prisma_pdf", "application/pdf", b"%PDF"),
        ("prisma_csv", "text/csv; charset=utf-8", b"data,node,box"),
        ("prisma_json", "application/json", b"{"),
    ]:
        response = client.get(url(name, team))
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("attachment")
        assert response.content.startswith(start)
    assert json.loads(client.get(url("prisma_json", team)).content)["records_screened"] == 15


def test_adjudicators_and_outsiders_cannot_see_the_diagram(team):
    assert team.client(team.adjudicator).get(url("prisma_svg", team)).status_code == 403
    assert team.client(team.outsider).get(url("prisma_json", team)).status_code == 404


def test_lead_enters_what_the_data_cannot_know_and_rewords_a_box(team):
    review = new_review(team.review)
    client = team.client(team.lead)
    form = client.get(url("prisma_edit", team))
    assert form.status_code == 200
    assert 'placeholder="Records screened"' in form.content.decode()

    response = client.post(
        url("prisma_edit", team),
        {
            "value_excluded_automatic": "2",
            "value_excluded_other": "",
            "text_records_screened": "Titles and abstracts screened",
        },
    )

    assert response.status_code == 302
    assert {o.data: (o.value, o.box_text) for o in review.prisma_overrides.all()} == {
        "excluded_automatic": (2, ""),
        "records_screened": (None, "Titles and abstracts screened"),
    }
    data = json.loads(client.get(url("prisma_json", team)).content)
    assert data["manual"] == ["excluded_automatic"]
    assert data["excluded_automatic"] == 2 and data["excluded_other"] == 0
    assert data["records_screened"] == 14  # 16 works, 2 set aside by an automation tool
    assert data["box_text"] == {"records_screened": "Titles and abstracts screened"}
    assert b"Titles and abstracts screened" in client.get(url("prisma_svg", team)).content
    event = AuditEvent.objects.get(review=review, action="prisma.updated")
    assert event.after["excluded_automatic"] == {"value": 2, "box_text": ""}


def test_negative_counts_are_refused_next_to_the_field(team):
    response = team.client(team.lead).post(url("prisma_edit", team), {"value_excluded_other": "-3"})

    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert not PrismaOverride.objects.exists()


def test_reviewers_cannot_edit_the_entries(team):
    response = team.client(team.reviewer1).post(
        url("prisma_edit", team), {"value_excluded_other": "3"}
    )

    assert response.status_code == 403
    assert not PrismaOverride.objects.exists()


def test_the_overview_shows_the_diagram_to_those_who_screen(team):
    new_review(team.review)
    overview = reverse("review_overview", args=[team.review.slug])

    page = team.client(team.reviewer1).get(overview).content.decode()
    assert f'src="{url("prisma_svg", team)}?v=' in page
    assert f'href="{url("prisma", team)}"' in page
    adjudicator_page = team.client(team.adjudicator).get(overview).content.decode()
    assert url("prisma_svg", team) not in adjudicator_page
