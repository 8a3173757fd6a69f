"""What the SQL backends share: the tables' columns, rows to and from records, and the
queries that read.

Both the embedded SQLite store and the PostgreSQL team store keep the same three tables
(``runbooks``, ``incidents`` with a summary row per incident, ``events``) and read them
with the same statements.  SQL here is written with ``?`` placeholders; a backend whose
driver speaks another style converts it (:meth:`SQLReads._sql`).  Writing, transactions,
migrations and error mapping are each backend's own.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from incidentctl.errors import StoreError
from incidentctl.i18n import msg
from incidentctl.store.base import IncidentRow

if TYPE_CHECKING:
    from collections.abc import Sequence

    from incidentctl.records import Event
    from incidentctl.store.base import Summary

EVENT_COLUMNS = (
    "incident_id, seq, type, payload, actor, recorded_at, occurred_at, backdated, prev_hash, hash"
)
INSERT_EVENT = f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)"
INSERT_RUNBOOK = "INSERT INTO runbooks (sha256, runbook_id, version, document) VALUES (?, ?, ?, ?)"

#: The columns of the summary row that change as the log grows.
SUMMARY_COLUMNS = "title, severity, status, commander, last_seq, head_hash, updated_at"
INCIDENT_COLUMNS = f"id, opened_at, runbook_id, runbook_sha256, {SUMMARY_COLUMNS}, number"
INSERT_INCIDENT = f"INSERT INTO incidents ({INCIDENT_COLUMNS}) VALUES ({', '.join('?' * 12)})"
#: The summary row replaced after an append (its columns, then the incident's id).
UPDATE_SUMMARY = f"UPDATE incidents SET ({SUMMARY_COLUMNS}) = ({', '.join('?' * 7)}) WHERE id = ?"
#: The next incident's number, read inside the transaction that inserts it.
NEXT_NUMBER = "SELECT coalesce(max(number), 0) + 1 FROM incidents"
#: Whether an incident id is in use, by a summary row or by any event (an import refuses it).
ID_TAKEN = "SELECT 1 FROM incidents WHERE id = ? UNION SELECT 1 FROM events WHERE incident_id = ?"
#: An incident's summary row as :class:`IncidentRow` reads it: with its pinned runbook's version.
SELECT_INCIDENT = (
    "SELECT i.id, i.opened_at, i.runbook_id, i.runbook_sha256, r.version, "
    + ", ".join(f"i.{c.strip()}" for c in SUMMARY_COLUMNS.split(","))
    + ", i.number FROM incidents AS i LEFT JOIN runbooks AS r ON r.sha256 = i.runbook_sha256"
)
#: The chain's head of one incident: its last event's seq, hash and time.
SELECT_HEAD = (
    "SELECT seq, hash, recorded_at FROM events WHERE incident_id = ? ORDER BY seq DESC LIMIT 1"
)
#: Above every character an incident id can hold: ``id >= p AND id < p || TOP`` is "starts
#: with p" in byte order (SQLite's, and PostgreSQL's ``COLLATE "C"`` the ids are kept in).
TOP = "\uffff"


def event_row(e: Event) -> tuple[object, ...]:
    """A sealed event as the values of one ``events`` row, in ``EVENT_COLUMNS`` order.  The
    payload is kept in its canonical encoding, the bytes its hash covers, so that reading
    it back can check the hash without encoding it again (:class:`~incidentctl.records.StoredEvent`)."""
    from incidentctl.records import canonical_text

    return (
        e.incident,
        e.seq,
        e.type,
        canonical_text(e.payload),
        e.actor,
        e.recorded_at,
        e.occurred_at,
        int(e.backdated),
        e.prev_hash,
        e.hash,
    )


def runbook_row(
    runbook_doc: dict[str, Any], runbook_sha256: str, runbook_id: str
) -> tuple[str, ...]:
    """A pinned runbook snapshot as the values of one ``runbooks`` row."""
    return (
        runbook_sha256,
        runbook_id,
        str(runbook_doc["version"]),
        json.dumps(runbook_doc, ensure_ascii=False, sort_keys=True),
    )


def incident_row(
    first: Event,
    head: Event,
    runbook_id: str,
    runbook_sha256: str,
    summary: Summary,
    number: int,
) -> tuple[object, ...]:
    """An incident's summary row, from its first event, its chain head and its number."""
    return (
        first.incident,
        first.occurred_at,
        runbook_id,
        runbook_sha256,
        *kept(summary, head),
        number,
    )


def kept(summary: Summary, head: Event) -> tuple[object, ...]:
    """The summary row's columns that change as the log grows (``SUMMARY_COLUMNS``)."""
    return (
        summary.title,
        summary.severity,
        summary.status,
        summary.commander,
        head.seq,
        head.hash,
        head.recorded_at,
    )


def rows_to_events(rows: Sequence[Sequence[Any]]) -> list[Event]:
    from incidentctl.records import StoredEvent  # not needed by listings: they read summary rows

    # json.loads and a NamedTuple's keyword-checking constructor cost as much again as
    # the decoding itself: a long log is read with the decoder and the tuple made directly
    decode = _DECODER.raw_decode
    make = tuple.__new__
    out: list[Event] = []
    for r in rows:
        text = r[3]
        payload, end = decode(text)
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
        e = make(StoredEvent, (r[0], r[1], r[2], payload, r[4], r[5], r[6], bool(r[7]), r[8], r[9]))
        e.text = text
        out.append(e)
    return out


#: One decoder for every payload read.
_DECODER = json.JSONDecoder()


class SQLReads:
    """The reading half of the :class:`~incidentctl.store.base.Store` protocol, over the
    shared tables.  A backend supplies :meth:`_all` and :meth:`_one` (each mapping its
    driver's failures to :class:`StoreError`)."""

    #: An index hint SQLite needs to find the few incidents of a status fast ("" elsewhere).
    status_hint = ""

    def __init__(self) -> None:
        self._snapshots: dict[str, dict[str, Any]] = {}

    def _all(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _one(self, sql: str, args: Sequence[object] = ()) -> tuple[Any, ...] | None:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    def next_incident_id(self, day: str) -> str:
        prefix = f"INC-{day}-"
        rows = self._all(
            "SELECT id FROM incidents WHERE id >= ? AND id < ?", (prefix, prefix + TOP)
        )
        numbers = [int(r[0][len(prefix) :]) for r in rows if r[0][len(prefix) :].isdecimal()]
        return f"{prefix}{max(numbers, default=0) + 1:03d}"

    def events(self, incident_id: str, *, after: int = 0) -> list[Event]:
        rows = self._all(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ? AND seq > ? ORDER BY seq",
            (incident_id, after),
        )
        return rows_to_events(rows)

    def runbook_document(self, sha256: str) -> dict[str, Any]:
        if sha256 not in self._snapshots:
            row = self._one("SELECT document FROM runbooks WHERE sha256 = ?", (sha256,))
            if row is None:
                raise StoreError(msg("err.store.no_snapshot", sha=sha256[:12]))
            self._snapshots[sha256] = json.loads(row[0])
        return self._snapshots[sha256]

    def incident(self, incident_id: str) -> IncidentRow | None:
        row = self._one(f"{SELECT_INCIDENT} WHERE i.id = ?", (incident_id,))
        return IncidentRow(*row) if row else None

    def incidents(
        self,
        *,
        statuses: Sequence[str] | None = None,
        runbook_id: str | None = None,
        severity: str | None = None,
        limit: int | None = None,
    ) -> list[IncidentRow]:
        where: list[str] = []
        args: list[Any] = []
        if statuses:
            where.append(f"i.status IN ({','.join('?' * len(statuses))})")
            args += list(statuses)
        if runbook_id:
            where.append("i.runbook_id = ?")
            args.append(runbook_id)
        if severity:
            where.append("i.severity = ?")
            args.append(severity)
        sql = SELECT_INCIDENT
        if statuses and self.status_hint:
            sql = sql.replace(" AS i ", f" AS i {self.status_hint} ", 1)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY i.opened_at DESC, i.id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [IncidentRow(*r) for r in self._all(sql, args)]

    def match_ids(self, ref: str) -> list[str]:
        ref = ref.strip().upper()
        exact = self._one("SELECT id FROM incidents WHERE id = ?", (ref,))
        if exact:
            return [exact[0]]
        number = ref.removeprefix("#")
        if number.isdecimal() and len(number) <= 7:  # #17 or 17; eight digits start a date
            row = self._one("SELECT id FROM incidents WHERE number = ?", (int(number),))
            return [row[0]] if row else []
        if not ref.startswith("INC-") and ref[:1].isdecimal():
            ref = "INC-" + ref
        rows = self._all(
            "SELECT id FROM incidents WHERE id >= ? AND id < ? ORDER BY id", (ref, ref + TOP)
        )
        return [r[0] for r in rows]

    def counts(self) -> tuple[int, int, int]:
        """How many incidents, events and runbook snapshots the store holds."""
        row = self._one(
            "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM events), "
            "(SELECT count(*) FROM runbooks)"
        )
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    def incidents_with(self, event_type: str) -> list[str]:
        """The incidents with at least one event of ``event_type`` (a partial index serves
        action items; any other type is a scan)."""
        rows = self._all(
            "SELECT DISTINCT incident_id FROM events WHERE type = ? ORDER BY incident_id",
            (event_type,),
        )
        return [r[0] for r in rows]

    def incident_ids(self) -> list[str]:
        """Every incident, found from the events as well as the summary rows: a deleted
        summary row must not hide an incident from ``audit verify --all``."""
        ids = {r[0] for r in self._all("SELECT DISTINCT incident_id FROM events")}
        ids.update(r[0] for r in self._all("SELECT id FROM incidents"))
        return sorted(ids)
