"""A post-mortem rendered: one document (the JSON format, :func:`document`), and Markdown
and HTML laid out from that same document, so the three always say the same thing.

Deterministic: nothing here reads the clock or the environment; times are written in
the zone handed in, and the same log gives the same bytes in every format.  tabulate
is imported here alone (for Markdown tables), never on the everyday commands' path.
"""

from __future__ import annotations

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

    from incidentctl.postmortem import Page, PostMortem, Verdict
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook

FORMATS = ("md", "json", "html")


def _utc(instant: datetime | None) -> str | None:
    from incidentctl.times import iso

    return iso(instant) if instant is not None else None


def _secs(value: float | None) -> int | None:
    return None if value is None else round(value)


# --- the document ----------------------------------------------------------------------


def document(pm: PostMortem, lang: str, zone: tzinfo) -> dict[str, Any]:
    """The post-mortem as data: what ``--format json`` prints (``schemas/postmortem.schema.json``),
    and what Markdown and HTML are laid out from."""
    from incidentctl.render.phrases import describe, rule_source
    from incidentctl.times import zone_label

    s, rb = pm.state, pm.runbook
    roles = [
        {"role": r, "title": rb.roles[r].name.get(lang) if r in rb.roles else r, "name": name}
        for r, name in sorted(s.roles.items(), key=lambda kv: (_role_rank(pm, kv[0]), kv[0]))
    ]
    phase_titles = {p.id: p.name.get(lang) for p in rb.phases}

    def deadline_row(v: Verdict) -> dict[str, Any]:
        d = v.deadline
        step = rb.step(d.step)
        ref = rb.references.get(d.source)
        title = step.title.get(lang) if step else t("pm.promise_of", lang, key=d.key)
        return {
            "key": d.key,
            "step": d.step,
            "title": title,
            "phase": v.phase,
            "role": d.role,
            "owner": v.owner,
            "required": d.required,
            "tier": d.tier,
            "source": {
                "id": d.source,
                "kind": ref.kind if ref else None,
                "cite": rule_source(rb, d.source, d.basis, lang) if ref else d.source,
                "basis": _basis(rb, d.basis, lang),
            },
            "legal": v.legal,
            "due": _utc(d.due),
            "done_at": _utc(d.finished_at),
            "margin_seconds": _secs(v.margin),
            "verdict": v.verdict,
            "reason": v.reason,
        }

    deadlines = [deadline_row(v) for v in pm.verdicts]
    phases = []
    for phase in [*(p.id for p in rb.phases), "promises"]:
        counts = pm.counts(phase)
        if any(counts.values()):
            title = phase_titles.get(phase) or t("pm.promises", lang)
            phases.append({"phase": phase, "title": title, "counts": counts})
    spans = pm.tier_spans()
    retractions = {e.payload["seq"]: e for e in pm.events if e.type == "event.retracted"}
    doc: dict[str, Any] = {
        "kind": "postmortem",
        "schema_version": 1,
        "lang": lang,
        "zone": zone_label(zone, pm.state.opened_at),
        "as_of": _utc(pm.as_of),
        "incident": {
            "id": s.id,
            "title": s.title,
            "status": s.status,
            "severity": s.severity,
            "severity_name": rb.tier(s.severity).name.get(lang)
            if s.severity in rb.tier_ids
            else s.severity,
            "drill": bool(s.drill),
            "scope": s.scope,
            "runbook": {
                "id": s.runbook_id,
                "version": s.runbook_version,
                "sha256": s.runbook_sha256,
            },
            "runbook_title": rb.title.get(lang),
            "roles": roles,
            "tier_history": [
                {
                    "seq": c.seq,
                    "at": _utc(c.at),
                    "from": c.before,
                    "to": c.after,
                    "reason": c.reason,
                    "actor": c.actor,
                }
                for c in s.severity_history
            ],
        },
        "key_times": {
            "discovered": _utc(pm.discovered),
            "opened": _utc(s.opened_at),
            "acknowledged": _utc(pm.acknowledged),
            "mitigated": _utc(s.mitigated_at),
            "resolved": _utc(s.resolved_at),
            "closed": _utc(s.closed_at),
        },
        "durations": {
            "to_acknowledge": _secs(pm.since_opened(pm.acknowledged)),
            "to_mitigate": _secs(pm.since_opened(s.mitigated_at)),
            "to_resolve": _secs(pm.since_opened(s.resolved_at)),
        },
        "tiers": [
            {
                "tier": span.tier,
                "from": _utc(span.start),
                "to": _utc(span.end),
                "seconds": _secs(span.seconds),
            }
            for span in spans
        ],
        "compliance": {
            "legal_misses": [deadline_row(v) for v in pm.legal_misses],
            "deadlines": deadlines,
            "phases": phases,
            "overall": pm.counts(),
        },
        "communications": {
            "messages": [_message(e) for e in pm.messages],
            "promises": [
                {
                    "key": v.deadline.key,
                    "made_at": _utc(v.deadline.anchor_at),
                    "due": _utc(v.deadline.due),
                    "kept_at": _utc(v.deadline.finished_at),
                    "verdict": v.verdict,
                }
                for v in pm.promises
            ],
        },
        "paging": {
            "pages": [_page(page) for page in pm.pages()],
            "acknowledgments": [
                {"seq": a.seq, "at": _utc(a.at), "actor": a.actor, "step": a.step} for a in pm.acks
            ],
        },
        "review": [
            {
                "field": field,
                "title": t(f"review.{field}", lang),
                "value": value,
                "todo": value is None,
            }
            for field, value in pm.review
        ],
        "actions": [
            {
                "number": a.number,
                "text": a.text,
                "owner": a.owner,
                "kind": a.kind,
                "due": a.due,
                "state": a.state,
                "ended_at": _utc(a.ended_at),
                "reason": a.reason,
            }
            for a in pm.actions
        ],
        "timeline": [
            {
                "seq": e.seq,
                "occurred_at": e.occurred_at,
                "recorded_at": e.recorded_at,
                "actor": e.actor,
                "type": e.type,
                "text": describe(e, rb, lang, zone),
                "backdated": e.backdated,
                "retracted": by is not None,
                "retraction": None
                if by is None
                else {"seq": by.seq, "reason": retractions[e.seq].payload.get("reason", "")},
            }
            for e, by in pm.timeline()
        ],
        "audit": {
            "event_count": len(pm.events),
            "head": {"seq": pm.head.seq, "hash": pm.head.hash},
            "verified": not pm.problems,
            "problems": [
                {
                    "seq": p.seq,
                    "code": p.code,
                    "message": t(
                        f"audit.{p.code}", lang, expected=p.expected, seq=p.seq, detail=p.detail
                    ),
                }
                for p in pm.problems
            ],
            "anchors": pm.anchors,
            "redactions": pm.redactions,
        },
    }
    if pm.drill_score is not None:
        doc["drill_score"] = pm.drill_score
    return doc


def _role_rank(pm: PostMortem, role: str) -> int:
    order = list(pm.runbook.roles)
    return order.index(role) if role in order else len(order)


def _page(page: Page) -> dict[str, Any]:
    """A page as the post-mortem lists it: who was mentioned (names only, as the log keeps
    them), on which channels, and who acknowledged it when."""
    e, ack = page.event, page.ack
    p = e.payload
    return {
        "seq": e.seq,
        "at": e.occurred_at,
        "kind": p.get("kind"),
        "deadline": p.get("deadline", p.get("key")),
        "level": p.get("level") or None,
        "notify": p.get("notify"),
        "mentioned": list(p.get("mentioned", ())),
        "channels": list(p.get("channels", ())),
        "failed": [
            {
                "channel": f["channel"],
                "reason": f.get("reason", ""),
                "permanent": bool(f.get("permanent")),
            }
            for f in p.get("failed", ())
        ],
        "acknowledged": None
        if ack is None
        else {
            "seq": ack.seq,
            "at": _utc(ack.at),
            "actor": ack.actor,
            "after_seconds": _secs((ack.at - e.occurred).total_seconds()),
        },
    }


def _message(e: Event) -> dict[str, Any]:
    p = e.payload
    return {
        "seq": e.seq,
        "at": e.occurred_at,
        "actor": e.actor,
        "template": p.get("template"),
        "audience": p.get("audience"),
        "channel": p.get("channel"),
        "lang": p.get("lang"),
        "subject": p.get("subject"),
        "text": p.get("text", ""),
    }


def render(pm: PostMortem, fmt: str, lang: str, zone: tzinfo) -> str:
    """The post-mortem in format ``fmt`` (``md``, ``json`` or ``html``)."""
    doc = document(pm, lang, zone)
    if fmt == "json":
        import json

        # one line: the indenting encoder is pure Python, five times slower on a long log
        return json.dumps(doc, ensure_ascii=False) + "\n"
    if fmt == "md":
        return markdown(doc, zone)
    from incidentctl.render.postmortem_html import html

    return html(doc, zone)


# --- Markdown ----------------------------------------------------------------------------


def _cell(value: Any) -> str:
    """A table cell's text: one line, its pipes escaped."""
    text = "-" if value is None or value == "" else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    from tabulate import tabulate  # only here: it costs start-up the everyday commands lack

    return str(
        tabulate(
            [[_cell(c) for c in row] for row in rows],
            headers=[_cell(h) for h in headers],
            tablefmt="github",
            disable_numparse=True,
        )
    )


def markdown(doc: dict[str, Any], zone: tzinfo) -> str:
    lang = doc["lang"]
    inc = doc["incident"]
    out: list[str] = []

    def L(key: str, **facts: Any) -> str:
        return t(f"pm.{key}", lang, **facts)

    def w(text: str = "") -> None:
        out.append(text)

    heading = t("labelled", lang, label=L("title", id=inc["id"]), text=_inline(inc["title"]))
    w(f"# {heading}")
    w()
    if inc["drill"]:
        w(f"> **{L('drill')}**")
        w()
    if doc.get("drill_score"):
        from incidentctl.render.drills import percent

        score = doc["drill_score"]
        value = f"{score['score']:g}"
        w(f"## {L('drill_score', score=value)}")
        w()
        w(
            _table(
                [L("drill_expectation"), L("drill_verdict"), L("drill_credit"), L("drill_weight")],
                [
                    [
                        m["id"],
                        t(f"drill.verdict.{m['verdict']}", lang),
                        percent(m["credit"]),
                        f"{m['weight']:g}",
                    ]
                    for m in score["expectations"]
                ],
            )
        )
        w()
        if score["weakest_phase"] or score["weakest_role"]:
            w(
                t(
                    "drill.weakest",
                    lang,
                    phase=score["weakest_phase"] or "—",
                    role=score["weakest_role"] or "—",
                )
            )
            w()
    w(L("times_in", zone=doc["zone"]) + " · " + L("as_of", at=when(doc["as_of"], zone)))
    w()
    rb = inc["runbook"]
    rows = [
        [L("status"), t(f"status.{inc['status']}", lang)],
        [L("severity"), f"{inc['severity']} {inc['severity_name']}"],
        [L("runbook"), f"{rb['id']}@{rb['version']} ({inc['runbook_title']})"],
        ["sha256", f"`{rb['sha256']}`"],
        [L("scope"), inc["scope"]],
    ]
    rows += [[r["title"], r["name"]] for r in inc["roles"]]
    w(_table([L("field"), L("value")], rows))
    w()
    if inc["tier_history"]:
        w(f"### {L('tier_history')}")
        w()
        w(
            _table(
                [L("at"), L("change"), L("reason"), L("by")],
                [
                    [when(c["at"], zone), f"{c['from']} → {c['to']}", c["reason"], c["actor"]]
                    for c in inc["tier_history"]
                ],
            )
        )
        w()

    comp = doc["compliance"]
    w(f"## {L('legal_misses')}")
    w()
    if comp["legal_misses"]:
        w(
            _table(
                _deadline_headers(lang),
                [_deadline_cells(r, lang, zone) for r in comp["legal_misses"]],
            )
        )
    else:
        w(L("no_legal_misses"))
    w()

    w(f"## {L('key_times')}")
    w()
    kt, du = doc["key_times"], doc["durations"]
    w(_table([L("moment"), L("at")], [[L(f"kt.{k}"), when(kt[k], zone)] for k in KEY_TIMES]))
    w()
    w(
        _table(
            [L("measure"), L("span")],
            [[L(f"du.{k}"), span(v, lang)] for k, v in du.items()]
            + [[L("in_tier", tier=s["tier"]), span(s["seconds"], lang)] for s in doc["tiers"]],
        )
    )
    w()

    w(f"## {L('compliance')}")
    w()
    counts_headers = [L("phase"), *(t(f"pm.verdict.{v}", lang) for v in VERDICTS)]
    crow = [[p["title"], *(str(p["counts"][v]) for v in VERDICTS)] for p in comp["phases"]]
    crow.append([f"**{L('overall')}**", *(str(comp["overall"][v]) for v in VERDICTS)])
    w(_table(counts_headers, crow))
    w()
    w(_table(_deadline_headers(lang), [_deadline_cells(r, lang, zone) for r in comp["deadlines"]]))
    w()

    w(f"## {L('communications')}")
    w()
    headers, rows = message_rows(doc, zone)
    w(_table(headers, rows) if rows else L("no_messages"))
    w()
    w(f"### {L('promises')}")
    w()
    headers, rows = promise_rows(doc, zone)
    w(_table(headers, rows) if rows else L("no_promises"))
    w()

    w(f"## {L('paging')}")
    w()
    headers, rows = page_rows(doc, zone)
    w(_table(headers, rows) if rows else L("no_pages"))
    w()
    w(f"### {L('acks')}")
    w()
    headers, rows = ack_rows(doc, zone)
    w(_table(headers, rows) if rows else L("no_acks"))
    w()

    w(f"## {L('review')}")
    w()
    todo = [s["title"] for s in doc["review"] if s["todo"]]
    for section in doc["review"]:
        if section["todo"]:
            continue
        w(f"### {section['title']}")
        w()
        for line in review_text(section, lang, zone):
            w(line)
        w()
    if todo:
        w(f"### {L('todo')}")
        w()
        for title in todo:
            w(f"- [ ] {title}")
        w()

    w(f"## {L('actions')}")
    w()
    if doc["actions"]:
        w(
            _table(
                ["#", L("action"), L("kind"), L("owner"), L("due"), L("state")],
                [
                    [
                        a["number"],
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
        w(t("actions.none", lang))
    w()

    w(f"## {L('timeline')}")
    w()
    # a list, not a table: a long incident has thousands of events, and a wiki shows a
    # list of them better than a table tabulate would take most of a second to pad
    for e in doc["timeline"]:
        text = _inline_md(e["text"])
        if e["retracted"]:
            r = e["retraction"]
            text = f"~~{text}~~ " + _inline_md(L("retracted", seq=r["seq"], reason=r["reason"]))
        at = when(e["occurred_at"], zone)
        if e["backdated"]:
            at += " " + L("backdated", at=when(e["recorded_at"], zone))
        w(f"- **#{e['seq']}** {at} · {_inline_md(e['actor'])} · {text}")
    w()

    w(f"## {L('audit')}")
    w()
    w(audit_lines(doc, lang, zone, bullet="- "))
    return "\n".join(out).rstrip("\n") + "\n"


def _inline_md(text: str) -> str:
    """Text on one line of a Markdown list: line breaks as ``<br>``, emphasis markers kept
    literal."""
    text = str(text).replace("\\", "\\\\").replace("\r", "")
    for ch in "*_~`[]<>":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "<br>")


def _inline(text: str) -> str:
    return " ".join(str(text).split())


def _deadline_headers(lang: str) -> list[str]:
    return [
        t(f"pm.{k}", lang) for k in ("step", "owner", "tier", "source", "due", "done_at", "verdict")
    ]


def _deadline_cells(r: dict[str, Any], lang: str, zone: tzinfo) -> list[str]:
    source = r["source"]["cite"] or "-"
    if r["legal"]:
        source += " ⚖"
    owner = r["owner"] or r["role"]
    return [
        f"{r['key']} {r['title']}",
        owner,
        r["tier"],
        source,
        when(r["due"], zone),
        when(r["done_at"], zone),
        verdict_text(r, lang),
    ]


def _basis(rb: Runbook, basis: str | None, lang: str) -> dict[str, Any] | None:
    """The duty a deadline's number puts into practice, when its runbook names one."""
    if not basis:
        return None
    from incidentctl.render.phrases import source_label

    ref = rb.references.get(basis)
    return {
        "id": basis,
        "kind": ref.kind if ref else None,
        "cite": source_label(rb, basis, lang) if ref else basis,
    }
