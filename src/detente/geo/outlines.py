"""Country outlines for the dashboard's map: Natural Earth's 1:110m countries (public domain),
as shipped in ``data/outlines.json``: ISO alpha-3 code (or the country's name where Natural
Earth gives none) → its polygons' outer rings, each a list of ``[lon, lat]`` rounded to 0.1°.

``python -m detente.geo.outlines SHP DBF OUT`` makes the file from Natural Earth's shapefile
(a polygon shapefile and its attribute table); only the standard library is needed.
"""

from __future__ import annotations

import itertools
import json
import struct
import sys
from pathlib import Path

from detente.datafiles import packaged_text

Ring = list[list[float]]


def load_outlines() -> dict[str, list[Ring]]:
    """The shipped outlines, by country."""
    raw = json.loads(packaged_text("detente.geo", "data", "outlines.json"))
    return {str(k): v for k, v in raw["countries"].items()}


def _records(dbf: bytes, field: str) -> list[str]:
    """One column of a dBASE table."""
    count, header, size = struct.unpack("<xxxxIHH", dbf[:12])
    fields: list[tuple[str, int]] = []
    at = 32
    while dbf[at] != 0x0D:
        name = dbf[at : at + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, dbf[at + 16]))
        at += 32
    offset = 1 + sum(length for name, length in fields[: [n for n, _ in fields].index(field)])
    length = dict(fields)[field]
    return [
        dbf[header + i * size + offset : header + i * size + offset + length]
        .decode("utf-8", "replace")
        .strip()
        for i in range(count)
    ]


def _polygons(shp: bytes) -> list[list[Ring]]:
    """Every shape's rings, in file order (polygon shapefiles only)."""
    shapes: list[list[Ring]] = []
    at = 100
    while at < len(shp):
        _, words = struct.unpack(">II", shp[at : at + 8])
        body = shp[at + 8 : at + 8 + words * 2]
        at += 8 + words * 2
        kind = struct.unpack("<i", body[:4])[0]
        if kind != 5:
            shapes.append([])
            continue
        parts, points = struct.unpack("<ii", body[36:44])
        starts = [*struct.unpack(f"<{parts}i", body[44 : 44 + 4 * parts]), points]
        xy = struct.unpack(f"<{2 * points}d", body[44 + 4 * parts : 44 + 4 * parts + 16 * points])
        rings = []
        for a, b in itertools.pairwise(starts):
            ring = [[round(xy[2 * i], 1), round(xy[2 * i + 1], 1)] for i in range(a, b)]
            rings.append([p for j, p in enumerate(ring) if j == 0 or p != ring[j - 1]])
        shapes.append(rings)
    return shapes


def build(shp: Path, dbf: Path, out: Path) -> int:
    """Write the outlines file; returns the number of countries."""
    table = dbf.read_bytes()
    codes, names = _records(table, "iso_a3"), _records(table, "name")
    countries: dict[str, list[Ring]] = {}
    for code, name, rings in zip(codes, names, _polygons(shp.read_bytes()), strict=True):
        key = code if len(code) == 3 and code.isalpha() else name
        countries.setdefault(key, []).extend(r for r in rings if len(r) >= 4)
    out.write_text(
        json.dumps({"source": "Natural Earth 1:110m countries (public domain)",
                    "countries": countries}, separators=(",", ":")),
        "utf-8",
    )  # fmt: skip
    return len(countries)


if __name__ == "__main__":
    shp_path, dbf_path, out_path = (Path(a) for a in sys.argv[1:4])
    print(f"{build(shp_path, dbf_path, out_path)} countries written to {out_path}")
