"""Small SVG chart builders (no JavaScript, no external files)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

QUAD_COLOURS = {1: "#4c9f70", 2: "#1f6f43", 3: "#e0a030", 4: "#c0392b"}
QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict",
              4: "material conflict"}  # fmt: skip


def _x(day: dt.date, first: dt.date, last: dt.date, left: float, width: float) -> float:
    span = max((last - first).days, 1)
    return left + width * (day - first).days / span


def _opening(width: int, height: int, left: int, title: str) -> list[str]:
    """The <svg> element of a chart and its title."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f'<text x="{left}" y="18" class="title">{escape(title)}</text>',
    ]


def line_chart(
    days: Sequence[tuple[dt.date, float]],
    marks: Sequence[tuple[dt.date, str, str]],  # (day, label, colour)
    notes: Sequence[tuple[dt.date, float, str]],  # (day, value, tooltip)
    *,
    width: int = 960,
    height: int = 300,
    title: str = "",
) -> str:
    """A line of daily values, a zero line, vertical markers and annotated dots."""
    if not days:
        return "<p>No dated incidents.</p>"
    left, right, top, bottom = 50, 20, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    first, last = days[0][0], days[-1][0]
    values = [v for _, v in days]
    low, high = min(0.0, *values), max(0.0, *values)
    if high - low < 1e-9:
        high = low + 1

    def y(value: float) -> float:
        return top + plot_h * (high - value) / (high - low)

    points = " ".join(f"{_x(d, first, last, left, plot_w):.1f},{y(v):.1f}" for d, v in days)
    parts = [
        *_opening(width, height, left, title),
        f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" class="zero"/>',
        f'<text x="{left - 6}" y="{y(high) + 4:.1f}" class="axis" text-anchor="end">{high:.0f}</text>',
        f'<text x="{left - 6}" y="{y(low) + 4:.1f}" class="axis" text-anchor="end">{low:.0f}</text>',
    ]
    for day in _ticks(first, last):
        x = _x(day, first, last, left, plot_w)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 12}" class="axis" text-anchor="middle">{day:%d %b}</text>'
        )
    for day, label, colour in marks:
        x = _x(day, first, last, left, plot_w)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" stroke="{colour}" class="mark"/>'
        )
        parts.append(
            f'<text x="{x + 3:.1f}" y="{top + 12}" fill="{colour}" class="label">{escape(label)}</text>'
        )
    parts.append(f'<polyline points="{points}" class="line"/>')
    for day, value, tip in notes:
        x = _x(day, first, last, left, plot_w)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(value):.1f}" r="4" class="note"><title>{escape(tip)}</title></circle>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def stacked_bars(
    weeks: Sequence[tuple[dt.date, dict[int, float]]],
    *,
    width: int = 960,
    height: int = 220,
    title: str = "",
) -> str:
    """Weekly counts stacked by PLOVER quad class, with a legend."""
    if not weeks:
        return "<p>No dated incidents.</p>"
    left, right, top, bottom = 50, 20, 30, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max((sum(q.values()) for _, q in weeks), default=1.0) or 1.0
    bar = plot_w / len(weeks)
    parts = [
        *_opening(width, height, left, title),
        f'<text x="{left - 6}" y="{top + 4}" class="axis" text-anchor="end">{top_value:.0f}</text>',
    ]
    for i, (week, quads) in enumerate(weeks):
        x = left + i * bar
        base = float(top + plot_h)
        for quad in (4, 3, 2, 1):
            value = quads.get(quad, 0.0)
            if value <= 0:
                continue
            h = plot_h * value / top_value
            base -= h
            tip = f"week of {week}: {value:.1f} {QUAD_NAMES[quad]}"
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{base:.1f}" width="{max(bar - 2, 1):.1f}" height="{h:.1f}" '
                f'fill="{QUAD_COLOURS[quad]}"><title>{escape(tip)}</title></rect>'
            )
        if i % max(1, len(weeks) // 8) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 12}" class="axis" text-anchor="middle">{week:%d %b}</text>'
            )
    for n, quad in enumerate((1, 2, 3, 4)):
        lx = left + 10 + n * 190
        parts.append(
            f'<rect x="{lx}" y="{height - 32}" width="10" height="10" fill="{QUAD_COLOURS[quad]}"/>'
        )
        parts.append(
            f'<text x="{lx + 14}" y="{height - 23}" class="axis">{QUAD_NAMES[quad]}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _ticks(first: dt.date, last: dt.date) -> list[dt.date]:
    span = max((last - first).days, 1)
    step = max(1, span // 8)
    return [first + dt.timedelta(days=i) for i in range(0, span + 1, step)]
