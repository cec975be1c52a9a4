"""The report's commitments section: one row a commitment, with a timeline from its promise to its
fulfilment, breach or exit. The timelines are HTML boxes placed by percentages (no chart text to
collide), and every step is also written out beside them."""

from __future__ import annotations

import datetime as dt
from html import escape

from detente.analysis.commitments import Commitment
from detente.analysis.compliance import Step

STYLE = """
.track{position:relative;height:.9rem;background:#eee;border-radius:3px;margin:.2rem 0 .3rem}
.track .span{position:absolute;top:.3rem;height:.3rem;background:#9bb}
.track .dot{position:absolute;top:.05rem;width:.8rem;height:.8rem;margin-left:-.4rem;border-radius:50%;
border:1px solid #fff;box-sizing:border-box}
.track .due{position:absolute;top:0;height:.9rem;border-left:2px dashed #555}
td.day{white-space:nowrap}.st-kept{color:#1f6f43}.st-broken{color:#c0392b}.st-open{color:#666}
"""

COLOURS = {
    "promise": "#2c3e50",
    "fulfilment": "#1f6f43",
    "breach": "#c0392b",
    "abandonment": "#000",
    "alleged": "#e67e22",
}
_KEPT = {"reciprocated", "fulfilled"}
_BROKEN = {"abandoned", "reversed", "violated", "alleged-violation", "expired"}


def _kind(step: Step) -> str:
    return "alleged" if step.kind == "breach" and step.status == "alleged" else step.kind


def _verb(step: Step) -> str:
    return {
        "promise": "promise",
        "fulfilment": "kept",
        "breach": "breach",
        "alleged": "breach alleged",
        "abandonment": "left",
    }[_kind(step)]


def _timeline(c: Commitment) -> str:
    ends = [s.date for s in c.steps] + ([c.deadline] if c.deadline else [])
    start, end = c.date, max(ends)
    days = max((end - start).days, 1)

    def at(day: dt.date) -> float:
        return 2 + 96 * (day - start).days / days  # 2%..98%: dots stay inside the track

    last = c.steps[-1].date
    parts = [f'<div class="span" style="left:2%;width:{at(last) - 2:.2f}%"></div>']
    if c.deadline is not None:
        parts.append(
            f'<div class="due" style="left:{at(c.deadline):.2f}%" '
            f'title="deadline {c.deadline}"></div>'
        )
    for s in c.steps:
        title = f"{s.date} {_verb(s)} {s.party or ' and '.join(c.parties)}: {s.act} ({s.status})"
        parts.append(
            f'<div class="dot" style="left:{at(s.date):.2f}%;background:{COLOURS[_kind(s)]}" '
            f'title="{escape(title)}"></div>'
        )
    return f'<div class="track" role="img" aria-label="timeline of {escape(c.id)}">{"".join(parts)}</div>'


def _steps(c: Commitment) -> str:
    lines = []
    for s in c.steps:
        who = s.party or " and ".join(c.parties)
        said = f", said by {s.claimed_by}" if s.claimed_by and s.kind != "promise" else ""
        lines.append(
            escape(f"{s.date} {_verb(s)}: {who} {s.act} ({s.status}{said})")
            + f' <span class="small">{escape(" ".join(s.text.split())[:160])}</span>'
        )
    if c.deadline is not None:
        lines.append(escape(f"deadline {c.deadline}"))
    return "<br>".join(lines)


def _status(c: Commitment) -> str:
    css = "st-kept" if c.status in _KEPT else "st-broken" if c.status in _BROKEN else "st-open"
    kept = ""
    if c.order == "simultaneous":
        kept = "kept by both the same day"
    elif c.order:
        kept = f"kept by both, {c.order} first"
    elif c.fulfilled:
        kept = "kept by " + " and ".join(p for p, _ in c.fulfilled)
    note = f"<br><span class=small>{escape(kept)}</span>" if kept else ""
    return f'<span class="{css}">{escape(c.status)}</span>{note}'


def section(found: list[Commitment]) -> str:
    """The commitments section's body (its heading is the page's)."""
    if not found:
        return (
            "<p>No commitment: no agreement, and no promise coded as a planned CONCEDE or "
            "RETREAT, between the two.</p>"
        )
    rows = "".join(
        "<tr>"
        f"<td class=day>{c.date}</td><td>{escape(' and '.join(c.parties))}</td>"
        f"<td>{escape(str(c.act) if c.act else 'not named')}"
        + (f"<br><span class=small>{escape(', '.join(c.objects))}</span>" if c.objects else "")
        + (f"<br><span class=small>{escape(c.name)}</span>" if c.name else "")
        + (f"<br><span class=small>{escape(c.condition)}</span>" if c.condition else "")
        + f"</td><td>{escape(c.standing)}</td><td>{_status(c)}</td>"
        f"<td>{_timeline(c)}{_steps(c)}</td>"
        "</tr>"
        for c in found
    )
    return (
        "<table id=commitments><thead><tr><th>made</th><th>parties</th><th>promised act</th>"
        "<th>standing</th><th>status</th><th>timeline: promise, then what became of it</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
        '<p class="small">A commitment is an agreement, or a promise coded as a planned CONCEDE or '
        "RETREAT; the incidents after it are matched by the compliance table "
        "(<code>detente commitments</code>): green dots keep it, red break it (orange: a breach "
        "only alleged, never counted as proven), black leave it; a dashed line is its deadline. "
        "Evidence dated only by a report's publication date is not counted.</p>"
    )
