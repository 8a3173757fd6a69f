"""What a walk is asked to do, said whole: everything an action needs, given at once.

A terminal walk learns what the lead means one question at a time; a line of a
walk's input without a terminal says it all at once (see
:mod:`incidentctl.walk.lines`).  Either way the walk records the same changes
through the same service.  An intent is only data: whether it may be recorded
is decided when it is (:meth:`incidentctl.walk.controller.Walk.perform`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True)
class Done:
    """Mark ``step`` done, recording ``evidence`` (evidence id -> value)."""

    step: str
    evidence: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    """Skip ``step``, saying why."""

    step: str
    reason: str


@dataclass(frozen=True)
class NotApplicable:
    """Mark ``step`` not applicable, saying why."""

    step: str
    reason: str


@dataclass(frozen=True)
class Note:
    """Add a note to the log."""

    text: str


@dataclass(frozen=True)
class Assign:
    """``name`` holds ``role`` (a role id of the runbook)."""

    role: str
    name: str


@dataclass(frozen=True)
class Severity:
    """Move the incident to ``tier`` (a tier id of the runbook), saying why."""

    tier: str
    reason: str


@dataclass(frozen=True)
class Mitigate:
    """The damage has stopped: mark the incident mitigated."""


@dataclass(frozen=True)
class Resolve:
    """Resolve the incident, with a summary or none."""

    summary: str | None = None


@dataclass(frozen=True)
class Send:
    """Record ``template`` as sent, filled with the incident's live facts and ``values``.

    ``channel``: where it goes (``None``: the template's first channel).  ``eta``: a
    time to commit to first, as ``incidentctl set INC eta`` records it, so the
    message promises it.
    """

    template: str
    channel: str | None = None
    eta: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Jump:
    """Show ``step`` next, whatever the agenda says."""

    step: str


@dataclass(frozen=True)
class Back:
    """Show the step before the one on screen, as the checklist numbers them."""


@dataclass(frozen=True)
class Checklist:
    """Show the whole checklist, numbered."""


@dataclass(frozen=True)
class Quit:
    """Stop walking; the log already holds everything recorded."""


Intent = (
    Done
    | Skip
    | NotApplicable
    | Note
    | Assign
    | Severity
    | Mitigate
    | Resolve
    | Send
    | Jump
    | Back
    | Checklist
    | Quit
)

#: The intents that record something; the others only move the walk.
RECORDING = (Done, Skip, NotApplicable, Note, Assign, Severity, Mitigate, Resolve, Send)
