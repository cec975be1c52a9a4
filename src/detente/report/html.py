"""The dyad report: tension chart with turning points and key incidents, incidents per week by
quad class, counts by PLOVER type, the reciprocity panel, the commitments with their timelines and
the incidents with their source sentences. One HTML file that works
offline: styles, charts (inline SVG) and the small table filter script are all inside it."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pycountry

from detente import __version__
from detente.analysis import DyadAnalysis, analyse
from detente.analysis.commitments import commitments
from detente.analysis.frames import lagged_lines, match_rows
from detente.analysis.series import HALF_LIFE_DAYS, weight
from detente.output import written
from detente.report import commitments as commitment_section
from detente.report.figures import TypeCount, day_dated_weeks, periods, type_counts
from detente.report.svg import QUAD_COLOURS, QUAD_NAMES, Mark, Note, line_chart, stacked_bars
from detente.store import Store

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1000px;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#666}.chart{width:100%;height:auto;box-sizing:border-box;background:#fafafa;border:1px solid #eee}
.chart .title{font-size:14px;font-weight:600}.chart .axis{font-size:11px;fill:#666}
.chart .label{font-size:11px}.chart .backing{fill:#fafafa}.chart .span{fill:#888}.chart .zero{stroke:#999;stroke-dasharray:4 3}
.chart .line{fill:none;stroke:#2c3e50;stroke-width:2}.chart .mark{stroke-width:1.5;stroke-dasharray:5 3}
.chart .note{fill:#c0392b;stroke:#fff}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #eee;padding:4px 6px;
text-align:left;vertical-align:top}td.src{overflow-wrap:anywhere}th{background:#f4f4f4}td.num{text-align:right}
.esc{color:#c0392b}.deesc{color:#1f6f43}.small{font-size:.8rem;color:#666}
.bar{display:inline-block;height:.7rem;vertical-align:middle;margin-right:.4rem}
input[type=search]{width:100%;padding:6px;margin:.5rem 0;box-sizing:border-box}
@media (max-width:700px){table{display:block;overflow-x:auto}}
"""

SCRIPT = """
document.addEventListener('DOMContentLoaded', function () {
  var box = document.getElementById('filter');
  var rows = document.querySelectorAll('#incidents tbody tr');
  box.addEventListener('input', function () {
    var q = box.value.toLowerCase();
    rows.forEach(function (row) {
      row.style.display = row.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
});
"""


def _country(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code


# Only these reach the report as links: a "javascript:" or "data:" address from a feed or a
# corpus would run in the reader's browser.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def _cell(value: Any) -> str:
    return escape("" if value is None else str(value))


def _sources(record: dict[str, Any]) -> str:
    items = []
    for source in record.get("sources", []):
        label = source.get("title") or source.get("path") or source.get("doc_id")
        where = source.get("url")
        text = escape(f"{label} ({source.get('published') or 'undated'})")
        linked = where and urlsplit(str(where)).scheme.lower() in LINK_SCHEMES
        items.append(f'<a href="{escape(where)}">{text}</a>' if linked else text)
    return "<br>".join(items)


def _type_table(counts: list[TypeCount], dyad: tuple[str, str]) -> str:
    a, b = dyad
    if not counts:
        return "<p>No dated incidents.</p>"
    most = max(c.total for c in counts)
    rows = "".join(
        f"<tr><td>{escape(c.event)}</td><td>{escape(QUAD_NAMES.get(c.quad, '?'))}</td>"
        f"<td class=num>{c.forward}</td><td class=num>{c.backward}</td><td class=num>{c.joint}</td>"
        f'<td><span class="bar" style="width:{8 * c.total / most:.2f}rem;'
        f'background:{QUAD_COLOURS.get(c.quad, "#888")}"></span>{c.total}</td></tr>'
        for c in counts
    )
    return (
        f"<table><thead><tr><th>type</th><th>quad class</th><th>{escape(a)} → {escape(b)}</th>"
        f"<th>{escape(b)} → {escape(a)}</th><th>joint</th><th>dated incidents</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def render_report(store: Store, dyad: tuple[str, str], analysis: DyadAnalysis | None = None) -> str:
    analysis = analysis or analyse(store, dyad)
    a, b = dyad
    names = f"{_country(a)} and {_country(b)}"
    incidents = list(store.events(dyad=dyad, incidents_only=True))
    dated = [r for r in incidents if r.get("date")]
    undated = len(incidents) - len(dated)
    days = [(d.date, d.index) for d in analysis.days]
    marks = [
        Mark(
            t.onset,
            ("▲ escalation" if t.kind == "escalation" else "▼ de-escalation") + f" {t.onset:%d %b}",
            ("▲" if t.kind == "escalation" else "▼") + f" {t.onset:%d %b}",
            "#c0392b" if t.kind == "escalation" else "#1f6f43",
        )
        for t in analysis.turns
    ]
    index_on = {d.date: d.index for d in analysis.days}
    sentences = {r["incident_id"]: " ".join(str(r["text"]).split()) for r in incidents}
    key = sorted(analysis.points, key=lambda p: -abs(p.intensity) * weight(p))[:8]
    notes = [
        Note(
            p.date,
            index_on.get(p.date, 0.0),
            f"{p.date} {p.move} ({p.status}): {sentences.get(p.incident_id, '')}",
        )
        for p in key
        if p.date in index_on
    ]
    span = (
        f"{analysis.days[0].date} to {analysis.days[-1].date}"
        if analysis.days
        else "no dated incidents"
    )
    turn_rows = (
        "".join(
            f'<tr><td class="{"esc" if t.kind == "escalation" else "deesc"}">{t.kind}</td>'
            f"<td>{t.onset}</td><td>{t.signalled}</td><td>"
            + "<br>".join(escape(f"{p.date} {p.move} ({p.status})") for p in t.incidents)
            + "</td></tr>"
            for t in analysis.turns
        )
        or '<tr><td colspan="4">No turning point.</td></tr>'
    )
    surge_rows = "".join(
        f"<tr><td>surge</td><td>{s.week}</td><td>{s.hostility:.1f} vs {s.baseline:.1f}</td><td>"
        + "<br>".join(escape(f"{p.date} {p.move}") for p in s.incidents)
        + "</td></tr>"
        for s in analysis.surges
    )
    match_table = (
        "".join(
            f"<tr><td>{_cell(m['event'])}</td><td>{_cell(m['first_mover'])}</td><td>{_cell(m['first'])}</td>"
            f"<td>{_cell(m['answer'])}</td><td class=num>{m['lag_days']}</td></tr>"
            for m in match_rows(analysis)
        )
        or '<tr><td colspan="5">No matched moves.</td></tr>'
    )
    lagged = "; ".join(lagged_lines(analysis))
    incident_rows = "".join(
        "<tr>"
        f"<td>{_cell(r.get('date') or '?')}</td>"
        f"<td>{_cell(';'.join(m['code'] for m in r['actor']))} → {_cell(';'.join(m['code'] for m in r['recipient']))}</td>"
        f"<td>{_cell(r['event'])}{(' / ' + _cell(r['mode'])) if r.get('mode') else ''}</td>"
        f"<td>{_cell(r['status'])}</td><td class=num>{r['n_events']}/{r['n_sources']}</td>"
        f"<td>{_cell(r['text'])}</td><td class=src>{_sources(r)}</td>"
        "</tr>"
        for r in incidents
    )
    weeks = day_dated_weeks(analysis.points, [w.date for w in analysis.weeks])
    spans = periods(analysis.points)
    undated_day = sum(len(p.points) for p in spans)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>detente report: {escape(a)}–{escape(b)}</title>
<style>{STYLE}{commitment_section.STYLE}</style>
<script>{SCRIPT}</script>
</head><body>
<h1>Tension between {escape(names)}</h1>
<p class="meta">{len(dated)} dated incidents ({undated} undated), {span}. Generated by detente {__version__}
on {dt.date.today()}.</p>
<h2>Tension index</h2>
{line_chart(days, marks, notes, title=f"Tension index {a}–{b} (positive: hostility; half-life {HALF_LIFE_DAYS:g} days)")}
<p class="small">Each day adds the weighted hostility of its incidents and subtracts their weighted
cooperation (PLOVER scores; asserted 1, alleged 0.5, denied and planned 0.25; more independent sources
weigh more); the running sum decays with a half-life of {HALF_LIFE_DAYS:g} days. An incident dated only
to a month ({undated_day} here) adds its weight spread evenly over the days of that month. ▲ marks the
onset of an escalation, ▼ of a de-escalation (the turning points below). Red dots mark the key
incidents (hover for the report).</p>
<h2>Turning points</h2>
<table><thead><tr><th>kind</th><th>onset</th><th>signalled</th><th>incidents driving it</th></tr></thead>
<tbody>{turn_rows}{surge_rows}</tbody></table>
<h2>Incidents by quad class over time (verbal and material cooperation and conflict)</h2>
{stacked_bars(weeks, spans, title="Incidents per week by PLOVER quad class")}
<p class="small">Each bar counts the incidents dated to a day of that week (weeks start on Monday).
An incident whose reports give only its month (or year) has no week: it is drawn below the bars as a
span over the days it may fall on (hover for its move), not counted in any bar.</p>
<h2>Incidents by PLOVER type</h2>
{_type_table(type_counts(analysis.points, dyad), dyad)}
<h2>Reciprocity</h2>
<table><thead><tr><th>move</th><th>first mover</th><th>first</th><th>answer</th><th>lag (days)</th></tr></thead>
<tbody>{match_table}</tbody></table>
<p class="small">Lagged response: {escape(lagged)}</p>
<h2>Commitments</h2>
{commitment_section.section(commitments(store, dyad))}
<h2>Incidents and their sources</h2>
<input type="search" id="filter" placeholder="Filter incidents (actor, type, words)…" aria-label="Filter incidents">
<table id="incidents"><thead><tr><th>date</th><th>who → whom</th><th>event</th><th>status</th>
<th>reports/outlets</th><th>sentence</th><th>sources</th></tr></thead><tbody>{incident_rows}</tbody></table>
</body></html>
"""


def write_report(
    store: Store, dyad: tuple[str, str], path: Path, analysis: DyadAnalysis | None = None
) -> Path:
    html = render_report(store, dyad, analysis)
    with written(path) as handle:
        handle.write(html)
    return path
