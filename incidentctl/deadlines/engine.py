"""The deadline engine: pinned runbook + incident state + ``now`` -> deadlines.

Pure: it never reads the clock, the store or the disk (the business-day
calendar is handed in, and only consulted when a ``bd`` duration appears).

Rules
- A step's deadline is its anchor's time plus the duration of the tier in
  force.  Open steps follow the *current* tier from their original anchor, so
  an escalation can make a step overdue at once; finished steps keep the
  verdict of the tier in force when they were finished.  Each deadline says
  which tier's rule produced it.
- A deadline whose anchor has not happened yet is ``waiting`` (no time).
- Recurring steps (``every``) yield one deadline per occurrence: the first is
  due at the step's ``due`` (or one interval after the anchor), each next one
  an interval after the previous occurrence was done, or after it fell due
  if it was missed.  A missed occurrence stays missed.  Occurrences stop when
  the ``until`` event happens and resume when the incident is reopened.
- ``due-soon``: within a threshold of the due instant (by default 20% of the
  duration, at most 15 minutes).  Exactly on the due instant is still on
  time; one second later is overdue.
- A ``per:`` step (``per: customer-report``) has one deadline per item recorded with
  ``item add`` (key ``step@REF``), counted from that item's report and met when
  ``item done`` records the step done for it; ``waiting`` while there is none.
- An ETA committed with ``set INC eta`` is a deadline too (step :data:`PROMISE`,
  key ``ETA#N`` for the Nth promise): it counts from when it was made and is
  met when the incident is mitigated (or resolved) by the promised time, or,
  for a promise made once the damage had already stopped, when it is resolved
  by then; missed when that comes later.  A promise changed or withdrawn
  before it fell due is gone; one changed or withdrawn after is missed.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from incidentctl.durations import compact
from incidentctl.incidents import state as st

if TYPE_CHECKING:
    from incidentctl.durations import Duration
    from incidentctl.incidents.state import IncidentState, StepState
    from incidentctl.runbooks.model import Runbook, Step

    from .calendar import BusinessCalendar

PENDING = "pending"
DUE_SOON = "due-soon"
OVERDUE = "overdue"
MET = "met"
MISSED = "missed"
SKIPPED = "skipped"
NA = "n/a"
WAITING = "waiting"

UNFINISHED = "unfinished"  # not done when the incident was closed, before its due instant

OPEN_STATES = (OVERDUE, DUE_SOON, PENDING, WAITING)

#: The ``step`` of a promise's deadline: upper case, so no runbook step id can be it.
PROMISE = "ETA"

#: The two kinds of notice check and watch send: a deadline turning due soon
#: (``DUE_SOON``, the state's own name) and one breached.
BREACH = "breach"
_URGENCY = {
    OVERDUE: 0,
    DUE_SOON: 1,
    PENDING: 2,
    WAITING: 3,
    MISSED: 4,
    UNFINISHED: 5,
    MET: 6,
    SKIPPED: 7,
    NA: 8,
}
MAX_OCCURRENCES = 5000


class CalendarSource(Protocol):
    def __call__(self) -> BusinessCalendar: ...


class Policy(NamedTuple):
    """How close to its due instant a deadline counts as due soon."""

    due_soon_fraction: float = 0.2
    due_soon_max_seconds: int = 15 * 60

    def threshold(self, span_seconds: float) -> float:
        return min(span_seconds * self.due_soon_fraction, self.due_soon_max_seconds)


class Deadline(NamedTuple):
    incident: str
    step: str
    key: str  # "step" or "step#N" for occurrence N of a recurring step
    occurrence: int | None
    state: str
    due: datetime | None
    anchor: str
    anchor_at: datetime | None
    duration: str  # as written in the runbook, e.g. "4h", "1bd"
    tier: str  # the tier whose rule produced this deadline
    source: str  # reference id
    role: str
    required: bool
    finished_at: datetime | None = None
    beyond_calendar: bool = False
    basis: str | None = None  # reference id of the duty a team-policy number puts into practice
    #: ``opened`` when the anchor is ``discovered`` but no discovery time is recorded
    anchor_fallback: str | None = None
    #: the item (a customer's report) a ``per:`` step's deadline is for
    item: str | None = None

    def remaining(self, now: datetime) -> float | None:
        """Seconds left before the due instant (negative once past), or ``None`` while waiting."""
        return None if self.due is None else (self.due - now).total_seconds()

    def margin(self) -> float | None:
        """For finished deadlines: seconds between finishing and the due instant (negative: late)."""
        if self.due is None or self.finished_at is None:
            return None
        return (self.due - self.finished_at).total_seconds()


class _Plan(NamedTuple):
    anchor: datetime
    duration: Duration
    due: datetime
    late: datetime  # an update after this no longer counts for this occurrence
    beyond: bool

    def deadline(
        self, common: dict[str, Any], n: int, state: str, tier: str, finished: datetime | None
    ) -> Deadline:
        return Deadline(
            key=f"{common['step']}#{n}",
            occurrence=n,
            state=state,
            due=self.due,
            anchor_at=self.anchor,
            duration=str(self.duration),
            tier=tier,
            finished_at=finished,
            beyond_calendar=self.beyond,
            **common,
        )


_FAR = datetime.max.replace(tzinfo=timezone.utc)


def urgency(d: Deadline) -> tuple[int, datetime]:
    """Sort key: state (overdue first), then due instant; deadlines without one last."""
    return (_URGENCY[d.state], d.due or _FAR)


class _Engine:
    def __init__(
        self,
        runbook: Runbook,
        state: IncidentState,
        now: datetime,
        calendar: CalendarSource | None,
        policy: Policy,
    ) -> None:
        self.rb = runbook
        self.state = state
        self.now = now
        self.calendar_source = calendar
        self._calendar: BusinessCalendar | None = None
        self.policy = policy

    def add(self, start: datetime, duration: Duration) -> tuple[datetime, bool]:
        if not duration.is_business:
            return start + timedelta(seconds=duration.seconds), False
        if self._calendar is None:
            if self.calendar_source is None:
                raise ValueError("a business-day deadline needs a calendar")
            self._calendar = self.calendar_source()
        result = self._calendar.add(start, duration.business_days)
        return result.instant, result.beyond_coverage

    def span(self, start: datetime, due: datetime) -> float:
        return (due - start).total_seconds()

    def open_state(self, start: datetime, due: datetime) -> str:
        if self.now > due:
            return OVERDUE
        if (due - self.now).total_seconds() <= self.policy.threshold(self.span(start, due)):
            return DUE_SOON
        return PENDING

    # --- anchors ---------------------------------------------------------------------
    def anchor_time(self, anchor: str, before: datetime | None = None) -> datetime | None:
        """When ``anchor`` happened; for a finished step, in the period it was finished in."""
        s = self.state
        if anchor == "opened":
            return s.opened_at
        if anchor == "discovered":  # counted from opening while no discovery time is known
            return s.discovered_at or s.opened_at
        if anchor in ("mitigated", "resolved"):
            periods = s.periods
            if before is not None:
                periods = [p for p in periods if p.opened <= before] or periods[:1]
            last = periods[-1]
            return last.mitigated if anchor == "mitigated" else last.resolved
        other = s.steps.get(anchor)
        if other is None:
            return None
        if other.finished_at is not None:
            return other.finished_at
        if other.completions:
            return other.completions[0].at
        return None

    def fallback(self, anchor: str) -> str | None:
        """``opened`` when ``anchor`` is ``discovered`` and no discovery time is recorded."""
        if anchor == "discovered" and self.state.discovered_at is None:
            return "opened"
        return None

    # --- one-off steps ------------------------------------------------------------
    def single(self, step: Step, ss: StepState) -> Deadline | None:
        due_rule = step.due
        if due_rule is None:
            return None
        finished = ss.status in st.FINISHED
        tier = (ss.tier_at_finish or self.state.severity) if finished else self.state.severity
        if not finished and not step.applies_to(tier):
            return None
        duration = due_rule.durations.get(tier)
        if duration is None:
            return None
        anchor_at = self.anchor_time(due_rule.anchor, before=ss.finished_at if finished else None)
        common: dict[str, Any] = {
            "incident": self.state.id,
            "step": step.id,
            "key": step.id,
            "occurrence": None,
            "anchor": due_rule.anchor,
            "anchor_at": anchor_at,
            "duration": str(duration),
            "tier": tier,
            "source": due_rule.source,
            "basis": due_rule.basis,
            "anchor_fallback": self.fallback(due_rule.anchor),
            "role": step.role,
            "required": step.required,
            "finished_at": ss.finished_at,
        }
        if anchor_at is None:
            if finished:  # finished before its clock even started
                verdict = {st.DONE: MET, st.SKIPPED: SKIPPED, st.NA: NA}[ss.status]
                return Deadline(state=verdict, due=None, **common)
            return Deadline(state=WAITING, due=None, **common)
        due, beyond = self.add(anchor_at, duration)
        if finished:
            assert ss.finished_at is not None
            if ss.status == st.DONE:
                verdict = MET if ss.finished_at <= due else MISSED
            else:
                verdict = SKIPPED if ss.status == st.SKIPPED else NA
            return Deadline(state=verdict, due=due, beyond_calendar=beyond, **common)
        return Deadline(
            state=self.open_state(anchor_at, due), due=due, beyond_calendar=beyond, **common
        )

    # --- recurring steps ----------------------------------------------------------
    def windows(self, step: Step, ss: StepState) -> list[tuple[datetime, datetime | None]]:
        """Stretches of time in which the step recurs: from its anchor (or a reopening)
        until the ``until`` event or the step being skipped / marked n/a."""
        assert step.every is not None
        out: list[tuple[datetime, datetime | None]] = []
        stop = ss.finished_at if ss.status in (st.SKIPPED, st.NA) else None
        for i, period in enumerate(self.state.periods):
            start = period.opened
            if i == 0:
                anchor_at = self.anchor_time(step.every.anchor)
                if anchor_at is None:
                    return []
                start = max(start, anchor_at)
            end = period.mitigated if step.every.until == "mitigated" else period.resolved
            if stop is not None:
                if stop <= start:
                    break
                end = stop if end is None else min(end, stop)
            out.append((start, end))
        return out

    def recurring(self, step: Step, ss: StepState) -> list[Deadline]:
        """One deadline per occurrence of a recurring step, in order, up to the first that
        is still open (or waiting, before the step's anchor has happened).

        Occurrences are counted in each window in which the step recurs (see
        :meth:`windows`).  The first is due at the step's ``due`` if it has one, else an
        interval after the window opens; each next one an interval after the previous
        occurrence was done, or after it fell due if it was missed.  A completion counts
        for the open occurrence if it comes before that occurrence's late limit (its due
        instant plus one interval): done by the due instant it is met, after it missed.
        A finished occurrence is judged by the tier in force when it was done; an open
        one by the tier in force when its late limit passes (or now, before then).
        """
        every = step.every
        assert every is not None
        current = self.state.severity
        if not step.applies_to(current) and not ss.completions:
            return []
        common: dict[str, Any] = {
            "incident": self.state.id,
            "step": step.id,
            "anchor": every.anchor,
            "source": every.source,
            "basis": every.basis,
            "anchor_fallback": self.fallback(every.anchor),
            "role": step.role,
            "required": step.required,
        }
        windows = self.windows(step, ss)
        if not windows:
            interval = every.intervals.get(current)
            if interval is None or ss.status in (st.SKIPPED, st.NA):
                return []
            return [
                Deadline(
                    key=f"{step.id}#1",
                    occurrence=1,
                    state=WAITING,
                    due=None,
                    anchor_at=None,
                    duration=str(interval),
                    tier=current,
                    **common,
                )
            ]
        completions = sorted(c.at for c in ss.completions)
        out: list[Deadline] = []
        n = 0
        ci = 0
        for w, (start, end) in enumerate(windows):
            prev = start
            first = w == 0
            while ci < len(completions) and completions[ci] < start:
                ci += 1
            while n < MAX_OCCURRENCES:
                candidate = completions[ci] if ci < len(completions) else None
                if candidate is not None and end is not None and candidate > end:
                    candidate = None
                if candidate is not None:
                    tier = self.state.tier_at(candidate)
                    plan = self._plan(step, tier, prev, first, end)
                    if plan is not None and candidate <= plan.late:
                        n += 1
                        out.append(
                            plan.deadline(
                                common, n, MET if candidate <= plan.due else MISSED, tier, candidate
                            )
                        )
                        prev, first, ci = candidate, False, ci + 1
                        continue
                # not satisfied (yet): judge it by the tier in force when its late limit passed
                plan = self._plan(step, self.state.tier_at(prev), prev, first, end)
                if plan is None:
                    break
                tier = self.state.tier_at(min(plan.late, self.now))
                plan = self._plan(step, tier, prev, first, end)
                if plan is None:
                    break
                n += 1
                if self.now > plan.late or (end is not None and self.now >= end):
                    out.append(plan.deadline(common, n, MISSED, tier, None))
                    prev, first = plan.due, False
                    continue
                out.append(
                    plan.deadline(common, n, self.open_state(plan.anchor, plan.due), tier, None)
                )
                break
        return out

    def _plan(
        self, step: Step, tier: str, prev: datetime, first: bool, end: datetime | None
    ) -> _Plan | None:
        """Due instant and late limit of the occurrence that starts counting at ``prev``;
        ``None`` when the tier has no interval or the recurrence ends before it falls due."""
        every = step.every
        assert every is not None
        interval = every.intervals.get(tier)
        if interval is None:
            return None
        anchor, duration = prev, interval
        if first and step.due is not None and tier in step.due.durations:
            anchor = self.anchor_time(step.due.anchor) or prev
            duration = step.due.durations[tier]
        due, beyond = self.add(anchor, duration)
        if end is not None and due > end:
            return None
        late, _ = self.add(due, interval)
        if end is not None:
            late = min(late, end)
        return _Plan(anchor, duration, due, late, beyond)

    # --- per-item steps -----------------------------------------------------------
    def per_item(self, step: Step, ss: StepState) -> list[Deadline]:
        """One deadline per item of the step's kind (a customer's report), counted from
        when it was reported, met when the step was done for it; ``waiting`` while none
        is recorded.  Skipping the step, or marking it n/a, settles every open item."""
        due_rule = step.due
        if due_rule is None:
            return []
        tier = self.state.severity
        if not step.applies_to(tier) and not any(step.id in i.done for i in self.items(step)):
            return []
        duration = due_rule.durations.get(tier)
        if duration is None:
            return []
        assert step.per is not None
        common: dict[str, Any] = {
            "incident": self.state.id,
            "step": step.id,
            "occurrence": None,
            "anchor": step.per,
            "duration": str(duration),
            "tier": tier,
            "source": due_rule.source,
            "basis": due_rule.basis,
            "role": step.role,
            "required": step.required,
        }
        items = self.items(step)
        if not items:
            if ss.status in (st.SKIPPED, st.NA):
                return []
            return [Deadline(key=step.id, state=WAITING, due=None, anchor_at=None, **common)]
        out = []
        for item in items:
            due, beyond = self.add(item.added_at, duration)
            done = item.done.get(step.id)
            finished: datetime | None
            if done is not None:
                state, finished = (MET if done <= due else MISSED), done
            elif ss.status in (st.SKIPPED, st.NA):
                state, finished = (SKIPPED if ss.status == st.SKIPPED else NA), ss.finished_at
            else:
                state, finished = self.open_state(item.added_at, due), None
            out.append(
                Deadline(
                    key=f"{step.id}@{item.ref}",
                    state=state,
                    due=due,
                    anchor_at=item.added_at,
                    finished_at=finished,
                    beyond_calendar=beyond,
                    item=item.ref,
                    **common,
                )
            )
        return out

    def items(self, step: Step) -> list[st.Item]:
        return [i for i in self.state.items.values() if i.kind == step.per]

    # --- promises ------------------------------------------------------------------
    def kept_at(self, made: datetime) -> datetime | None:
        """When the incident moved on after a promise made at ``made``: mitigated (or
        resolved), or resolved if the damage had already stopped when it was made."""
        for period in self.state.periods:
            if period.resolved is not None and period.resolved < made:
                continue  # over before the promise was made
            if period.mitigated is not None and period.mitigated < made:
                return period.resolved
            return period.mitigated
        return None

    def promises(self) -> list[Deadline]:
        out: list[Deadline] = []
        for n, p in enumerate(self.state.promises, 1):
            kept = self.kept_at(p.made_at)
            if kept is not None and (p.ended_at is None or kept <= p.ended_at):
                state, finished = (MET if kept <= p.due else MISSED), kept
            elif p.ended_at is not None:
                if p.ended_at <= p.due:
                    continue  # replaced or withdrawn in time: no longer a promise
                state, finished = MISSED, None
            else:
                state, finished = self.open_state(p.made_at, p.due), None
            out.append(
                Deadline(
                    incident=self.state.id,
                    step=PROMISE,
                    key=f"{PROMISE}#{n}",
                    occurrence=None,
                    state=state,
                    due=p.due,
                    anchor="promised",
                    anchor_at=p.made_at,
                    duration=compact(max(int((p.due - p.made_at).total_seconds()), 1)),
                    tier=p.tier,
                    source="promise",
                    role="commander",
                    required=True,
                    finished_at=finished,
                )
            )
        return out

    def run(self) -> list[Deadline]:
        out: list[Deadline] = []
        for step in self.rb.steps:
            ss = self.state.steps[step.id]
            if step.recurring:
                out.extend(self.recurring(step, ss))
            elif step.per is not None:
                out.extend(self.per_item(step, ss))
            else:
                d = self.single(step, ss)
                if d is not None:
                    out.append(d)
        if self.state.promises:
            out.extend(self.promises())
        return out


def deadlines(
    runbook: Runbook,
    state: IncidentState,
    now: datetime,
    *,
    calendar: CalendarSource | None = None,
    policy: Policy | None = None,
) -> list[Deadline]:
    """Every deadline of the incident at ``now``, in runbook order.

    A closed incident's clocks stopped when it was closed: its deadlines are judged at
    that instant, and none is open any more.  One past its due instant then is missed;
    one still ahead is ``unfinished``; one whose anchor never came has no verdict (n/a).
    """
    if state.closed_at is not None and state.status == st.CLOSED:
        at_close = _Engine(runbook, state, state.closed_at, calendar, policy or Policy()).run()
        return [_final(d) for d in at_close]
    return _Engine(runbook, state, now, calendar, policy or Policy()).run()


def _final(d: Deadline) -> Deadline:
    if d.state == OVERDUE:
        return d._replace(state=MISSED)
    if d.state in (DUE_SOON, PENDING):
        return d._replace(state=UNFINISHED)
    if d.state == WAITING:
        return d._replace(state=NA)
    return d


def by_urgency(items: list[Deadline]) -> list[Deadline]:
    return sorted(items, key=urgency)
