"""PRISMA 2020 flow diagram: SVG, PNG and PDF drawn from a laid-out :class:`PrismaCounts`.

Pure on purpose (no ORM, no Django): ``flow`` holds the numbers, ``layout`` places the
boxes, this module only draws them.
"""

from __future__ import annotations

import struct
import zlib
from xml.sax.saxutils import escape

from screening.prisma.flow import PrismaCounts
from screening.prisma.layout import BAR_WIDTH, BLUE, MARGIN, _Box, _build, _clean
from screening.prisma.text import FONT_FAMILY, FONT_SIZE, LINE_HEIGHT, require_cjk_font


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def render_svg(counts: PrismaCounts, *, title: str | None = None) -> str:
    """The diagram as a standalone SVG document (sizes in points, one <text> per line)."""
    d = _build(counts, title)
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_fmt(d.width)}pt" '
        f'height="{_fmt(d.height)}pt" viewBox="0 0 {_fmt(d.width)} {_fmt(d.height)}" '
        f'font-family="{_attr(FONT_FAMILY)}" font-size="{_fmt(FONT_SIZE)}" role="img" '
        f'aria-labelledby="prisma-title">',
        f'<title id="prisma-title">{_attr(_clean(title or "PRISMA 2020 flow diagram"))}</title>',
        f'<rect width="{_fmt(d.width)}" height="{_fmt(d.height)}" fill="#ffffff"/>',
    ]
    y = MARGIN
    for line in d.title_lines:
        y += 11.0
        out.append(
            f'<text class="title" x="{_fmt(d.width / 2)}" y="{_fmt(y)}" font-size="11" '
            f'font-weight="bold" text-anchor="middle">{_attr(line)}</text>'
        )
        y += 11.0 * (LINE_HEIGHT - 1)
    for key, label, top, bottom in d.bars:
        out.append(_bar(key, label, top, bottom))
    for h in d.headers:
        out.append(_box_svg(h))
    for b in d.boxes.values():
        out.append(_box_svg(b))
    for points in d.arrows:
        out.append(_arrow_svg(points))
    if d.footnote:
        out.append(
            f'<text class="footnote" x="{_fmt(MARGIN)}" y="{_fmt(d.height - MARGIN + 2)}" '
            f'font-size="{_fmt(FONT_SIZE - 1)}">{_attr(d.footnote)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _bar(key: str, label: str, top: float, bottom: float) -> str:
    cx, cy = MARGIN + BAR_WIDTH / 2, (top + bottom) / 2
    baseline = cx + FONT_SIZE * 0.35  # visually centre the rotated cap height
    return (
        f'<g class="phase" id="{key}">'
        f'<rect x="{_fmt(MARGIN)}" y="{_fmt(top)}" width="{_fmt(BAR_WIDTH)}" '
        f'height="{_fmt(bottom - top)}" rx="4" fill="{BLUE}"/>'
        f'<text x="{_fmt(baseline)}" y="{_fmt(cy)}" font-weight="bold" text-anchor="middle" '
        f'transform="rotate(-90 {_fmt(baseline)} {_fmt(cy)})">{_attr(label)}</text></g>'
    )


def _box_svg(b: _Box) -> str:
    if b.kind == "header":
        shape = (
            f'<rect x="{_fmt(b.x)}" y="{_fmt(b.y)}" width="{_fmt(b.width)}" '
            f'height="{_fmt(b.height)}" rx="6" fill="{b.fill}"/>'
        )
    elif b.kind == "grey":
        shape = (
            f'<rect x="{_fmt(b.x)}" y="{_fmt(b.y)}" width="{_fmt(b.width)}" '
            f'height="{_fmt(b.height)}" fill="{b.fill}"/>'
        )
    else:
        shape = (
            f'<rect x="{_fmt(b.x)}" y="{_fmt(b.y)}" width="{_fmt(b.width)}" '
            f'height="{_fmt(b.height)}" fill="{b.fill}" stroke="#000000" stroke-width="0.75"/>'
        )
    line_h = FONT_SIZE * LINE_HEIGHT
    text_h = (b.lines[-1][3] + line_h) if b.lines else 0.0
    top = b.y + (b.height - text_h) / 2
    texts = []
    for text, dx, bold, dy in b.lines:
        # Baseline sits ~0.78 em below the line top for DejaVu's ascent in a 1.3 line box.
        baseline = top + dy + (line_h + FONT_SIZE * 0.72) / 2
        weight = ' font-weight="bold"' if bold else ""
        if b.align == "center":
            pos = f'x="{_fmt(b.cx)}" text-anchor="middle"'
        else:
            pos = f'x="{_fmt(b.x + b.PAD_X + dx)}"'
        texts.append(f'<text {pos} y="{_fmt(baseline)}"{weight}>{_attr(text)}</text>')
    return f'<g class="box {b.kind}" id="{b.key}">{shape}{"".join(texts)}</g>'


def _arrow_svg(points: list[tuple[float, float]]) -> str:
    (x0, y0), (x1, y1) = points[-2], points[-1]
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    head_l, head_w = 6.0, 2.6
    bx, by = x1 - ux * head_l, y1 - uy * head_l
    line = [*points[:-1], (bx, by)]
    path = " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in line)
    head = (
        f"{_fmt(x1)},{_fmt(y1)} {_fmt(bx - uy * head_w)},{_fmt(by + ux * head_w)} "
        f"{_fmt(bx + uy * head_w)},{_fmt(by - ux * head_w)}"
    )
    return (
        f'<g class="arrow"><polyline points="{path}" fill="none" stroke="#000000" '
        f'stroke-width="0.75"/><polygon points="{head}" fill="#000000"/></g>'
    )


# --------------------------------------------------------------------------- PNG / PDF


def render_png(counts: PrismaCounts, dpi: int = 300, *, title: str | None = None) -> bytes:
    """A PNG at `dpi` (the SVG is sized in points, so pixels = points / 72 × dpi)."""
    import cairosvg

    svg = render_svg(counts, title=title)
    require_cjk_font(svg)
    png = cairosvg.svg2png(bytestring=svg.encode(), dpi=dpi)
    return _with_phys(png, dpi)


def render_pdf(counts: PrismaCounts, *, title: str | None = None) -> bytes:
    """A one-page vector PDF, the page sized to the diagram."""
    import cairosvg

    svg = render_svg(counts, title=title)
    require_cjk_font(svg)
    return cairosvg.svg2pdf(bytestring=svg.encode())


def _with_phys(png: bytes, dpi: int) -> bytes:
    # cairo writes no resolution; journals' upload checks read pHYs to see the 300 dpi.
    if b"pHYs" in png[:64]:
        return png
    ppm = round(dpi / 0.0254)
    payload = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
    chunk = struct.pack(">I", 9) + payload + struct.pack(">I", zlib.crc32(payload))
    ihdr_end = 8 + 4 + 4 + 13 + 4  # signature, IHDR length + type + data + crc
    return png[:ihdr_end] + chunk + png[ihdr_end:]
