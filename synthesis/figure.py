"""The ecological-model figure (like Fig. 2 of the seed review), drawn from counts alone.

Nested rings for the levels (outermost first, e.g. environmental ⊃ interpersonal ⊃ individual);
at each level its facilitators on the left and its barriers on the right, each annotated with its
number of supporting studies. Pure: no ORM, so the synthesis computes the numbers and this draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from screening.prisma.diagram import _with_phys
from screening.prisma.text import require_cjk_font, text_width, wrap

FONT = "DejaVu Sans, Noto Sans CJK TC, Liberation Sans, Arial, Helvetica, sans-serif"
SIZE = 10.0
TITLE_SIZE = 12.5
LEVEL_SIZE = 11.0
LINE = SIZE * 1.32
STRIP = 215.0  # width of one facilitator or barrier column in a ring
PAD = 12.0
HEADER = 30.0
CORE_W = 150.0
RING_FILLS = ["#e9f0fa", "#dbe8f6", "#cadcf1", "#b9d0ec", "#a9c4e7"]
RING_STROKES = ["#5877a8", "#4a6a9d", "#3d5d91", "#305086", "#23437a"]
FACILITATOR = "#1f7a4d"
BARRIER = "#b3261e"


@dataclass
class FigureItem:
    name: str
    studies: int


@dataclass
class FigureLevel:
    key: str
    label: str
    facilitators: list[FigureItem] = field(default_factory=list)
    barriers: list[FigureItem] = field(default_factory=list)


@dataclass
class _Block:
    lines: list[str]
    studies: int
    colour: str
    sign: str


def _attr(value: str) -> str:
    """Text safe inside a double-quoted XML attribute."""
    return escape(value, {'"': "&quot;"})


def _blocks(items: list[FigureItem], colour: str, sign: str) -> list[_Block]:
    width = STRIP - 2 * PAD - 22 - 30  # bullet on the left, count pill on the right
    return [_Block(wrap(i.name, width, SIZE), i.studies, colour, sign) for i in items]


def _height(blocks: list[_Block]) -> float:
    return sum(len(b.lines) * LINE + 7 for b in blocks)


def _text(
    x: float,
    y: float,
    s: str,
    *,
    size: float = SIZE,
    weight: str = "normal",
    anchor: str = "start",
    fill: str = "#1d2330",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
        f'text-anchor="{anchor}" fill="{fill}">{escape(s)}</text>'
    )


def _column(blocks: list[_Block], x: float, y: float) -> list[str]:
    out = []
    for b in blocks:
        cy = y + LINE * 0.5 - 3.5
        out.append(f'<circle cx="{x + 8:.1f}" cy="{cy:.1f}" r="7" fill="{b.colour}"/>')
        out.append(
            _text(x + 8, cy + 3.6, b.sign, size=10, weight="bold", anchor="middle", fill="#fff")
        )
        for i, line in enumerate(b.lines):
            out.append(_text(x + 22, y + LINE * (i + 0.7), line))
        # The number of supporting studies, right-aligned in a small pill.
        label = f"{b.studies}"
        w = max(18.0, text_width(label, 9) + 10)
        px = x + STRIP - 2 * PAD - w
        out.append(
            f'<rect x="{px:.1f}" y="{y + 1:.1f}" width="{w:.1f}" height="{LINE:.1f}" rx="6" '
            f'fill="#ffffff" stroke="{b.colour}" stroke-width="0.8"/>'
        )
        out.append(
            _text(px + w / 2, y + LINE * 0.72, label, size=9, anchor="middle", fill=b.colour)
        )
        y += len(b.lines) * LINE + 7
    return out


def render_svg(levels: list[FigureLevel], *, title: str = "", core: str = "Engagement") -> str:
    """Levels are given outermost first. Returns a standalone SVG document (sizes in points)."""
    n = len(levels)
    cols = [
        (_blocks(lv.facilitators, FACILITATOR, "+"), _blocks(lv.barriers, BARRIER, "−"))
        for lv in levels
    ]
    core_lines = wrap(core, CORE_W - 2 * PAD, SIZE, bold=True)
    # Heights from the inside out: each ring holds its two columns beside the ring inside it.
    inner_h = len(core_lines) * LINE + 2 * PAD
    heights = [0.0] * n
    for i in range(n - 1, -1, -1):
        f, b = cols[i]
        heights[i] = HEADER + max(inner_h, _height(f), _height(b)) + PAD
        inner_h = heights[i]
    width = 2 * n * STRIP + CORE_W
    top = 40.0 if title else 12.0
    legend_h = 40.0
    total_w = width + 24
    total_h = top + heights[0] + legend_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w:.0f}pt" height="{total_h:.0f}pt" '
        f'viewBox="0 0 {total_w:.1f} {total_h:.1f}" font-family="{FONT}">',
        f'<rect width="{total_w:.1f}" height="{total_h:.1f}" fill="#ffffff"/>',
    ]
    if title:
        parts.append(_text(total_w / 2, 24, title, size=TITLE_SIZE, weight="bold", anchor="middle"))
    x0, y0 = 12.0, top
    for i, lv in enumerate(levels):
        x = x0 + i * STRIP
        w = width - 2 * i * STRIP
        y = y0 + i * HEADER
        h = heights[i]
        parts.append(
            f'<g class="ring" id="ring-{_attr(lv.key)}"><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
            f'height="{h:.1f}" rx="{min(60, 18 + 14 * (n - i)):.0f}" fill="{RING_FILLS[i % 5]}" '
            f'stroke="{RING_STROKES[i % 5]}" stroke-width="1.4"/>'
        )
        parts.append(
            _text(
                x + w / 2,
                y + 20,
                lv.label.upper(),
                size=LEVEL_SIZE,
                weight="bold",
                anchor="middle",
                fill=RING_STROKES[i % 5],
            )
        )
        f, b = cols[i]
        # Which side is which, in each ring's header row (only where the side has items).
        if f:
            parts.append(
                _text(x + 26, y + 20, _("Facilitators"), size=8.5, weight="bold", fill=FACILITATOR)
            )
        if b:
            parts.append(
                _text(
                    x + w - 26,
                    y + 20,
                    _("Barriers"),
                    size=8.5,
                    weight="bold",
                    anchor="end",
                    fill=BARRIER,
                )
            )
        parts.extend(_column(f, x + PAD, y + HEADER))
        parts.extend(_column(b, x + w - STRIP + PAD, y + HEADER))
        parts.append("</g>")
    # The core: the person whose engagement the levels act on.
    cx = x0 + n * STRIP
    cy = y0 + n * HEADER
    ch = len(core_lines) * LINE + 2 * PAD
    parts.append(
        f'<rect x="{cx:.1f}" y="{cy:.1f}" width="{CORE_W:.1f}" height="{ch:.1f}" rx="14" '
        f'fill="#ffffff" stroke="#23437a" stroke-width="1.4"/>'
    )
    for i, line in enumerate(core_lines):
        parts.append(
            _text(
                cx + CORE_W / 2, cy + PAD + LINE * (i + 0.75), line, weight="bold", anchor="middle"
            )
        )
    # Legend.
    ly = top + heights[0] + 24
    parts.append(f'<circle cx="20" cy="{ly - 3.5:.1f}" r="7" fill="{FACILITATOR}"/>')
    parts.append(_text(20, ly, "+", size=10, weight="bold", anchor="middle", fill="#fff"))
    parts.append(_text(32, ly, _("Facilitator")))
    parts.append(f'<circle cx="120" cy="{ly - 3.5:.1f}" r="7" fill="{BARRIER}"/>')
    parts.append(_text(120, ly, "−", size=10, weight="bold", anchor="middle", fill="#fff"))
    parts.append(_text(132, ly, _("Barrier")))
    parts.append(
        f'<rect x="205" y="{ly - 10:.1f}" width="18" height="{LINE:.1f}" rx="6" fill="#fff" stroke="#5d6676" stroke-width="0.8"/>'
    )
    parts.append(_text(214, ly, "n", size=9, anchor="middle", fill="#5d6676"))
    parts.append(_text(230, ly, _("Number of supporting studies")))
    parts.append("</svg>")
    return "\n".join(parts)


def render_png(
    levels: list[FigureLevel], *, title: str = "", core: str = "Engagement", dpi: int = 300
) -> bytes:
    import cairosvg

    svg = render_svg(levels, title=title, core=core)
    require_cjk_font(svg)
    return _with_phys(cairosvg.svg2png(bytestring=svg.encode(), dpi=dpi), dpi)
