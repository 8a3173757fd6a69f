"""Which runbooks were drilled, when, by whom and how well; and which are due a drill.

Read from the store alone: every drill's log says its scenario and runbook, who
played, and its score follows from it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from incidentctl.incidents.events import DRILL_PREFIX

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from incidentctl.deadlines.engine import CalendarSource, Policy
    from incidentctl.incidents.service import Incidents

#: ``drill due``'s exit code when a runbook is due a drill (as ``check``'s for overdue).
EXIT_DUE = 5


class Drilled(NamedTuple):
    """One drill as history remembers it."""

    id: str
    scenario: str
    runbook: str
    opened_at: datetime
    ended: bool
    players: list[str]
    score: float


class DrillHistory(NamedTuple):
    drills: list[Drilled]  # oldest first

    def last_of(self, runbook: str) -> Drilled | None:
        mine = [d for d in self.drills if d.runbook == runbook]
        return mine[-1] if mine else None


class DueRow(NamedTuple):
    runbook: str
    last: Drilled | None
    every: int  # seconds
    due_at: datetime | None  # None: never drilled


class DrillsDue(NamedTuple):
    now: datetime
    rows: list[DueRow]  # every runbook, the due ones flagged by ``due``

    @property
    def due(self) -> list[DueRow]:
        return [r for r in self.rows if r.due_at is None or r.due_at <= self.now]

    @property
    def exit_code(self) -> int:
        return EXIT_DUE if self.due else 0


def history(
    svc: Incidents,
    *,
    runbook: str | None = None,
    calendar: CalendarSource | None = None,
    policy: Policy | None = None,
) -> DrillHistory:
    """Every drill in the store (of ``runbook``, if given), oldest first."""
    from incidentctl.drills.play import scenario_of
    from incidentctl.drills.score import score_of
    from incidentctl.errors import InvalidAction

    out = []
    for incident_id in svc.store.match_ids(DRILL_PREFIX):
        view = svc.view(incident_id)
        state = view.state
        if runbook is not None and state.runbook_id != runbook:
            continue
        try:
            scenario = scenario_of(state)
        except InvalidAction:
            continue
        players = sorted({state.opened_by, *state.roles.values()})
        got = score_of(view, scenario, calendar=calendar, policy=policy)
        out.append(
            Drilled(
                state.id,
                scenario.id,
                state.runbook_id,
                state.opened_at,
                state.drill_ended_at is not None,
                players,
                got.score,
            )
        )
    return DrillHistory(sorted(out, key=lambda d: (d.opened_at, d.id)))


def due(
    past: DrillHistory,
    runbooks: list[str],
    now: datetime,
    every: int,
    by_runbook: Mapping[str, int],
) -> DrillsDue:
    """Each runbook with when it is next due a drill: ``every`` seconds (or its own
    interval) after its last drill began; a runbook never drilled is due now."""
    rows = []
    for rb in sorted(runbooks):
        interval = by_runbook.get(rb, every)
        last = past.last_of(rb)
        due_at = None if last is None else last.opened_at + timedelta(seconds=interval)
        rows.append(DueRow(rb, last, interval, due_at))
    return DrillsDue(now, rows)
