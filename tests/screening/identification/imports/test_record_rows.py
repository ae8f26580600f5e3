"""The records list's rows, written by the view (screening.views.records.ROW) rather than by
the template: the same markup, links, escaping and translations as the template's row."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from screening.models import Phase, Record, Search

pytestmark = pytest.mark.django_db

# The row as the template wrote it, each link reversed and each cell clipped there.
TEMPLATE_ROW = Template(
    """{% load i18n %}<tr>
      <td>{{ r.pk }}</td>
      <td><a href="{% url 'record_detail' r.review.slug r.pk %}">{{ r.title|truncatechars:200|default:_("(no title)") }}</a>{% if not r.is_canonical %} <span class="pill">{% translate "duplicate" %}</span>{% endif %}</td>
      <td>{{ r.authors_display|truncatechars:80 }}</td>
      <td>{{ r.year|default_if_none:"" }}</td>
      <td>{{ r.journal|truncatechars:60 }}</td>
      <td>{{ r.search.source }} <small class="muted">{{ r.search.get_phase_display }}</small></td>
    </tr>"""
)


@pytest.fixture
def records(team):
    scopus = Search.objects.create(review=team.review, source="Scopus & <b>Co</b>")
    update = Search.objects.create(review=team.review, source="CNKI", phase=Phase.UPDATE)
    long = "Re\u0301sume\u0301 of a long study " * 12  # combining accents, past 200
    return [
        Record.objects.create(review=team.review, search=scopus, title="<script>x</script>",
                              authors=["O'Brien, A.", "Lee, K."], year=2019, journal="J & J"),
        Record.objects.create(review=team.review, search=scopus, title="", authors=[], year=None,
                              is_canonical=False),
        Record.objects.create(review=team.review, search=update, title=long,
                              authors=[f"Author{i}, Ü." for i in range(30)],
                              journal="The Journal of a Very Long Name in Ecology and Restoration"),
        Record.objects.create(review=team.review, search=update, title="鐵路的生態修復",
                              authors=["張偉"], year=1999, journal="生態學報"),
    ]  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_each_row_is_the_row_the_template_wrote(team, records, language):
    team.lead.language = language
    team.lead.save(update_fields=["language"])
    html = team.client(team.lead).get(f"/r/{team.review.slug}/records/").content.decode()
    shown = re.findall(r"<tr>\n      <td>.*?</tr>", html, re.S)
    with translation.override(language):
        expected = [TEMPLATE_ROW.render(Context({"r": r})) for r in records]
    assert shown == expected
    assert f'href="{reverse("record_detail", args=[team.review.slug, records[0].pk])}"' in html
    assert "&lt;script&gt;" in html and "<script>x" not in html
    if language == "zh-hant":
        assert "（無標題）" in html and "重複文獻" in html
