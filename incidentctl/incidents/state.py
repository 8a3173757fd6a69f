"""Incident state: a pure fold over the event log.

Events are applied in the order they *occurred* (``occurred_at``, then
``seq``), so a back-dated event lands where it belongs and the result never
depends on the order in which independent events were recorded.  Retracted
events are left out; the retraction itself stays in the timeline.

:func:`fold` builds the state from a whole log; :func:`fold_more` carries a
state forward over events appended since, when that gives the same result as
folding again (no back-dated event, no retraction), so a writer that lost a
race to another one catches up by reading only what is new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.incidents import events as ev
from incidentctl.records import GENESIS
from incidentctl.store.base import Summary
from incidentctl.times import from_iso

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook, Step

PENDING = "pending"
IN_PROGRESS = "in-progress"
DONE = "done"
SKIPPED = "skipped"
NA = "n/a"
FINISHED = (DONE, SKIPPED, NA)

OPEN = "open"
MITIGATED = "mitigated"
RESOLVED = "resolved"
CLOSED = "closed"


class Completion(NamedTuple):
    """One time a step was done (recurring steps collect many)."""

    at: datetime
    seq: int
    actor: str
    tier: str  # the tier in force when it was done
    via: str = ev.STEP_DONE  # or comms.sent for a message that satisfies a recurring update


class Promise(NamedTuple):
    """A time committed to with ``set INC eta``: when it was made, for when, by whom, and
    when it was changed or withdrawn (``ended_at``; ``None`` while it stands)."""

    due: datetime
    made_at: datetime
    seq: int
    actor: str
    tier: str  # the tier in force when it was made
    ended_at: datetime | None = None


class Ack(NamedTuple):
    """Someone saw the page: of one step, or (``step`` None) of the whole incident."""

    at: datetime
    seq: int
    actor: str
    step: str | None


class SeverityChange(NamedTuple):
    at: datetime
    seq: int
    actor: str
    before: str
    after: str
    reason: str


class ActionItem(NamedTuple):
    """An action item of the review: what, who, by when, and where it stands (``open``,
    ``done`` or ``dropped``, with when and why)."""

    number: int
    text: str
    owner: str
    due: str  # YYYY-MM-DD, as given
    due_at: datetime  # the end of that day, where it was set
    kind: str
    added_at: datetime
    seq: int
    state: str = "open"
    ended_at: datetime | None = None
    reason: str | None = None

    def overdue(self, now: datetime) -> bool:
        """Still open after the end of its due date."""
        return self.state == "open" and self.due_at < now


ACTION_OPEN = "open"
ACTION_DONE = "done"
ACTION_DROPPED = "dropped"


# The mutable parts of the fold are plain slotted classes: they are built on
# every command, and dataclass generation would cost more than the fold itself.


class StepState:
    __slots__ = (
        "actor",
        "completions",
        "evidence",
        "finished_at",
        "finished_seq",
        "id",
        "note",
        "reason",
        "started_at",
        "status",
        "tier_at_finish",
    )

    def __init__(self, step_id: str) -> None:
        self.id = step_id
        self.status = PENDING
        self.started_at: datetime | None = None
        self.finished_at: datetime | None = None  # done, skipped or n/a
        self.finished_seq: int | None = None
        self.actor: str | None = None
        self.tier_at_finish: str | None = None
        self.note: str | None = None
        self.reason: str | None = None
        self.evidence: dict[str, str] = {}
        self.completions: list[Completion] = []

    def copy(self) -> StepState:
        other = StepState.__new__(StepState)
        for name in StepState.__slots__:
            setattr(other, name, getattr(self, name))
        other.evidence = dict(self.evidence)
        other.completions = list(self.completions)
        return other


class NoticeState:
    """What the log says about one notice (``breach:ack``...): which channels accepted it,
    how often each failed and when last, which were given up on, and the live claim."""

    __slots__ = ("claim", "delivered", "failures", "gave_up", "key", "last_attempt")

    def __init__(self, key: str) -> None:
        self.key = key
        self.delivered: set[str] = set()  # channel names; "*" for a notice sent everywhere
        self.failures: dict[str, int] = {}
        self.last_attempt: dict[str, datetime] = {}
        self.gave_up: dict[str, str] = {}  # channel -> why (a permanent failure)
        self.claim: tuple[str, datetime] | None = None  # (run, until)

    def done_for(self, channel: str) -> bool:
        return channel in self.delivered or "*" in self.delivered

    def claimed_by_other(self, run: str, now: datetime) -> bool:
        return self.claim is not None and self.claim[0] != run and self.claim[1] > now

    def copy(self) -> NoticeState:
        other = NoticeState(self.key)
        other.delivered = set(self.delivered)
        other.failures = dict(self.failures)
        other.last_attempt = dict(self.last_attempt)
        other.gave_up = dict(self.gave_up)
        other.claim = self.claim
        return other


class Item:
    """One item a ``per:`` step keeps a clock for (a customer's report): when it was
    reported, and when each step was done for it."""

    __slots__ = ("added_at", "done", "kind", "ref", "seq")

    def __init__(self, kind: str, ref: str, added_at: datetime, seq: int) -> None:
        self.kind = kind
        self.ref = ref
        self.added_at = added_at
        self.seq = seq
        self.done: dict[str, datetime] = {}  # step id -> when it was done for this item

    def copy(self) -> Item:
        other = Item(self.kind, self.ref, self.added_at, self.seq)
        other.done = dict(self.done)
        return other


class Period:
    """A stretch of time the incident was open (reopening starts a new one)."""

    __slots__ = ("mitigated", "opened", "resolved")

    def __init__(self, opened: datetime) -> None:
        self.opened = opened
        self.mitigated: datetime | None = None
        self.resolved: datetime | None = None

    def copy(self) -> Period:
        other = Period(self.opened)
        other.mitigated, other.resolved = self.mitigated, self.resolved
        return other


class IncidentState:
    """Everything the log says about an incident now: its facts, status, tier and its
    history, roles, each step's state, notes, messages sent and notices recorded.

    Built by :func:`fold` (never by hand) and read by the deadline engine, the
    lifecycle rules and every renderer.  ``last_seq`` and ``head_hash`` say which
    log it is the fold of: the head a change decided on this state is appended to.
    """

    def __init__(
        self,
        *,
        id: str,
        title: str,
        runbook_id: str,
        runbook_version: str,
        runbook_sha256: str,
        severity: str,
        opened_at: datetime,
        opened_by: str,
        commander: str | None,
        scope: str | None = None,
        drill: dict[str, Any] | None = None,
        discovered_at: datetime | None = None,
    ) -> None:
        self.id = id
        self.title = title
        self.runbook_id = runbook_id
        self.runbook_version = runbook_version
        self.runbook_sha256 = runbook_sha256
        self.severity = severity
        self.status = OPEN
        self.opened_at = opened_at
        self.opened_by = opened_by
        self.commander = commander
        self.scope = scope
        self.drill = drill
        #: A drill's injects delivered so far (inject id -> its event), in the order delivered.
        self.injects: dict[str, Event] = {}
        #: When a drill was ended (``drill end``), in drill time.
        self.drill_ended_at: datetime | None = None
        #: When the event was discovered, if recorded (``open --discovered-at``, ``set INC
        #: discovered``): legal clocks run from it; ``None`` means count from opening.
        self.discovered_at = discovered_at
        self.eta: datetime | None = None
        #: Every ETA committed to, in the order made; the last one stands unless it ended.
        self.promises: list[Promise] = []
        self.mitigated_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        #: What the lead said on resolving (``resolve --summary``), if anything.
        self.resolve_summary: str | None = None
        #: On a forced close: why, and the required steps still open then.
        self.close_reason: str | None = None
        self.open_at_close: list[str] = []
        self.periods: list[Period] = []
        self.roles: dict[str, str] = {}
        self.steps: dict[str, StepState] = {}
        self.severity_history: list[SeverityChange] = []
        self.notes: list[tuple[datetime, str, str, int]] = []
        self.comms: list[Event] = []
        #: Items ``per:`` steps keep a clock for, by reference, in the order reported.
        self.items: dict[str, Item] = {}
        self.notices: dict[str, NoticeState] = {}
        #: Every acknowledgment of a page, in the order they occurred.
        self.acks: list[Ack] = []
        self.retracted: set[int] = set()
        #: The review's sections as last set (field -> value), and its action items by number.
        self.review: dict[str, Any] = {}
        self.actions: dict[int, ActionItem] = {}
        self.last_seq = 0
        self.head_hash = GENESIS
        self.head_recorded_at = ""
        #: The latest ``occurred`` applied: an event that occurred earlier needs a full fold.
        self.last_occurred = opened_at

    def copy(self) -> IncidentState:
        """An independent copy, to try events on without changing this state."""
        other = IncidentState.__new__(IncidentState)
        other.__dict__.update(self.__dict__)
        other.periods = [p.copy() for p in self.periods]
        other.roles = dict(self.roles)
        other.steps = {k: v.copy() for k, v in self.steps.items()}
        other.severity_history = list(self.severity_history)
        other.promises = list(self.promises)
        other.notes = list(self.notes)
        other.comms = list(self.comms)
        other.notices = {k: v.copy() for k, v in self.notices.items()}
        other.acks = list(self.acks)
        other.items = {k: v.copy() for k, v in self.items.items()}
        other.open_at_close = list(self.open_at_close)
        other.retracted = set(self.retracted)
        other.review = dict(self.review)
        other.actions = dict(self.actions)
        other.injects = dict(self.injects)
        return other

    def tier_at(self, instant: datetime) -> str:
        """The tier in force at ``instant``."""
        tier = self.severity_history[0].before if self.severity_history else self.severity
        for change in self.severity_history:
            if change.at <= instant:
                tier = change.after
        return tier

    def acknowledged(self, step: str, since: datetime) -> Ack | None:
        """The first acknowledgment, at ``since`` or later, of a page about ``step`` (an
        acknowledgment of the whole incident counts for every step)."""
        return next(
            (a for a in self.acks if a.at >= since and a.step in (None, step)),
            None,
        )

    def summary(self) -> Summary:
        """The facts the store keeps for listing without folding."""
        return Summary(self.title, self.severity, self.status, self.commander)


def checklist_steps(runbook: Runbook, state: IncidentState) -> list[Step]:
    """The steps a checklist lists, in runbook order: every step of the current tier,
    and a step of another tier only if something was recorded on it.  A walk's jump
    numbers steps in this order, as the numbered checklist shows them."""
    return [
        step
        for step in runbook.steps
        if step.applies_to(state.severity)
        or state.steps[step.id].status != PENDING
        or state.steps[step.id].completions
    ]


class _Index:
    __slots__ = ("by_template", "recurring")

    def __init__(self, recurring: set[str], by_template: dict[str, list[str]]) -> None:
        self.recurring = recurring
        self.by_template = by_template  # template id -> recurring steps it counts for


def _index(runbook: Runbook) -> _Index:
    recurring = {s.id for s in runbook.steps if s.recurring}
    by_template: dict[str, list[str]] = {}
    for s in runbook.steps:
        if s.recurring:
            for tpl in s.templates:
                by_template.setdefault(tpl, []).append(s.id)
    return _Index(recurring, by_template)


def fold(runbook: Runbook, events: Sequence[Event]) -> IncidentState:
    """The state of the incident whose whole log is ``events`` (pinned to ``runbook``)."""
    if not events or events[0].type != ev.OPENED:
        raise ValueError("an incident log starts with incident.opened")
    first = events[0]
    p = first.payload
    state = IncidentState(
        id=first.incident,
        title=p["title"],
        runbook_id=p["runbook"]["id"],
        runbook_version=p["runbook"]["version"],
        runbook_sha256=p["runbook"]["sha256"],
        severity=p["severity"],
        opened_at=first.occurred,
        opened_by=first.actor,
        commander=p.get("commander"),
        scope=p.get("scope"),
        drill=p.get("drill"),
        discovered_at=from_iso(p["discovered_at"]) if p.get("discovered_at") else None,
    )
    state.periods.append(Period(first.occurred))
    if state.commander:
        state.roles["commander"] = state.commander
    state.steps = {s.id: StepState(s.id) for s in runbook.steps}
    index = _index(runbook)
    state.retracted = {e.payload["seq"] for e in events if e.type == ev.RETRACTED}
    live = [e for e in events[1:] if e.seq not in state.retracted and e.type != ev.RETRACTED]
    # each event's time is read once: parsing it is the fold's largest cost
    for at, _, e in sorted((e.occurred, e.seq, e) for e in live):
        _apply(state, e, index, at)
        state.last_occurred = max(state.last_occurred, at)
    _at_head(state, events[-1])
    return state


def fold_more(state: IncidentState, runbook: Runbook, new: Sequence[Event]) -> bool:
    """Carry ``state`` forward over ``new`` events appended after its head, in place, and
    return True; or leave it untouched and return False when only a full :func:`fold`
    gives the right answer (a retraction, or an event that occurred before one already
    applied, as a back-dated one may)."""
    if not new:
        return True
    if new[0].seq != state.last_seq + 1 or new[0].prev_hash != state.head_hash:
        return False
    latest = state.last_occurred
    times = []
    for e in new:
        at = e.occurred
        if e.type == ev.RETRACTED or at < latest:
            return False
        latest = at
        times.append(at)
    index = _index(runbook)
    for e, at in zip(new, times, strict=True):
        _apply(state, e, index, at)
    state.last_occurred = latest
    _at_head(state, new[-1])
    return True


def _at_head(state: IncidentState, head: Event) -> None:
    state.last_seq = head.seq
    state.head_hash = head.hash
    state.head_recorded_at = head.recorded_at


def _apply(state: IncidentState, e: Event, index: _Index, at: datetime) -> None:
    """Apply one event, which occurred ``at``."""
    p = e.payload
    t = e.type
    if t in ev.STEP_EVENTS:
        step = state.steps.get(p["step"])
        if step is None:  # a step of another runbook version; nothing to track
            return
        if t == ev.STEP_STARTED:
            if step.status == PENDING:
                step.status = IN_PROGRESS
                step.started_at = at
                step.actor = e.actor
            return
        if t == ev.STEP_DONE and step.id in index.recurring:
            step.completions.append(Completion(at, e.seq, e.actor, state.severity))
            step.evidence.update(p.get("evidence") or {})
            return
        step.status = {ev.STEP_DONE: DONE, ev.STEP_SKIPPED: SKIPPED, ev.STEP_NA: NA}[t]
        step.finished_at = at
        step.finished_seq = e.seq
        step.actor = e.actor
        step.tier_at_finish = state.severity
        step.note = p.get("note")
        step.reason = p.get("reason")
        step.evidence = dict(p.get("evidence") or {})
        if t == ev.STEP_DONE:
            step.completions.append(Completion(at, e.seq, e.actor, state.severity))
    elif t == ev.NOTE:
        state.notes.append((at, e.actor, p["text"], e.seq))
    elif t == ev.DRILL_INJECT:
        state.injects.setdefault(p["inject"], e)
    elif t == ev.DRILL_CLOCK:
        state.drill = {**(state.drill or {}), "clock": p["clock"]}
        if p.get("action") == "end":
            state.drill_ended_at = at
    elif t == ev.ASSIGNED:
        state.roles[p["role"]] = p["name"]
        if p["role"] == "commander":
            state.commander = p["name"]
    elif t == ev.SEVERITY:
        state.severity_history.append(
            SeverityChange(at, e.seq, e.actor, p["from"], p["to"], p["reason"])
        )
        state.severity = p["to"]
    elif t == ev.MITIGATED:
        state.status = MITIGATED
        state.mitigated_at = at
        state.periods[-1].mitigated = at
    elif t == ev.RESOLVED:
        state.status = RESOLVED
        state.resolved_at = at
        state.resolve_summary = p.get("summary") or state.resolve_summary
        if state.mitigated_at is None or state.periods[-1].mitigated is None:
            state.mitigated_at = at  # resolving implies the damage has stopped
            state.periods[-1].mitigated = at
        state.periods[-1].resolved = at
    elif t == ev.REOPENED:
        state.status = OPEN
        state.resolved_at = None
        state.mitigated_at = None
        state.closed_at = None
        state.periods.append(Period(at))
    elif t == ev.CLOSED:
        state.status = CLOSED
        state.closed_at = at
        state.close_reason = p.get("reason")
        state.open_at_close = list(p.get("open_steps", ()))
    elif t == ev.UPDATED:
        if p["field"] == "scope":
            state.scope = p["value"]
        elif p["field"] == "title":
            state.title = p["value"]
        elif p["field"] == "discovered":
            state.discovered_at = from_iso(p["value"])
        elif p["field"] == "eta":
            if state.promises and state.promises[-1].ended_at is None:
                state.promises[-1] = state.promises[-1]._replace(ended_at=at)
            state.eta = from_iso(p["value"]) if p["value"] else None
            if state.eta is not None:
                state.promises.append(Promise(state.eta, at, e.seq, e.actor, state.severity))
    elif t == ev.ITEM_ADDED:
        if p["ref"] not in state.items:
            reported = from_iso(p["reported_at"]) if p.get("reported_at") else at
            state.items[p["ref"]] = Item(p["kind"], p["ref"], reported, e.seq)
    elif t == ev.ITEM_DONE:
        item = state.items.get(p["ref"])
        if item is not None and p["step"] not in item.done:
            item.done[p["step"]] = at
    elif t == ev.COMMS:
        state.comms.append(e)
        for step_id in index.by_template.get(p.get("template", ""), ()):
            step = state.steps[step_id]
            if step.status not in (SKIPPED, NA):
                step.completions.append(
                    Completion(at, e.seq, e.actor, state.severity, via=ev.COMMS)
                )
    elif t == ev.ACKED:
        state.acks.append(Ack(at, e.seq, e.actor, p.get("step")))
    elif t == ev.REVIEWED:
        if p["value"] in ("", None, {}):
            state.review.pop(p["field"], None)
        else:
            state.review[p["field"]] = p["value"]
    elif t == ev.ACTION_ADDED:
        state.actions[p["action"]] = ActionItem(
            p["action"],
            p["text"],
            p["owner"],
            p["due"],
            from_iso(p["due_at"]),
            p["kind"],
            at,
            e.seq,
        )
    elif t in (ev.ACTION_DONE, ev.ACTION_DROPPED):
        action = state.actions.get(p["action"])
        if action is not None:
            state.actions[action.number] = action._replace(
                state=ACTION_DONE if t == ev.ACTION_DONE else ACTION_DROPPED,
                ended_at=at,
                reason=p.get("reason"),
            )
    elif t == ev.NOTICE_CLAIMED:
        notice = state.notices.setdefault(p["key"], NoticeState(p["key"]))
        notice.claim = (p["run"], from_iso(p["until"]))
    elif t == ev.NOTIFIED:
        notice = state.notices.setdefault(p["key"], NoticeState(p["key"]))
        if "run" not in p:  # the older form: the notice went out, once, everywhere
            notice.delivered.add("*")
            return
        notice.delivered.update(p.get("channels", ()))
        for failure in p.get("failed", ()):
            channel = failure["channel"]
            notice.failures[channel] = notice.failures.get(channel, 0) + 1
            notice.last_attempt[channel] = at
            if failure.get("permanent"):
                notice.gave_up[channel] = failure.get("reason", "")
        if notice.claim is not None and notice.claim[0] == p["run"]:
            notice.claim = None
