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
    from incidentctl.store.base import IncidentRow, Store


class AuditProblem(NamedTuple):
    """One thing wrong with an incident: where (an event's seq, or ``None`` for the incident
    as a whole), a catalogue code (``audit.<code>``), and the English text."""

    seq: int | None
    code: str
    message: str
    expected: int | None = None
    detail: str | None = None  # what differs, for ``summary-fold``


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
    """Audit one incident: its log (:func:`log_problems`), and its summary row against the
    log: the row must exist, end where the chain ends, and say what the fold of the log
    says (title, tier, status, commander, opening, pinned runbook) -- the row is what
    ``list``, ``show`` and ``check`` read, so a row edited or removed would silence them."""
    events = store.events(incident_id)
    problems = log_problems(events, store.runbook_document)
    if not events:
        return IncidentAudit(incident_id, 0, None, problems)
    row = store.incident(incident_id)
    head = events[-1]
    if row is None:
        problems.append(
            AuditProblem(None, "summary-missing", "the incident's summary row is missing")
        )
    else:
        if (row.last_seq, row.head_hash) != (head.seq, head.hash):
            problems.append(
                AuditProblem(None, "summary", "the summary row does not match the end of the chain")
            )
        if not problems:
            problems.extend(_summary_against_fold(store, events, row))
    return IncidentAudit(incident_id, len(events), Head.of(head), problems)


def _summary_against_fold(
    store: Store, events: list[Event], row: IncidentRow
) -> list[AuditProblem]:
    """Where the summary row says something the fold of the (intact) log does not."""
    from incidentctl.incidents.state import fold
    from incidentctl.runbooks.model import from_document

    pinned = events[0].payload["runbook"]["sha256"]
    try:
        state = fold(from_document(store.runbook_document(pinned), pinned), events)
    except (KeyError, TypeError, ValueError) as exc:
        return [AuditProblem(None, "unreadable", f"the log cannot be read: {exc}")]
    folded = state.summary()
    expected = {
        "title": folded.title,
        "severity": folded.severity,
        "status": folded.status,
        "commander": folded.commander,
        "opened_at": events[0].occurred_at,
        "runbook_sha256": pinned,
    }
    out = []
    for field, value in expected.items():
        found = getattr(row, field)
        if found != value:
            detail = f"{field}: {found!r} (the log says {value!r})"
            out.append(
                AuditProblem(
                    None,
                    "summary-fold",
                    f"the summary row does not agree with the log: {detail}",
                    detail=detail,
                )
            )
    return out


def verify(
    store: Store,
    incident_ids: Iterable[str],
    *,
    progress: Callable[[str], None] | None = None,
    anchored: dict[str, list[AuditProblem]] | None = None,
) -> AuditReport:
    """Audit each incident in turn (``progress`` is told each one as it is done), adding
    what anchors showed about it (``anchored``, from
    :func:`incidentctl.incidents.anchors.check`)."""
    out = []
    for incident_id in incident_ids:
        entry = verify_incident(store, incident_id)
        extra = (anchored or {}).get(incident_id, [])
        if extra:
            problems = [p for p in entry.problems if p.code != "empty"] + extra
            entry = entry._replace(problems=problems)
        out.append(entry)
        if progress is not None:
            progress(incident_id)
    return AuditReport(out)
