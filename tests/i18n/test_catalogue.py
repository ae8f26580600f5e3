"""The zh-Hant catalogue is complete, compiled, and what the pages show."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hant" / "LC_MESSAGES"


def test_every_message_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 500


def test_the_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(LOCALE / "django.po"))
    with (LOCALE / "django.mo").open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    for entry in po.translated_entries():
        if entry.msgid_plural or entry.msgctxt:
            continue
        assert mo.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_pages_render_in_traditional_chinese(team):
    page = team.client(team.lead).get(
        reverse("review_overview", args=[team.review.slug]), HTTP_ACCEPT_LANGUAGE="zh-TW"
    )
    html = page.content.decode()
    assert '<html lang="zh-hant">' in html
    assert "篩選" in html or "文獻" in html


def test_the_prisma_diagram_speaks_chinese_on_request(team, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "prisma.svg"
    call_command(
        "prisma", "--review", team.review.slug, "--format", "svg", "--language", "zh-hant",
        "-o", str(out),
    )  # fmt: skip
    svg = out.read_text()
    assert "辨識" in svg and "Identification" not in svg
    english = tmp_path / "prisma-en.svg"
    call_command("prisma", "--review", team.review.slug, "--format", "svg", "-o", str(english))
    assert "Identification" in english.read_text()
