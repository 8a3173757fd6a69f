"""Rendering incidents for people: lists, the incident page, the timeline, deadlines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentctl.deadlines import engine as dl
from incidentctl.durations import human
from incidentctl.incidents import events as ev
from incidentctl.incidents import state as st
from incidentctl.render.i18n import t
from incidentctl.render.listing import when
from incidentctl.render.runbooks import anchor_name
from incidentctl.render.table import table
from incidentctl.render.text import wrap
from incidentctl.times import fmt, fmt_zoned, zone_label

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from incidentctl.deadlines.engine import Deadline
    from incidentctl.incidents.events import Event
    from incidentctl.incidents.service import View
    from incidentctl.render.style import Style
    from incidentctl.runbooks.model import Runbook

_STATE_STYLE = {
    dl.OVERDUE: ("red", "bold"),
    dl.MISSED: ("red",),
    dl.DUE_SOON: ("yellow", "bold"),
    dl.MET: ("green",),
    dl.WAITING: ("dim",),
    dl.SKIPPED: ("dim",),
    dl.NA: ("dim",),
}


def relative(seconds: float, lang: str) -> str:
    return (
        t("in", lang, d=human(seconds, lang))
        if seconds >= 0
        else t("ago", lang, d=human(-seconds, lang))
    )


def tier_name(rb: Runbook, tier: str, lang: str) -> str:
    try:
        return f"{tier} {rb.tier(tier).name.get(lang)}"
    except KeyError:
        return tier


def deadline_phrase(d: Deadline, now: datetime, zone: tzinfo, lang: str, rb: Runbook) -> str:
    """``overdue 5m (due 10:10)``, ``in 25m (10:40)``, ``met, 3m to spare``..."""
    if d.state == dl.WAITING:
        return t("waiting_on", lang, anchor=anchor_name(d.anchor, lang)) + f" (+{d.duration})"
    assert d.due is not None or d.state in (dl.MET, dl.SKIPPED, dl.NA)
    if d.due is None:
        return t(f"state.{d.state}", lang)
    at = when(d.due, now, zone)
    if d.state in dl.OPEN_STATES:
        left = (d.due - now).total_seconds()
        if left < 0:
            return f"{t('overdue_by', lang, d=human(-left, lang))} ({at})"
        return f"{t('in', lang, d=human(left, lang))} ({at})"
    margin = d.margin()
    if margin is None:
        return f"{t(f'state.{d.state}', lang)} ({at})"
    how = (
        t("early_by", lang, d=human(margin, lang))
        if margin >= 0
        else t("late_by", lang, d=human(-margin, lang))
    )
    return f"{t(f'state.{d.state}', lang)}, {how} ({at})"


def styled_state(d: Deadline, lang: str, style: Style) -> str:
    return style(t(f"state.{d.state}", lang), *_STATE_STYLE.get(d.state, ()))


# --- show ---------------------------------------------------------------------------


def show_text(
    view: View,
    deadlines: list[Deadline],
    now: datetime,
    zone: tzinfo,
    lang: str,
    style: Style,
    cells: int,
) -> str:
    s, rb = view.state, view.runbook
    out: list[str] = []
    out.append(style(s.id, "bold") + "  " + s.title)
    status = t(f"status.{s.status}", lang)
    age = human((now - s.opened_at).total_seconds(), lang)
    out.append(
        f"  {t('status', lang)}: {status}    {t('opened', lang)}: {fmt_zoned(s.opened_at, zone)} ({t('ago', lang, d=age)})"
    )
    out.append(f"  {t('severity', lang)}: {style(tier_name(rb, s.severity, lang), 'bold')}")
    out.append(
        f"  {t('runbook', lang)}: {rb.id} {rb.version} {rb.title.get(lang)} (sha256 {rb.sha256[:12]})"
    )
    out.append(f"  {t('commander', lang)}: {s.commander or t('unassigned', lang)}")
    if s.scope:
        out.append(f"  {t('scope', lang)}: {s.scope}")
    if s.eta:
        out.append(f"  {t('eta', lang)}: {fmt_zoned(s.eta, zone)}")
    out.append("  " + style(t("times_in", lang, zone=zone_label(zone, now)), "dim"))
    out.append("")

    out.append(style(t("roles", lang), "bold"))
    out.append(
        table(
            [t("id", lang), t("role", lang), "Name" if lang == "en" else "姓名"],
            [[r.id, r.name.get(lang), s.roles.get(r.id, "-")] for r in rb.roles.values()],
            indent="  ",
        )
    )
    out.append("")

    if s.severity_history:
        out.append(style(t("severity_history", lang), "bold"))
        for c in s.severity_history:
            line = f"{when(c.at, now, zone)}  {c.before} -> {c.after}  ({c.actor}) {c.reason}"
            out.extend(wrap(line, cells, indent="  "))
        out.append("")

    by_step: dict[str, list[Deadline]] = {}
    for d in deadlines:
        by_step.setdefault(d.step, []).append(d)
    out.append(style(t("checklist", lang, tier=tier_name(rb, s.severity, lang)), "bold"))
    rows = []
    for phase in rb.phases:
        for step in phase.steps:
            ss = s.steps[step.id]
            if not step.applies_to(s.severity) and ss.status == st.PENDING and not ss.completions:
                continue
            mine = by_step.get(step.id, [])
            if step.recurring:
                state_text = t("updates", lang, n=len(ss.completions))
                if ss.status in (st.SKIPPED, st.NA):
                    state_text = t(f"state.{ss.status}", lang)
                current = next((d for d in mine if d.state in dl.OPEN_STATES), None)
                missed = sum(1 for d in mine if d.state == dl.MISSED)
                due = deadline_phrase(current, now, zone, lang, rb) if current else "-"
                if current:
                    due = style(due, *_STATE_STYLE.get(current.state, ()))
                if missed:
                    due += "; " + style(f"{missed} {t('state.missed', lang)}", "red")
            else:
                state_text = t(f"state.{ss.status}", lang)
                only = mine[0] if mine else None
                if ss.status in (st.SKIPPED, st.NA):
                    due = style(f"{t('reason', lang)}: {ss.reason}", "dim")
                elif only is None:
                    due = "-"
                else:
                    due = style(
                        deadline_phrase(only, now, zone, lang, rb),
                        *_STATE_STYLE.get(only.state, ()),
                    )
            rows.append(
                [phase.name.get(lang), step.id, rb.roles[step.role].name.get(lang), state_text, due]
            )
    out.append(
        table(
            [
                t("phase", lang),
                t("step", lang),
                t("owner", lang),
                t("status", lang),
                t("deadline", lang),
            ],
            rows,
            indent="  ",
        )
    )
    upcoming = [
        d for d in dl.by_urgency(deadlines) if d.state in (dl.OVERDUE, dl.DUE_SOON, dl.PENDING)
    ][:5]
    if upcoming:
        out.append("")
        out.append(style(t("next_deadlines", lang), "bold"))
        for item in upcoming:
            target = rb.step(item.step)
            title = target.title.get(lang) if target else item.step
            phrase = deadline_phrase(item, now, zone, lang, rb)
            out.append(f"  {styled_state(item, lang, style)}  {item.key}  {title}  {phrase}")
    if s.notes:
        out.append("")
        out.append(style(t("notes", lang), "bold"))
        for at, actor, text, _seq in s.notes[-5:]:
            out.extend(wrap(f"{when(at, now, zone)} {actor}: {text}", cells, indent="  "))
    return "\n".join(out)


def show_json(view: View, deadlines: list[Deadline], now: datetime) -> dict[str, Any]:
    from incidentctl.times import iso

    s = view.state

    def ts(x: datetime | None) -> str | None:
        return iso(x) if x else None

    return {
        "id": s.id,
        "title": s.title,
        "status": s.status,
        "severity": s.severity,
        "runbook": {"id": s.runbook_id, "version": s.runbook_version, "sha256": s.runbook_sha256},
        "opened_at": ts(s.opened_at),
        "mitigated_at": ts(s.mitigated_at),
        "resolved_at": ts(s.resolved_at),
        "closed_at": ts(s.closed_at),
        "commander": s.commander,
        "scope": s.scope,
        "eta": ts(s.eta),
        "roles": s.roles,
        "severity_history": [
            {
                "at": iso(c.at),
                "from": c.before,
                "to": c.after,
                "reason": c.reason,
                "by": c.actor,
                "seq": c.seq,
            }
            for c in s.severity_history
        ],
        "steps": [
            {
                "id": step.id,
                "phase": step.phase,
                "status": s.steps[step.id].status,
                "applies": step.applies_to(s.severity),
                "finished_at": ts(s.steps[step.id].finished_at),
                "by": s.steps[step.id].actor,
                "tier_at_finish": s.steps[step.id].tier_at_finish,
                "evidence": s.steps[step.id].evidence,
                "reason": s.steps[step.id].reason,
                "completions": [iso(c.at) for c in s.steps[step.id].completions],
            }
            for step in view.runbook.steps
        ],
        "deadlines": [d.as_dict(now) for d in dl.by_urgency(deadlines)],
        "events": s.last_seq,
        "head_hash": s.head_hash,
    }


# --- timeline ---------------------------------------------------------------------


def describe(e: Event, rb: Runbook, lang: str) -> str:
    p = e.payload
    zh = lang == "zh"

    def step_title(step_id: str) -> str:
        step = rb.step(step_id)
        return f"{step_id} ({step.title.get(lang)})" if step else step_id

    if e.type == ev.OPENED:
        text = (
            f"开启，级别 {tier_name(rb, p['severity'], lang)}，预案 {p['runbook']['id']} {p['runbook']['version']}：{p['title']}"
            if zh
            else f"opened at {tier_name(rb, p['severity'], lang)} from {p['runbook']['id']} {p['runbook']['version']}: {p['title']}"
        )
        if p.get("commander"):
            text += f"; {t('commander', lang)} {p['commander']}"
        return text
    if e.type in ev.STEP_EVENTS:
        verb = {
            ev.STEP_STARTED: ("started", "开始"),
            ev.STEP_DONE: ("done", "完成"),
            ev.STEP_SKIPPED: ("skipped", "跳过"),
            ev.STEP_NA: ("n/a", "不适用"),
        }[e.type]
        text = f"{verb[1] if zh else verb[0]} {step_title(p['step'])}"
        if p.get("evidence"):
            text += "; " + ", ".join(f"{k}={v}" for k, v in p["evidence"].items())
        if p.get("reason"):
            text += f"; {'理由' if zh else 'reason'}: {p['reason']}"
        if p.get("note"):
            text += f"; {'备注' if zh else 'note'}: {p['note']}"
        return text
    if e.type == ev.NOTE:
        return f"{'备注' if zh else 'note'}: {p['text']}"
    if e.type == ev.ASSIGNED:
        role = rb.roles.get(p["role"])
        return f"{role.name.get(lang) if role else p['role']} = {p['name']}"
    if e.type == ev.SEVERITY:
        return f"{'级别' if zh else 'severity'} {p['from']} -> {p['to']}: {p['reason']}"
    if e.type == ev.MITIGATED:
        return t("status.mitigated", lang) + (f": {p['note']}" if p.get("note") else "")
    if e.type == ev.RESOLVED:
        return t("status.resolved", lang) + (f": {p['summary']}" if p.get("summary") else "")
    if e.type == ev.REOPENED:
        return f"{'重新打开' if zh else 'reopened'}: {p['reason']}"
    if e.type == ev.CLOSED:
        text = t("status.closed", lang)
        if p.get("forced"):
            text += f" ({'强制' if zh else 'forced'}; {'未完成' if zh else 'open'}: {', '.join(p.get('open_steps', []))})"
        if p.get("reason"):
            text += f": {p['reason']}"
        return text
    if e.type == ev.UPDATED:
        return f"{p['field']} = {p['value'] or '-'}"
    if e.type == ev.RETRACTED:
        return f"{'撤回' if zh else 'retracted'} #{p['seq']}: {p['reason']}"
    if e.type == ev.COMMS:
        return f"{'发送' if zh else 'sent'} {p['template']} ({p.get('audience', '')}) via {p.get('channel', '-')}"
    if e.type == ev.NOTIFIED:
        return f"{'已提醒' if zh else 'notified'} {p['kind']} {p['key']} -> {', '.join(p.get('channels', []))}"
    return e.type


def timeline_text(
    view: View, now: datetime, zone: tzinfo, lang: str, style: Style, cells: int
) -> str:
    retracted_by = {e.payload["seq"]: e.seq for e in view.events if e.type == ev.RETRACTED}
    rows = []
    any_backdated = False
    for e in sorted(view.events, key=lambda e: (e.occurred, e.seq)):
        mark = ""
        if e.backdated:
            mark = "*"
            any_backdated = True
        text = describe(e, view.runbook, lang)
        if e.seq in retracted_by:
            text = f"[{'已撤回' if lang == 'zh' else 'retracted'} #{retracted_by[e.seq]}] " + text
        rows.append(
            [
                str(e.seq),
                fmt(e.occurred, zone) + mark,
                fmt(e.recorded, zone, date_part=False)
                if e.backdated or e.recorded_at[:19] != e.occurred_at[:19]
                else "",
                e.actor,
                text,
            ]
        )
    out = [
        style(view.state.id, "bold")
        + "  "
        + view.state.title
        + "  "
        + style(t("times_in", lang, zone=zone_label(zone, now)), "dim"),
        table(
            ["#", t("occurred", lang), t("recorded", lang), t("by", lang), t("event", lang)],
            rows,
            align="r",
            max_width=cells,
            shrink=4,
            wrap_shrunk=True,
        ),
    ]
    if any_backdated:
        out.append(style(t("backdated_note", lang), "dim"))
    return "\n".join(out)


# --- deadlines --------------------------------------------------------------------


def deadlines_table(
    items: list[tuple[View, Deadline]],
    now: datetime,
    zone: tzinfo,
    lang: str,
    style: Style,
    cells: int,
) -> str:
    rows = []
    for view, d in items:
        step = view.runbook.step(d.step)
        title = step.title.get(lang) if step else d.step
        role = view.runbook.roles.get(d.role)
        holder = view.state.roles.get(d.role)
        owner = (role.name.get(lang) if role else d.role) + (f" ({holder})" if holder else "")
        rows.append(
            [
                styled_state(d, lang, style),
                view.state.id,
                d.key,
                title,
                owner,
                deadline_phrase(d, now, zone, lang, view.runbook),
                f"{d.tier} {d.duration}",
            ]
        )
    headers = [
        t("status", lang),
        t("id", lang),
        t("step", lang),
        t("title", lang),
        t("owner", lang),
        t("deadline", lang),
        t("tiers", lang),
    ]
    return table(headers, rows, max_width=cells, shrink=3)
