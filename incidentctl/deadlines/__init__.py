"""Deadlines: the engine (:mod:`~.engine`), monitoring across incidents and paging
(:mod:`~.monitor`, :mod:`~.notify`), business days (:mod:`~.calendar`); and here, what
``show`` presents, an incident with its deadlines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from incidentctl.deadlines.engine import Deadline
    from incidentctl.incidents.service import View


class IncidentPage:
    """One incident and its deadlines, as ``show`` presents it at the incident's ``now``
    (a plain slotted class, like the results in :mod:`incidentctl.incidents`)."""

    __slots__ = ("deadlines", "now", "view")

    def __init__(self, view: View, deadlines: list[Deadline], now: datetime) -> None:
        self.view = view
        self.deadlines = deadlines
        self.now = now
