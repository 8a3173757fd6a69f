"""The report as one self-contained HTML page: the same sections as the table, and three
inline SVG charts (incidents opened per week, median time to resolve per week, compliance
by step).  No scripts, no external files: an auditor can open it anywhere and print it."""

from __future__ import annotations

from html import escape
from typing import Any

#: How many steps the compliance chart shows: the most-missed first, then the most judged.
CHART_STEPS = 25

CSS = """
:root { --red: #c62828; --green: #2e7d32; --amber: #ef6c00; --grey: #757575; }
body { font-family: -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei",
  sans-serif; margin: 2em auto; max-width: 1100px; color: #212121; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.2em; border-bottom: 1px solid #e0e0e0; padding-bottom: .2em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border: 1px solid #e0e0e0; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
.alarm { background: #ffebee; border: 2px solid var(--red); padding: .4em .8em; }
.ok { color: var(--green); }
svg { width: 100%; height: auto; }
svg text { font-size: 11px; fill: #424242; }
@page { size: A4; margin: 14mm; }
@media print { body { margin: 0; max-width: none; font-size: 10pt; } tr { break-inside: avoid; } }
"""

COLORS = {
    "met": "#2e7d32",
    "missed": "#c62828",
    "skipped": "#ef6c00",
    "n/a": "#9e9e9e",
    "open": "#90caf9",
}


def _e(value: Any) -> str:
    return escape("-" if value is None or value == "" else str(value), quote=True)


#: A section of the report: heading, a line under it (or None), table headers, rows.
Section = tuple[str, "str | None", list[str], list[list[str]]]


def html(doc: dict[str, Any], lang: str, head: list[str], sections: list[Section]) -> str:
    """The page: the header lines and sections the table shows
    (:class:`incidentctl.render.reports.Sections`), the charts after the measures per
    runbook and tier."""
    from incidentctl.i18n import t

    out = [
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{_e(head[0])}</title><style>{CSS}</style></head><body>',
        f"<h1>{_e(head[0])}</h1>",
        *(f"<p>{_e(line)}</p>" for line in head[1:]),
    ]
    for i, (heading, line, headers, rows) in enumerate(sections):
        alarm = (i == 0 and rows) or (i == 1 and rows)
        out.append(f'<section><h2 class="{"alarm" if alarm else ""}">{_e(heading)}</h2>')
        if line:
            out.append(f'<p class="{"alarm" if alarm else "ok"}">{_e(line)}</p>')
        if rows:
            thead = "".join(f"<th>{_e(h)}</th>" for h in headers)
            body = "".join(
                "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows
            )
            out.append(f"<table><thead><tr>{thead}</tr></thead><tbody>{body}</tbody></table>")
        out.append("</section>")
        if i == 2:  # after the measures per runbook and tier: the charts
            out.append(f'<section class="chart"><h2>{_e(t("report.chart.weekly", lang))}</h2>')
            out.append(bars([(w["week"], float(w["opened"])) for w in doc["weeks"]], lang))
            out.append(
                f'</section><section class="chart"><h2>{_e(t("report.chart.mttr", lang))}</h2>'
            )
            out.append(
                trend(
                    [
                        (w["week"], w["resolve"]["median"] / 3600)
                        for w in doc["weeks"]
                        if w["resolve"]["median"] is not None
                    ],
                    t("report.chart.hours", lang),
                    lang,
                )
            )
            out.append(
                f'</section><section class="chart"><h2>{_e(t("report.chart.compliance", lang))}</h2>'
            )
            out.append(stacked(doc["steps"], lang))
            out.append("</section>")
    out.append("</body></html>\n")
    return "".join(out)


def _empty(lang: str) -> str:
    from incidentctl.i18n import t

    return f'<svg viewBox="0 0 600 40" role="img"><text x="8" y="24">{_e(t("report.chart.empty", lang))}</text></svg>'


def bars(points: list[tuple[str, float]], lang: str) -> str:
    """A bar per week."""
    if not points:
        return _empty(lang)
    w, h, left, bottom = 1000, 220, 40, 40
    top = max(v for _, v in points) or 1.0
    step = (w - left - 10) / len(points)
    out = [f'<svg viewBox="0 0 {w} {h}" role="img" aria-label="weekly">']
    out.append(
        f'<line x1="{left}" y1="{h - bottom}" x2="{w - 10}" y2="{h - bottom}" stroke="#9e9e9e"/>'
    )
    out.append(f'<text x="4" y="16">{top:.0f}</text>')
    every = max(1, len(points) // 12)
    for i, (label, value) in enumerate(points):
        bh = (h - bottom - 20) * value / top
        x = left + i * step
        out.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{h - bottom - bh:.1f}" width="{max(step * 0.8, 0.5):.1f}" '
            f'height="{bh:.1f}" fill="#1565c0"><title>{_e(label)}: {value:.0f}</title></rect>'
        )
        if i % every == 0:
            out.append(f'<text x="{x:.1f}" y="{h - bottom + 16}">{_e(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def trend(points: list[tuple[str, float]], unit: str, lang: str) -> str:
    """A line through each week's median time to resolve."""
    if not points:
        return _empty(lang)
    w, h, left, bottom = 1000, 220, 50, 40
    top = max(v for _, v in points) or 1.0
    step = (w - left - 10) / max(len(points) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, h - bottom - (h - bottom - 20) * v / top

    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, (_, v) in enumerate(points)))
    out = [f'<svg viewBox="0 0 {w} {h}" role="img" aria-label="mttr">']
    out.append(
        f'<line x1="{left}" y1="{h - bottom}" x2="{w - 10}" y2="{h - bottom}" stroke="#9e9e9e"/>'
    )
    out.append(f'<text x="4" y="16">{top:.1f} {_e(unit)}</text>')
    out.append(f'<polyline points="{path}" fill="none" stroke="#c62828" stroke-width="2"/>')
    every = max(1, len(points) // 12)
    for i, (label, v) in enumerate(points):
        x, y = xy(i, v)
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#c62828"><title>{_e(label)}: {v:.1f}</title></circle>'
        )
        if i % every == 0:
            out.append(f'<text x="{x:.1f}" y="{h - bottom + 16}">{_e(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def stacked(steps: list[dict[str, Any]], lang: str) -> str:
    """One bar per step, split by verdict: the most-missed steps first."""
    from incidentctl.i18n import t
    from incidentctl.reports import BUCKETS as BUCKET_KEYS

    chosen = sorted(
        (s for s in steps if s["judged"]),
        key=lambda s: (
            -s["compliance"]["missed"] / s["judged"],
            -s["judged"],
            s["runbook"],
            s["step"],
        ),
    )[:CHART_STEPS]
    if not chosen:
        return _empty(lang)
    w, row, left, legend = 1000, 18, 330, 30
    h = legend + row * len(chosen) + 10
    out = [f'<svg viewBox="0 0 {w} {h}" role="img" aria-label="compliance">']
    for i, b in enumerate(BUCKET_KEYS):
        out.append(
            f'<rect x="{left + i * 120}" y="6" width="12" height="12" fill="{COLORS[b]}"/>'
            f'<text x="{left + i * 120 + 16}" y="16">{_e(t(f"report.b.{b}", lang))}</text>'
        )
    span = w - left - 10
    for n, s in enumerate(chosen):
        y = legend + n * row
        title = s["title"]["zh"] if lang == "zh" else s["title"]["en"]
        out.append(f'<text x="4" y="{y + 12}">{_e(s["runbook"])} · {_e(title[:28])}</text>')
        x = float(left)
        for b in BUCKET_KEYS:
            part = span * s["compliance"][b] / s["judged"]
            if part > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{y + 2}" width="{part:.1f}" height="{row - 4}" '
                    f'fill="{COLORS[b]}"><title>{_e(b)}: {s["compliance"][b]}</title></rect>'
                )
            x += part
    out.append("</svg>")
    return "".join(out)
