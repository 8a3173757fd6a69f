"""Deadlines: the engine (:mod:`~.engine`), monitoring across incidents and paging
(:mod:`~.monitor`, :mod:`~.notify`), business days (:mod:`~.calendar`); and here, what
``show`` presents, an incident with its deadlines, and what a deadline is for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime, tzinfo

    from incidentctl.deadlines.engine import Deadline
    from incidentctl.incidents.audit import AuditProblem
    from incidentctl.incidents.service import View
    from incidentctl.runbooks.model import Runbook


class IncidentPage:
    """One incident and its deadlines, as ``show`` presents it at the incident's ``now``
    (a plain slotted class, like the results in :mod:`incidentctl.incidents`), with what
    is wrong with its log (``problems``: a log that does not verify is still shown, with a
    warning and exit code 1)."""

    __slots__ = ("deadlines", "now", "problems", "view")

    def __init__(
        self,
        view: View,
        deadlines: list[Deadline],
        now: datetime,
        problems: Sequence[AuditProblem] = (),
    ) -> None:
        self.view = view
        self.deadlines = deadlines
        self.now = now
        self.problems = problems

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


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
