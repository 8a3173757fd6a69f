"""What the incident commands produce, before anyone decides how to show it.

A command computes one of these and hands it to a reporter
(:mod:`incidentctl.render.reporters`), which renders it as text for a
person or as JSON for a program.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from datetime import datetime

    from incidentctl.deadlines.engine import Deadline
    from incidentctl.incidents.service import View
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook
    from incidentctl.store.base import IncidentRow


class Opened(NamedTuple):
    """A new incident."""

    view: View


class Recorded(NamedTuple):
    """One event just recorded, with the runbook that says what it means."""

    event: Event
    runbook: Runbook


class IncidentListing(NamedTuple):
    """Incidents from the store's summary rows; ``store`` is ``None`` when there is no
    store yet (its ``location`` is then said instead)."""

    rows: list[IncidentRow]
    now: datetime
    location: str
    store: bool = True


class IncidentPage(NamedTuple):
    """One incident as ``show`` presents it, at the incident's ``now``."""

    view: View
    deadlines: list[Deadline]
    now: datetime


class Timeline(NamedTuple):
    """Every event of an incident, in the order it happened."""

    view: View
    now: datetime
