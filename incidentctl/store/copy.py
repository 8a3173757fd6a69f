"""Moving to the team store: ``incidentctl store copy --from ... --to ...``.

Every incident of the source is copied with its pinned runbook snapshot and its events
exactly as they are (the same seq, times, actors, payloads and hashes), then its chain is
verified again as the target holds it.  Copying is idempotent: an incident the target
already holds, event for event, is skipped; one it holds only the beginning of (a copy
interrupted between its first event and the rest) is completed; one that differs (another
incident under the same id) is refused and reported, and nothing of it is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from incidentctl.records import Head, verify_chain
from incidentctl.store.base import Summary

if TYPE_CHECKING:
    from collections.abc import Callable

    from incidentctl.records import Event
    from incidentctl.store.base import IncidentRow, Store


#: What happened to one incident.
COPIED, PRESENT, COMPLETED, CONFLICT, BROKEN = (
    "copied",
    "present",
    "completed",
    "conflict",
    "broken",
)


class CopiedIncident(NamedTuple):
    incident: str
    outcome: str  # one of COPIED, PRESENT, COMPLETED, CONFLICT, BROKEN
    events: int  # how many events the source holds


class CopyReport(NamedTuple):
    """The result of ``store copy``: one entry per incident of the source, in the order
    they were opened."""

    source: str
    target: str
    incidents: list[CopiedIncident]

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.incidents if i.outcome == outcome)

    @property
    def refused(self) -> list[CopiedIncident]:
        return [i for i in self.incidents if i.outcome in (CONFLICT, BROKEN)]

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0


def _summary(row: IncidentRow) -> Summary:
    return Summary(row.title, row.severity, row.status, row.commander)


def _same(a: list[Event], b: list[Event]) -> bool:
    return [e.hash for e in a] == [e.hash for e in b]


def copy_incidents(
    source: Store, target: Store, progress: Callable[[int, int, str], None] | None = None
) -> CopyReport:
    """Copy every incident of ``source`` that ``target`` lacks (see the module's docstring);
    ``progress(done, total, incident)`` is called before each one, and once at the end."""
    rows = sorted(source.incidents(), key=lambda r: (r.number, r.id))
    out: list[CopiedIncident] = []
    for done, row in enumerate(rows):
        if progress is not None:
            progress(done, len(rows), row.id)
        events = source.events(row.id)
        if not events or verify_chain(events):
            out.append(CopiedIncident(row.id, BROKEN, len(events)))
            continue
        there = target.events(row.id) if target.incident(row.id) is not None else None
        if there is not None:
            if _same(there, events):
                out.append(CopiedIncident(row.id, PRESENT, len(events)))
                continue
            if not there or not _same(there, events[: len(there)]):
                out.append(CopiedIncident(row.id, CONFLICT, len(events)))
                continue
            rest = events[len(there) :]
            target.append(row.id, Head.of(there[-1]), rest, _summary(row))
            outcome = COMPLETED
        else:
            target.create_incident(
                runbook_doc=source.runbook_document(row.runbook_sha256),
                runbook_sha256=row.runbook_sha256,
                opened=events[0],
                runbook_id=row.runbook_id,
                summary=_summary(row),
            )
            if len(events) > 1:
                target.append(row.id, Head.of(events[0]), events[1:], _summary(row))
            outcome = COPIED
        copied = target.events(row.id)
        if not _same(copied, events) or verify_chain(copied):  # pragma: no cover - a bug
            out.append(CopiedIncident(row.id, BROKEN, len(events)))
            continue
        out.append(CopiedIncident(row.id, outcome, len(events)))
    if progress is not None and rows:
        progress(len(rows), len(rows), "")
    return CopyReport(source.location, target.location, out)
