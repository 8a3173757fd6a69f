"""A drill's score, read from its log: each expectation met, late (partial credit
decaying to zero at ``late_credit_until`` times its limit) or missed, weighted; the
deadlines met and missed by tier; the key times; the weakest phase and role; and how
this drill compares with the team's previous drills of the same scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from incidentctl.deadlines import engine as dl
from incidentctl.incidents import events as ev
from incidentctl.incidents import state as st

if TYPE_CHECKING:
    from datetime import datetime

    from incidentctl.deadlines.engine import CalendarSource, Policy
    from incidentctl.drills.scenario import Expectation, Scenario
    from incidentctl.incidents.service import Incidents, View

MET = "met"
LATE = "late"
MISSED = "missed"
#: The inject an expectation counts from never arrived: it is not scored.
VOID = "void"


class Mark(NamedTuple):
    """How one expectation went."""

    id: str
    what: str  # the step or template it is about
    verdict: str
    credit: float  # 0..1
    weight: float
    limit: int  # seconds
    elapsed: float | None  # seconds from its anchor to when it was done, if it was
    phase: str | None
    role: str | None


class TierCount(NamedTuple):
    tier: str
    met: int
    missed: int


class KeyTimes(NamedTuple):
    """Seconds from the drill's start, or ``None`` if it never happened."""

    acknowledge: float | None
    assemble: float | None
    first_customer_notice: float | None
    mitigation: float | None


class Previous(NamedTuple):
    id: str
    score: float


class DrillScore(NamedTuple):
    """The score of one drill, as of ``now`` (its end, when it has ended)."""

    incident: str
    scenario: str
    runbook: str
    now: datetime
    ended: bool
    score: float  # 0..100
    marks: list[Mark]
    tiers: list[TierCount]
    times: KeyTimes
    weakest_phase: str | None
    weakest_role: str | None
    previous: list[Previous]


def credit(elapsed: float, limit: float, until: float) -> tuple[str, float]:
    """The verdict and credit of something done ``elapsed`` seconds after its anchor with
    ``limit`` seconds allowed: full at or before the limit, then falling linearly to zero
    at ``until`` times the limit."""
    if elapsed <= limit:
        return MET, 1.0
    end = limit * until
    if until <= 1 or elapsed >= end:
        return LATE, 0.0
    return LATE, round((end - elapsed) / (end - limit), 4)


def _done_at(e: Expectation, state: st.IncidentState) -> datetime | None:
    if e.step is not None:
        step = state.steps.get(e.step)
        if step is None:
            return None
        if step.completions:
            if any(k not in step.evidence for k in e.evidence):
                return None
            return step.completions[0].at
        return None
    for c in state.comms:
        if c.payload.get("template") == e.template and (
            e.channel is None or c.payload.get("channel") == e.channel
        ):
            return c.occurred
    return None


def mark(e: Expectation, scenario: Scenario, view: View) -> Mark:
    state, runbook = view.state, view.runbook
    step = runbook.step(e.step) if e.step else None
    if step is None and e.template:
        step = next((s for s in runbook.steps if e.template in s.templates), None)
    phase, role = (step.phase, step.role) if step else (None, None)
    what = e.step or e.template or ""
    if e.start == "start":
        anchor: datetime | None = state.opened_at
    else:
        arrived = state.injects.get(e.start)
        anchor = arrived.occurred if arrived else None
    if anchor is None:
        return Mark(e.id, what, VOID, 0.0, e.weight, e.within, None, phase, role)
    done = _done_at(e, state)
    if done is None:
        return Mark(e.id, what, MISSED, 0.0, e.weight, e.within, None, phase, role)
    elapsed = (done - anchor).total_seconds()
    verdict, got = credit(elapsed, e.within, scenario.late_credit_until)
    return Mark(e.id, what, verdict, got, e.weight, e.within, elapsed, phase, role)


def score_of(
    view: View,
    scenario: Scenario,
    *,
    calendar: CalendarSource | None = None,
    policy: Policy | None = None,
    previous: list[Previous] | None = None,
) -> DrillScore:
    state = view.state
    now = view.now()
    marks = [mark(e, scenario, view) for e in scenario.expectations]
    scored = [m for m in marks if m.verdict != VOID]
    total = sum(m.weight for m in scored)
    value = round(100 * sum(m.weight * m.credit for m in scored) / total, 1) if total else 0.0
    tiers: dict[str, list[int]] = {}
    for d in dl.deadlines(view.runbook, state, now, calendar=calendar, policy=policy):
        if d.state in (dl.MET, dl.MISSED, dl.OVERDUE, dl.UNFINISHED):
            counts = tiers.setdefault(d.tier, [0, 0])
            counts[0 if d.state == dl.MET else 1] += 1
    return DrillScore(
        incident=state.id,
        scenario=scenario.id,
        runbook=state.runbook_id,
        now=now,
        ended=state.drill_ended_at is not None,
        score=value,
        marks=marks,
        tiers=[TierCount(t, m, x) for t, (m, x) in sorted(tiers.items())],
        times=key_times(view),
        weakest_phase=_weakest(scored, "phase"),
        weakest_role=_weakest(scored, "role"),
        previous=previous or [],
    )


def _weakest(marks: list[Mark], by: str) -> str | None:
    groups: dict[str, list[float]] = {}
    for m in marks:
        name = getattr(m, by)
        if name:
            groups.setdefault(name, [0.0, 0.0])
            groups[name][0] += m.weight * m.credit
            groups[name][1] += m.weight
    if not groups:
        return None
    rates = {k: got / total for k, (got, total) in groups.items() if total}
    worst = min(rates.values())
    if worst >= 1:
        return None
    return min(k for k, v in rates.items() if v == worst)


def key_times(view: View) -> KeyTimes:
    state = view.state
    start = state.opened_at

    def since(at: datetime | None) -> float | None:
        return None if at is None else max(0.0, (at - start).total_seconds())

    acts = [
        e.occurred
        for e in view.events[1:]
        if e.type in (*ev.STEP_EVENTS, ev.ACKED, ev.NOTE, ev.COMMS) and e.seq not in state.retracted
    ]
    needed = {s.role for s in view.runbook.steps if s.applies_to(state.severity)}
    assigned: dict[str, datetime] = {}
    for e in view.events:
        if e.type == ev.ASSIGNED and e.seq not in state.retracted:
            assigned.setdefault(e.payload["role"], e.occurred)
    if state.commander:
        assigned.setdefault("commander", start)
    assemble = max(assigned[r] for r in needed) if needed and needed <= assigned.keys() else None
    customer = [
        c.occurred
        for c in state.comms
        if (t := view.runbook.templates.get(c.payload.get("template", "")))
        and t.audience == "customer"
    ]
    return KeyTimes(
        since(min(acts, default=None)),
        since(assemble),
        since(min(customer, default=None)),
        since(state.mitigated_at),
    )


def previous_scores(
    svc: Incidents,
    scenario_id: str,
    before: str,
    *,
    calendar: CalendarSource | None = None,
    policy: Policy | None = None,
) -> list[Previous]:
    """Scores of the drills of this scenario in the store opened before ``before``, oldest
    first."""
    from incidentctl.drills.play import is_drill_of

    out = []
    for incident_id in svc.store.match_ids(ev.DRILL_PREFIX):
        if incident_id >= before:
            continue
        view = svc.view(incident_id)
        scenario = is_drill_of(view.state, scenario_id)
        if scenario is not None:
            got = score_of(view, scenario, calendar=calendar, policy=policy)
            out.append(Previous(incident_id, got.score))
    return sorted(out)
