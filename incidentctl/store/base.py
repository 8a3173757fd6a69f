"""The storage interface the domain talks to.

Small on purpose: create an incident, append sealed events to it, read one
incident's events, list and summarise incidents, keep runbook snapshots.
The store knows nothing of what events mean: it stands on
:mod:`incidentctl.records` alone.

**The domain seals; the store stores.**  The domain reads an incident's log,
decides what to record on the state folded from it, and seals the new events
onto the chain's head, computing each hash exactly once.  :meth:`Store.append`
is then a compare-and-swap: it writes the events only if the incident's chain
still ends at the head the domain built on, and otherwise raises
:class:`HeadMoved` so the domain can catch up and decide again.  SQLite does
the check inside ``BEGIN IMMEDIATE``; a server database does it as
``UPDATE ... WHERE head_hash = $old`` in one transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager

    from incidentctl.records import Event, Head


class Summary(NamedTuple):
    """The facts of an incident the store keeps beside its log, for listing without folding."""

    title: str
    severity: str
    status: str
    commander: str | None


class IncidentRow(NamedTuple):
    """What the store keeps per incident for listing without reading its events, with the
    version of the runbook snapshot it pinned (``None`` if that snapshot is gone)."""

    id: str
    opened_at: str
    runbook_id: str
    runbook_sha256: str
    runbook_version: str | None
    title: str
    severity: str
    status: str
    commander: str | None
    last_seq: int
    head_hash: str
    updated_at: str
    number: int  # short, for life: #1, #2... in the order incidents were opened here


class Conflict(Exception):
    """Another writer got there first; the caller catches up and decides again.

    Not a user error: the domain retries, and only if it keeps losing does
    the user hear about it.
    """


class HeadMoved(Conflict):
    """The incident's chain no longer ends at the head the new events were sealed onto."""

    def __init__(self, incident_id: str, expected: Head, found: Head | None) -> None:
        super().__init__(f"{incident_id}: expected head {expected.seq}, found {found}")
        self.incident_id = incident_id
        self.expected = expected
        self.found = found


class IdTaken(Conflict):
    """A new incident's id was allocated by someone else meanwhile."""

    def __init__(self, incident_id: str) -> None:
        super().__init__(f"{incident_id} exists")
        self.incident_id = incident_id


class Store(Protocol):
    """Where incidents live.  Every method raises :class:`~incidentctl.errors.StoreError`
    (one clear line) when the store cannot be used."""

    #: Where the store is, as a user would recognise it (a path or a URL without secrets).
    location: str

    def next_incident_id(self, day: str) -> str:
        """The id the next incident opened on ``day`` (``YYYYMMDD``) should get:
        ``INC-<day>-NNN``.  A hint, not a reservation: :meth:`create_incident` decides."""
        ...

    def create_incident(
        self,
        *,
        runbook_doc: dict[str, Any],
        runbook_sha256: str,
        opened: Event,
        runbook_id: str,
        summary: Summary,
    ) -> None:
        """Store a new incident whose first event, ``opened``, is already sealed, with its
        pinned runbook snapshot and summary row, atomically.  Raises :class:`IdTaken` if an
        incident with that id exists."""
        ...

    def turn(self, incident_id: str) -> AbstractContextManager[None]:
        """Wait for this process's turn to write to the incident, for as long as the
        context lasts: a server store queues its writers here, so that none loses the
        compare-and-swap race for ever; an embedded one, whose write lock already queues
        them, needs nothing."""
        ...

    def append(
        self, incident_id: str, expected: Head, events: Sequence[Event], summary: Summary
    ) -> None:
        """Append sealed ``events`` (the first built on ``expected``) and replace the summary
        row, atomically, if and only if the chain still ends at ``expected``; otherwise raise
        :class:`HeadMoved` and write nothing."""
        ...

    def import_incidents(
        self, items: Sequence[tuple[dict[str, Any], str, str, Sequence[Event], Summary]]
    ) -> None:
        """Store whole incidents sealed elsewhere, each ``(runbook document, its sha256,
        runbook id, events, summary)``, all in one transaction; raises :class:`IdTaken` and
        writes nothing if any of them is already here."""
        ...

    def events(self, incident_id: str, *, after: int = 0) -> list[Event]:
        """The incident's events with ``seq > after``, in sequence order."""
        ...

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
        """Ids equal to ``ref``; the incident numbered ``ref`` (``17`` or ``#17``); or the ids
        starting with it (``20261122`` or ``20261122-00``)."""
        ...

    def incidents_with(self, event_type: str) -> list[str]:
        """Ids of the incidents that have an event of ``event_type``, in id order."""
        ...

    def incident_ids(self) -> list[str]:
        """Every incident the store knows of, from its events as well as its summary rows
        (what an audit walks: a summary row removed must not hide an incident)."""
        ...

    def change_token(self) -> object:
        """A value that changes whenever anyone (another process included) has written to
        the store since it was last read: how ``watch`` and ``walk`` notice other people."""
        ...

    def wake_fd(self) -> int | None:
        """A file descriptor that becomes readable when someone else writes to the store
        (``select`` on it to wake at once), or ``None`` where changes are only polled."""
        ...

    def close(self) -> None: ...
