"""What the drill commands hand their reporters."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from incidentctl.drills.scenario import CheckedScenario, Scenario
    from incidentctl.drills.score import DrillScore
    from incidentctl.incidents.service import View
    from incidentctl.records import Event


class DrillStarted(NamedTuple):
    """A drill opened (and, with ``--auto``, played to its end and scored)."""

    view: View
    scenario: Scenario
    score: DrillScore | None
    injects: list[Event]
    following: bool = False  # the command stays on to show injects as they arrive


class InjectsArrived(NamedTuple):
    view: View
    events: list[Event]


class DrillClock(NamedTuple):
    """A drill paused, resumed or ended (with its score)."""

    view: View
    action: str
    score: DrillScore | None


class ScenarioValidation(NamedTuple):
    results: list[CheckedScenario]

    @property
    def valid(self) -> bool:
        return bool(self.results) and all(c.ok for c in self.results)

    @property
    def exit_code(self) -> int:
        return 0 if self.valid else 1
