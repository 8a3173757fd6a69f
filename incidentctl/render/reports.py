"""A report across incidents (:class:`incidentctl.reports.Report`) in five formats.

:func:`document` is the JSON contract (``schemas/output/report.schema.json``); the table,
Markdown, CSV and HTML renderings are made from it, so every format says the same
numbers.  Legal and regulatory deadlines missed come first, then incidents whose log does
not verify (never aggregated), then the measures.  Nothing here reads the clock: the same
incidents and the same ``--until`` give the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentctl.i18n import t

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from incidentctl.reports import Group, Report, Spread

FORMATS = ("table", "md", "csv", "json", "html")


def _spread(s: Spread) -> dict[str, Any]:
    return {"n": s.n, "median": s.median, "p90": s.p90}


def _group(g: Group) -> dict[str, Any]:
    return {
        "runbook": g.runbook,
        "tier": g.tier,
        "count": g.incidents,
        "acknowledge": _spread(g.acknowledge),
        "mitigate": _spread(g.mitigate),
        "resolve": _spread(g.resolve),
        "compliance": dict(g.compliance),
        "messages": dict(g.messages),
        "promises": {"kept": g.promises[0], "judged": g.promises[1]},
    }


def document(r: Report) -> dict[str, Any]:
    """The report as the ``--format json`` contract says it."""
    from incidentctl.reports import FIRST_REPLY_TARGET
    from incidentctl.times import iso

    spread, within = r.first_reply()
    orders, order_n, amount, amount_n = r.impact()
    return {
        "kind": "report",
        "schema_version": 1,
        "since": iso(r.since) if r.since else None,
        "until": iso(r.until),
        "filters": {"runbook": r.runbook, "severity": r.tier, "drills": r.drills},
        "incidents": len(r.incidents),
        "legal_misses": [
            {
                "incident": m.incident,
                "runbook": m.runbook,
                "tier": m.tier,
                "step": m.step,
                "title": {"zh": m.title[0], "en": m.title[1]},
                "verdict": m.verdict,
                "due": m.due,
                "source": m.source,
            }
            for m in r.legal_misses()
        ],
        "integrity": {
            "verified": len(r.incidents),
            "every_log_read": r.every_log_read,
            "broken": [
                {
                    "incident": f.id,
                    "problems": [{"code": c, "seq": s, "message": m} for c, s, m in f.problems],
                }
                for f in r.broken
            ],
        },
        "overall": _group(r.overall()),
        "groups": [_group(g) for g in r.groups()],
        "steps": [
            {
                "runbook": s.runbook,
                "step": s.step,
                "title": {"zh": s.title[0], "en": s.title[1]},
                "legal": s.legal,
                "judged": s.judged,
                "compliance": dict(s.counts),
            }
            for s in r.steps()
        ],
        "most_missed": [
            {
                "runbook": s.runbook,
                "step": s.step,
                "title": {"zh": s.title[0], "en": s.title[1]},
                "missed": s.missed,
                "judged": s.judged,
                "rate": round(s.missed / s.judged, 4),
            }
            for s in r.most_missed()
        ],
        "kpis": {
            "first_reply": {
                **_spread(spread),
                "target": FIRST_REPLY_TARGET,
                "within_target": within,
            },
            "orders": {"total": orders, "incidents": order_n},
            "amount": {"total": amount, "incidents": amount_n},
        },
        "weeks": [
            {
                "week": w.week,
                "opened": w.opened,
                "resolve": _spread(w.resolve),
                "satisfaction": w.satisfaction,
                "scores": w.scores,
                "drop": w.drop,
            }
            for w in r.weeks()
        ],
        "actions": [
            {
                "owner": o.owner,
                "open": o.open,
                "past_due": o.past_due,
                "items": [
                    {"incident": i, "number": n, "text": text, "due": due, "past_due": late}
                    for i, n, text, due, late in o.items
                ],
            }
            for o in r.actions()
        ],
        "list": [
            {
                "id": f.id,
                "number": f.number,
                "title": f.title,
                "runbook": f.runbook,
                "tier": f.tier,
                "status": f.status,
                "drill": f.drill,
                "opened_at": f.opened_at,
                "mitigated_at": f.mitigated_at,
                "resolved_at": f.resolved_at,
                "closed_at": f.closed_at,
                "acknowledge": f.acknowledged,
                "mitigate": f.mitigated,
                "resolve": f.resolved,
                "first_reply": f.first_reply,
                "compliance": dict(zip(BUCKET_KEYS, f.compliance, strict=True)),
                "legal_misses": len(f.legal_misses),
                "orders": f.orders,
                "amount": f.amount,
                "verified": not f.problems,
            }
            for f in r.all
        ],
    }


def render(r: Report, fmt: str, lang: str, zone: tzinfo, *, width: int = 100) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`)."""
    doc = document(r)
    if fmt == "json":
        from incidentctl.render.json_reporter import dumps

        # one line, as the post-mortem's: the indenting encoder is pure Python, several
        # times slower over ten thousand incidents
        return dumps(doc) + "\n"
    if fmt == "csv":
        return csv_text(doc, lang, zone)
    if fmt == "html":
        from incidentctl.render.reports_html import html

        sections = Sections(doc, lang, zone)
        return html(doc, lang, sections.header(), sections.sections())
    return Sections(doc, lang, zone).text(markdown=fmt == "md", width=width)


# --- words shared by the table, Markdown and HTML --------------------------------------------


def dur(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return "-"
    from incidentctl.durations import human

    return human(max(0.0, seconds), lang)


def rate(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "-"


def local(value: str | None, zone: tzinfo) -> str:
    if not value:
        return ""
    from incidentctl.times import fmt, from_iso

    return fmt(from_iso(value), zone)


class Sections:
    """The report's sections as headed tables: for the terminal (``render/table.py``) or
    Markdown (tabulate, imported only then)."""

    def __init__(self, doc: dict[str, Any], lang: str, zone: tzinfo) -> None:
        self.doc = doc
        self.lang = lang
        self.zone = zone

    def L(self, key: str, **facts: Any) -> str:
        return t(f"report.{key}", self.lang, **facts)

    def title(self, text: dict[str, str]) -> str:
        return text["zh"] if self.lang == "zh" else text["en"]

    def sections(self) -> list[tuple[str, str | None, list[str], list[list[str]]]]:
        """(heading, a line under it or None, table headers, rows) in the order shown."""
        d, L, lang = self.doc, self.L, self.lang
        out: list[tuple[str, str | None, list[str], list[list[str]]]] = []
        misses = d["legal_misses"]
        out.append(
            (
                L("legal_misses", n=len(misses)),
                None if misses else L("no_legal_misses"),
                [
                    L("incident"),
                    L("runbook"),
                    L("tier"),
                    L("step"),
                    L("verdict"),
                    L("due"),
                    L("source"),
                ],
                [
                    [
                        m["incident"],
                        m["runbook"],
                        m["tier"],
                        self.title(m["title"]),
                        t(f"pm.verdict.{m['verdict']}", lang),
                        local(m["due"], self.zone),
                        m["source"],
                    ]
                    for m in misses
                ],
            )
        )
        integrity = d["integrity"]
        broken = integrity["broken"]
        out.append(
            (
                L("integrity"),
                L(
                    "verified",
                    n=integrity["verified"],
                    broken=len(broken),
                    cached="" if integrity["every_log_read"] else L("cached"),
                ),
                [L("incident"), L("problem")],
                [
                    [
                        b["incident"],
                        "; ".join(
                            (f"#{p['seq']} " if p["seq"] is not None else "")
                            + t(
                                f"audit.{p['code']}",
                                lang,
                                expected=p["seq"],
                                seq=p["seq"],
                                detail="",
                            )
                            if f"audit.{p['code']}" in _KNOWN_AUDIT
                            else p["message"]
                            for p in b["problems"]
                        ),
                    ]
                    for b in broken
                ],
            )
        )
        rows = []
        for g in [*d["groups"], d["overall"]]:
            c = g["compliance"]
            judged = c["met"] + c["missed"]
            rows.append(
                [
                    L("all") if g["runbook"] == "*" else g["runbook"],
                    "" if g["tier"] == "*" else g["tier"],
                    str(g["count"]),
                    f"{dur(g['acknowledge']['median'], lang)} / {dur(g['acknowledge']['p90'], lang)}",
                    f"{dur(g['mitigate']['median'], lang)} / {dur(g['mitigate']['p90'], lang)}",
                    f"{dur(g['resolve']['median'], lang)} / {dur(g['resolve']['p90'], lang)}",
                    rate(c["met"], judged),
                    f"{g['promises']['kept']}/{g['promises']['judged']}",
                    ", ".join(f"{k} {v}" for k, v in g["messages"].items()) or "-",
                ]
            )
        out.append(
            (
                L("by_runbook"),
                L("median_p90"),
                [
                    L("runbook"),
                    L("tier"),
                    L("count"),
                    L("to_acknowledge"),
                    L("to_mitigate"),
                    L("to_resolve"),
                    L("met_rate"),
                    L("promises_kept"),
                    L("messages"),
                ],
                rows,
            )
        )
        out.append(
            (
                L("most_missed"),
                None if d["most_missed"] else L("none_missed"),
                [L("runbook"), L("step"), L("missed"), L("judged"), L("rate")],
                [
                    [
                        s["runbook"],
                        f"{s['step']} {self.title(s['title'])}",
                        str(s["missed"]),
                        str(s["judged"]),
                        f"{100 * s['rate']:.0f}%",
                    ]
                    for s in d["most_missed"]
                ],
            )
        )
        out.append(
            (
                L("compliance"),
                None,
                [
                    L("runbook"),
                    L("step"),
                    L("judged"),
                    *(t(f"report.b.{b}", lang) for b in BUCKET_KEYS),
                ],
                [
                    [
                        s["runbook"],
                        s["step"] + (" §" if s["legal"] else ""),
                        str(s["judged"]),
                        *(rate(s["compliance"][b], s["judged"]) for b in BUCKET_KEYS),
                    ]
                    for s in d["steps"]
                ],
            )
        )
        k = d["kpis"]
        fr = k["first_reply"]
        out.append(
            (
                L("kpis"),
                None,
                [L("measure"), L("value")],
                [
                    [
                        L("first_reply"),
                        L(
                            "first_reply_value",
                            median=dur(fr["median"], lang),
                            p90=dur(fr["p90"], lang),
                            within=fr["within_target"],
                            n=fr["n"],
                        ),
                    ],
                    [
                        L("orders"),
                        L("of_incidents", value=k["orders"]["total"], n=k["orders"]["incidents"]),
                    ],
                    [
                        L("amount"),
                        L(
                            "of_incidents",
                            value=f"¥{k['amount']['total']}",
                            n=k["amount"]["incidents"],
                        ),
                    ],
                ],
            )
        )
        out.append(
            (
                L("weeks"),
                None,
                [L("week"), L("opened"), L("to_resolve"), L("satisfaction")],
                [
                    [
                        w["week"],
                        str(w["opened"]),
                        dur(w["resolve"]["median"], lang),
                        (
                            "-"
                            if w["satisfaction"] is None
                            else f"{w['satisfaction']:.2f} ({w['scores']})"
                            + (f" {L('drop')}" if w["drop"] else "")
                        ),
                    ]
                    for w in d["weeks"]
                ],
            )
        )
        out.append(
            (
                L("actions"),
                None if d["actions"] else L("no_actions"),
                [L("owner"), L("open"), L("past_due"), L("items")],
                [
                    [
                        o["owner"],
                        str(o["open"]),
                        str(o["past_due"]),
                        "; ".join(
                            f"{i['incident']}#{i['number']} {i['due']}"
                            + (" !" if i["past_due"] else "")
                            for i in o["items"]
                        ),
                    ]
                    for o in d["actions"]
                ],
            )
        )
        return out

    def header(self) -> list[str]:
        from incidentctl.times import from_iso, zone_label

        d, L = self.doc, self.L
        since = local(d["since"], self.zone) or L("beginning")
        lines = [
            L("title"),
            L(
                "window",
                since=since,
                until=local(d["until"], self.zone),
                n=d["incidents"],
                zone=zone_label(self.zone, from_iso(d["until"])),
            ),
        ]
        f = d["filters"]
        if f["runbook"] or f["severity"] or f["drills"]:
            lines.append(
                L(
                    "filters",
                    runbook=f["runbook"] or "*",
                    severity=f["severity"] or "*",
                    drills=L("yes") if f["drills"] else L("no"),
                )
            )
        return lines

    def text(self, *, markdown: bool, width: int) -> str:
        head = self.header()
        if markdown:
            parts = [f"# {head[0]}", "", *(f"{line}  " for line in head[1:]), ""]
        else:
            parts = [*head, ""]
        for heading, line, headers, rows in self.sections():
            parts.append(f"## {heading}" if markdown else heading)
            if line:
                parts.append(line)
            if rows:
                parts.append(
                    _md_table(headers, rows) if markdown else _text_table(headers, rows, width)
                )
            parts.append("")
        return "\n".join(parts)


BUCKET_KEYS = ("met", "missed", "skipped", "n/a", "open")
_KNOWN_AUDIT = frozenset(
    (
        "audit.gap",
        "audit.link",
        "audit.altered",
        "audit.not-opened",
        "audit.snapshot",
        "audit.snapshot-missing",
        "audit.summary",
        "audit.empty",
        "audit.unreadable",
    )
)


def _text_table(headers: list[str], rows: list[list[str]], width: int) -> str:
    from incidentctl.render.safe import clean
    from incidentctl.render.table import table

    safe = [[clean(c) for c in row] for row in rows]
    return table(headers, safe, max_width=width, indent="  ", wrap_shrunk=True)


def _md_table(headers: list[str], rows: list[list[str]]) -> str:
    from incidentctl.render.postmortem import _table

    return _table(headers, [list(r) for r in rows])


# --- CSV ------------------------------------------------------------------------------------


def zone_name(zone: tzinfo, at: datetime) -> str:
    """A zone's IANA name where it has one (``Asia/Shanghai``), else its label at ``at``
    (the report's end: the same report gives the same header whenever it is written)."""
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    from incidentctl.times import zone_label

    return zone_label(zone, at)


def csv_text(doc: dict[str, Any], lang: str, zone: tzinfo) -> str:
    """One row per incident under one header row, UTF-8 with a byte-order mark so Excel
    reads Chinese as Chinese; each time in ISO 8601 UTC and again in the reader's zone."""
    import csv
    import io

    def L(key: str) -> str:
        return t(f"report.csv.{key}", lang)

    from incidentctl.times import from_iso

    until = from_iso(doc["until"])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    times = ("opened_at", "mitigated_at", "resolved_at", "closed_at")
    w.writerow(
        [
            L("id"),
            L("title"),
            L("runbook"),
            L("tier"),
            L("status"),
            *(
                x
                for k in times
                for x in (
                    t("report.csv.in_zone", lang, what=L(k), zone="UTC"),
                    t("report.csv.in_zone", lang, what=L(k), zone=zone_name(zone, until)),
                )
            ),
            L("acknowledge"),
            L("mitigate"),
            L("resolve"),
            L("first_reply"),
            *(t(f"report.b.{b}", lang) for b in BUCKET_KEYS),
            L("legal_misses"),
            L("orders"),
            L("amount"),
            L("verified"),
        ]
    )

    def minutes(value: float | None) -> str:
        return "" if value is None else f"{value / 60:.1f}"

    for item in doc["list"]:
        w.writerow(
            [
                item["id"],
                item["title"],
                item["runbook"],
                item["tier"],
                item["status"],
                *(x for k in times for x in (item[k] or "", local(item[k], zone))),
                minutes(item["acknowledge"]),
                minutes(item["mitigate"]),
                minutes(item["resolve"]),
                minutes(item["first_reply"]),
                *(item["compliance"][b] for b in BUCKET_KEYS),
                item["legal_misses"],
                "" if item["orders"] is None else item["orders"],
                item["amount"] or "",
                t("report.yes" if item["verified"] else "report.verify_failed", lang),
            ]
        )
    return "\ufeff" + buf.getvalue()
