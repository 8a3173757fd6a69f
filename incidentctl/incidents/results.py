"""What the incident commands produce, before anyone decides how to show it.

A command computes one of these and hands it to a reporter
(:mod:`incidentctl.render.reporters`), which renders it as text for a
person or as JSON for a program.  They are plain slotted classes rather
than NamedTuples: every command builds one, and a NamedTuple class costs
start-up time to create that these small holders do not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from incidentctl.incidents.service import View
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook
    from incidentctl.store.base import IncidentRow


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
    """Every event of an incident, in the order it happened."""

    __slots__ = ("now", "view")

    def __init__(self, view: View, now: datetime) -> None:
        self.view = view
        self.now = now
