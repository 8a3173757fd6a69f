"""One line per event, for confirmations and the timeline (kept free of the deadline engine)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.incidents import events as ev
from incidentctl.render.i18n import t
from incidentctl.render.table import table
from incidentctl.times import fmt, zone_label

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from incidentctl.incidents.service import View
    from incidentctl.records import Event
    from incidentctl.render.style import Style
    from incidentctl.runbooks.model import Runbook


def tier_name(rb: Runbook, tier: str, lang: str) -> str:
    try:
        return f"{tier} {rb.tier(tier).name.get(lang)}"
    except KeyError:
        return tier


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


# --- timeline ---------------------------------------------------------------------


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
