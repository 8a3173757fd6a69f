"""Rendering incidents for people: lists, the incident page, the timeline, deadlines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.deadlines import engine as dl
from incidentctl.durations import human
from incidentctl.i18n import t
from incidentctl.incidents import state as st
from incidentctl.incidents.state import checklist_steps
from incidentctl.render.phrases import deadline_status, duration, tier_name, when
from incidentctl.render.table import table
from incidentctl.render.text import wrap
from incidentctl.times import fmt_zoned, zone_label

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from incidentctl.deadlines.engine import Deadline
    from incidentctl.deadlines.monitor import Item
    from incidentctl.incidents.service import View
    from incidentctl.render.style import Style

_STATE_STYLE = {
    dl.OVERDUE: ("red", "bold"),
    dl.MISSED: ("red",),
    dl.DUE_SOON: ("yellow", "bold"),
    dl.MET: ("green",),
    dl.WAITING: ("dim",),
    dl.SKIPPED: ("dim",),
    dl.NA: ("dim",),
}


def styled_state(d: Deadline, lang: str, style: Style) -> str:
    return style(t(f"state.{d.state}", lang), *_STATE_STYLE.get(d.state, ()))


def styled_deadline(d: Deadline, now: datetime, zone: tzinfo, lang: str, style: Style) -> str:
    """The deadline phrase in its state's colour; ``due soon`` is also said in words."""
    phrase = deadline_status(d, now, zone, lang)
    if d.state == dl.DUE_SOON:
        phrase = f"{t('state.due-soon', lang)}, {phrase}"
    return style(phrase, *_STATE_STYLE.get(d.state, ()))


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
            [t("id", lang), t("role", lang), t("name", lang)],
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

    out.append(style(t("checklist", lang, tier=tier_name(rb, s.severity, lang)), "bold"))
    out.append(checklist_table(view, deadlines, now, zone, lang, style, cells=cells))
    upcoming = [
        d for d in dl.by_urgency(deadlines) if d.state in (dl.OVERDUE, dl.DUE_SOON, dl.PENDING)
    ][:5]
    if upcoming:
        out.append("")
        out.append(style(t("next_deadlines", lang), "bold"))
        rows = []
        for item in upcoming:
            target = rb.step(item.step)
            title = target.title.get(lang) if target else item.step
            phrase = deadline_status(item, now, zone, lang)
            rows.append([styled_state(item, lang, style), item.key, title, phrase])
        out.append(table(None, rows, max_width=cells, shrink=2, indent="  "))
    if s.notes:
        out.append("")
        out.append(style(t("notes", lang), "bold"))
        for at, actor, text, _seq in s.notes[-5:]:
            out.extend(wrap(f"{when(at, now, zone)} {actor}: {text}", cells, indent="  "))
    return "\n".join(out)


def checklist_table(
    view: View,
    deadlines: list[Deadline],
    now: datetime,
    zone: tzinfo,
    lang: str,
    style: Style,
    *,
    numbered: bool = False,
    cells: int | None = None,
) -> str:
    """Each step's state and deadline verdict.  ``numbered`` puts the step's number in
    :func:`checklist_steps` (by which ``walk`` jumps) where the phase column would be."""
    s, rb = view.state, view.runbook
    phases = {p.id: p.name.get(lang) for p in rb.phases}
    by_step: dict[str, list[Deadline]] = {}
    for d in deadlines:
        by_step.setdefault(d.step, []).append(d)
    rows = []
    for n, step in enumerate(checklist_steps(view.runbook, view.state), 1):
        ss = s.steps[step.id]
        mine = by_step.get(step.id, [])
        if step.recurring:
            state_text = t("updates", lang, n=len(ss.completions))
            if ss.status in (st.SKIPPED, st.NA):
                state_text = t(f"state.{ss.status}", lang)
            current = next((d for d in mine if d.state in dl.OPEN_STATES), None)
            missed = sum(1 for d in mine if d.state == dl.MISSED)
            due = deadline_status(current, now, zone, lang) if current else "-"
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
                    deadline_status(only, now, zone, lang),
                    *_STATE_STYLE.get(only.state, ()),
                )
        first = str(n) if numbered else phases[step.phase]
        rows.append([first, step.id, rb.roles[step.role].name.get(lang), state_text, due])
    headers = [
        "#" if numbered else t("phase", lang),
        t("step", lang),
        t("owner", lang),
        t("status", lang),
        t("deadline", lang),
    ]
    return table(
        headers,
        rows,
        align="r" if numbered else "",
        max_width=cells,
        shrink=[(2, 14), (4, 26)],
        wrap_shrunk=True,
        indent="  ",
    )


# --- deadlines --------------------------------------------------------------------


def deadlines_table(items: list[Item], zone: tzinfo, lang: str, style: Style, cells: int) -> str:
    """Deadlines of one or more incidents, each measured at its incident's now."""
    rows = []
    for view, d, now in items:
        step = view.runbook.step(d.step)
        title = step.title.get(lang) if step else d.step
        role = view.runbook.roles.get(d.role)
        holder = view.state.roles.get(d.role)
        owner = (role.name.get(lang) if role else d.role) + (f" ({holder})" if holder else "")
        rows.append(
            [
                styled_state(d, lang, style),
                view.state.id,
                f"{d.key}\n{title}",
                owner,
                deadline_status(d, now, zone, lang),
                f"{d.tier} {duration(d.duration, lang)}",
            ]
        )
    headers = [
        t("status", lang),
        t("id", lang),
        t("step", lang),
        t("owner", lang),
        t("deadline", lang),
        t("tiers", lang),
    ]
    title_line = ""
    if len({i.view.state.id for i in items}) == 1:  # one incident: say which, once
        view = items[0][0]
        tier = view.runbook.tier(view.state.severity).name.get(lang)
        title_line = style(f"{view.state.id}  {view.state.title}", "bold")
        title_line += f"  ·  {view.state.severity} {tier}\n"
        headers.pop(1)
        for row in rows:
            row.pop(1)
        widen = [(3, 24), (2, 14), (1, 20)]
    else:
        widen = [(4, 24), (3, 14), (2, 20)]
    return title_line + table(headers, rows, max_width=cells, shrink=widen, wrap_shrunk=True)
