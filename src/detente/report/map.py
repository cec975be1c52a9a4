"""A map of located incidents: country outlines (``geo.outlines``) in an equirectangular
projection, one dot per incident at its report's place, framed on the dots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from detente.geo.outlines import Ring

SCALE = 4.0  # pixels per degree before framing
MARGIN_DEGREES = 8.0


@dataclass(frozen=True, slots=True)
class Dot:
    lon: float
    lat: float
    label: str  # shown on hover
    href: str  # where a click goes (an address of the app)
    hostile: bool


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180.0) * SCALE, (90.0 - lat) * SCALE


def _frame(dots: Sequence[Dot]) -> tuple[float, float, float, float]:
    """The view box around the dots (the world when there are none), at least 40° wide."""
    if not dots:
        return 0.0, 0.0, 360 * SCALE, 180 * SCALE
    west, east = min(d.lon for d in dots), max(d.lon for d in dots)
    south, north = min(d.lat for d in dots), max(d.lat for d in dots)
    middle_lon, middle_lat = (west + east) / 2, (south + north) / 2
    half_w = max((east - west) / 2 + MARGIN_DEGREES, 20.0)
    half_h = max((north - south) / 2 + MARGIN_DEGREES, half_w / 2)
    x0, y0 = _xy(middle_lon - half_w, min(90.0, middle_lat + half_h))
    x1, y1 = _xy(middle_lon + half_w, max(-90.0, middle_lat - half_h))
    return x0, y0, x1 - x0, y1 - y0


def _path(rings: Sequence[Ring]) -> str:
    parts = []
    for ring in rings:
        points = [_xy(lon, lat) for lon, lat in ring]
        parts.append("M" + "L".join(f"{x:.0f} {y:.0f}" for x, y in points) + "Z")
    return "".join(parts)


def world_map(outlines: dict[str, list[Ring]], dots: Sequence[Dot], *, title: str = "") -> str:
    """The SVG: every country's outline, the dots (linked, with their label on hover)."""
    x, y, w, h = _frame(dots)
    countries = "".join(
        f'<path class="land" d="{_path(rings)}"><title>{escape(code)}</title></path>'
        for code, rings in sorted(outlines.items())
    )
    radius = max(w / 160, 2.0)
    marks = "".join(
        f'<a href="{escape(d.href)}"><circle class="{"hostile" if d.hostile else "other"}" '
        f'cx="{_xy(d.lon, d.lat)[0]:.1f}" cy="{_xy(d.lon, d.lat)[1]:.1f}" r="{radius:.1f}">'
        f"<title>{escape(d.label)}</title></circle></a>"
        for d in dots
    )
    return (
        f'<svg class="map" viewBox="{x:.0f} {y:.0f} {w:.0f} {h:.0f}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">'
        f'<rect class="sea" x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}"/>'
        f"{countries}{marks}</svg>"
    )
