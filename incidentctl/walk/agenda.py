"""What to act on next: the order a walk takes through the checklist."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from incidentctl.deadlines import engine as dl
from incidentctl.incidents import state as st

if TYPE_CHECKING:
    from incidentctl.deadlines.engine import Deadline
    from incidentctl.incidents.service import View


class Agenda(NamedTuple):
    steps: list[str]  # open one-off steps: overdue first (soonest due first), then runbook order
    reminders: list[Deadline]  # open occurrences of recurring steps, most urgent first

    @property
    def finished(self) -> bool:
        """Every applicable one-off step is done, skipped or n/a."""
        return not self.steps


def agenda(view: View, deadlines: list[Deadline]) -> Agenda:
    s, rb = view.state, view.runbook
    due = {d.step: d for d in deadlines if d.occurrence is None}
    open_steps = [
        step
        for step in rb.steps
        if not step.recurring
        and step.applies_to(s.severity)
        and s.steps[step.id].status not in st.FINISHED
    ]
    overdue = sorted(
        (x for x in open_steps if x.id in due and due[x.id].state == dl.OVERDUE),
        key=lambda x: (due[x.id].due, x.position),
    )
    rest = [x for x in open_steps if x not in overdue]
    reminders = dl.by_urgency(
        [d for d in deadlines if d.occurrence is not None and d.state in dl.OPEN_STATES]
    )
    return Agenda([x.id for x in [*overdue, *rest]], reminders)


def waits_on_resolution(view: View, step_id: str) -> bool:
    """Whether the step's deadline counts from the incident's resolution (the review)."""
    step = view.runbook.step(step_id)
    return step is not None and step.due is not None and step.due.anchor == "resolved"
