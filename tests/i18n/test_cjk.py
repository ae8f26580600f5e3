"""CJK correctness: highlighting by characters, and no figure drawn with missing glyphs."""

from __future__ import annotations

import shutil

import pytest

from screening.decisions.highlight import compile_keywords, highlight
from screening.prisma import text


def test_chinese_keywords_highlight_their_exact_characters():
    pattern = compile_keywords([("include", "醫學教育"), ("exclude", "學生")])
    out = highlight("臨床醫師參與醫學教育研究；醫學生除外", pattern)
    assert '<mark class="hl-include">醫學教育</mark>' in out
    assert '<mark class="hl-exclude">學生</mark>' in out


def test_a_figure_with_chinese_text_needs_a_cjk_font(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no fontconfig: no font found
    with pytest.raises(text.FontMissing, match="fonts-noto-cjk"):
        text.require_cjk_font("識別")
    text.require_cjk_font("Identification")  # Latin text needs nothing more


def test_the_installed_cjk_font_is_found():
    if not shutil.which("fc-list"):
        pytest.skip("fontconfig is absent: apt-get install fontconfig fonts-noto-cjk")
    import subprocess

    if not subprocess.run(["fc-list", ":lang=zh-tw"], capture_output=True, text=True).stdout:
        pytest.skip("no CJK font installed: apt-get install fonts-noto-cjk (.ci/run does)")
    text.require_cjk_font("識別")
