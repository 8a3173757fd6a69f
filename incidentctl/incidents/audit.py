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
    from collections.abc import Callable, Iterable, Iterator

    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook
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


class Memo:
    """What an audit of many incidents works out once rather than once per incident: each
    pinned snapshot's verdict, and the runbook read from it for the fold (building one
    from its document took longer than folding a whole incident)."""

    __slots__ = ("runbooks", "snapshots")

    def __init__(self) -> None:
        self.snapshots: dict[str, AuditProblem | None] = {}
        self.runbooks: dict[str, Runbook] = {}


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
    events: list[Event],
    snapshot: Callable[[str], dict[str, Any]],
    checked: dict[str, AuditProblem | None] | None = None,
) -> list[AuditProblem]:
    """What is wrong with one incident's log as read: its hash chain, its first event, and
    the runbook snapshot it pinned (``snapshot`` reads a snapshot by its sha256).  What
    ``show`` and ``timeline`` check before the reader trusts what they print.

    ``checked`` remembers each snapshot's verdict across the incidents of one audit:
    thousands of incidents pin the same few snapshots, and the store hands back the one
    document it read for each."""
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
        if checked is None or pinned not in checked:
            verdict = _snapshot_problem(pinned, snapshot)
            if checked is not None:
                checked[pinned] = verdict
        else:
            verdict = checked[pinned]
        if verdict is not None:
            problems.append(verdict)
    return problems


def _snapshot_problem(
    pinned: str, snapshot: Callable[[str], dict[str, Any]]
) -> AuditProblem | None:
    """What is wrong with the runbook snapshot an incident pinned, if anything."""
    try:
        document = snapshot(pinned)
    except StoreError:
        return AuditProblem(None, "snapshot-missing", "the pinned runbook snapshot is missing")
    if sha256_of(document) != pinned:
        return AuditProblem(
            None, "snapshot", "the stored runbook snapshot is not the one the incident pinned"
        )
    return None


def verify_incident(store: Store, incident_id: str, memo: Memo | None = None) -> IncidentAudit:
    """Audit one incident: its log (:func:`log_problems`), and its summary row against the
    log: the row must exist, end where the chain ends, and say what the fold of the log
    says (title, tier, status, commander, opening, pinned runbook) -- the row is what
    ``list``, ``show`` and ``check`` read, so a row edited or removed would silence them.
    ``memo`` carries what one audit of many incidents learns once (see :class:`Memo`)."""
    memo = memo or Memo()
    events = store.events(incident_id)
    problems = log_problems(events, store.runbook_document, memo.snapshots)
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
            problems.extend(_summary_against_fold(store, events, row, memo))
    return IncidentAudit(incident_id, len(events), Head.of(head), problems)


def _summary_against_fold(
    store: Store, events: list[Event], row: IncidentRow, memo: Memo
) -> list[AuditProblem]:
    """Where the summary row says something the fold of the (intact) log does not."""
    from incidentctl.incidents.state import fold
    from incidentctl.runbooks.model import from_document

    pinned = events[0].payload["runbook"]["sha256"]
    try:
        runbook = memo.runbooks.get(pinned)
        if runbook is None:
            runbook = memo.runbooks[pinned] = from_document(store.runbook_document(pinned), pinned)
        state = fold(runbook, events)
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
    workers: int = 1,
    reopen: Callable[[], Store] | None = None,
) -> AuditReport:
    """Audit each incident (``progress`` is told each one as it is done, in order), adding
    what anchors showed about it (``anchored``, from
    :func:`incidentctl.incidents.anchors.check`).

    With ``workers`` above one and ``reopen`` (opening the same store again, read-only),
    the incidents are shared out among that many processes, each with its own connection:
    hashing a million events is work for every processor the machine has.  The report is
    the same, in the same order."""
    ids = list(incident_ids)
    memo = Memo()
    audited: Iterable[IncidentAudit]
    if workers > 1 and reopen is not None and len(ids) >= 2 * _CHUNK and _can_fork():
        audited = _in_processes(ids, workers, reopen)
    else:
        audited = (verify_incident(store, incident_id, memo) for incident_id in ids)
    out = []
    for checked in audited:
        extra = (anchored or {}).get(checked.incident, [])
        entry = checked
        if extra:
            problems = [p for p in checked.problems if p.code != "empty"] + extra
            entry = checked._replace(problems=problems)
        out.append(entry)
        if progress is not None:
            progress(entry.incident)
    return AuditReport(out)


#: Incidents handed to a worker at a time: enough to keep the hand-over cheap, few enough
#: that the progress bar moves and the workers finish together.
_CHUNK = 50

#: A worker process's own connection to the store, and what it learns across its chunks.
_worker: dict[str, Any] = {}


def _can_fork() -> bool:
    """Workers are forked (they inherit the code already imported; a spawned interpreter
    would import it all again and re-run the command line)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _in_processes(
    ids: list[str], workers: int, reopen: Callable[[], Store]
) -> Iterator[IncidentAudit]:
    """:func:`verify_incident` of each of ``ids``, in ``workers`` forked processes, in order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [ids[i : i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
    with ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(reopen,),
    ) as pool:
        for entries in pool.map(_verify_chunk, chunks):
            yield from entries


def _start_worker(reopen: Callable[[], Store]) -> None:
    _worker["store"] = reopen()
    _worker["memo"] = Memo()


def _verify_chunk(ids: list[str]) -> list[IncidentAudit]:
    store, memo = _worker["store"], _worker["memo"]
    return [verify_incident(store, incident_id, memo) for incident_id in ids]
