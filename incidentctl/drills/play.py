"""A drill's life: opened on its own clock, injects delivered when their drill time
comes, paused, resumed and ended.

The drill's clock is in its log: the opening's ``drill.clock`` (``real_origin``,
``sim_origin``, ``speed``), then each ``drill.clock`` event (pause, resume, end)
replaces it.  Every command reads an incident's "now" through
:meth:`~incidentctl.incidents.service.Incidents.clock_for`, so every player in every
terminal sees the same drill time.  Injects are recorded by whoever reads the drill
after their time has come (the lead's ``drill run``, a player's ``walk`` or
``watch``): each is recorded once, however many deliver it at once, because every
change is decided on the log's head.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.errors import InvalidAction, InvalidInput
from incidentctl.i18n import msg
from incidentctl.incidents import events as ev
from incidentctl.incidents import state as st
from incidentctl.times import iso

if TYPE_CHECKING:
    from datetime import datetime

    from incidentctl.drills.scenario import Inject, Scenario
    from incidentctl.incidents.service import Incidents, View, When
    from incidentctl.records import Draft, Event
    from incidentctl.runbooks.model import Runbook

PAUSE = "pause"
RESUME = "resume"
END = "end"


def start(
    svc: Incidents,
    scenario: Scenario,
    runbook: Runbook,
    *,
    speed: float,
    players: dict[str, str] | None = None,
    lang: str = "en",
    auto: bool = False,
    seed: int | None = None,
) -> View:
    """Open the drill incident of ``scenario`` on its own clock, running ``speed`` times
    as fast as the process's, from now."""
    if runbook.id != scenario.runbook:
        raise InvalidAction(msg("err.drill.runbook", runbook=runbook.id, wants=scenario.runbook))
    for role, name in (players or {}).items():  # refused before anything is opened
        runbook.check_role(role)
        if not name.strip():
            raise InvalidInput(msg("err.name.empty"))
    now = iso(svc.clock.now())
    drill: dict[str, Any] = {
        "scenario": scenario.doc,
        "clock": {"real_origin": now, "sim_origin": now, "speed": speed},
    }
    if auto:
        drill["auto"] = {"seed": seed}
    players = dict(players or {})
    view = svc.open(
        runbook,
        severity=scenario.severity,
        title=scenario.title.get(lang) or scenario.title["en"],
        commander=players.pop("commander", None),
        drill=drill,
    )
    for role, name in players.items():
        svc.assign(view.state.id, role, name)
    return svc.view(view.state.id) if players else view


def scenario_of(state: st.IncidentState) -> Scenario:
    """The scenario a drill runs (pinned in its log at opening)."""
    from incidentctl.drills.scenario import from_document

    if not state.drill or not isinstance(state.drill.get("scenario"), dict):
        raise InvalidAction(msg("err.drill.not_drill", id=state.id))
    return from_document(state.drill["scenario"])


def drill_view(svc: Incidents, ref: str) -> View:
    view = svc.view(ref)
    scenario_of(view.state)
    return view


class Due(NamedTuple):
    inject: Inject
    at: datetime


def schedule(scenario: Scenario, state: st.IncidentState) -> list[Due]:
    """The injects whose time is known, each with the drill time it is due: at an offset
    from the start, or after an inject delivered or a step done, skipped or n/a."""
    known: dict[str, datetime] = {}
    for inject_id, event in state.injects.items():
        known[inject_id] = event.occurred
    out: list[Due] = []
    pending = list(scenario.injects)
    progress = True
    while pending and progress:
        progress = False
        for inject in list(pending):
            at = _due(inject, state, known)
            if at is None:
                continue
            pending.remove(inject)
            progress = True
            known.setdefault(inject.id, at)
            out.append(Due(inject, at))
    return sorted(out, key=lambda d: (d.at, d.inject.id))


def _due(inject: Inject, state: st.IncidentState, known: dict[str, datetime]) -> datetime | None:
    if inject.at is not None:
        return state.opened_at + timedelta(seconds=inject.at)
    assert inject.after is not None
    base = known.get(inject.after)
    if base is None:
        step = state.steps.get(inject.after)
        if step is not None and step.status in (st.DONE, st.SKIPPED, st.NA):
            base = step.finished_at
    return None if base is None else base + timedelta(seconds=inject.delay)


def due_now(scenario: Scenario, state: st.IncidentState, now: datetime) -> list[Due]:
    """The injects due by ``now`` and not yet delivered."""
    if state.drill_ended_at is not None:
        return []
    return [
        d for d in schedule(scenario, state) if d.at <= now and d.inject.id not in state.injects
    ]


def next_due(scenario: Scenario, state: st.IncidentState) -> datetime | None:
    """When the next inject not yet delivered is due (as far as is known now)."""
    times = [d.at for d in schedule(scenario, state) if d.inject.id not in state.injects]
    return min(times, default=None)


def deliver(svc: Incidents, ref: str) -> list[Event]:
    """Record every inject whose drill time has come, each at the drill time it was due
    (an inject's tier change and scope with it); what was recorded, in order.  Nothing on
    an incident that is not a drill."""
    view = svc.view(ref)
    if not view.state.drill or "scenario" not in view.state.drill:
        return []
    scenario = scenario_of(view.state)
    recorded: list[Event] = []
    while True:
        state = svc.view(ref).state
        due = due_now(scenario, state, svc.clock_for(state).now())
        if not due:
            return recorded
        first = due[0]

        def rule(
            state: st.IncidentState, rb: Runbook, when: When, first: Due = first
        ) -> list[Draft]:
            if first.inject.id in state.injects:
                return []
            return inject_drafts(svc, first, state, when)

        recorded.extend(svc.record(ref, rule))  # nothing, if another player delivered it


def inject_drafts(svc: Incidents, due: Due, state: st.IncidentState, when: When) -> list[Draft]:
    """The events that record ``due`` arriving: the inject itself, then what it changes."""
    from incidentctl.incidents.service import When as W

    inject = due.inject
    at = max(due.at, state.opened_at)
    moment = W(at, when.recorded, False)
    payload: dict[str, Any] = {
        "inject": inject.id,
        "due_at": iso(due.at),
        "text": dict(inject.message),
    }
    if inject.source:
        payload["source"] = inject.source
    if inject.facts:
        payload["facts"] = dict(inject.facts)
    drafts = [svc.draft(ev.DRILL_INJECT, payload, moment)]
    if inject.scope:
        drafts.append(svc.draft(ev.UPDATED, {"field": "scope", "value": inject.scope}, moment))
    tier = inject.severity
    if tier and tier != state.tier_at(at) and state.status != st.CLOSED:
        reason = f"drill inject {inject.id}"
        drafts.append(
            svc.draft(ev.SEVERITY, {"from": state.severity, "to": tier, "reason": reason}, moment)
        )
    return drafts


def set_clock(svc: Incidents, ref: str, action: str) -> View:
    """Pause, resume or end a drill's clock: drill time stands still from a pause until
    the resume, and for good from the end."""
    view = drill_view(svc, ref)
    real = iso(svc.clock.now())

    def rule(state: st.IncidentState, rb: Runbook, when: When) -> list[Draft]:
        drill = state.drill or {}
        clock = dict(drill.get("clock") or {})
        if state.drill_ended_at is not None:
            raise InvalidAction(msg("err.drill.ended", id=state.id))
        paused = bool(clock.get("paused"))
        if action == PAUSE and paused:
            raise InvalidAction(msg("err.drill.paused", id=state.id))
        if action == RESUME and not paused:
            raise InvalidAction(msg("err.drill.running", id=state.id))
        new = {
            "real_origin": real,
            "sim_origin": when.occurred_at,
            "speed": clock.get("speed", 1),
        }
        if action in (PAUSE, END):
            new["paused"] = True
        return [svc.draft(ev.DRILL_CLOCK, {"action": action, "clock": new}, when)]

    if action != PAUSE:
        deliver(svc, view.state.id)
    svc.record(view.state.id, rule)
    return svc.view(view.state.id)


def is_drill_of(state: st.IncidentState, scenario_id: str) -> Scenario | None:
    """The scenario of a drill of ``scenario_id``, or ``None`` for any other incident."""
    doc = (state.drill or {}).get("scenario")
    if not isinstance(doc, dict) or doc.get("id") != scenario_id:
        return None
    return scenario_of(state)
