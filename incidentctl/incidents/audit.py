"""Audit: does what the store holds still say what was recorded?

For each incident: its hash chain recomputed (:func:`incidentctl.records.verify_chain`),
its first event an ``incident.opened``, its pinned runbook snapshot still
hashing to the sha256 the incident pinned, and the store's summary row
agreeing with the end of the chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.errors import StoreError
from incidentctl.incidents import events as ev
from incidentctl.records import Head, sha256_of, verify_chain

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from incidentctl.records import Event
    from incidentctl.store.base import Store


class AuditProblem(NamedTuple):
    """One thing wrong with an incident: where (an event's seq, or ``None`` for the incident
    as a whole), a catalogue code (``audit.<code>``), and the English text."""

    seq: int | None
    code: str
    message: str
    expected: int | None = None


class IncidentAudit(NamedTuple):
    """One incident checked: how many events were read, where its chain ends (``None``
    without events), and what is wrong."""

    incident: str
    events: int
    head: Head | None
    problems: list[AuditProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


class AuditReport(NamedTuple):
    """The result of ``audit verify``: one entry per incident checked."""

    incidents: list[IncidentAudit]

    @property
    def failed(self) -> list[IncidentAudit]:
        return [i for i in self.incidents if not i.ok]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def log_problems(
    events: list[Event], snapshot: Callable[[str], dict[str, Any]]
) -> list[AuditProblem]:
    """What is wrong with one incident's log as read: its hash chain, its first event, and
    the runbook snapshot it pinned (``snapshot`` reads a snapshot by its sha256).  What
    ``show`` and ``timeline`` check before the reader trusts what they print."""
    problems = [AuditProblem(p.seq, p.code, p.message, p.expected) for p in verify_chain(events)]
    if not events:
        problems.append(AuditProblem(None, "empty", "the incident has no events"))
        return problems
    first = events[0]
    pinned: str | None = None
    if first.type != ev.OPENED:
        problems.append(
            AuditProblem(first.seq, "not-opened", "the first event is not incident.opened")
        )
    else:
        pinned = first.payload.get("runbook", {}).get("sha256")
    if pinned:
        try:
            document = snapshot(pinned)
        except StoreError:
            problems.append(
                AuditProblem(None, "snapshot-missing", "the pinned runbook snapshot is missing")
            )
        else:
            if sha256_of(document) != pinned:
                problems.append(
                    AuditProblem(
                        None,
                        "snapshot",
                        "the stored runbook snapshot is not the one the incident pinned",
                    )
                )
    return problems


def verify_incident(store: Store, incident_id: str) -> IncidentAudit:
    events = store.events(incident_id)
    problems = log_problems(events, store.runbook_document)
    if not events:
        return IncidentAudit(incident_id, 0, None, problems)
    row = store.incident(incident_id)
    head = events[-1]
    if row is not None and (row.last_seq, row.head_hash) != (head.seq, head.hash):
        problems.append(
            AuditProblem(None, "summary", "the summary row does not match the end of the chain")
        )
    return IncidentAudit(incident_id, len(events), Head.of(head), problems)


def verify(store: Store, incident_ids: Iterable[str]) -> AuditReport:
    """Audit each incident in turn."""
    return AuditReport([verify_incident(store, i) for i in incident_ids])
