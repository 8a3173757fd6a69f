"""The post-mortem: everything the review needs, computed from the log alone.

:func:`build` turns an incident's events, its pinned runbook and the state folded from
them into a :class:`PostMortem`: key times, time in each tier, every deadline with its
verdict (legal and regulatory ones flagged), messages and promises, the review's
sections, action items, the timeline, and the audit of the log.  Nothing here reads the
clock: deadlines are judged as the log stands at its last record, so the same log always
gives the same post-mortem.  Renderers (:mod:`incidentctl.render.postmortem`) turn it
into Markdown, JSON and HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.incidents import events as ev
from incidentctl.incidents import state as st

if TYPE_CHECKING:
    from datetime import datetime

    from incidentctl.deadlines.engine import CalendarSource, Deadline, Policy
    from incidentctl.incidents.audit import AuditProblem
    from incidentctl.incidents.state import Ack, ActionItem, IncidentState
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook

#: Kinds of reference whose deadlines are the law's, not the team's.
LEGAL_KINDS = ("law", "regulation")

# Verdicts of a deadline in a post-mortem.
MET = "met"
LATE = "late"  # done, after its due instant
NEVER_DONE = "never-done"  # its due instant passed and it was never done
SKIPPED = "skipped"
NA = "n/a"
OPEN = "open"  # not yet due as the log ends, or waiting on its anchor
VERDICTS = (MET, LATE, NEVER_DONE, SKIPPED, NA, OPEN)
MISSES = (LATE, NEVER_DONE)

#: Events that show someone responding to the incident (the first is "acknowledged").
RESPONSES = (
    *ev.STEP_EVENTS,
    ev.ASSIGNED,
    ev.NOTE,
    ev.SEVERITY,
    ev.COMMS,
    ev.MITIGATED,
    ev.RESOLVED,
)


class Verdict(NamedTuple):
    """One deadline as the post-mortem judges it."""

    deadline: Deadline
    verdict: str
    phase: str  # the step's phase id, or "promises"
    owner: str | None  # who held the step's role as the log ends
    reason: str | None  # why it was skipped or n/a
    legal: bool  # its source, or the duty it puts into practice, is a law or a regulation
    margin: float | None  # seconds done before the due instant (negative: late)


class TierSpan(NamedTuple):
    tier: str
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


class Page(NamedTuple):
    """One page the log records (``deadline.notified``): a due-soon or breach notice, an
    escalation, or an overdue action item; who it mentioned (by name), which channels took
    it, and the first acknowledgment that came after it."""

    event: Event
    ack: Ack | None

    @property
    def step(self) -> str | None:
        """The step whose deadline it is about, as ``ack STEP`` names it (``None`` for a
        promise or an action item: only an acknowledgment of the whole incident counts)."""
        key = str(self.event.payload.get("deadline") or "")
        if self.event.payload.get("kind") == "action":
            return None
        return key.partition("#")[0] or None


class TimelineEntry(NamedTuple):
    event: Event
    retracted_by: Event | None  # the retraction, if this event was retracted


class PostMortem:
    """The review of one incident, computed from its log (see the module's docstring)."""

    def __init__(
        self,
        *,
        events: list[Event],
        runbook: Runbook,
        state: IncidentState,
        as_of: datetime,
        verdicts: list[Verdict],
        problems: list[AuditProblem],
        head: Event,
        redactions: dict[str, int] | None,
        anchors: list[dict[str, Any]],
        drill_score: dict[str, Any] | None = None,
    ) -> None:
        self.events = events
        self.runbook = runbook
        self.state = state
        self.as_of = as_of
        self.verdicts = verdicts
        self.problems = problems
        self.head = head
        self.redactions = redactions
        self.anchors = anchors
        #: A drill's score (as ``drill score --json`` gives it), for a drill's post-mortem.
        self.drill_score = drill_score

    # --- key times -------------------------------------------------------------
    @property
    def discovered(self) -> datetime | None:
        from incidentctl.times import from_iso

        value = self.state.review.get("discovered")
        return from_iso(value) if isinstance(value, str) and value else None

    @property
    def acknowledged(self) -> datetime | None:
        """The first response recorded after the opening (a step, an assignment, a note,
        a message...), when it happened."""
        retracted = self.state.retracted
        times = [
            e.occurred for e in self.events[1:] if e.type in RESPONSES and e.seq not in retracted
        ]
        return min(times, default=None)

    def since_opened(self, instant: datetime | None) -> float | None:
        if instant is None:
            return None
        return (instant - self.state.opened_at).total_seconds()

    @property
    def end(self) -> datetime:
        """Where the incident's own time stops: closed, else resolved, else the log's end."""
        s = self.state
        return s.closed_at or s.resolved_at or self.as_of

    def tier_spans(self) -> list[TierSpan]:
        """How long the incident spent in each tier, in order, up to :attr:`end`."""
        s = self.state
        tier = s.severity_history[0].before if s.severity_history else s.severity
        start = s.opened_at
        out: list[TierSpan] = []
        for change in s.severity_history:
            at = max(min(change.at, self.end), start)
            out.append(TierSpan(tier, start, at))
            tier, start = change.after, at
        out.append(TierSpan(tier, start, max(self.end, start)))
        return out

    # --- deadlines ----------------------------------------------------------------
    @property
    def legal_misses(self) -> list[Verdict]:
        """Legal and regulatory deadlines missed: done late, or required and never done (an
        optional one never done did not apply, as the CII report to a non-CII operator)."""
        return [
            v
            for v in self.verdicts
            if v.legal and (v.verdict == LATE or (v.verdict == NEVER_DONE and v.deadline.required))
        ]

    def counts(self, phase: str | None = None) -> dict[str, int]:
        """How many deadlines got each verdict, in one phase or overall."""
        out = dict.fromkeys(VERDICTS, 0)
        for v in self.verdicts:
            if phase is None or v.phase == phase:
                out[v.verdict] += 1
        return out

    # --- messages, review, actions, timeline ------------------------------------------
    @property
    def messages(self) -> list[Event]:
        return list(self.state.comms)

    @property
    def promises(self) -> list[Verdict]:
        from incidentctl.deadlines.engine import PROMISE

        return [v for v in self.verdicts if v.deadline.step == PROMISE]

    @property
    def review(self) -> list[tuple[str, Any]]:
        """Each section of the review in order, with its value (``None``: still to do)."""
        return [(f, self.state.review.get(f)) for f in ev.REVIEW_FIELDS]

    @property
    def actions(self) -> list[ActionItem]:
        return sorted(self.state.actions.values(), key=lambda a: a.number)

    def pages(self) -> list[Page]:
        """Every page, escalation and overdue-action-item notice, in the order sent, each
        with the first acknowledgment (of its step, or of the whole incident) at or after
        it; an action item's page is answered by doing the item, not by ``ack``."""
        out = []
        for e in sorted(self.events, key=lambda e: (e.occurred, e.seq)):
            if e.type != ev.NOTIFIED:
                continue
            page = Page(e, None)
            if e.payload.get("kind") != "action":
                step = page.step
                ack = self.state.acknowledged(step if step in self.state.steps else "", e.occurred)
                page = page._replace(ack=ack)
            out.append(page)
        return out

    @property
    def acks(self) -> list[Ack]:
        """Every acknowledgment, in the order it happened."""
        return list(self.state.acks)

    def timeline(self) -> list[TimelineEntry]:
        """Every event, in the order it happened (then recorded), retracted ones with the
        retraction that struck them."""
        retractions = {e.payload["seq"]: e for e in self.events if e.type == ev.RETRACTED}
        ordered = sorted(self.events, key=lambda e: (e.occurred, e.seq))
        return [TimelineEntry(e, retractions.get(e.seq)) for e in ordered]


def judge(
    d: Deadline, state: IncidentState, runbook: Runbook, *, phase_of: dict[str, str]
) -> Verdict:
    """A deadline of the engine as the post-mortem's verdict."""
    from incidentctl.deadlines import engine as dl

    step = state.steps.get(d.step)
    reason = step.reason if step is not None else None
    if d.state == dl.MET:
        verdict = MET
    elif d.state == dl.MISSED:
        verdict = LATE if d.finished_at is not None else NEVER_DONE
    elif d.state == dl.OVERDUE:
        verdict = NEVER_DONE
    elif d.state == dl.SKIPPED:
        verdict = SKIPPED
    elif d.state == dl.NA:
        verdict = NA
    else:
        verdict = OPEN
    if verdict not in (SKIPPED, NA):
        reason = None
    # legal: the number comes from a law or regulation, or puts one's duty into practice
    # (a team's 4 h for PIPL art. 57's "immediately"): a miss is one an auditor must see
    legal = any(
        (ref := runbook.references.get(r)) is not None and ref.kind in LEGAL_KINDS
        for r in (d.source, d.basis)
        if r
    )
    owner = state.roles.get(d.role)
    margin = d.margin() if verdict in (MET, LATE) else None
    return Verdict(d, verdict, phase_of.get(d.step, "promises"), owner, reason, legal, margin)


def build(
    events: list[Event],
    runbook: Runbook,
    state: IncidentState,
    *,
    problems: list[AuditProblem],
    calendar: CalendarSource | None = None,
    policy: Policy | None = None,
    redactions: dict[str, int] | None = None,
    anchors: list[dict[str, Any]] | None = None,
    head: Event | None = None,
    drill_score: dict[str, Any] | None = None,
) -> PostMortem:
    """The post-mortem of the incident whose log is ``events`` (see the module docstring).

    ``problems`` is what the audit found wrong with the log as stored; ``head`` the last
    event as stored (the log rendered may be a redacted copy of it)."""
    from incidentctl.deadlines.engine import deadlines
    from incidentctl.times import from_iso

    as_of = from_iso(state.head_recorded_at) if state.head_recorded_at else state.opened_at
    as_of = max(as_of, *(e.occurred for e in events))
    phase_of = {s.id: s.phase for s in runbook.steps}
    found = deadlines(runbook, state, as_of, calendar=calendar, policy=policy)
    verdicts = [judge(d, state, runbook, phase_of=phase_of) for d in found]
    return PostMortem(
        events=events,
        runbook=runbook,
        state=state,
        as_of=as_of,
        verdicts=verdicts,
        problems=problems,
        head=head or events[-1],
        redactions=redactions,
        anchors=list(anchors or []),
        drill_score=drill_score,
    )


def redacted(
    events: list[Event],
    runbook: Runbook,
    state: IncidentState,
    names: list[str],
    redact: str | None,
) -> tuple[list[Event], IncidentState, dict[str, int] | None]:
    """The log to render: as it is (``redact`` is ``None``), or with personal data masked
    in every free-text field and folded again, with how many of each kind were masked."""
    if redact is None:
        return events, state, None
    from incidentctl.postmortem.redact import Redactor, read_names

    redactor = Redactor(read_names("\n".join(names)))
    masked = redactor.events(events)
    return masked, st.fold(runbook, masked), redactor.counts
