"""``drill run --auto``: the scenario's scripted responders play the drill as a
discrete-event simulation on a manual clock.

No waiting: the clock jumps from one event to the next (a responder finishing a step,
an inject arriving).  Each responder plays one role, takes the first step of its role
that can be acted on (its anchor step finished, in runbook order), and needs a time
drawn from its ``react`` range (triangular, mode at the midpoint) for it; with its
``skip`` probability it leaves the step skipped.  Every action goes through the walk
controller, as a player's would.  The same seed gives the same log, event for event.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from incidentctl.errors import IncidentctlError
from incidentctl.incidents import state as st
from incidentctl.walk import intents as it

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from incidentctl.clock import ManualClock
    from incidentctl.deadlines.engine import CalendarSource, Policy
    from incidentctl.drills.scenario import Scenario
    from incidentctl.incidents.service import Incidents, View
    from incidentctl.runbooks.model import Step

#: The longest an unattended drill runs, in drill time, when its scenario sets no duration.
LONGEST = 7 * 24 * 3600
#: A bound on the simulation's rounds, well beyond any runbook's steps and injects.
MAX_ROUNDS = 100_000
#: The reason a scripted responder gives for a step it leaves undone.
SKIP_REASON = "scripted responder: left undone"


def play(
    svc: Incidents,
    clock: ManualClock,
    incident: str,
    scenario: Scenario,
    *,
    seed: int,
    lang: str,
    org: Mapping[str, str] | None = None,
    calendar: CalendarSource | None = None,
    policy: Policy | None = None,
) -> View:
    """Play the drill ``incident`` to its end; its view at the end.  ``org`` is the
    organisation's facts messages are filled with (a stand-in name and hotline where the
    config gives none, so a drill never stops on them)."""
    from incidentctl.drills import play as dp
    from incidentctl.i18n import t
    from incidentctl.incidents.service import Incidents
    from incidentctl.walk.controller import Walk

    rng = random.Random(seed)
    facts = {"name": t("drill.org_name", lang), "hotline": "400-000-0000", **(org or {})}
    walks: dict[str, Walk] = {}

    def walk_of(role: str) -> Walk:
        """The walk of the responder playing ``role``, recording under its name."""
        if role not in walks:
            name = scenario.responder(role).name or t("drill.scripted", lang, role=role)
            player = Incidents(svc.store, clock, actor=name, zone=svc.zone, max_text=svc.max_text)
            walks[role] = Walk(
                player,
                incident,
                lang=lang,
                calendar=calendar,
                policy=policy,
                org=facts,
                confirm_before=(),
                arrivals=dp.deliver,
            )
        return walks[role]

    start = clock.now()
    limit = start + timedelta(seconds=scenario.duration or LONGEST)
    busy: dict[str, tuple[datetime, str]] = {}  # role -> (finishes at, step)
    given_up: set[str] = set()  # steps the walk refused to record: never taken up again
    for _ in range(MAX_ROUNDS):
        dp.deliver(svc, incident)
        view = svc.view(incident)
        state = view.state
        now = clock.now()
        for role, (at, step_id) in sorted(busy.items(), key=lambda kv: (kv[1][0], kv[0])):
            if at <= now:
                del busy[role]
                if not _finish(walk_of(role), view, step_id, scenario, rng):
                    given_up.add(step_id)
        view = svc.view(incident)
        state = view.state
        working = {s for _, s in busy.values()} | given_up
        for step in _ready(view, working):
            if step.role in busy:
                continue
            if step.role not in state.roles:  # the responder arrives: it holds its role
                player = walk_of(step.role)
                player.perform(it.Assign(step.role, player.svc.actor)).through(lambda q: "")
                state = svc.view(incident).state
            low, high = scenario.responder(step.role).react
            took = rng.triangular(low, high, (low + high) / 2) if high > low else low
            busy[step.role] = (now + timedelta(seconds=round(took)), step.id)
        if not busy:
            lead = "commander" if "commander" in view.runbook.roles else min(view.runbook.roles)
            if _phase_move(walk_of(lead), view):
                continue
            upcoming = dp.next_due(scenario, state)
            if upcoming is None or upcoming > limit:
                break
            clock.set(max(upcoming, now))
            continue
        moments = [at for at, _ in busy.values()]
        upcoming = dp.next_due(scenario, state)
        if upcoming is not None:
            moments.append(upcoming)
        then = max(min(moments), now)
        if then > limit:
            break
        clock.set(then)
    if clock.now() > limit:
        clock.set(limit)
    return dp.set_clock(svc, incident, dp.END)


def _ready(view: View, working: set[str]) -> list[Step]:
    """The steps a responder can take up now, in runbook order: open, of the current
    tier, not recurring, and their anchor (a step, mitigation, resolution) reached."""
    state = view.state
    out = []
    for step in view.runbook.steps:
        s = state.steps[step.id]
        if step.id in working or s.status in (st.DONE, st.SKIPPED, st.NA):
            continue
        if not step.applies_to(state.severity) or step.per or (step.recurring and s.completions):
            continue
        if _anchored(step, state) is None:
            continue
        out.append(step)
    return out


def _anchored(step: Step, state: st.IncidentState) -> datetime | None:
    anchor = step.due.anchor if step.due else "opened"
    if anchor in ("opened", "discovered"):
        return state.opened_at
    if anchor == "mitigated":
        return state.mitigated_at
    if anchor == "resolved":
        return state.resolved_at
    other = state.steps.get(anchor)
    if other is None:
        return state.opened_at
    return other.finished_at if other.status in (st.DONE, st.SKIPPED, st.NA) else None


def _phase_move(walk: object, view: View) -> bool:
    """With nothing left to take up, mitigate, then resolve: what the steps anchored on
    those wait for.  Whether anything was recorded."""
    from incidentctl.walk.controller import Walk

    assert isinstance(walk, Walk)
    state = view.state
    waiting = [
        s
        for s in view.runbook.steps
        if s.applies_to(state.severity)
        and state.steps[s.id].status not in (st.DONE, st.SKIPPED, st.NA)
        and not s.per
    ]
    if state.status == st.OPEN and waiting:
        intent: it.Intent = it.Mitigate()
    elif state.status == st.MITIGATED and waiting:
        intent = it.Resolve(None)
    else:
        return False
    walk.screen()
    outcome = walk.perform(intent).through(lambda q: "")
    return bool(outcome.recorded)


def _finish(walk: object, view: View, step_id: str, scenario: Scenario, rng: random.Random) -> bool:
    """The responder finishes ``step_id``: done (and its messages sent), or skipped as
    its ``skip`` probability draws.  Whether the step is now settled."""
    from incidentctl.walk.controller import Walk

    assert isinstance(walk, Walk)
    step = view.runbook.step(step_id)
    if step is None or view.state.steps[step_id].status in (st.DONE, st.SKIPPED, st.NA):
        return True
    walk.screen()
    if rng.random() < scenario.responder(step.role).skip:
        return _skip(walk, step.id)
    evidence = {e.id: e.example("drill") for e in step.evidence}
    try:
        done = walk.perform(it.Done(step.id, evidence)).through(lambda q: "")
    except (IncidentctlError, ValueError):
        return _skip(walk, step.id)
    if not done.recorded:
        return _skip(walk, step.id)
    for template in step.templates:
        tpl = view.runbook.templates.get(template)
        if tpl is None:
            continue
        values = {i.id: i.example or "drill" for i in tpl.inputs}
        walk.screen()
        try:
            walk.perform(it.Send(template, eta="2h", values=values)).through(lambda q: "")
        except (IncidentctlError, ValueError):
            continue
    return True


def _skip(walk: object, step_id: str) -> bool:
    from incidentctl.walk.controller import Walk

    assert isinstance(walk, Walk)
    walk.screen()
    try:
        outcome = walk.perform(it.Skip(step_id, SKIP_REASON)).through(lambda q: "")
    except (IncidentctlError, ValueError):
        return False
    return bool(outcome.recorded)
