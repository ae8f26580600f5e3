"""The appraisal summary figure in the style of robvis (McGuinness & Higgins 2021): a
traffic-light plot (study × item) and a bar summary of the share of studies at each judgement.

Pure: rows of (study label, {item: level}) in, SVG out (PNG through cairosvg). Levels are
good / bad / unsure / na / none (not judged yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

COLOURS = {
    "good": "#02C100",
    "unsure": "#E2DF07",
    "bad": "#BF0000",
    "na": "#9C9C9C",
    "none": "#FFFFFF",
}
SYMBOLS = {"good": "+", "unsure": "?", "bad": "−", "na": "NA", "none": ""}
FONT = "DejaVu Sans, Noto Sans CJK TC, Liberation Sans, Arial, sans-serif"


def level_labels() -> dict[str, str]:
    return {
        "good": _("Yes / low concern"),
        "unsure": _("Unclear / can't tell"),
        "bad": _("No / high concern"),
        "na": _("Not applicable"),
        "none": _("Not judged yet"),
    }


@dataclass
class FigureRow:
    label: str
    levels: dict[str, str]  # item number -> level
    weight: float = 1.0


def _attr(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def traffic_light_svg(rows: Sequence[FigureRow], items: Sequence[str], title: str = "") -> str:
    """One circle per study and item, coloured and marked by its judgement."""
    label_w, cell, top = 190, 34, 60 if title else 40
    width = label_w + cell * max(len(items), 1) + 20
    height = top + cell * max(len(rows), 1) + 150
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12" role="img">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(f'<text x="10" y="22" font-size="14" font-weight="bold">{_attr(title)}</text>')
    for j, number in enumerate(items):
        x = label_w + j * cell + cell / 2
        out.append(
            f'<text x="{x}" y="{top - 10}" text-anchor="middle" font-weight="bold">{_attr(number)}</text>'
        )
    for i, row in enumerate(rows):
        y = top + i * cell + cell / 2
        label = row.label if len(row.label) <= 28 else row.label[:27] + "…"
        out.append(f'<text x="10" y="{y + 4}">{_attr(label)}</text>')
        for j, number in enumerate(items):
            level = row.levels.get(number, "none")
            x = label_w + j * cell + cell / 2
            out.append(
                f'<circle cx="{x}" cy="{y}" r="12" fill="{COLOURS[level]}" stroke="#555555" '
                f'stroke-width="0.8"><title>{_attr(row.label)} · {_attr(number)}: '
                f"{_attr(level_labels()[level])}</title></circle>"
            )
            if SYMBOLS[level]:
                out.append(
                    f'<text x="{x}" y="{y + 4}" text-anchor="middle" font-weight="bold" '
                    f'font-size="{9 if level == "na" else 13}" fill="#000000">{SYMBOLS[level]}</text>'
                )
    out.append(_legend(10, top + cell * max(len(rows), 1) + 20))
    out.append("</svg>")
    return "\n".join(out)


def _legend(x: float, y: float) -> str:
    parts = [
        f'<g class="legend"><text x="{x}" y="{y}" font-weight="bold">{_attr(_("Judgement"))}</text>'
    ]
    for k, (level, label) in enumerate(level_labels().items()):
        cy = y + 18 + k * 20
        parts.append(
            f'<circle cx="{x + 8}" cy="{cy - 4}" r="7" fill="{COLOURS[level]}" stroke="#555555" stroke-width="0.8"/>'
            f'<text x="{x + 22}" y="{cy}">{_attr(label)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def summary(rows: Sequence[FigureRow], items: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per item, the weighted share of studies at each level (items nobody judged: none=1)."""
    out = {}
    for number in items:
        totals = dict.fromkeys(COLOURS, 0.0)
        for row in rows:
            totals[row.levels.get(number, "none")] += row.weight
        whole = sum(totals.values()) or 1.0
        out[number] = {level: value / whole for level, value in totals.items()}
    return out


def summary_svg(rows: Sequence[FigureRow], items: Sequence[str], title: str = "") -> str:
    """One stacked bar per item: the (weighted) share of studies at each judgement."""
    shares = summary(rows, items)
    label_w, bar_w, bar_h, top = 90, 420, 22, 50 if title else 20
    width, height = label_w + bar_w + 30, top + (bar_h + 8) * max(len(items), 1) + 150
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12" role="img">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        out.append(f'<text x="10" y="22" font-size="14" font-weight="bold">{_attr(title)}</text>')
    for i, number in enumerate(items):
        y = top + i * (bar_h + 8)
        out.append(f'<text x="10" y="{y + 15}" font-weight="bold">{_attr(number)}</text>')
        x = float(label_w)
        for level in ("good", "unsure", "bad", "na", "none"):
            w = shares[number][level] * bar_w
            if w <= 0:
                continue
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[level]}" '
                f'stroke="#555555" stroke-width="0.5"><title>{_attr(number)}: '
                f"{_attr(level_labels()[level])} {shares[number][level]:.0%}</title></rect>"
            )
            x += w
    axis_y = top + (bar_h + 8) * max(len(items), 1)
    for pct in (0, 25, 50, 75, 100):
        ax = label_w + bar_w * pct / 100
        out.append(
            f'<text x="{ax}" y="{axis_y + 12}" text-anchor="middle" font-size="10">{pct}%</text>'
        )
    out.append(_legend(10, axis_y + 36))
    out.append("</svg>")
    return "\n".join(out)


def combined_svg(rows: Sequence[FigureRow], items: Sequence[str], title: str = "") -> str:
    """Both plots, one above the other, as one document (the export's SVG and PNG)."""
    top = traffic_light_svg(rows, items, title)
    bottom = summary_svg(rows, items, _("Share of studies at each judgement (equal weights)"))

    def size(svg: str) -> tuple[float, float]:
        head = svg.split(">", 1)[0]
        w = float(head.split('width="', 1)[1].split('"', 1)[0])
        h = float(head.split('height="', 1)[1].split('"', 1)[0])
        return w, h

    (w1, h1), (w2, h2) = size(top), size(bottom)
    width, height = max(w1, w2), h1 + h2
    inner_top = top.split(">", 1)[1].rsplit("</svg>", 1)[0]
    inner_bottom = bottom.split(">", 1)[1].rsplit("</svg>", 1)[0]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12" role="img">'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>'
        f'<g>{inner_top}</g><g transform="translate(0,{h1})">{inner_bottom}</g></svg>'
    )


def to_png(svg: str, scale: float = 2.0) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode(), scale=scale)
