"""Small SVG chart builders (no JavaScript, no external files).

Every label's box is worked out here, before a browser sees it (``detente.report.layout``): the
turning points' labels stack in rows above the plot, the legend has its own rows under the title,
and the spans of incidents dated only to a month have their own lane, so nothing is drawn over
anything else and nothing leaves the chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from detente.report.figures import Period
from detente.report.layout import Placed, centred, flow, place_labels, rows, text_width

QUAD_COLOURS = {1: "#4c9f70", 2: "#1f6f43", 3: "#e0a030", 4: "#c0392b"}
QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict",
              4: "material conflict"}  # fmt: skip
FONT = 11  # axis and label text, in the chart's units (CSS .axis, .label)
ROW = 16  # height of one row of labels
TOP = 26  # below the title
EDGE = 4  # labels keep this clear of the chart's sides
MAX_LABEL_ROWS = 3  # more rows of turning-point labels than this, and they are shortened


@dataclass(frozen=True, slots=True)
class Mark:
    """A vertical marker with its label: a turning point."""

    day: dt.date
    label: str  # "▲ escalation 20 Jun"
    short: str  # "▲ 20 Jun", when the full labels would need too many rows
    colour: str


@dataclass(frozen=True, slots=True)
class Note:
    """A dot on the line with a tooltip: a key incident."""

    day: dt.date
    value: float
    tip: str


def _x(day: dt.date, first: dt.date, last: dt.date, left: float, width: float) -> float:
    span = max((last - first).days, 1)
    return left + width * (day - first).days / span


def _opening(width: int, height: float, left: int, title: str) -> list[str]:
    """The <svg> element of a chart and its title."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f'<text x="{left}" y="18" class="title">{escape(title)}</text>',
    ]


def _text(x: float, y: float, text: str, cls: str = "axis", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}"{extra}>{escape(text)}</text>'


def _baseline(row_top: float) -> float:
    return row_top + FONT


def _markers(xs: Sequence[float], texts: Sequence[str], width: int) -> list[Placed]:
    sized = [(x, text_width(t, FONT)) for x, t in zip(xs, texts, strict=True)]
    return place_labels(sized, EDGE, width - EDGE)


def line_chart(
    days: Sequence[tuple[dt.date, float]],
    marks: Sequence[Mark],
    notes: Sequence[Note],
    *,
    width: int = 960,
    plot_height: int = 230,
    title: str = "",
) -> str:
    """A line of daily values, a zero line, labelled vertical markers and annotated dots."""
    if not days:
        return "<p>No dated incidents.</p>"
    left, right, bottom = 50, 20, 40
    plot_w = width - left - right
    first, last = days[0][0], days[-1][0]
    xs = [_x(m.day, first, last, left, plot_w) for m in marks]
    texts = [m.label for m in marks]
    placed = _markers(xs, texts, width)
    if rows(placed) > MAX_LABEL_ROWS:
        texts = [m.short for m in marks]
        placed = _markers(xs, texts, width)
    top = TOP + rows(placed) * ROW + 6
    height = top + plot_height + bottom
    values = [v for _, v in days]
    low, high = min(0.0, *values), max(0.0, *values)
    if high - low < 1e-9:
        high = low + 1

    def y(value: float) -> float:
        return top + plot_height * (high - value) / (high - low)

    points = " ".join(f"{_x(d, first, last, left, plot_w):.1f},{y(v):.1f}" for d, v in days)
    parts = [
        *_opening(width, height, left, title),
        f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" class="zero"/>',
        _text(left - 6, y(high) + 4, f"{high:.0f}", extra=' text-anchor="end"'),
        _text(left - 6, y(low) + 4, f"{low:.0f}", extra=' text-anchor="end"'),
    ]
    for day in _ticks(first, last):
        label = f"{day:%d %b}"
        x = centred(_x(day, first, last, left, plot_w), text_width(label, FONT), EDGE, width - EDGE)
        parts.append(_text(x, height - 12, label))
    for mark, x, place in zip(marks, xs, placed, strict=True):
        row_top = TOP + place.row * ROW
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{row_top:.1f}" y2="{top + plot_height}" '
            f'stroke="{mark.colour}" class="mark"/>'
        )
    parts.append(f'<polyline points="{points}" class="line"/>')
    # labels after the lines, on a backing that hides the lines of earlier rows running behind
    for mark, text, place in zip(marks, texts, placed, strict=True):
        row_top = TOP + place.row * ROW
        parts.append(
            f'<rect x="{place.start - 1:.1f}" y="{row_top:.1f}" width="{text_width(text, FONT) + 2:.1f}" '
            f'height="{ROW - 1}" class="backing"/>'
        )
        parts.append(
            _text(place.start, _baseline(row_top), text, "label", f' fill="{mark.colour}"')
        )
    for note in notes:
        x = _x(note.day, first, last, left, plot_w)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y(note.value):.1f}" r="4" class="note">'
            f"<title>{escape(note.tip)}</title></circle>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(entries: Sequence[tuple[str, str]], left: int, hi: float) -> tuple[list[str], int]:
    """Swatches and names (colour or "span", name) in rows under the title; the rows taken."""
    widths = [14 + text_width(name, FONT) for _, name in entries]
    placed = flow(widths, left, hi)
    parts = []
    for (colour, name), place in zip(entries, placed, strict=True):
        row_top = TOP + place.row * ROW
        if colour == "span":
            swatch = f'<rect x="{place.start:.1f}" y="{row_top + 5:.1f}" width="10" height="4" class="span"/>'
        else:
            swatch = f'<rect x="{place.start:.1f}" y="{row_top + 2:.1f}" width="10" height="10" fill="{colour}"/>'
        parts += [swatch, _text(place.start + 14, _baseline(row_top), name)]
    return parts, rows(placed)


def _period_label(period: Period) -> str:
    moves = period.points
    what = moves[0].move if len(moves) == 1 else f"{len(moves)} incidents"
    return f"{period.name} (day unknown): {what}"


def stacked_bars(
    weeks: Sequence[tuple[dt.date, dict[int, float]]],
    spans: Sequence[Period] = (),
    *,
    width: int = 960,
    plot_height: int = 130,
    title: str = "",
) -> str:
    """Incidents per week (weeks start on Monday) stacked by PLOVER quad class, with a legend;
    below the bars, the incidents dated only to a month or a year as spans over their days."""
    if not weeks:
        return "<p>No dated incidents.</p>"
    left, right = 50, 20
    plot_w = width - left - right
    entries = [(QUAD_COLOURS[q], QUAD_NAMES[q]) for q in (1, 2, 3, 4)]
    if spans:
        entries.append(("span", "dated only to a month: a span over its days, not a bar"))
    legend, legend_rows = _legend(entries, left, width - EDGE)
    top = TOP + legend_rows * ROW + 8
    bar = plot_w / len(weeks)
    start, end = weeks[0][0], weeks[-1][0] + dt.timedelta(days=7)

    def x_of(day: dt.date) -> float:
        day = min(max(day, start), end)
        return left + bar * (day - start).days / 7

    extents = [(x_of(p.start), x_of(p.end + dt.timedelta(days=1))) for p in spans]
    labels = [_period_label(p) for p in spans]
    sized = [
        (x0, max(x1 - x0, text_width(t, FONT))) for (x0, x1), t in zip(extents, labels, strict=True)
    ]
    placed = place_labels(sized, EDGE, width - EDGE, pad=0, flip=False)
    lane = top + plot_height + 6
    lane_row = ROW + 8  # a label and its span under it
    ticks_y = lane + rows(placed) * lane_row + FONT + 4
    height = ticks_y + 12
    top_value = max((sum(q.values()) for _, q in weeks), default=1.0) or 1.0
    parts = [
        *_opening(width, height, left, title),
        *legend,
        _text(left - 6, top + 4, f"{top_value:.0f}", extra=' text-anchor="end"'),
        _text(left - 6, top + plot_height + 4, "0", extra=' text-anchor="end"'),
    ]
    step = max(1, len(weeks) // 8)
    for i, (week, quads) in enumerate(weeks):
        x = left + i * bar
        base = float(top + plot_height)
        for quad in (4, 3, 2, 1):
            value = quads.get(quad, 0.0)
            if value <= 0:
                continue
            h = plot_height * value / top_value
            base -= h
            tip = f"week of {week}: {value:g} {QUAD_NAMES[quad]}"
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{base:.1f}" width="{max(bar - 2, 1):.1f}" height="{h:.1f}" '
                f'fill="{QUAD_COLOURS[quad]}"><title>{escape(tip)}</title></rect>'
            )
        if i % step == 0:
            label = f"{week:%d %b}"
            tick = centred(x + bar / 2, text_width(label, FONT), EDGE, width - EDGE)
            parts.append(_text(tick, ticks_y, label))
    for period, (x0, x1), label, place in zip(spans, extents, labels, placed, strict=True):
        row_top = lane + place.row * lane_row
        tip = "; ".join(f"{p.move} ({p.status})" for p in period.points)
        classes = sorted({p.quad for p in period.points}, reverse=True)
        stripe = 6 / len(classes)
        for n, quad in enumerate(classes):
            parts.append(
                f'<rect x="{x0:.1f}" y="{row_top + ROW + n * stripe:.1f}" width="{max(x1 - x0, 2):.1f}" '
                f'height="{stripe:.1f}" fill="{QUAD_COLOURS[quad]}"><title>{escape(tip)}</title></rect>'
            )
        parts.append(_text(place.start, _baseline(row_top), label))
    parts.append("</svg>")
    return "\n".join(parts)


def _ticks(first: dt.date, last: dt.date) -> list[dt.date]:
    span = max((last - first).days, 1)
    step = max(1, span // 8)
    return [first + dt.timedelta(days=i) for i in range(0, span + 1, step)]


def sparkline(
    values: Sequence[float], *, width: int = 160, height: int = 32, label: str = ""
) -> str:
    """A small line of ``values`` (the overview's trend per pair), zero line dashed."""
    if len(values) < 2:
        return ""
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    step = (width - 2) / (len(values) - 1)

    def y(v: float) -> float:
        return 1 + (height - 2) * (high - v) / span

    points = " ".join(f"{1 + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}">'
        f'<line x1="0" x2="{width}" y1="{y(0):.1f}" y2="{y(0):.1f}" class="zero"/>'
        f'<polyline points="{points}" class="line"/></svg>'
    )
