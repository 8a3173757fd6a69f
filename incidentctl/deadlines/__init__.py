"""Deadlines: the engine (:mod:`~.engine`), monitoring across incidents and paging
(:mod:`~.monitor`, :mod:`~.notify`), business days (:mod:`~.calendar`); and here, what
``show`` presents, an incident with its deadlines, and what a deadline is for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from incidentctl.deadlines.engine import Deadline
    from incidentctl.incidents.service import View
    from incidentctl.runbooks.model import Runbook


class IncidentPage:
    """One incident and its deadlines, as ``show`` presents it at the incident's ``now``
    (a plain slotted class, like the results in :mod:`incidentctl.incidents`)."""

    __slots__ = ("deadlines", "now", "view")

    def __init__(self, view: View, deadlines: list[Deadline], now: datetime) -> None:
        self.view = view
        self.deadlines = deadlines
        self.now = now


def deadline_title(rb: Runbook, d: Deadline, now: datetime, zone: tzinfo, lang: str) -> str:
    """What a deadline is for, in ``lang``: its step's title, or for a promise (an ETA
    committed with ``set INC eta``) ``promised customers 10:00``."""
    from incidentctl.deadlines.engine import PROMISE

    if d.step == PROMISE and d.due is not None:
        from incidentctl.i18n import t
        from incidentctl.times import short_time

        return t("deadline.promise", lang, at=short_time(d.due, now, zone))
    step = rb.step(d.step)
    return step.title.get(lang) if step else d.step
