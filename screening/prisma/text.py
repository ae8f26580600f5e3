"""Text metrics for the PRISMA diagram: widths as DejaVu Sans draws them, and word wrap."""

from __future__ import annotations

import re
import unicodedata

FONT_FAMILY = "DejaVu Sans, Noto Sans CJK TC, Liberation Sans, Arial, Helvetica, sans-serif"
FONT_SIZE = 9.0
HEADER_SIZE = 9.5
LINE_HEIGHT = 1.3

# Advance widths (per 1000 em) of DejaVu Sans / DejaVu Sans Bold for ASCII 32..126, measured
# from the Debian fonts cairosvg draws with. Fallback fonts (Liberation, Arial) are narrower,
# so boxes sized with these never overflow.
_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838,
)  # fmt: skip
_BOLD_WIDTHS = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734,
    830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
    774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652,
    582, 712, 365, 712, 838,
)  # fmt: skip


def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of `text` in points, as DejaVu Sans draws it."""
    table = _BOLD_WIDTHS if bold else _WIDTHS
    total = 0
    for ch in text:
        code = ord(ch)
        if 32 <= code <= 126:
            total += table[code - 32]
        elif unicodedata.combining(ch):
            continue
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            total += 1000
        else:
            total += 720 if bold else 680  # accented Latin, Greek, Cyrillic, symbols
    return total * size / 1000


def wrap(text: str, width: float, size: float = FONT_SIZE, bold: bool = False) -> list[str]:
    """Greedy word wrap to `width` points; over-long words are cut by characters."""
    lines: list[str] = []
    current = ""
    # "(n = 12) †" never breaks inside: a count alone on the next line reads as in the template.
    glued = _COUNT.sub(lambda m: m.group(0).replace(" ", _GLUE), text)
    for word in glued.split():
        word = word.replace(_GLUE, " ")
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while text_width(word, size, bold) > width:
            cut = max(1, _fitting_prefix(word, width, size, bold))
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


_GLUE = "\x00"
_COUNT = re.compile(r"\(n = [^()]*\)(?: †)?")


def _fitting_prefix(word: str, width: float, size: float, bold: bool) -> int:
    for cut in range(len(word), 0, -1):
        if text_width(word[:cut], size, bold) <= width:
            return cut
    return 1


class FontMissing(RuntimeError):
    """A PNG or PDF with CJK text would draw empty boxes: no CJK font is installed."""


_CJK = re.compile(
    "[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\uac00-\ud7af]"
)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def require_cjk_font(text: str) -> None:
    """Refuse to rasterise CJK text without a font that has it (never tofu boxes)."""
    if not has_cjk(text):
        return
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    found = ""
    if fc_list:
        found = subprocess.run(
            [fc_list, ":lang=zh-tw", "family"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    if not found:
        raise FontMissing(
            "This figure has Chinese, Japanese or Korean text but no CJK font is installed, so "
            "its PNG or PDF would show empty boxes. Install Noto Sans CJK (Debian: apt-get "
            "install fonts-noto-cjk), or download the SVG."
        )
