"""Incident events and their hash chain.

An incident is an append-only log.  Each event carries the hash of the one
before it, and its own hash is the SHA-256 of a canonical JSON encoding of
everything it says (including that previous hash), so changing, removing or
reordering any event breaks every hash after it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.times import from_iso

if TYPE_CHECKING:
    from datetime import datetime

GENESIS = "0" * 64

# Event types.  Payload fields are listed beside each.
OPENED = "incident.opened"  # title, severity, runbook{id,version,sha256}, commander?, scope?
STEP_STARTED = "step.started"  # step, note?
STEP_DONE = "step.done"  # step, evidence{}, note?
STEP_SKIPPED = "step.skipped"  # step, reason
STEP_NA = "step.na"  # step, reason
NOTE = "note.added"  # text
ASSIGNED = "role.assigned"  # role, name
SEVERITY = "severity.changed"  # from, to, reason
MITIGATED = "incident.mitigated"  # note?
RESOLVED = "incident.resolved"  # summary?
REOPENED = "incident.reopened"  # reason
CLOSED = "incident.closed"  # forced, reason?, open_steps[]
UPDATED = "incident.updated"  # field (scope|eta|title), value
RETRACTED = "event.retracted"  # seq, reason
COMMS = "comms.sent"  # template, channel, lang, text, audience
NOTIFIED = "deadline.notified"  # key, kind (due-soon|breach), channels[], ok

STEP_EVENTS = (STEP_STARTED, STEP_DONE, STEP_SKIPPED, STEP_NA)
RETRACTABLE = (*STEP_EVENTS, NOTE, ASSIGNED, SEVERITY, UPDATED, COMMS)


def canonical(data: Any) -> bytes:
    """The one byte encoding hashes are computed over: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


class Draft(NamedTuple):
    """An event the domain wants to append; the store gives it a place in the chain."""

    type: str
    payload: dict[str, Any]
    actor: str
    occurred_at: str  # ISO 8601 UTC
    recorded_at: str  # ISO 8601 UTC, taken inside the append transaction
    backdated: bool = False


class Event(NamedTuple):
    incident: str
    seq: int
    type: str
    payload: dict[str, Any]
    actor: str
    recorded_at: str
    occurred_at: str
    backdated: bool
    prev_hash: str
    hash: str

    @property
    def occurred(self) -> datetime:
        return from_iso(self.occurred_at)

    @property
    def recorded(self) -> datetime:
        return from_iso(self.recorded_at)

    def body(self) -> dict[str, Any]:
        """Everything the hash covers."""
        return {
            "incident": self.incident,
            "seq": self.seq,
            "type": self.type,
            "payload": self.payload,
            "actor": self.actor,
            "recorded_at": self.recorded_at,
            "occurred_at": self.occurred_at,
            "backdated": self.backdated,
            "prev_hash": self.prev_hash,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}


def compute_hash(body: dict[str, Any]) -> str:
    import hashlib  # only writers and auditors need it; readers skip the OpenSSL load

    return hashlib.sha256(canonical(body)).hexdigest()


def seal(draft: Draft, *, incident: str, seq: int, prev_hash: str) -> Event:
    """Give a draft its place in the chain."""
    recorded_at = draft.recorded_at
    body = {
        "incident": incident,
        "seq": seq,
        "type": draft.type,
        "payload": draft.payload,
        "actor": draft.actor,
        "recorded_at": recorded_at,
        "occurred_at": draft.occurred_at,
        "backdated": draft.backdated,
        "prev_hash": prev_hash,
    }
    return Event(
        incident=incident,
        seq=seq,
        type=draft.type,
        payload=draft.payload,
        actor=draft.actor,
        recorded_at=recorded_at,
        occurred_at=draft.occurred_at,
        backdated=draft.backdated,
        prev_hash=prev_hash,
        hash=compute_hash(body),
    )


class ChainProblem(NamedTuple):
    seq: int
    message: str


def verify_chain(events: list[Event], *, runbook_sha256: str | None = None) -> list[ChainProblem]:
    """Recompute the chain; return every break found (empty when intact)."""
    problems: list[ChainProblem] = []
    prev = GENESIS
    expected_seq = 1
    for e in events:
        if e.seq != expected_seq:
            problems.append(
                ChainProblem(e.seq, f"sequence gap: expected event {expected_seq}, found {e.seq}")
            )
        expected_seq = e.seq + 1
        if e.prev_hash != prev:
            problems.append(
                ChainProblem(e.seq, "prev_hash does not match the previous event's hash")
            )
        actual = compute_hash(e.body())
        if actual != e.hash:
            problems.append(
                ChainProblem(e.seq, "hash does not match the event's content (altered)")
            )
        prev = e.hash
    if events and events[0].type != OPENED:
        problems.append(ChainProblem(events[0].seq, "the first event is not incident.opened"))
    if runbook_sha256 and events and events[0].type == OPENED:
        pinned = events[0].payload.get("runbook", {}).get("sha256")
        if pinned != runbook_sha256:
            problems.append(
                ChainProblem(1, "the stored runbook snapshot is not the one the incident pinned")
            )
    return problems
