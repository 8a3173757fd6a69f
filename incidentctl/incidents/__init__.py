"""Incidents: the fold of a log into a state (:mod:`~.state`), the lifecycle rules and the
append protocol (:mod:`~.service`), the audit (:mod:`~.audit`); and here, what the
incident commands produce.

A command hands one of these results to a reporter (:mod:`incidentctl.render`), which
renders it as text for a person or as JSON for a program.  They are plain slotted classes
rather than NamedTuples, and live in this package's face rather than in a module of their
own: every command builds one, and both a NamedTuple class and a module cost start-up
time; ``list`` in particular reads only summary rows and loads nothing else of incidents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from incidentctl.incidents.audit import AuditProblem
    from incidentctl.incidents.service import View
    from incidentctl.incidents.state import ActionItem
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook
    from incidentctl.store.base import IncidentRow, Store


def listed(
    store: Store,
    *,
    statuses: Sequence[str] | None,
    runbook_id: str | None = None,
    severity: str | None = None,
    limit: int = 0,
    window: tuple[datetime | None, datetime] | None = None,
    end_included: bool = False,
    drills: bool = False,
) -> list[IncidentRow]:
    """The summary rows ``list`` shows, newest first: of these statuses, runbook and tier,
    opened in ``window`` (see :func:`incidentctl.times.window`), drills only if
    ``drills``, at most ``limit`` (0: all)."""
    from incidentctl.incidents.events import is_drill_id

    asked = None if window else limit or None
    while True:
        rows = store.incidents(
            statuses=statuses, runbook_id=runbook_id, severity=severity, limit=asked
        )
        if window:
            # the window is kept here, not in the store: rows are few and small, and the
            # store's interface stays as every backend implements it
            from incidentctl.times import opened_within

            start, end = window
            rows = [
                r for r in rows if opened_within(r.opened_at, start, end, end_included=end_included)
            ]
        real = rows if drills else [r for r in rows if not is_drill_id(r.id)]
        if asked is None or len(rows) < asked or len(real) >= limit:
            return real[:limit] if limit else real
        asked *= 2  # drills took places in the page: ask for more


class Opened:
    """A new incident."""

    __slots__ = ("view",)

    def __init__(self, view: View) -> None:
        self.view = view


class Recorded:
    """One event just recorded, with the runbook that says what it means."""

    __slots__ = ("event", "runbook")

    def __init__(self, event: Event, runbook: Runbook) -> None:
        self.event = event
        self.runbook = runbook


class IncidentListing:
    """Incidents from the store's summary rows; ``store`` is False when there is no store
    yet (its ``location`` is then said instead)."""

    __slots__ = ("location", "now", "rows", "store")

    def __init__(
        self, rows: list[IncidentRow], now: datetime, location: str, *, store: bool = True
    ) -> None:
        self.rows = rows
        self.now = now
        self.location = location
        self.store = store


class Timeline:
    """Every event of an incident, in the order it happened, with what is wrong with its
    log (``problems``: a log that does not verify is still shown, with a warning and exit
    code 1)."""

    __slots__ = ("now", "problems", "view")

    def __init__(self, view: View, now: datetime, problems: Sequence[AuditProblem] = ()) -> None:
        self.view = view
        self.now = now
        self.problems = problems

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


class ActionListing:
    """Action items across incidents (``actions``): each with its incident's id and title,
    and whether it is overdue at ``now``."""

    __slots__ = ("items", "now")

    def __init__(self, items: list[tuple[str, str, ActionItem]], now: datetime) -> None:
        self.items = items
        self.now = now

    def overdue(self, item: ActionItem) -> bool:
        return item.overdue(self.now)


class Anchored:
    """An anchor just appended to an anchor file (``audit anchor``)."""

    __slots__ = ("file", "record")

    def __init__(self, record: dict[str, Any], file: str) -> None:
        self.record = record
        self.file = file
