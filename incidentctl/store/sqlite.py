"""The embedded store: one SQLite file, ``incidents.db``, in the incidentctl home.

- WAL mode and a busy timeout, so readers never block and writers queue.
- Every append runs inside ``BEGIN IMMEDIATE``: the writer holds the lock from
  reading the chain head to committing the new events, so concurrent
  responders can never fork a chain or lose an event.
- Triggers refuse UPDATE and DELETE on events and runbook snapshots.
- The schema is versioned (``PRAGMA user_version``) and migrated in order,
  one transaction per migration; ``PRAGMA application_id`` marks the file as
  ours, so a foreign or damaged file is reported, never silently replaced.
- The file is created with owner-only permissions, atomically (built under a
  temporary name, then linked into place).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import struct
from typing import TYPE_CHECKING, Any

from incidentctl.errors import IncidentNotFound, StoreError
from incidentctl.incidents.events import GENESIS, Event, seal
from incidentctl.store.base import Decision, IncidentRow

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    from incidentctl.incidents.events import Draft

FILENAME = "incidents.db"
APPLICATION_ID = 0x494E4344  # "INCD"
BUSY_TIMEOUT_MS = 15_000
_HEADER = b"SQLite format 3\x00"

MIGRATIONS: list[str] = [
    # 1: the initial schema
    """
    CREATE TABLE runbooks (
        sha256      TEXT PRIMARY KEY,
        runbook_id  TEXT NOT NULL,
        version     TEXT NOT NULL,
        document    TEXT NOT NULL
    );
    CREATE TABLE incidents (
        id              TEXT PRIMARY KEY,
        opened_at       TEXT NOT NULL,
        runbook_id      TEXT NOT NULL,
        runbook_sha256  TEXT NOT NULL REFERENCES runbooks(sha256),
        title           TEXT NOT NULL,
        severity        TEXT NOT NULL,
        status          TEXT NOT NULL,
        commander       TEXT,
        last_seq        INTEGER NOT NULL,
        head_hash       TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    );
    CREATE INDEX incidents_by_status ON incidents(status, opened_at);
    CREATE INDEX incidents_by_runbook ON incidents(runbook_id, opened_at);
    CREATE INDEX incidents_by_opened ON incidents(opened_at);
    CREATE TABLE events (
        incident_id  TEXT NOT NULL REFERENCES incidents(id),
        seq          INTEGER NOT NULL,
        type         TEXT NOT NULL,
        payload      TEXT NOT NULL,
        actor        TEXT NOT NULL,
        recorded_at  TEXT NOT NULL,
        occurred_at  TEXT NOT NULL,
        backdated    INTEGER NOT NULL,
        prev_hash    TEXT NOT NULL,
        hash         TEXT NOT NULL,
        PRIMARY KEY (incident_id, seq)
    ) WITHOUT ROWID;
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'incident events are append-only: UPDATE refused'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'incident events are append-only: DELETE refused'); END;
    CREATE TRIGGER runbooks_no_update BEFORE UPDATE ON runbooks
        BEGIN SELECT RAISE(ABORT, 'pinned runbooks are immutable: UPDATE refused'); END;
    CREATE TRIGGER runbooks_no_delete BEFORE DELETE ON runbooks
        BEGIN SELECT RAISE(ABORT, 'pinned runbooks are immutable: DELETE refused'); END;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

_EVENT_COLUMNS = (
    "incident_id, seq, type, payload, actor, recorded_at, occurred_at, backdated, prev_hash, hash"
)
INSERT_EVENT = f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)"


def event_row(e: Event) -> tuple[object, ...]:
    """A sealed event as the values of one ``events`` row, in ``_EVENT_COLUMNS`` order."""
    return (
        e.incident,
        e.seq,
        e.type,
        json.dumps(e.payload, ensure_ascii=False, sort_keys=True),
        e.actor,
        e.recorded_at,
        e.occurred_at,
        int(e.backdated),
        e.prev_hash,
        e.hash,
    )


_INCIDENT_COLUMNS = (
    "id, opened_at, runbook_id, runbook_sha256, title, severity, status, commander, "
    "last_seq, head_hash, updated_at"
)
INSERT_INCIDENT = f"INSERT INTO incidents ({_INCIDENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)"


def incident_row(
    first: Event, head: Event, runbook_id: str, runbook_sha256: str, summary: dict[str, Any]
) -> tuple[object, ...]:
    """An incident's summary row, from its first event and its chain head."""
    return (
        first.incident,
        first.occurred_at,
        runbook_id,
        runbook_sha256,
        summary["title"],
        summary["severity"],
        summary["status"],
        summary.get("commander"),
        head.seq,
        head.hash,
        head.recorded_at,
    )


def _row_to_event(row: tuple[Any, ...]) -> Event:
    return Event(
        incident=row[0],
        seq=row[1],
        type=row[2],
        payload=json.loads(row[3]),
        actor=row[4],
        recorded_at=row[5],
        occurred_at=row[6],
        backdated=bool(row[7]),
        prev_hash=row[8],
        hash=row[9],
    )


def _check_header(path: Path) -> None:
    """Refuse anything at the store path that is not an incidentctl store of a known version."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise StoreError(f"cannot read the store {path}: {exc.strerror or exc}") from None
    if len(header) < 100 or not header.startswith(_HEADER):
        what = "is empty" if not header else "is not a SQLite database"
        raise StoreError(
            f"{path} {what}, so it is not an incidentctl store; move it away or use --home DIR",
        )
    (user_version,) = struct.unpack(">I", header[60:64])
    (app_id,) = struct.unpack(">I", header[68:72])
    if app_id != APPLICATION_ID:
        raise StoreError(
            f"{path} is a SQLite database but not an incidentctl store; move it away or use --home DIR"
        )
    if user_version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer incidentctl (store schema {user_version}, "
            f"this one knows up to {SCHEMA_VERSION}); upgrade incidentctl"
        )


class SQLiteStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._snapshots: dict[str, dict[str, Any]] = {}
        try:
            self.db = sqlite3.connect(
                os.fspath(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None

    # --- opening and creating --------------------------------------------------
    @classmethod
    def open(cls, home: Path, *, create: bool = True) -> SQLiteStore:
        path = home / FILENAME
        if not path.exists():
            if not create:
                raise StoreError(f"no incident store at {path} yet; open an incident first")
            cls._create(home, path)
        _check_header(path)
        store = cls(path)
        store._migrate()
        return store

    @staticmethod
    def _create(home: Path, path: Path) -> None:
        try:
            home.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the store directory {home}: {exc.strerror or exc}"
            ) from None
        tmp = home / f".{FILENAME}.{os.getpid()}.tmp"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            db = sqlite3.connect(os.fspath(tmp), isolation_level=None)
            try:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("BEGIN IMMEDIATE")
                for version, script in enumerate(MIGRATIONS, start=1):
                    for statement in _statements(script):
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {version}")
                db.execute("COMMIT")
            finally:
                db.close()
            try:
                os.link(tmp, path)  # atomic, and never replaces a store another process just made
            except FileExistsError:
                pass
            except OSError:
                if not path.exists():
                    os.replace(tmp, path)
        except OSError as exc:
            raise StoreError(f"cannot create the store {path}: {exc.strerror or exc}") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def _migrate(self) -> None:
        try:
            (current,) = self.db.execute("PRAGMA user_version").fetchone()
            (app_id,) = self.db.execute("PRAGMA application_id").fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
        if app_id != APPLICATION_ID:
            raise StoreError(
                f"{self.path} is not an incidentctl store; move it away or use --home DIR"
            )
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer incidentctl (store schema {current}, "
                f"this one knows up to {SCHEMA_VERSION}); upgrade incidentctl"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self._immediate():
                (again,) = self.db.execute("PRAGMA user_version").fetchone()
                if again >= version:  # another process migrated meanwhile
                    continue
                for statement in _statements(MIGRATIONS[version - 1]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version}")

    def close(self) -> None:
        self.db.close()

    # --- transactions --------------------------------------------------------------
    @contextlib.contextmanager
    def _immediate(self) -> Iterator[None]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"the store {self.path} is busy or locked: {exc}") from None
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def _damaged(self, exc: sqlite3.DatabaseError) -> StoreError:
        return StoreError(
            f"the store {self.path} cannot be used: {exc}",
            hint="if the file is damaged, restore it from a backup; nothing was written",
        )

    # --- writing ---------------------------------------------------------------------
    def create_incident(
        self,
        *,
        day: str,
        runbook_doc: dict[str, Any],
        runbook_sha256: str,
        opened: Draft,
        summary: dict[str, Any],
    ) -> Event:
        try:
            with self._immediate():
                prefix = f"INC-{day}-"
                rows = self.db.execute(
                    "SELECT id FROM incidents WHERE id >= ? AND id < ?", (prefix, prefix + "\uffff")
                ).fetchall()
                numbers = [int(r[0][len(prefix) :]) for r in rows if r[0][len(prefix) :].isdigit()]
                incident_id = f"{prefix}{max(numbers, default=0) + 1:03d}"
                self.db.execute(
                    "INSERT OR IGNORE INTO runbooks (sha256, runbook_id, version, document) VALUES (?, ?, ?, ?)",
                    (
                        runbook_sha256,
                        runbook_doc["id"],
                        str(runbook_doc["version"]),
                        json.dumps(runbook_doc, ensure_ascii=False, sort_keys=True),
                    ),
                )
                event = seal(opened, incident=incident_id, seq=1, prev_hash=GENESIS)
                self.db.execute(
                    INSERT_INCIDENT,
                    incident_row(event, event, runbook_doc["id"], runbook_sha256, summary),
                )
                self._insert(event)
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
        return event

    def append(
        self, incident_id: str, decide: Callable[[Sequence[Event], dict[str, Any]], Decision]
    ) -> list[Event]:
        try:
            with self._immediate():
                current = self._events(incident_id)
                if not current:
                    raise IncidentNotFound(f"no incident {incident_id}")
                sha = current[0].payload["runbook"]["sha256"]
                decision = decide(current, self.runbook_document(sha))
                appended: list[Event] = []
                prev = current[-1]
                for draft in decision.drafts:
                    event = seal(draft, incident=incident_id, seq=prev.seq + 1, prev_hash=prev.hash)
                    self._insert(event)
                    appended.append(event)
                    prev = event
                if appended:
                    s = decision.summary
                    self.db.execute(
                        "UPDATE incidents SET title = ?, severity = ?, status = ?, commander = ?, "
                        "last_seq = ?, head_hash = ?, updated_at = ? WHERE id = ?",
                        (
                            s["title"],
                            s["severity"],
                            s["status"],
                            s.get("commander"),
                            prev.seq,
                            prev.hash,
                            prev.recorded_at,
                            incident_id,
                        ),
                    )
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
        return appended

    def _insert(self, e: Event) -> None:
        self.db.execute(INSERT_EVENT, event_row(e))

    # --- reading ---------------------------------------------------------------------
    def _events(self, incident_id: str) -> list[Event]:
        rows = self.db.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE incident_id = ? ORDER BY seq",
            (incident_id,),
        ).fetchall()
        return [_row_to_event(r) for r in rows]

    def events(self, incident_id: str) -> list[Event]:
        try:
            return self._events(incident_id)
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None

    def runbook_document(self, sha256: str) -> dict[str, Any]:
        if sha256 not in self._snapshots:
            try:
                row = self.db.execute(
                    "SELECT document FROM runbooks WHERE sha256 = ?", (sha256,)
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None
            if row is None:
                raise StoreError(f"the store has no runbook snapshot {sha256[:12]}")
            self._snapshots[sha256] = json.loads(row[0])
        return self._snapshots[sha256]

    def incident(self, incident_id: str) -> IncidentRow | None:
        try:
            row = self.db.execute(
                f"SELECT {_INCIDENT_COLUMNS} FROM incidents WHERE id = ?", (incident_id,)
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None
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
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args += list(statuses)
        if runbook_id:
            where.append("runbook_id = ?")
            args.append(runbook_id)
        if severity:
            where.append("severity = ?")
            args.append(severity)
        sql = f"SELECT {_INCIDENT_COLUMNS} FROM incidents"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY opened_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        try:
            return [IncidentRow(*r) for r in self.db.execute(sql, args)]
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None

    def match_ids(self, ref: str) -> list[str]:
        ref = ref.strip().upper()
        try:
            exact = self.db.execute("SELECT id FROM incidents WHERE id = ?", (ref,)).fetchall()
            if exact:
                return [exact[0][0]]
            if ref.isdigit() and len(ref) <= 4:  # a trailing number; longer digits start a date
                n = int(ref)
                rows = self.db.execute(
                    "SELECT id FROM incidents WHERE id GLOB ?",
                    (f"INC-*-{n:03d}" if n < 1000 else f"INC-*-{n}",),
                ).fetchall()
                return [r[0] for r in rows]
            if not ref.startswith("INC-") and ref[:1].isdigit():
                ref = "INC-" + ref
            rows = self.db.execute(
                "SELECT id FROM incidents WHERE id >= ? AND id < ? ORDER BY id",
                (ref, ref + "\uffff"),
            ).fetchall()
            return [r[0] for r in rows]
        except sqlite3.DatabaseError as exc:
            raise self._damaged(exc) from None


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers contain ';' inside BEGIN ... END)."""
    out: list[str] = []
    buf = ""
    for line in script.strip().splitlines():
        buf += line + "\n"
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
