"""The storage interface the domain talks to.

Small on purpose: append events, read one incident's events, list and
summarise incidents, keep runbook snapshots.  The embedded SQLite store is
the default; a server database for teams sharing incidents across machines
implements the same protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from incidentctl.incidents.events import Draft, Event


class IncidentRow(NamedTuple):
    """What the store keeps per incident for listing without reading its events."""

    id: str
    opened_at: str
    runbook_id: str
    runbook_sha256: str
    title: str
    severity: str
    status: str
    commander: str | None
    last_seq: int
    head_hash: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "opened_at": self.opened_at,
            "runbook": self.runbook_id,
            "runbook_sha256": self.runbook_sha256,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "commander": self.commander,
            "events": self.last_seq,
            "updated_at": self.updated_at,
        }


class Decision(NamedTuple):
    """What a domain rule decided inside an append transaction."""

    drafts: Sequence[Draft]
    summary: dict[str, Any]  # title, severity, status, commander after the drafts


class Store(Protocol):
    def create_incident(
        self,
        *,
        day: str,
        runbook_doc: dict[str, Any],
        runbook_sha256: str,
        opened: Draft,
        summary: dict[str, Any],
    ) -> Event:
        """Allocate ``INC-<day>-NNN`` and append its ``incident.opened`` event atomically."""
        ...

    def append(
        self, incident_id: str, decide: Callable[[Sequence[Event], dict[str, Any]], Decision]
    ) -> list[Event]:
        """Run ``decide`` on the current log and pinned runbook document, and append the
        drafts it returns, all in one transaction: nobody else can append in between."""
        ...

    def events(self, incident_id: str) -> list[Event]: ...

    def runbook_document(self, sha256: str) -> dict[str, Any]: ...

    def incident(self, incident_id: str) -> IncidentRow | None: ...

    def incidents(
        self,
        *,
        statuses: Sequence[str] | None = None,
        runbook_id: str | None = None,
        severity: str | None = None,
        limit: int | None = None,
    ) -> list[IncidentRow]: ...

    def match_ids(self, ref: str) -> list[str]:
        """Ids equal to ``ref``, starting with it, or (for a number) ending with it."""
        ...

    def close(self) -> None: ...
