"""Lifecycle rules: what may be recorded on an incident, and the events that record it.

Every change follows one protocol (:meth:`Incidents._record`): read the log,
fold it, let a *rule* decide on that state what to record, seal the new
events onto the head the state was folded from, and ask the store to append
them there.  The store's append is a compare-and-swap: if someone else
appended first, nothing is written, the state catches up with what they
recorded, and the rule decides again on the state as it now is.  So two
responders acting at once can neither record the same step twice nor build
on a state the other just changed, and nobody holds the store's lock while
a log is being read or folded.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.errors import (
    AmbiguousIncident,
    IncidentNotFound,
    InvalidAction,
    InvalidInput,
    StepNotApplicable,
    StoreError,
    UnknownStep,
    clauses,
    did_you_mean,
)
from incidentctl.i18n import Msg, msg
from incidentctl.incidents import events as ev
from incidentctl.incidents import state as st
from incidentctl.records import GENESIS, Draft, Head, seal, seal_after
from incidentctl.runbooks.model import Runbook, from_document
from incidentctl.store.base import HeadMoved, IdTaken, Summary
from incidentctl.times import fmt_zoned, from_iso, iso, parse_eta, parse_time

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime, tzinfo

    from incidentctl.clock import Clock
    from incidentctl.incidents.checkpoints import Checkpoints
    from incidentctl.records import Event
    from incidentctl.store.base import Store

#: The longest text recorded by default, in UTF-8 bytes (configurable: ``limits.text``).
MAX_TEXT = 64 * 1024


#: How many times a change is decided again after losing a race, before giving up.
MAX_ATTEMPTS = 200


class View(NamedTuple):
    """One incident, read: its log, its pinned runbook, the state folded from them, and the
    clock the incident runs on (the system clock, or a drill's own)."""

    events: list[Event]
    runbook: Runbook
    state: st.IncidentState
    clock: Clock
    number: int = 0  # the incident's short number in its store (#17), 0 when not known

    def now(self) -> datetime:
        """The incident's "now": what its deadlines and messages are measured against."""
        return self.clock.now()


class When:
    """The times an action is recorded with."""

    __slots__ = ("backdated", "occurred", "recorded")

    def __init__(self, occurred: datetime, recorded: datetime, backdated: bool) -> None:
        self.occurred = occurred
        self.recorded = recorded
        self.backdated = backdated

    @property
    def occurred_at(self) -> str:
        return iso(self.occurred)

    @property
    def recorded_at(self) -> str:
        return iso(self.recorded)


class Incidents:
    """The incident use cases: open, read, and record every kind of change on one store.

    ``clock`` is the process's clock (the system clock, or a fake one in tests);
    each incident's own clock comes from :meth:`clock_for`.  ``actor`` is who is
    acting, ``zone`` the zone user-given times are read in.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        actor: str,
        zone: tzinfo,
        max_text: int = MAX_TEXT,
        checkpoints: Checkpoints | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.actor = actor
        self.zone = zone
        #: Where the folds of long logs are kept between commands (none: always fold whole).
        self.checkpoints = checkpoints
        #: The longest text (title, note, reason, evidence, message...) recorded, in bytes.
        self.max_text = max_text
        self._runbooks: dict[str, Runbook] = {}

    # --- time ------------------------------------------------------------------
    def clock_for(self, state: st.IncidentState) -> Clock:
        """The clock an incident runs on: a drill's scaled clock as its log describes it,
        else the process's clock."""
        return self._clock_of(state.drill)

    def _clock_of(self, drill: dict[str, Any] | None) -> Clock:
        clock = (drill or {}).get("clock")
        if isinstance(clock, dict) and {"real_origin", "sim_origin", "speed"} <= clock.keys():
            from incidentctl.clock import FrozenClock, ScaledClock

            if clock.get("paused"):
                return FrozenClock(from_iso(clock["sim_origin"]))
            return ScaledClock(
                self.clock,
                from_iso(clock["real_origin"]),
                from_iso(clock["sim_origin"]),
                float(clock["speed"]),
            )
        return self.clock

    # --- reading --------------------------------------------------------------
    def runbook(self, sha256: str) -> Runbook:
        if sha256 not in self._runbooks:
            self._runbooks[sha256] = from_document(self.store.runbook_document(sha256), sha256)
        return self._runbooks[sha256]

    def resolve(self, ref: str) -> str:
        """An incident id from a full id, the incident's number (``17`` or ``#17``), or a
        unique prefix of its id.  Never a guess: a reference that matches several incidents
        is refused, naming them."""
        matches = self.store.match_ids(ref)
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise IncidentNotFound(
                msg("err.incident.no_match", ref=ref), hint=msg("err.incident.list_all")
            )
        shown: list[str] | Msg = matches
        if len(matches) > 8:
            shown = msg("err.incident.and_more", ids=matches[:8], n=len(matches) - 8)
        raise AmbiguousIncident(msg("err.incident.ambiguous", ref=ref, n=len(matches), shown=shown))

    def view(self, ref: str) -> View:
        return self._view(self.resolve(ref))

    def _view(self, incident_id: str) -> View:
        events = self.store.events(incident_id)
        if not events:
            raise IncidentNotFound(msg("err.incident.missing", id=incident_id))
        runbook = self.runbook(events[0].payload["runbook"]["sha256"])
        state = st.fold(runbook, events)
        row = self.store.incident(incident_id)
        return View(events, runbook, state, self.clock_for(state), row.number if row else 0)

    def when(self, at: str | None, clock: Clock, after: str = "") -> When:
        """The times of an action: now, or back-dated to ``at``.  ``after`` is the
        ``recorded_at`` of the event it will follow: a record is never written down
        earlier than the one before it, so time in a log never runs backwards."""
        now = clock.now()
        if after:
            now = max(now, from_iso(after))
        if at is None:
            return When(now, now, False)
        return When(parse_time(at, now=now, tz=self.zone), now, True)

    # --- opening ----------------------------------------------------------------
    def open(
        self,
        runbook: Runbook,
        *,
        severity: str,
        title: str,
        commander: str | None = None,
        scope: str | None = None,
        at: str | None = None,
        drill: dict[str, Any] | None = None,
        discovered_at: str | None = None,
        facts: Mapping[str, bool] | None = None,
    ) -> View:
        """Open an incident from ``runbook``, pinning the runbook document into the store.
        ``discovered_at`` is when the event was discovered, if before opening: the clocks
        of steps anchored ``from: discovered`` (legal reporting) run from it.  ``facts``
        are the organisation's (``org:`` in the config): a step whose ``applies_if`` they
        make false is recorded n/a at once, the fact as its reason."""
        title = _no_nul(title.strip(), "title")
        if not title:
            raise InvalidInput(msg("err.incident.title_empty"))
        _no_nul(commander or "", "commander")
        tier = runbook.resolve_tier(severity)
        when = self.when(at, self._clock_of(drill))
        payload: dict[str, Any] = {
            "title": title,
            "severity": tier,
            "runbook": {"id": runbook.id, "version": runbook.version, "sha256": runbook.sha256},
        }
        if discovered_at is not None:
            payload["discovered_at"] = iso(self._discovered(discovered_at, when, when.occurred))
        if commander and commander.strip():
            payload["commander"] = commander.strip()
        if scope and scope.strip():
            payload["scope"] = scope.strip()
        if drill:
            payload["drill"] = drill
        draft = self._draft(ev.OPENED, payload, when)
        day = when.occurred.astimezone(self.zone).strftime("%Y%m%d")
        summary = Summary(title, tier, st.OPEN, payload.get("commander"))
        for attempt in range(MAX_ATTEMPTS):
            incident_id = self._next_id(day, drill is not None)
            event = seal(draft, incident=incident_id, seq=1, prev_hash=GENESIS)
            try:
                self.store.create_incident(
                    runbook_doc=runbook.doc,
                    runbook_sha256=runbook.sha256,
                    opened=event,
                    runbook_id=runbook.id,
                    summary=summary,
                )
            except IdTaken:
                _pause(attempt)
                continue
            self._runbooks[runbook.sha256] = runbook
            if self._not_ours(incident_id, runbook, facts or {}):
                return self._view(incident_id)
            state = st.fold(runbook, [event])
            row = self.store.incident(incident_id)
            number = row.number if row else 0
            return View([event], runbook, state, self.clock_for(state), number)
        raise _too_busy(msg("err.incident.busy_new", day=day))

    def _next_id(self, day: str, drill: bool) -> str:
        """The id a new incident opened on ``day`` should get: ``INC-<day>-NNN``, or for a
        drill ``DRILL-<day>-NNN``, so a drill says what it is wherever its id is shown and
        listings leave drills out without reading their logs."""
        if not drill:
            return self.store.next_incident_id(day)
        prefix = f"{ev.DRILL_PREFIX}{day}-"
        taken = [i[len(prefix) :] for i in self.store.match_ids(prefix)]
        numbers = [int(n) for n in taken if n.isdecimal()]
        return f"{prefix}{max(numbers, default=0) + 1:03d}"

    def _not_ours(self, incident_id: str, runbook: Runbook, facts: Mapping[str, bool]) -> bool:
        """Record n/a every step whose ``applies_if`` the organisation's facts make false
        (whatever its tier, so an escalation does not bring back a duty that is not ours),
        the fact as its reason; whether anything was recorded."""
        lapsed = [s for s in runbook.steps if s.condition(facts) is False]
        if not lapsed:
            return False

        def rule(state: st.IncidentState, rb: Runbook, when: When) -> list[Draft]:
            drafts = []
            for step in lapsed:
                assert step.applies_if is not None
                fact = step.applies_if.removeprefix("not ")
                value = "true" if facts[fact.removeprefix("org.")] else "false"
                payload = {
                    "step": step.id,
                    "reason": f"applies_if {step.applies_if}: config.yaml says {fact} = {value}",
                    "condition": step.applies_if,
                }
                drafts.append(self._draft(ev.STEP_NA, payload, when))
            return drafts

        self._record(incident_id, None, rule)
        return True

    # --- recording ----------------------------------------------------------------
    def _record(
        self,
        ref: str,
        at: str | None,
        rule: Callable[[st.IncidentState, Runbook, When], list[Draft]],
    ) -> list[Event]:
        """Decide on the incident's current state with ``rule`` and append what it decided.

        The log is read and folded without any lock; the append succeeds only if nobody
        appended meanwhile.  When somebody did, the state catches up with their events
        (reading only those) and ``rule`` decides again, on the state it will follow.
        Each event is sealed, and its hash computed, once per attempt.  A long log is
        decided on from its checkpoint (:mod:`~incidentctl.incidents.checkpoints`) and the
        events after it, and read whole only when a full fold is needed.
        """
        incident_id = self.resolve(ref)
        events: list[Event] | None = None
        state, since = self._from_checkpoint(incident_id)
        if state is not None:
            runbook = self.runbook(state.runbook_sha256)
        else:
            view = self._view(incident_id)
            events, runbook, state = list(view.events), view.runbook, view.state
        with self.store.turn(state.id):
            sealed, after = self._append_deciding(
                at, self.clock_for(state), events, runbook, state, rule
            )
        if self.checkpoints is not None and after is not None:
            from incidentctl.incidents.checkpoints import worth_keeping

            if worth_keeping(after, since):
                self.checkpoints.save(after)
        return sealed

    def _from_checkpoint(self, incident_id: str) -> tuple[st.IncidentState | None, int]:
        """The incident's state from its checkpoint and the events after it, or ``None``
        (no checkpoint, one the store no longer agrees with, or events after it that only
        a full fold gets right); and where the checkpoint is (0: none to keep using)."""
        state = None if self.checkpoints is None else self.checkpoints.load(incident_id)
        if state is None:
            return None, 0
        at = state.last_seq
        newer = self.store.events(incident_id, after=at - 1)
        if not newer or (newer[0].seq, newer[0].hash) != (at, state.head_hash):
            return None, 0  # not the log it was the fold of
        if not st.fold_more(state, self.runbook(state.runbook_sha256), newer[1:]):
            return None, 0  # a fresh checkpoint, past what needed the whole log, is due
        return state, at

    def _append_deciding(
        self,
        at: str | None,
        clock: Clock,
        events: list[Event] | None,
        runbook: Runbook,
        state: st.IncidentState,
        rule: Callable[[st.IncidentState, Runbook, When], list[Draft]],
    ) -> tuple[list[Event], st.IncidentState | None]:
        """The loop of :meth:`_record`: decide, seal, append; catch up and decide again
        when someone else appended first.  ``events`` is the log ``state`` is the fold of,
        or ``None`` when it was carried on from a checkpoint (the log is then read if a
        full fold is needed).  What was appended, and the state after it (``None`` when
        nothing was)."""

        def whole() -> list[Event]:
            nonlocal events
            if events is None:
                events = [e for e in self.store.events(state.id) if e.seq <= state.last_seq]
            return events

        for attempt in range(MAX_ATTEMPTS):
            when = self.when(at, clock, after=state.head_recorded_at)
            if when.occurred < state.opened_at:
                raise InvalidInput(
                    msg(
                        "err.incident.before_opened",
                        at=fmt_zoned(when.occurred, self.zone),
                        opened=fmt_zoned(state.opened_at, self.zone),
                    )
                )
            drafts = rule(state, runbook, when)
            if not drafts:
                return [], None
            head = Head(state.last_seq, state.head_hash, state.head_recorded_at)
            sealed = seal_after(head, state.id, drafts)
            after = state.copy()
            if not st.fold_more(after, runbook, sealed):
                after = st.fold(runbook, [*whole(), *sealed])
            try:
                self.store.append(state.id, head, sealed, after.summary())
            except HeadMoved:
                newer = self.store.events(state.id, after=state.last_seq)
                if events is not None:
                    events.extend(newer)
                if not st.fold_more(state, runbook, newer):
                    events = self.store.events(state.id)
                    state = st.fold(runbook, events)
                _pause(attempt)
                continue
            return sealed, after
        raise _too_busy(state.id)

    def record(
        self, ref: str, rule: Callable[[st.IncidentState, Runbook, When], list[Draft]]
    ) -> list[Event]:
        """Record what ``rule`` decides on the incident's current state, now (in its own
        time), by the protocol every change follows: for use cases beyond this module's
        (a drill's clock and injects)."""
        return self._record(ref, None, rule)

    def draft(self, kind: str, payload: dict[str, Any], when: When) -> Draft:
        """An event to record, by whoever acts, at ``when``, its texts' sizes checked."""
        return self._draft(kind, payload, when)

    def _draft(self, kind: str, payload: dict[str, Any], when: When) -> Draft:
        self.check_size(payload)
        return Draft(kind, payload, self.actor, when.occurred_at, when.recorded_at, when.backdated)

    def check_size(self, payload: dict[str, Any], field: str = "") -> None:
        """Refuse any text in ``payload`` (or the actor's name) longer than :attr:`max_text`
        bytes, naming the field and the limit."""
        limit = self.max_text
        fields = payload.items() if field else {"by": self.actor, **payload}.items()
        for key, value in fields:
            name = f"{field}.{key}" if field else key
            if isinstance(value, dict):
                self.check_size(value, name)
            elif isinstance(value, str) and len(value) * 4 > limit:
                size = len(value.encode("utf-8", "surrogatepass"))
                if size > limit:
                    raise InvalidInput(msg("err.text.too_long", field=name, size=size, limit=limit))

    def step(
        self,
        ref: str,
        action: str,
        step_id: str,
        *,
        note: str | None = None,
        reason: str | None = None,
        evidence: dict[str, str] | None = None,
        at: str | None = None,
    ) -> Event:
        kind = {
            "start": ev.STEP_STARTED,
            "done": ev.STEP_DONE,
            "skip": ev.STEP_SKIPPED,
            "na": ev.STEP_NA,
        }[action]
        if action in ("skip", "na") and not (reason or "").strip():
            raise InvalidInput(msg("err.step.needs_reason", action=action))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            _not_closed(state)
            step = runbook.step(step_id)
            if step is None:
                raise UnknownStep(_unknown_step(step_id, runbook, state.severity))
            if not step.applies_to(state.severity):
                raise StepNotApplicable(
                    msg(
                        "err.step.not_for_tier",
                        step=step_id,
                        tiers=list(step.tiers),
                        id=state.id,
                        tier=state.severity,
                    ),
                    hint=msg("err.step.change_severity"),
                )
            current = state.steps[step_id]
            if current.status in st.FINISHED and not (step.recurring and kind == ev.STEP_DONE):
                assert current.finished_at is not None
                raise InvalidAction(
                    msg(
                        "err.step.already",
                        step=step_id,
                        state=msg(f"state.{current.status}"),
                        at=fmt_zoned(current.finished_at, self.zone),
                        actor=current.actor,
                    ),
                    hint=msg("err.step.retract_hint", id=state.id, seq=current.finished_seq),
                )
            if kind == ev.STEP_STARTED and current.status == st.IN_PROGRESS:
                assert current.started_at is not None
                raise InvalidAction(
                    msg(
                        "err.step.in_progress",
                        step=step_id,
                        at=fmt_zoned(current.started_at, self.zone),
                        actor=current.actor,
                    )
                )
            payload: dict[str, Any] = {"step": step_id}
            if kind == ev.STEP_DONE:
                given = dict(evidence or {})
                known = {e.id: e for e in step.evidence}
                unknown = [k for k in given if k not in known]
                if unknown:
                    raise InvalidInput(
                        msg(
                            "err.evidence.unknown",
                            step=step_id,
                            given=unknown[0],
                            known=list(known) or msg("err.evidence.none"),
                        )
                    )
                missing = [
                    e for e in step.evidence if e.required and not given.get(e.id, "").strip()
                ]
                if missing:
                    need = clauses(
                        [msg("err.evidence.item", id=e.id, label=e.label) for e in missing]
                    )
                    raise InvalidInput(
                        msg("err.evidence.missing", step=step_id, need=need),
                        hint=msg("err.evidence.how"),
                    )
                from incidentctl.incidents.evidence import check_value

                payload["evidence"] = {
                    k: check_value(
                        known[k].type,
                        v,
                        step=step_id,
                        item=k,
                        now=when.recorded,
                        zone=self.zone,
                    )
                    if v.strip()
                    else ""
                    for k, v in given.items()
                }
            elif evidence:
                raise InvalidInput(msg("err.evidence.only_done"))
            if note and note.strip():
                payload["note"] = note.strip()
            if reason and reason.strip():
                payload["reason"] = reason.strip()
            return [self._draft(kind, payload, when)]

        return self._record(ref, at, rule)[0]

    def note(self, ref: str, text: str, *, at: str | None = None) -> Event:
        if not text.strip():
            raise InvalidInput(msg("err.note.empty"))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            return [self._draft(ev.NOTE, {"text": text.strip()}, when)]

        return self._record(ref, at, rule)[0]

    def assign(self, ref: str, role: str, name: str, *, at: str | None = None) -> Event:
        if not _no_nul(name, role).strip():
            raise InvalidInput(msg("err.name.empty"))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            _not_closed(state)
            runbook.check_role(role)
            return [self._draft(ev.ASSIGNED, {"role": role, "name": name.strip()}, when)]

        return self._record(ref, at, rule)[0]

    def set_severity(self, ref: str, severity: str, *, reason: str, at: str | None = None) -> Event:
        if not reason.strip():
            raise InvalidInput(msg("err.severity.needs_reason"))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            _not_closed(state)
            tier = runbook.resolve_tier(severity)
            before = state.tier_at(when.occurred)
            if tier == before:
                raise InvalidAction(msg("err.severity.same", id=state.id, tier=tier))
            payload = {"from": before, "to": tier, "reason": reason.strip()}
            return [self._draft(ev.SEVERITY, payload, when)]

        return self._record(ref, at, rule)[0]

    def mitigate(self, ref: str, *, note: str | None = None, at: str | None = None) -> Event:
        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            if state.status != st.OPEN:
                raise InvalidAction(
                    msg("err.mitigate.not_open", id=state.id, status=_status(state))
                )
            return [self._draft(ev.MITIGATED, {"note": note.strip()} if note else {}, when)]

        return self._record(ref, at, rule)[0]

    def resolve_incident(
        self, ref: str, *, summary: str | None = None, at: str | None = None
    ) -> Event:
        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            if state.status not in (st.OPEN, st.MITIGATED):
                raise InvalidAction(msg("err.resolve.already", id=state.id, status=_status(state)))
            return [self._draft(ev.RESOLVED, {"summary": summary.strip()} if summary else {}, when)]

        return self._record(ref, at, rule)[0]

    def reopen(self, ref: str, *, reason: str, at: str | None = None) -> Event:
        if not reason.strip():
            raise InvalidInput(msg("err.reopen.needs_reason"))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            if state.status not in (st.RESOLVED, st.CLOSED):
                raise InvalidAction(
                    msg("err.reopen.not_finished", id=state.id, status=_status(state))
                )
            return [self._draft(ev.REOPENED, {"reason": reason.strip()}, when)]

        return self._record(ref, at, rule)[0]

    def close(
        self, ref: str, *, force: bool = False, reason: str | None = None, at: str | None = None
    ) -> Event:
        if force and not (reason or "").strip():
            raise InvalidInput(msg("err.close.needs_reason"))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            if state.status == st.CLOSED:
                raise InvalidAction(msg("err.close.already", id=state.id))
            if state.status != st.RESOLVED:
                raise InvalidAction(
                    msg("err.close.not_resolved", id=state.id, status=_status(state))
                )
            unfinished = open_required_steps(state, runbook)
            if unfinished and not force:
                raise InvalidAction(
                    msg("err.close.open_steps", id=state.id, n=len(unfinished), steps=unfinished),
                    hint=msg("err.close.how"),
                )
            payload: dict[str, Any] = {
                "forced": bool(force and unfinished),
                "open_steps": unfinished,
            }
            if reason and reason.strip():
                payload["reason"] = reason.strip()
            return [self._draft(ev.CLOSED, payload, when)]

        return self._record(ref, at, rule)[0]

    def _discovered(self, text: str, when: When, opened: datetime) -> datetime:
        """A discovery time read like ``--at`` (never in the future), and never after the
        incident was opened: a legal clock may start before the incident, not after it."""
        at = parse_time(text, now=when.recorded, tz=self.zone)
        if at > opened:
            raise InvalidInput(
                msg(
                    "err.discovered.future",
                    at=fmt_zoned(at, self.zone),
                    opened=fmt_zoned(opened, self.zone),
                )
            )
        return at

    def update(self, ref: str, field: str, value: str, *, at: str | None = None) -> Event:
        """Set a fact of the incident: ``scope``, ``title``, ``eta`` or ``discovered``.

        The ETA is a time promised to customers, and so a deadline of its own: a time
        still to come (see :func:`~incidentctl.times.parse_eta`), or empty to withdraw
        it.  The event records the ETA it replaces (``previous``), if any.  ``discovered``
        is when the event was discovered, read like ``--at`` and never after opening; steps
        anchored ``from: discovered`` count from it (it replaces any earlier value)."""

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            _not_closed(state)
            text = _no_nul(value.strip(), field) if field == "title" else value.strip()
            payload: dict[str, Any] = {"field": field, "value": text}
            if field == "discovered":
                if not text:
                    raise InvalidInput(msg("err.field.empty", field=msg("field.discovered")))
                payload["value"] = iso(self._discovered(text, when, state.opened_at))
                if state.discovered_at is not None:
                    payload["previous"] = iso(state.discovered_at)
                return [self._draft(ev.UPDATED, payload, when)]
            if field == "eta":
                if text:
                    if state.status in (st.RESOLVED, st.CLOSED):
                        raise InvalidAction(msg("err.eta.resolved", id=state.id))
                    due = parse_eta(text, now=when.recorded, tz=self.zone)
                    if due == state.eta:
                        raise InvalidAction(
                            msg("err.eta.same", id=state.id, at=fmt_zoned(due, self.zone))
                        )
                    payload["value"] = iso(due)
                elif state.eta is None:
                    raise InvalidAction(msg("err.eta.none", id=state.id))
                if state.eta is not None:
                    payload["previous"] = iso(state.eta)
            elif not text:
                raise InvalidInput(msg("err.field.empty", field=msg(f"field.{field}")))
            return [self._draft(ev.UPDATED, payload, when)]

        return self._record(ref, at, rule)[0]

    def send(
        self,
        ref: str,
        *,
        template: str,
        lang: str,
        channel: str,
        subject: str | None,
        text: str,
        inputs: dict[str, str] | None = None,
        at: str | None = None,
    ) -> Event:
        """Record a message as sent: the exact text, where it went, and to whom."""
        if not text.strip():
            raise InvalidInput(msg("err.send.empty"))
        if not channel.strip():
            raise InvalidInput(msg("err.send.channel"))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            _not_closed(state)
            if template not in runbook.templates:
                raise InvalidInput(
                    msg("err.send.no_template", runbook=runbook.id, template=template)
                )
            payload: dict[str, Any] = {
                "template": template,
                "audience": runbook.templates[template].audience,
                "lang": lang,
                "channel": channel.strip(),
                "text": text,
            }
            if subject:
                payload["subject"] = subject
            if inputs:
                payload["inputs"] = inputs
            return [self._draft(ev.COMMS, payload, when)]

        return self._record(ref, at, rule)[0]

    def ack(self, ref: str, step_id: str | None = None, *, at: str | None = None) -> Event:
        """Record that the actor has seen the page: of ``step_id``, or of the whole incident.
        It stops the escalation of every breach (of that step) it comes after."""

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            _not_closed(state)
            payload: dict[str, Any] = {}
            if step_id is not None:
                if runbook.step(step_id) is None:
                    raise UnknownStep(_unknown_step(step_id, runbook, state.severity))
                payload["step"] = step_id
            return [self._draft(ev.ACKED, payload, when)]

        return self._record(ref, at, rule)[0]

    def claim_notice(
        self,
        incident_id: str,
        key: str,
        *,
        run: str,
        due: Callable[[st.NoticeState | None, datetime], list[str]],
        hold: float,
    ) -> list[str]:
        """Claim notice ``key`` for delivery run ``run``: the channels ``due`` says it should
        go to now, unless another run holds a live claim on it.  Decided on the head the
        claim is appended to, so of two runs racing, one gets it.  Returns the channels
        claimed (none: someone else is sending it, or nothing is due)."""
        claimed: list[str] = []

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            claimed.clear()
            notice = state.notices.get(key)
            if notice is not None and notice.claimed_by_other(run, when.recorded):
                return []
            channels = due(notice, when.recorded)
            if not channels:
                return []
            claimed.extend(channels)
            from datetime import timedelta

            until = iso(when.recorded + timedelta(seconds=hold))
            payload = {"key": key, "run": run, "channels": channels, "until": until}
            return [self._draft(ev.NOTICE_CLAIMED, payload, when)]

        return claimed if self._record(incident_id, None, rule) else []

    def record_delivery(
        self,
        incident_id: str,
        key: str,
        *,
        kind: str,
        deadline: str,
        run: str,
        via: str,
        delivered: list[str],
        failed: list[tuple[str, str, bool]],
        mentioned: list[str] | None = None,
        level: int = 0,
        target: str = "",
    ) -> dict[str, int]:
        """Record what each channel did with notice ``key`` this run (and so release the
        run's claim): the channels that accepted it, and the ``(channel, reason,
        permanent)`` of each that failed.  Returns each failed channel's failures so far."""
        failures: dict[str, int] = {}

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            before = state.notices.get(key)
            failures.clear()
            for channel, _, _ in failed:
                failures[channel] = (before.failures.get(channel, 0) if before else 0) + 1
            payload: dict[str, Any] = {
                "key": key,
                "kind": kind,
                "deadline": deadline,
                "run": run,
                "via": via,
                "channels": delivered,
                "failed": [
                    {"channel": c, "reason": reason, "permanent": permanent}
                    for c, reason, permanent in failed
                ],
            }
            if mentioned:
                payload["mentioned"] = list(mentioned)  # names only: never an account
            if level:
                payload["level"] = level
                payload["notify"] = target
            return [self._draft(ev.NOTIFIED, payload, when)]

        self._record(incident_id, None, rule)
        return failures

    # --- items: one clock per customer report ---------------------------------------
    def item_add(self, ref: str, kind: str, item: str, *, at: str | None = None) -> Event:
        """Record one item (a customer's report) that ``per:`` steps keep a clock for, as
        reported at ``at`` (default now; read like ``--at``, and unlike it possibly before
        the incident was opened, since customers often report first): each such step is
        due for it a duration after that.  The event itself is recorded now, saying when
        the report came in."""
        item = item.strip()
        if not _ITEM_REF.match(item):
            raise InvalidInput(msg("err.item.ref", ref=item))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            _not_closed(state)
            kinds = sorted({s.per for s in runbook.steps if s.per})
            if kind not in kinds:
                raise InvalidInput(
                    msg("err.item.kind", kind=kind, runbook=runbook.id, kinds=kinds or "-")
                )
            if item in state.items:
                raise InvalidAction(msg("err.item.twice", ref=item, id=state.id))
            payload = {"kind": kind, "ref": item}
            if at is not None:
                payload["reported_at"] = iso(parse_time(at, now=when.recorded, tz=self.zone))
            return [self._draft(ev.ITEM_ADDED, payload, when)]

        return self._record(ref, None, rule)[0]

    def item_done(
        self, ref: str, item: str, *, step: str | None = None, at: str | None = None
    ) -> Event:
        """Record the ``per:`` step ``step`` done for one item (the only such step of the
        item's kind when not given)."""

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            _not_closed(state)
            found = state.items.get(item.strip())
            if found is None:
                raise InvalidInput(
                    msg("err.item.unknown", ref=item, id=state.id, refs=list(state.items) or "-")
                )
            steps = [s.id for s in runbook.steps if s.per == found.kind]
            chosen = step or (steps[0] if len(steps) == 1 else None)
            if chosen is None or chosen not in steps:
                raise InvalidInput(msg("err.item.step", ref=found.ref, steps=steps or "-"))
            if chosen in found.done:
                raise InvalidAction(
                    msg(
                        "err.item.done_twice",
                        ref=found.ref,
                        step=chosen,
                        at=fmt_zoned(found.done[chosen], self.zone),
                    )
                )
            if when.occurred < found.added_at:
                raise InvalidInput(
                    msg(
                        "err.item.before_report",
                        ref=found.ref,
                        at=fmt_zoned(found.added_at, self.zone),
                    )
                )
            return [self._draft(ev.ITEM_DONE, {"ref": found.ref, "step": chosen}, when)]

        return self._record(ref, at, rule)[0]

    def retract(self, ref: str, seq: int, *, reason: str, at: str | None = None) -> Event:
        """Record that event ``seq`` was a mistake.  Back-dated (``at``) like any event, and
        never to before the event it retracts happened."""
        if not reason.strip():
            raise InvalidInput(msg("err.retract.needs_reason"))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            if seq in state.retracted:
                raise InvalidAction(msg("err.retract.already", seq=seq, id=state.id))
            if not 1 <= seq <= state.last_seq:
                raise InvalidInput(
                    msg("err.retract.no_event", id=state.id, seq=seq, last=state.last_seq)
                )
            if target is not None and when.occurred < target.occurred:
                raise InvalidInput(
                    msg(
                        "err.retract.before_event",
                        at=fmt_zoned(when.occurred, self.zone),
                        seq=seq,
                        occurred=fmt_zoned(target.occurred, self.zone),
                    )
                )
            return [self._draft(ev.RETRACTED, {"seq": seq, "reason": reason.strip()}, when)]

        incident_id = self.resolve(ref)
        # Events never change, so the target's type can be checked outside the transaction.
        target = next((e for e in self.store.events(incident_id) if e.seq == seq), None)
        if target is not None and target.type not in ev.RETRACTABLE:
            raise InvalidAction(msg("err.retract.not_retractable", seq=seq, type=target.type))
        return self._record(incident_id, at, rule)[0]

    # --- the review (复盘) -------------------------------------------------------------
    # Written after the incident, so allowed on a closed one: the review and its action
    # items outlive the incident's own life.

    def review(self, ref: str, field: str, value: str, *, at: str | None = None) -> Event:
        """Set (or, with an empty value, clear) one section of the review.  ``impact`` is
        typed (``customers=N orders=N amount=CNY duration=D note=TEXT``) and
        ``discovered`` is a time; every other section is free text."""
        if field not in ev.REVIEW_FIELDS:
            raise InvalidInput(
                msg(
                    "err.review.field",
                    field=field,
                    near=did_you_mean(field, ev.REVIEW_FIELDS),
                    fields=list(ev.REVIEW_FIELDS),
                )
            )
        text = value.strip()

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            typed: Any = text
            if not text:
                if field not in state.review:
                    raise InvalidAction(msg("err.review.not_set", id=state.id, field=field))
            elif field == "impact":
                typed = parse_impact(text)
            elif field == "discovered":
                found = parse_time(text, now=when.recorded, tz=self.zone)
                if found > state.opened_at:
                    raise InvalidInput(
                        msg(
                            "err.review.discovered_late",
                            at=fmt_zoned(found, self.zone),
                            opened=fmt_zoned(state.opened_at, self.zone),
                        )
                    )
                typed = iso(found)
            if state.review.get(field) == typed:
                raise InvalidAction(msg("err.review.same", id=state.id, field=field))
            return [self._draft(ev.REVIEWED, {"field": field, "value": typed}, when)]

        return self._record(ref, at, rule)[0]

    def add_action(
        self,
        ref: str,
        text: str,
        *,
        owner: str,
        due: str,
        kind: str = "prevent",
        at: str | None = None,
    ) -> Event:
        """Add an action item: what is to be done, by whom, by the end of which day."""
        if not text.strip():
            raise InvalidInput(msg("err.action.empty"))
        if not owner.strip():
            raise InvalidInput(msg("err.action.owner"))
        if kind not in ev.ACTION_KINDS:
            raise InvalidInput(msg("err.action.kind", kind=kind, kinds=list(ev.ACTION_KINDS)))
        day, due_at = end_of_day(due, self.zone)

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            payload = {
                "action": max(state.actions, default=0) + 1,
                "text": text.strip(),
                "owner": owner.strip(),
                "due": day,
                "due_at": iso(due_at),
                "kind": kind,
            }
            return [self._draft(ev.ACTION_ADDED, payload, when)]

        return self._record(ref, at, rule)[0]

    def end_action(
        self,
        ref: str,
        number: int,
        *,
        done: bool,
        reason: str | None = None,
        at: str | None = None,
    ) -> Event:
        """Record action item ``number`` as done, or dropped (which needs a reason)."""
        if not done and not (reason or "").strip():
            raise InvalidInput(msg("err.action.drop_reason"))

        def rule(state: st.IncidentState, runbook: Runbook, when: When) -> list[Draft]:
            item = state.actions.get(number)
            if item is None:
                raise InvalidInput(
                    msg("err.action.none", id=state.id, n=number, known=sorted(state.actions))
                )
            if item.state != st.ACTION_OPEN:
                raise InvalidAction(
                    msg(
                        "err.action.ended", id=state.id, n=number, state=msg(f"action.{item.state}")
                    )
                )
            payload: dict[str, Any] = {"action": number}
            if reason and reason.strip():
                payload["reason"] = reason.strip()
            kind = ev.ACTION_DONE if done else ev.ACTION_DROPPED
            return [self._draft(kind, payload, when)]

        return self._record(ref, at, rule)[0]

    def with_actions(self) -> list[View]:
        """Every incident that has ever had an action item, read and folded, oldest first."""
        return [self._view(i) for i in self.store.incidents_with(ev.ACTION_ADDED)]


#: The typed facts of the review's ``impact``: name -> what it holds.
IMPACT_FACTS = ("customers", "orders", "amount", "duration", "note")


def parse_impact(text: str) -> dict[str, Any]:
    """``customers=1200 orders=3400 amount=56000.50 duration=2h30m note=...`` as typed facts:
    counts as integers, the amount in CNY as a decimal string with two places (never a
    float), the duration in seconds; ``note`` takes the rest of the line."""
    import re
    from decimal import Decimal, InvalidOperation

    from incidentctl.durations import parse_duration

    out: dict[str, Any] = {}
    rest = text.strip()
    note = re.search(r"(?:^|\s)note=", rest)
    if note:
        out["note"] = rest[note.end() :].strip()
        rest = rest[: note.start()]
    for item in rest.split():
        key, sep, value = item.partition("=")
        if not sep or key not in IMPACT_FACTS:
            raise InvalidInput(msg("err.impact.item", item=item, facts=list(IMPACT_FACTS)))
        if key in out:
            raise InvalidInput(msg("err.impact.twice", fact=key))
        if key in ("customers", "orders"):
            if not value.isdecimal() or len(value) > 15:
                raise InvalidInput(msg("err.impact.count", fact=key, value=value))
            out[key] = int(value)
        elif key == "amount":
            cleaned = value.replace(",", "").removeprefix("¥").removeprefix("￥")
            try:
                amount = Decimal(cleaned)
            except InvalidOperation:
                amount = Decimal(-1)
            if not amount.is_finite() or amount < 0 or len(cleaned) > 20:
                raise InvalidInput(msg("err.impact.amount", value=value))
            out["amount_cny"] = str(amount.quantize(Decimal("0.01")))
        else:
            d = parse_duration(value)
            if d.is_business:
                raise InvalidInput(msg("err.impact.duration", value=value))
            out["duration_seconds"] = d.seconds
    if not out or out.get("note") == "":
        raise InvalidInput(msg("err.impact.empty", facts=list(IMPACT_FACTS)))
    return out


def end_of_day(text: str, zone: tzinfo) -> tuple[str, datetime]:
    """A due date ``YYYY-MM-DD`` and the instant it ends in ``zone`` (the next midnight)."""
    from datetime import date, datetime, timedelta

    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(msg("err.action.due", text=text)) from None
    if len(text.strip()) != 10:
        raise InvalidInput(msg("err.action.due", text=text))
    nxt = day + timedelta(days=1)
    local = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
    return day.isoformat(), local


def _pause(attempt: int) -> None:
    """A moment's wait after losing a race, jittered so racing writers spread out, and
    longer after each race lost (up to 64 ms): with 32 writers on one incident of a team
    store, where each try is a few round trips, a fixed 2 ms let one writer lose 200 races
    in a row on a loaded machine."""
    import random  # only on the contended path: it costs start-up otherwise
    import time

    time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 5)))


def _too_busy(what: str | Msg) -> StoreError:
    return StoreError(
        msg("err.incident.busy", what=what, n=MAX_ATTEMPTS), hint=msg("err.try_again")
    )


def _status(state: st.IncidentState) -> Msg:
    """The incident's status as a word of the reader's language."""
    return msg(f"status.{state.status}")


def _no_nul(text: str, field: str) -> str:
    """``text``, refused if it holds a NUL character: a title or a name is kept in the
    store's summary row, and a PostgreSQL text column cannot hold one (the embedded store
    could, so the two refused it differently, the team store as a broken store)."""
    if "\0" in text:
        raise InvalidInput(msg("err.text.nul", field=field))
    return text


def _not_closed(state: st.IncidentState) -> None:
    if state.status == st.CLOSED:
        raise InvalidAction(msg("err.closed", id=state.id), hint=msg("err.closed.how", id=state.id))


def _unknown_step(step_id: str, runbook: Runbook, tier: str) -> Msg:
    return msg(
        "err.step.unknown",
        runbook=runbook.id,
        step=step_id,
        near=did_you_mean(step_id, (s.id for s in runbook.steps)),
        tier=tier,
        steps=[s.id for s in runbook.steps if s.applies_to(tier)],
    )


_ITEM_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def open_required_steps(state: st.IncidentState, runbook: Runbook) -> list[str]:
    """Required, non-recurring steps of the current tier that are neither done, skipped nor n/a."""
    return [
        s.id
        for s in runbook.steps
        if s.required
        and not s.recurring
        and s.applies_to(state.severity)
        and state.steps[s.id].status not in st.FINISHED
    ]
