"""Rendering incidents for people: lists, the incident page, the timeline, deadlines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.deadlines import deadline_title
from incidentctl.deadlines import engine as dl
from incidentctl.durations import human
from incidentctl.i18n import t
from incidentctl.incidents import state as st
from incidentctl.incidents.state import checklist_steps
from incidentctl.render.phrases import deadline_rule, deadline_status, tier_name, when
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
    dl.UNFINISHED: ("yellow",),
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


def milestones(view: View, now: datetime, zone: tzinfo, lang: str) -> list[str]:
    """When the damage stopped, the incident was resolved and closed, each with how long
    after opening: what an incident that is over is remembered by."""
    s = view.state
    out = []
    for key, at in (
        ("milestone.mitigated", s.mitigated_at),
        ("milestone.resolved", s.resolved_at),
        ("milestone.closed", s.closed_at),
    ):
        if at is not None:
            after = human((at - s.opened_at).total_seconds(), lang)
            out.append(t(key, lang, at=when(at, now, zone), after=after))
    return out


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
    number = f"  #{view.number}" if view.number else ""
    out: list[str] = [style(ln, "bold") for ln in wrap(f"{s.id}{number}  {s.title}", cells)]
    status = t(f"status.{s.status}", lang)
    age = human((now - s.opened_at).total_seconds(), lang)
    facts = [
        f"{t('status', lang)}: {status}    {t('opened', lang)}: {fmt_zoned(s.opened_at, zone)} ({t('ago', lang, d=age)})",
        f"{t('severity', lang)}: {tier_name(rb, s.severity, lang)}",
        f"{t('runbook', lang)}: {rb.id} {rb.version} {rb.title.get(lang)} (sha256 {rb.sha256[:12]})",
        f"{t('commander', lang)}: {s.commander or t('unassigned', lang)}",
    ]
    if s.discovered_at is not None:
        before = human((s.opened_at - s.discovered_at).total_seconds(), lang)
        facts.append(
            f"{t('discovered_label', lang)}: {fmt_zoned(s.discovered_at, zone)} "
            f"({t('discovered_before', lang, d=before)})"
        )
    if s.scope:
        facts.append(f"{t('scope', lang)}: {s.scope}")
    if s.eta:
        line = f"{t('eta', lang)}: {fmt_zoned(s.eta, zone)}"
        promise = next(
            (d for d in reversed(deadlines) if d.step == dl.PROMISE and d.due == s.eta), None
        )
        if promise is not None and promise.due is not None:
            phrase = deadline_status(promise, now, zone, lang).removesuffix(
                f" ({when(promise.due, now, zone)})"
            )
            line += f"  ({promise.key}: {style(phrase, *_STATE_STYLE.get(promise.state, ()))})"
        facts.append(line)
    for fact in facts:
        out.extend(wrap(fact, cells, indent="  "))
    out.extend(wrap(" · ".join(milestones(view, now, zone, lang)), cells, indent="  "))
    if s.resolve_summary and s.status in (st.RESOLVED, st.CLOSED):
        summary = t("labelled", lang, label=t("summary", lang), text=s.resolve_summary)
        out.extend(wrap(summary, cells, indent="  "))
    if s.status == st.CLOSED and s.close_reason:
        forced = t("closed_forced", lang, reason=s.close_reason, steps=s.open_at_close or "-")
        out.extend(wrap(style(forced, "yellow"), cells, indent="  "))
    out.append("  " + style(t("times_in", lang, zone=zone_label(zone, now)), "dim"))
    out.append("")

    out.append(style(t("roles", lang), "bold"))
    out.append(
        table(
            [t("id", lang), t("role", lang), t("name", lang)],
            [[r.id, r.name.get(lang), s.roles.get(r.id, "-")] for r in rb.roles.values()],
            indent="  ",
            max_width=cells,
            shrink=[(2, 16), (1, 14)],
            wrap_shrunk=True,
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
    ][:5]  # none once closed: its clocks stopped then
    if upcoming:
        out.append("")
        out.append(style(t("next_deadlines", lang), "bold"))
        rows = []
        for item in upcoming:
            title = deadline_title(rb, item, now, zone, lang)
            phrase = deadline_status(item, now, zone, lang)
            rows.append(
                [
                    styled_state(item, lang, style),
                    item.key,
                    title,
                    f"{phrase}\n{deadline_rule(rb, item, lang)}",
                ]
            )
        out.append(
            table(
                None,
                rows,
                max_width=cells,
                shrink=[(2, 16), (3, 16)],
                indent="  ",
                wrap_shrunk=True,
            )
        )
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
            only = dl.by_urgency(mine)[0] if mine else None  # a per-item step: its worst
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
    shrink = [(2, 14), (4, 26)]
    if cells is not None and cells < NARROW:
        shrink = [(1, 14), (2, 10), (4, 16), (3, 8)]
        if not numbered:  # the phase says least on a narrow terminal: the step ids show it
            headers.pop(0)
            rows = [row[1:] for row in rows]
            shrink = [(col - 1, floor) for col, floor in shrink]
    return table(
        headers,
        rows,
        align="r" if numbered else "",
        max_width=cells,
        shrink=shrink,
        wrap_shrunk=True,
        indent="  ",
    )


# --- deadlines --------------------------------------------------------------------


#: Below this many columns, a deadline table says the tier rule under the deadline
#: instead of in a column of its own.
NARROW = 90


def deadlines_table(items: list[Item], zone: tzinfo, lang: str, style: Style, cells: int) -> str:
    """Deadlines of one or more incidents, each measured at its incident's now, in a table
    no wider than ``cells`` (the tier rule moves under the deadline on narrow terminals)."""
    narrow = cells < NARROW
    rows = []
    for view, d, now in items:
        title = deadline_title(view.runbook, d, now, zone, lang)
        role = view.runbook.roles.get(d.role)
        holder = view.state.roles.get(d.role)
        owner = (role.name.get(lang) if role else d.role) + (f" ({holder})" if holder else "")
        rule = deadline_rule(view.runbook, d, lang)
        status = deadline_status(d, now, zone, lang)
        row = [styled_state(d, lang, style), view.state.id, f"{d.key}\n{title}", owner]
        rows.append([*row, f"{status}\n{rule}"] if narrow else [*row, status, rule])
    headers = [t("status", lang), t("id", lang), t("step", lang), t("owner", lang)]
    headers += [t("deadline", lang)] if narrow else [t("deadline", lang), t("rule_source", lang)]
    title_lines: list[str] = []
    if len({i.view.state.id for i in items}) == 1:  # one incident: say which, once
        view = items[0][0]
        tier = view.runbook.tier(view.state.severity).name.get(lang)
        heading = f"{view.state.id}  {view.state.title}  ·  {view.state.severity} {tier}"
        title_lines = [style(line, "bold") for line in wrap(heading, cells)]
        headers.pop(1)
        for row in rows:
            row.pop(1)
        widen = [(1, 18), (2, 12), (3, 16)] if narrow else [(4, 20), (3, 24), (2, 14), (1, 20)]
    else:
        widen = [(2, 16), (3, 12), (4, 16)] if narrow else [(5, 20), (4, 24), (3, 14), (2, 20)]
    body = table(headers, rows, max_width=cells, shrink=widen, wrap_shrunk=True)
    return "\n".join([*title_lines, body])
