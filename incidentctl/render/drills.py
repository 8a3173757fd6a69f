"""Drill results for people and for machines (the reporters' drill methods call these)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentctl.durations import human
from incidentctl.i18n import t
from incidentctl.incidents import events as ev
from incidentctl.render.safe import clean
from incidentctl.times import fmt, iso

if TYPE_CHECKING:
    from incidentctl.drills.history import DrillHistory, DrillsDue
    from incidentctl.drills.results import (
        DrillClock,
        DrillStarted,
        InjectsArrived,
        ScenarioValidation,
    )
    from incidentctl.drills.score import DrillScore
    from incidentctl.drills.simulate import Simulation
    from incidentctl.incidents.service import View
    from incidentctl.records import Event
    from incidentctl.render import Out


def percent(credit: float) -> str:
    """A share as a percentage: whole numbers, but never 100% for what is short of it."""
    text = f"{credit * 100:.0f}%"
    return f"{credit * 100:.1f}%" if text == "100%" and credit < 1 else text


def _span(seconds: float | None, lang: str) -> str:
    return "—" if seconds is None else human(seconds, lang)


# --- text -------------------------------------------------------------------------------
def inject_lines(out: Out, events: list[Event]) -> list[str]:
    lines = []
    for e in events:
        if e.type != ev.DRILL_INJECT:
            continue
        p = e.payload
        text = p["text"].get(out.lang) or p["text"]["en"]
        at = fmt(e.occurred, out.zone, seconds=False)
        source = " " + t(f"drill.source.{p['source']}", out.lang) if p.get("source") else ""
        lines.append(
            t("drill.inject_line", out.lang, at=at, id=p["inject"], source=source, text=clean(text))
        )
    return lines


def _header(out: Out, view: View) -> str:
    s = view.state
    clock = (s.drill or {}).get("clock", {})
    return t(
        "drill.header",
        out.lang,
        id=s.id,
        title=clean(s.title),
        now=fmt(view.now(), out.zone, seconds=False),
        speed=f"{float(clock.get('speed', 1)):g}",
    )


def started_text(out: Out, r: DrillStarted) -> None:
    out.echo(_header(out, r.view))
    scenario = r.scenario
    out.echo(t("drill.scenario", out.lang, id=scenario.id, runbook=scenario.runbook))
    out.echo(t("drill.briefing", out.lang, text=clean(scenario.briefing.get(out.lang, ""))))
    for line in inject_lines(out, r.injects):
        out.echo(line)
    if r.score is not None:
        out.echo()
        score_text(out, r.score)
    else:
        key = "drill.follow" if r.following else "drill.detached"
        out.echo(t(key, out.lang, id=r.view.state.id))


def injects_text(out: Out, r: InjectsArrived) -> None:
    lines = inject_lines(out, r.events)
    for line in lines:
        out.echo(line)


def clock_text(out: Out, r: DrillClock) -> None:
    out.echo(
        t(
            f"drill.did.{r.action}",
            out.lang,
            id=r.view.state.id,
            at=fmt(r.view.now(), out.zone, seconds=False),
        )
    )
    if r.score is not None:
        out.echo()
        score_text(out, r.score)


def score_text(out: Out, r: DrillScore) -> None:
    from incidentctl.render.table import table

    lang = out.lang
    out.echo(t("drill.score_head", lang, id=r.incident, scenario=r.scenario, score=f"{r.score:g}"))
    rows = [
        [
            m.id,
            m.what,
            t(f"drill.verdict.{m.verdict}", lang),
            percent(m.credit),
            f"{m.weight:g}",
            human(m.limit, lang),
            _span(m.elapsed, lang),
        ]
        for m in r.marks
    ]
    out.echo(table(t("drill.score_cols", lang).split("|"), rows))
    for tier in r.tiers:
        out.echo(t("drill.tier_line", lang, tier=tier.tier, met=tier.met, missed=tier.missed))
    times = r.times
    out.echo(
        t(
            "drill.times",
            lang,
            ack=_span(times.acknowledge, lang),
            assemble=_span(times.assemble, lang),
            notice=_span(times.first_customer_notice, lang),
            mitigation=_span(times.mitigation, lang),
        )
    )
    if r.weakest_phase or r.weakest_role:
        out.echo(t("drill.weakest", lang, phase=r.weakest_phase or "—", role=r.weakest_role or "—"))
    if r.previous:
        trend = ", ".join(f"{p.id} {p.score:g}" for p in r.previous)
        out.echo(t("drill.previous", lang, trend=trend))


def validation_text(out: Out, r: ScenarioValidation) -> None:
    problems = [p for c in r.results for p in c.problems]
    for p in problems:
        out.echo(clean(p.format()))
    bad = sum(1 for c in r.results if not c.ok)
    if problems:
        out.echo(t("problems", out.lang, p=len(problems), f=bad), err=True)
    else:
        out.echo(t("drill.valid", out.lang, n=len(r.results)), err=True)


def history_text(out: Out, r: DrillHistory) -> None:
    from incidentctl.render.table import table

    lang = out.lang
    if not r.drills:
        out.echo(t("drill.no_history", lang))
        return
    rows = [
        [
            d.id,
            fmt(d.opened_at, out.zone, seconds=False),
            d.runbook,
            d.scenario,
            clean(", ".join(d.players)),
            f"{d.score:g}",
            t("drill.ended_yes" if d.ended else "drill.ended_no", lang),
        ]
        for d in r.drills
    ]
    out.echo(table(t("drill.history_cols", lang).split("|"), rows))
    out.echo()
    for runbook in sorted({d.runbook for d in r.drills}):
        mine = [d for d in r.drills if d.runbook == runbook]
        trend = " → ".join(f"{d.score:g}" for d in mine)
        last = fmt(mine[-1].opened_at, out.zone, seconds=False)
        out.echo(t("drill.history_line", lang, runbook=runbook, last=last, trend=trend))


def due_text(out: Out, r: DrillsDue) -> None:
    from incidentctl.render.table import table

    lang = out.lang
    due = r.due
    if not due:
        return  # silent when all is well, as check is
    rows = [
        [
            row.runbook,
            fmt(row.last.opened_at, out.zone, seconds=False)
            if row.last
            else t("drill.never", lang),
            human(row.every, lang),
            fmt(row.due_at, out.zone, seconds=False) if row.due_at else "—",
        ]
        for row in due
    ]
    out.echo(table(t("drill.due_cols", lang).split("|"), rows))


def _signed(seconds: float, lang: str) -> str:
    return ("-" if seconds < 0 else "") + human(abs(seconds), lang)


def simulation_text(out: Out, r: Simulation) -> None:
    from incidentctl.render.table import table

    lang = out.lang
    from incidentctl.drills.simulate import ANYONE

    def who(role: str) -> str:
        return t("sim.anyone", lang) if role == ANYONE else role

    staff = ", ".join(f"{who(role)}={n}" for role, n in r.staff.items())
    out.echo(t("sim.head", lang, runbook=r.runbook, tier=r.tier, runs=r.runs, seed=r.seed))
    out.echo(t("sim.staff", lang, staff=staff))
    rows = [
        [
            d.step,
            d.role,
            human(d.due, lang),
            f"{d.p_met * 100:.1f}%",
            _signed(d.median_slack, lang),
            t("sim.unlikely", lang) if d.p_met < 0.5 else "",
        ]
        for d in sorted(r.deadlines, key=lambda d: (d.p_met, d.step))
    ]
    out.echo(table(t("sim.cols", lang).split("|"), rows))
    out.echo(t("sim.compliance", lang, p=f"{r.compliance * 100:.1f}%"))
    out.echo(
        t(
            "sim.critical",
            lang,
            path=" → ".join(r.critical_path) or "—",
            share=f"{r.critical_share * 100:.0f}%",
            span=human(r.makespan_median, lang),
        )
    )
    if r.advice:
        best = r.advice[0]
        out.echo(
            t(
                "sim.advice_team" if best.role == ANYONE else "sim.advice",
                lang,
                role=who(best.role),
                n=best.staff,
                p=f"{best.compliance * 100:.1f}%",
            )
        )
    if r.no_effort:
        out.echo(t("sim.no_effort", lang, steps=", ".join(r.no_effort)), err=True)


# --- JSON -------------------------------------------------------------------------------
def _drill(view: View) -> dict[str, Any]:
    s = view.state
    clock = dict((s.drill or {}).get("clock", {}))
    return {
        "incident": s.id,
        "title": s.title,
        "runbook": s.runbook_id,
        "severity": s.severity,
        "status": s.status,
        "drill_time": iso(view.now()),
        "speed": float(clock.get("speed", 1)),
        "paused": bool(clock.get("paused")),
        "ended": s.drill_ended_at is not None,
    }


def injects_json(events: list[Event]) -> list[dict[str, Any]]:
    return [e.as_dict() for e in events if e.type == ev.DRILL_INJECT]


def score_json(r: DrillScore) -> dict[str, Any]:
    return {
        "incident": r.incident,
        "scenario": r.scenario,
        "runbook": r.runbook,
        "as_of": iso(r.now),
        "ended": r.ended,
        "score": r.score,
        "expectations": [
            {
                "id": m.id,
                "what": m.what,
                "verdict": m.verdict,
                "credit": m.credit,
                "weight": m.weight,
                "limit_seconds": m.limit,
                "elapsed_seconds": m.elapsed,
                "phase": m.phase,
                "role": m.role,
            }
            for m in r.marks
        ],
        "deadlines_by_tier": [t._asdict() for t in r.tiers],
        "key_times": r.times._asdict(),
        "weakest_phase": r.weakest_phase,
        "weakest_role": r.weakest_role,
        "previous": [p._asdict() for p in r.previous],
    }


def started_json(r: DrillStarted) -> dict[str, Any]:
    return {
        **_drill(r.view),
        "scenario": r.scenario.id,
        "injects": injects_json(r.injects),
        "score": score_json(r.score) if r.score else None,
    }


def clock_json(r: DrillClock) -> dict[str, Any]:
    return {
        **_drill(r.view),
        "action": r.action,
        "score": score_json(r.score) if r.score else None,
    }


def history_json(r: DrillHistory) -> dict[str, Any]:
    return {
        "drills": [
            {
                "id": d.id,
                "scenario": d.scenario,
                "runbook": d.runbook,
                "opened_at": iso(d.opened_at),
                "ended": d.ended,
                "players": d.players,
                "score": d.score,
            }
            for d in r.drills
        ]
    }


def due_json(r: DrillsDue) -> dict[str, Any]:
    due = {row.runbook for row in r.due}
    return {
        "as_of": iso(r.now),
        "status": "due" if due else "ok",
        "runbooks": [
            {
                "runbook": row.runbook,
                "last_drill": row.last.id if row.last else None,
                "last_drilled_at": iso(row.last.opened_at) if row.last else None,
                "every_seconds": row.every,
                "due_at": iso(row.due_at) if row.due_at else None,
                "due": row.runbook in due,
            }
            for row in r.rows
        ],
    }


def simulation_json(r: Simulation) -> dict[str, Any]:
    return {
        "runbook": r.runbook,
        "severity": r.tier,
        "runs": r.runs,
        "seed": r.seed,
        "staff": r.staff,
        "deadlines": [
            {
                "step": d.step,
                "role": d.role,
                "due_seconds": d.due,
                "p_met": round(d.p_met, 6),
                "median_slack_seconds": d.median_slack,
            }
            for d in r.deadlines
        ],
        "compliance": round(r.compliance, 6),
        "critical_path": r.critical_path,
        "critical_share": round(r.critical_share, 6),
        "median_makespan_seconds": r.makespan_median,
        "advice": [
            {"role": a.role, "staff": a.staff, "compliance": round(a.compliance, 6)}
            for a in r.advice
        ],
        "no_effort": r.no_effort,
    }
