"""A post-mortem as one self-contained HTML file: no network, no fonts or scripts from
elsewhere; readable on screen, printable on A4; an inline SVG timeline of every step
against its deadline (misses in red, tier changes and messages marked).

Laid out from the post-mortem's document (:func:`incidentctl.render.postmortem.document`),
so it says exactly what the Markdown and the JSON say.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from incidentctl.i18n import t
from incidentctl.render.postmortem_words import (
    KEY_TIMES,
    VERDICTS,
    ack_rows,
    audit_lines,
    message_rows,
    page_rows,
    promise_rows,
    review_text,
    span,
    verdict_text,
    when,
)

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

CSS = """
:root { --red: #c62828; --green: #2e7d32; --grey: #757575; --amber: #ef6c00; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  margin: 2em auto; max-width: 60em; padding: 0 1em; color: #212121; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #bdbdbd; margin-top: 1.6em; }
h3 { font-size: 1.05em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: .9em; }
th, td { border: 1px solid #e0e0e0; padding: .25em .45em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
.meta { color: var(--grey); font-size: .9em; }
.banner { background: #fff3e0; border: 2px solid var(--amber); padding: .4em .8em;
  font-weight: bold; }
.alarm { background: #ffebee; border: 2px solid var(--red); padding: .4em .8em; }
.ok { color: var(--green); }
.miss, .late, .never-done { color: var(--red); font-weight: bold; }
.todo { color: var(--amber); }
del { color: var(--grey); }
svg { width: 100%; height: auto; }
svg text { font-size: 11px; fill: #424242; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  tr, .banner, .alarm { break-inside: avoid; }
  section.compliance, section.chart, section.timeline { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(value: Any) -> str:
    return escape("-" if value is None or value == "" else str(value), quote=True)


def _table(headers: list[str], rows: list[list[str]], *, raw: bool = False) -> str:
    """A table; cells are escaped unless ``raw`` (then they are already HTML)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{c if raw else _e(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html(doc: dict[str, Any], zone: tzinfo) -> str:
    lang = doc["lang"]
    inc = doc["incident"]

    def L(key: str, **facts: Any) -> str:
        return t(f"pm.{key}", lang, **facts)

    parts: list[str] = []
    add = parts.append
    title = t("labelled", lang, label=L("title", id=inc["id"]), text=inc["title"])
    add("<!DOCTYPE html>")
    add(f'<html lang="{"zh-CN" if lang == "zh" else "en"}">')
    add('<head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    )
    add(f"<title>{_e(title)}</title><style>{CSS}</style></head><body>")
    add(f'<header><h1 id="top">{_e(title)}</h1>')
    if inc["drill"]:
        add(f'<p class="banner" id="drill">{_e(L("drill"))}</p>')
    if doc.get("drill_score"):
        value = f"{doc['drill_score']['score']:g}"
        add(f'<p class="banner" id="drill-score">{_e(L("drill_score", score=value))}</p>')
    add(
        f'<p class="meta">{_e(L("times_in", zone=doc["zone"]))} · '
        f"{_e(L('as_of', at=when(doc['as_of'], zone)))}</p>"
    )
    rb = inc["runbook"]
    rows = [
        [L("status"), t(f"status.{inc['status']}", lang)],
        [L("severity"), f"{inc['severity']} {inc['severity_name']}"],
        [L("runbook"), f"{rb['id']}@{rb['version']} ({inc['runbook_title']})"],
        ["sha256", rb["sha256"]],
        [L("scope"), inc["scope"]],
        *([r["title"], r["name"]] for r in inc["roles"]),
    ]
    add(_table([L("field"), L("value")], rows))
    if inc["tier_history"]:
        add(
            _table(
                [L("at"), L("change"), L("reason"), L("by")],
                [
                    [when(c["at"], zone), f"{c['from']} → {c['to']}", c["reason"], c["actor"]]
                    for c in inc["tier_history"]
                ],
            )
        )
    add("</header>")

    comp = doc["compliance"]
    add('<section class="legal" id="legal-misses">')
    add(f"<h2>{_e(L('legal_misses'))}</h2>")
    if comp["legal_misses"]:
        add('<div class="alarm">')
        add(_deadline_table(comp["legal_misses"], lang, zone))
        add("</div>")
    else:
        add(f'<p class="ok">{_e(L("no_legal_misses"))}</p>')
    add("</section>")

    add('<section class="key-times" id="key-times">')
    add(f"<h2>{_e(L('key_times'))}</h2>")
    kt, du = doc["key_times"], doc["durations"]
    add(_table([L("moment"), L("at")], [[L(f"kt.{k}"), when(kt[k], zone)] for k in KEY_TIMES]))
    add(
        _table(
            [L("measure"), L("span")],
            [[L(f"du.{k}"), span(v, lang)] for k, v in du.items()]
            + [[L("in_tier", tier=s["tier"]), span(s["seconds"], lang)] for s in doc["tiers"]],
        )
    )
    add("</section>")

    add('<section class="compliance" id="compliance">')
    add(f"<h2>{_e(L('compliance'))}</h2>")
    crow = [[p["title"], *(str(p["counts"][v]) for v in VERDICTS)] for p in comp["phases"]]
    crow.append([L("overall"), *(str(comp["overall"][v]) for v in VERDICTS)])
    add(_table([L("phase"), *(t(f"pm.verdict.{v}", lang) for v in VERDICTS)], crow))
    add(_deadline_table(comp["deadlines"], lang, zone))
    add("</section>")

    add('<section class="chart" id="chart">')
    add(f"<h2>{_e(L('chart'))}</h2>")
    add(svg_timeline(doc, zone))
    add("</section>")

    add('<section class="communications" id="communications">')
    add(f"<h2>{_e(L('communications'))}</h2>")
    headers, rows = message_rows(doc, zone)
    if rows:
        add(_table(headers, rows))
    else:
        add(f"<p>{_e(L('no_messages'))}</p>")
    add(f"<h3>{_e(L('promises'))}</h3>")
    headers, rows = promise_rows(doc, zone)
    if rows:
        add(_table(headers, rows))
    else:
        add(f"<p>{_e(L('no_promises'))}</p>")
    add("</section>")

    add('<section class="paging" id="paging">')
    add(f"<h2>{_e(L('paging'))}</h2>")
    headers, rows = page_rows(doc, zone)
    add(_table(headers, rows) if rows else f"<p>{_e(L('no_pages'))}</p>")
    add(f"<h3>{_e(L('acks'))}</h3>")
    headers, rows = ack_rows(doc, zone)
    add(_table(headers, rows) if rows else f"<p>{_e(L('no_acks'))}</p>")
    add("</section>")

    add('<section class="review" id="review">')
    add(f"<h2>{_e(L('review'))}</h2>")
    for section in doc["review"]:
        if section["todo"]:
            continue
        add(f'<h3 id="review-{section["field"]}">{_e(section["title"])}</h3>')
        add("<p>" + "<br>".join(_e(x) for x in review_text(section, lang, zone)) + "</p>")
    todo = [s for s in doc["review"] if s["todo"]]
    if todo:
        add(f'<h3 class="todo">{_e(L("todo"))}</h3><ul class="todo">')
        add("".join(f"<li>☐ {_e(s['title'])}</li>" for s in todo))
        add("</ul>")
    add("</section>")

    add('<section class="actions" id="actions">')
    add(f"<h2>{_e(L('actions'))}</h2>")
    if doc["actions"]:
        add(
            _table(
                ["#", L("action"), L("kind"), L("owner"), L("due"), L("state")],
                [
                    [
                        str(a["number"]),
                        a["text"],
                        t(f"action.kind.{a['kind']}", lang),
                        a["owner"],
                        a["due"],
                        t(f"action.{a['state']}", lang)
                        + (f" ({a['reason']})" if a["reason"] else ""),
                    ]
                    for a in doc["actions"]
                ],
            )
        )
    else:
        add(f"<p>{_e(t('actions.none', lang))}</p>")
    add("</section>")

    add('<section class="timeline" id="timeline">')
    add(f"<h2>{_e(L('timeline'))}</h2>")
    rows = []
    for e in doc["timeline"]:
        text = _e(e["text"])
        if e["retracted"]:
            r = e["retraction"]
            text = f"<del>{text}</del> " + _e(L("retracted", seq=r["seq"], reason=r["reason"]))
        at = _e(when(e["occurred_at"], zone))
        if e["backdated"]:
            at += " " + _e(L("backdated", at=when(e["recorded_at"], zone)))
        rows.append([str(e["seq"]), at, _e(e["actor"]), text])
    add(_table(["#", L("at"), L("by"), L("what")], rows, raw=True))
    add("</section>")

    add('<footer class="audit" id="audit">')
    add(f"<h2>{_e(L('audit'))}</h2><ul>")
    for line in audit_lines(doc, lang, zone, bullet="").splitlines():
        add(f"<li>{_e(line)}</li>")
    add("</ul></footer>")
    add("</body></html>")
    return "\n".join(parts) + "\n"


def _deadline_table(rows: list[dict[str, Any]], lang: str, zone: tzinfo) -> str:
    headers = [
        t(f"pm.{k}", lang) for k in ("step", "owner", "tier", "source", "due", "done_at", "verdict")
    ]
    out = []
    for r in rows:
        source = _e(r["source"]["cite"])
        if r["legal"]:
            source = f"<strong>⚖ {source}</strong>"
        cls = r["verdict"] if r["verdict"] in ("late", "never-done") else ""
        if r["verdict"] == "met":
            cls = "ok"
        out.append(
            [
                _e(f"{r['key']} {r['title']}"),
                _e(r["owner"] or r["role"]),
                _e(r["tier"]),
                source,
                _e(when(r["due"], zone)),
                _e(when(r["done_at"], zone)),
                f'<span class="{cls}">{_e(verdict_text(r, lang))}</span>',
            ]
        )
    return _table(headers, out, raw=True)


# --- the SVG timeline ------------------------------------------------------------------

_W = 960
_LABEL = 230
_ROW = 22
_TOP = 46


def svg_timeline(doc: dict[str, Any], zone: tzinfo) -> str:
    """One row per step (every deadline of it: due ◇, done ●, the gap red when late or
    never done), tier changes as dashed lines and messages as ▼ along the top, and a
    time axis in ``zone``."""
    from incidentctl.times import from_iso

    lang = doc["lang"]
    deadlines = doc["compliance"]["deadlines"]
    # the axis spans the incident's own time (to its close, or the end of its log) and
    # whatever was done in it; a deadline falling due later sits at the right edge, ▷
    stop = from_iso(doc["key_times"]["closed"] or doc["as_of"])
    instants = [from_iso(doc["key_times"]["opened"]), stop]
    for r in deadlines:
        instants += [from_iso(x) for x in (r["done_at"],) if x]
        if r["due"] and from_iso(r["due"]) <= stop:
            instants.append(from_iso(r["due"]))
    instants += [from_iso(m["at"]) for m in doc["communications"]["messages"]]
    start, end = min(instants), max(instants)
    total = max((end - start).total_seconds(), 60.0)
    plot = _W - _LABEL - 20

    def x(instant: datetime) -> float:
        seconds = min(max((instant - start).total_seconds(), 0.0), total)
        return round(_LABEL + seconds / total * plot, 1)

    steps: list[str] = []
    by_step: dict[str, list[dict[str, Any]]] = {}
    for r in deadlines:
        if r["step"] not in by_step:
            steps.append(r["step"])
        by_step.setdefault(r["step"], []).append(r)
    height = _TOP + _ROW * len(steps) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {height}" '
        f'role="img" aria-label="{_e(t("pm.chart", lang))}" class="timeline-chart">'
    ]
    # axis: about eight ticks, in the reader's zone
    ticks = _ticks(start, end)
    axis_y = height - 24
    out.append(f'<line x1="{_LABEL}" y1="{axis_y}" x2="{_W - 20}" y2="{axis_y}" stroke="#9e9e9e"/>')
    multi_day = start.astimezone(zone).date() != end.astimezone(zone).date()
    for tick in ticks:
        tx = x(tick)
        local = tick.astimezone(zone)
        label = local.strftime("%m-%d %H:%M" if multi_day else "%H:%M")
        out.append(
            f'<line x1="{tx}" y1="{_TOP - 6}" x2="{tx}" y2="{axis_y}" stroke="#eeeeee"/>'
            f'<text x="{tx}" y="{axis_y + 14}" text-anchor="middle">{label}</text>'
        )
    # messages along the top
    out.append(f'<text x="4" y="{_TOP - 22}">{_e(t("pm.messages", lang))}</text>')
    for m in doc["communications"]["messages"]:
        mx = x(from_iso(m["at"]))
        out.append(
            f'<path class="message" d="M{mx - 5},{_TOP - 32} L{mx + 5},{_TOP - 32} '
            f'L{mx},{_TOP - 22} Z" fill="#1565c0"><title>{_e(m["template"])}</title></path>'
        )
    # tier changes
    for c in doc["incident"]["tier_history"]:
        cx = x(from_iso(c["at"]))
        out.append(
            f'<line class="tier-change" x1="{cx}" y1="{_TOP - 14}" x2="{cx}" y2="{axis_y}" '
            f'stroke="#6a1b9a" stroke-dasharray="4 3"/>'
            f'<text x="{cx + 3}" y="{_TOP - 8}" fill="#6a1b9a">{_e(c["from"])}→{_e(c["to"])}</text>'
        )
    # one row per step
    for i, step in enumerate(steps):
        y = _TOP + i * _ROW + _ROW // 2
        rows = by_step[step]
        label = rows[0]["title"]
        if len(label) > 26:
            label = label[:25] + "…"
        missed = any(r["verdict"] in ("late", "never-done") for r in rows)
        colour = "#c62828" if missed else "#424242"
        out.append(
            f'<g class="step{" missed" if missed else ""}" data-step="{_e(step)}">'
            f'<text x="4" y="{y + 4}" fill="{colour}">{_e(label)}</text>'
        )
        for r in rows:
            due = from_iso(r["due"]) if r["due"] else None
            done = from_iso(r["done_at"]) if r["done_at"] else None
            red = r["verdict"] in ("late", "never-done")
            if due is not None and (done is not None or red):
                until = done if done is not None else end
                out.append(
                    f'<line x1="{x(due)}" y1="{y}" x2="{x(until)}" y2="{y}" '
                    f'stroke="{"#c62828" if red else "#2e7d32"}" stroke-width="3"/>'
                )
            if due is not None and due > end:
                dx = x(end)
                out.append(
                    f'<path class="due later" d="M{dx - 6},{y - 6} L{dx + 2},{y} L{dx - 6},{y + 6} '
                    f'Z" fill="white" stroke="#757575"><title>{_e(r["key"])} '
                    f"{_e(when(r['due'], zone))}</title></path>"
                )
            elif due is not None:
                dx = x(due)
                out.append(
                    f'<path class="due" d="M{dx},{y - 6} L{dx + 6},{y} L{dx},{y + 6} '
                    f'L{dx - 6},{y} Z" fill="white" stroke="{"#c62828" if red else "#424242"}">'
                    f"<title>{_e(r['key'])}</title></path>"
                )
            if done is not None:
                out.append(
                    f'<circle class="done" cx="{x(done)}" cy="{y}" r="4.5" '
                    f'fill="{"#c62828" if red else "#2e7d32"}"/>'
                )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _ticks(start: datetime, end: datetime) -> list[datetime]:
    """Round instants between ``start`` and ``end``, about eight of them."""
    from datetime import timedelta, timezone

    seconds = max((end - start).total_seconds(), 60.0)
    steps = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800]
    step = next((s for s in steps if seconds / s <= 8), steps[-1])
    epoch = datetime_floor(start, step)
    out = []
    tick = epoch
    while tick <= end:
        if tick >= start:
            out.append(tick)
        tick += timedelta(seconds=step)
    return out or [start.astimezone(timezone.utc)]


def datetime_floor(instant: datetime, step: int) -> datetime:
    from datetime import datetime, timezone

    ts = int(instant.timestamp())
    return datetime.fromtimestamp(ts - ts % step, tz=timezone.utc)
