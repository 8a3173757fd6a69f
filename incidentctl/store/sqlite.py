"""The embedded store: one SQLite file, ``incidents.db``, in the incidentctl home.

- WAL mode and a busy timeout, so readers never block and writers queue.
- Every append is a compare-and-swap inside ``BEGIN IMMEDIATE``: the new
  events, already sealed by the domain, are written only if the chain still
  ends at the head they were sealed onto, so concurrent responders can never
  fork a chain or lose an event.  The lock is held for that check and the
  inserts alone; reading and folding the log happen before, outside it.
- Triggers refuse UPDATE and DELETE on events and runbook snapshots.
- The schema is versioned (``PRAGMA user_version``) and migrated in order,
  one transaction per migration; ``PRAGMA application_id`` marks the file as
  ours, so a foreign or damaged file is reported, never silently replaced.
- The file is created with owner-only permissions, atomically (built under a
  temporary name, then linked into place).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import struct
from typing import TYPE_CHECKING, Any, TypeVar

from incidentctl.errors import IncidentNotFound, StoreError
from incidentctl.i18n import msg
from incidentctl.store.base import HeadMoved, IdTaken
from incidentctl.store.sql import (
    ID_TAKEN,
    INSERT_EVENT,
    INSERT_INCIDENT,
    INSERT_RUNBOOK,
    NEXT_NUMBER,
    SELECT_HEAD,
    UPDATE_SUMMARY,
    SQLReads,
    event_row,
    incident_row,
    kept,
    runbook_row,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    from incidentctl.i18n import Msg
    from incidentctl.records import Event, Head
    from incidentctl.store.base import Summary

F = TypeVar("F", bound="Callable[..., Any]")

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
    # 2: every incident gets a short number for life, #1, #2... in the order they were opened
    """
    ALTER TABLE incidents ADD COLUMN number INTEGER;
    UPDATE incidents SET number = numbered.n
        FROM (SELECT id, row_number() OVER (ORDER BY rowid) AS n FROM incidents) AS numbered
        WHERE numbered.id = incidents.id;
    CREATE UNIQUE INDEX incidents_by_number ON incidents(number);
    """,
    # 3: the summary row changes only as the append path changes it (events first, then the
    # row moved on to the new head, in one transaction) and is never deleted; incidents
    # with action items are found without reading every event
    """
    CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
        BEGIN SELECT RAISE(ABORT, 'incident summary rows are kept: DELETE refused'); END;
    CREATE TRIGGER incidents_append_only BEFORE UPDATE ON incidents
        WHEN NEW.id IS NOT OLD.id
          OR NEW.opened_at IS NOT OLD.opened_at
          OR NEW.runbook_id IS NOT OLD.runbook_id
          OR NEW.runbook_sha256 IS NOT OLD.runbook_sha256
          OR NEW.number IS NOT OLD.number
          OR NEW.last_seq <= OLD.last_seq
          OR NEW.head_hash IS NOT
             (SELECT hash FROM events WHERE incident_id = NEW.id AND seq = NEW.last_seq)
          OR EXISTS (SELECT 1 FROM events WHERE incident_id = NEW.id AND seq > NEW.last_seq)
        BEGIN SELECT RAISE(ABORT,
            'incident summary rows change only with the events appended: UPDATE refused'); END;
    CREATE INDEX events_action_items ON events(incident_id) WHERE type = 'action.added';
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _check_header(path: Path) -> int:
    """Refuse anything at the store path that is not an incidentctl store of a known version;
    the version of its schema."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise StoreError(
            msg("err.store.unreadable", path=path, problem=exc.strerror or str(exc))
        ) from None
    if len(header) < 100 or not header.startswith(_HEADER):
        raise StoreError(
            msg("err.store.empty" if not header else "err.store.not_sqlite", path=path)
        )
    (user_version,) = struct.unpack(">I", header[60:64])
    (app_id,) = struct.unpack(">I", header[68:72])
    if app_id != APPLICATION_ID:
        raise StoreError(msg("err.store.foreign", path=path))
    if user_version > SCHEMA_VERSION:
        raise StoreError(_too_new(path, user_version))
    return int(user_version)


def read_version(path: Path) -> int:
    """The schema version of the store file ``path`` (refused if it is not one)."""
    return _check_header(path)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that can only read ``path``.  A WAL-mode file is read through its
    ``-wal`` file while one exists (someone has it open); without one, every commit is
    in the file itself, and it is read as immutable, which creates no ``-wal`` or
    ``-shm`` file beside it.  (A writer that starts meanwhile is at worst not seen.)"""
    from urllib.parse import quote

    wal = path.with_name(path.name + "-wal")
    mode = "ro" if wal.exists() else "ro&immutable=1"
    uri = f"file:{quote(os.fspath(path.absolute()))}?mode={mode}"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)


def _no_room(exc: sqlite3.OperationalError, path: Path) -> bool:
    """Whether a write failed because the file could not grow: the disk is full, or the
    process may not write files that large (``RLIMIT_FSIZE``), which SQLite reports as an
    I/O error.  The transaction was rolled back: nothing was written."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL" or "disk is full" in str(exc):
        return True
    if not (name.startswith("SQLITE_IOERR") or "disk I/O error" in str(exc)):
        return False
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
        if soft != resource.RLIM_INFINITY:
            return True
    except (ImportError, OSError, ValueError):  # pragma: no cover - not on this platform
        pass
    try:
        fs = os.statvfs(path.parent)
    except OSError:
        return False
    return fs.f_bavail * fs.f_frsize < 1024 * 1024


def _too_new(path: Path, version: int) -> Msg:
    return msg("err.store.too_new", path=path, found=version, known=SCHEMA_VERSION)


def guarded(method: F) -> F:
    """Turn any SQLite failure inside ``method`` into one clear :class:`StoreError`."""

    @functools.wraps(method)
    def wrapper(self: SQLiteStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(
                    msg("err.store.locked", path=self.path, seconds=BUSY_TIMEOUT_MS // 1000),
                    hint=msg("err.store.locked_how"),
                ) from None
            if _no_room(exc, self.path):
                raise StoreError(
                    msg("err.store.full", path=self.path), hint=msg("err.store.full_how")
                ) from None
            raise self.damaged(exc) from None
        except sqlite3.DatabaseError as exc:
            raise self.damaged(exc) from None

    return wrapper  # type: ignore[return-value]


class SQLiteStore(SQLReads):
    """The embedded store: one SQLite file (see the module's docstring for its guarantees).

    Open it with :meth:`open` (or :func:`incidentctl.store.open_store`), which checks the
    file is an incidentctl store of a known version and migrates it; every public method
    maps SQLite's failures to :class:`StoreError` through :func:`guarded`.
    """

    status_hint = "INDEXED BY incidents_by_status"

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        super().__init__()
        self.path = path
        self.location = str(path)
        try:
            if read_only:
                self.db = _connect_read_only(path)
            else:
                self.db = sqlite3.connect(
                    os.fspath(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
                )
                self.db.execute("PRAGMA foreign_keys = ON")
                self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except sqlite3.DatabaseError as exc:
            raise self.damaged(exc) from None

    # --- opening and creating --------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, create: bool = True, read_only: bool = False) -> SQLiteStore:
        """The store in the file ``path``, created (with its directory) if ``create``.

        ``read_only`` opens it for reading alone: nothing is created, migrated or written,
        not even SQLite's side files where none exist yet; a store that needs migrating
        first is refused (whichever command next writes to it migrates it).
        """
        if read_only:
            if not path.exists():
                raise StoreError(msg("err.store.missing", path=path))
            if _check_header(path) < SCHEMA_VERSION:
                raise StoreError(msg("err.store.needs_upgrade", path=path))
            return cls(path, read_only=True)
        if not path.exists():
            if not create:
                raise StoreError(msg("err.store.missing", path=path))
            cls._create(path.parent, path)
        _check_header(path)
        store = cls(path)
        store._migrate()
        return store

    @staticmethod
    def _create(home: Path, path: Path) -> None:
        try:
            if not home.is_dir():
                home.mkdir(mode=0o700, parents=True, exist_ok=True)
                os.chmod(home, 0o700)  # whatever the umask
        except OSError as exc:
            raise StoreError(
                msg("err.store.mkdir", dir=home, problem=exc.strerror or str(exc))
            ) from None
        tmp = home / f".{path.name}.{os.getpid()}.tmp"
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
            raise StoreError(
                msg("err.store.create", path=path, problem=exc.strerror or str(exc))
            ) from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    @guarded
    def _migrate(self) -> None:
        (current,) = self.db.execute("PRAGMA user_version").fetchone()
        (app_id,) = self.db.execute("PRAGMA application_id").fetchone()
        if app_id != APPLICATION_ID:
            raise StoreError(msg("err.store.not_ours", path=self.path))
        if current > SCHEMA_VERSION:
            raise StoreError(_too_new(self.path, current))
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
        """A write transaction: ``BEGIN IMMEDIATE`` takes the write lock at once (waiting up
        to the busy timeout), so what is read inside it is what the commit builds on."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def damaged(self, exc: sqlite3.DatabaseError) -> StoreError:
        return StoreError(
            msg("err.store.damaged", path=self.path, problem=str(exc)),
            hint=msg("err.store.damaged_how"),
        )

    # --- writing ---------------------------------------------------------------------
    @guarded
    def _all(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, args).fetchall()

    @guarded
    def create_incident(
        self,
        *,
        runbook_doc: dict[str, Any],
        runbook_sha256: str,
        opened: Event,
        runbook_id: str,
        summary: Summary,
    ) -> None:
        if opened.seq != 1:
            raise ValueError("an incident's first event has seq 1")
        with self._immediate():
            taken = self.db.execute(
                "SELECT 1 FROM incidents WHERE id = ?", (opened.incident,)
            ).fetchone()
            if taken:
                raise IdTaken(opened.incident)
            self._insert(runbook_doc, runbook_sha256, runbook_id, [opened], summary)

    def _insert(
        self,
        runbook_doc: dict[str, Any],
        runbook_sha256: str,
        runbook_id: str,
        events: Sequence[Event],
        summary: Summary,
    ) -> None:
        """A new incident's rows (its runbook's, if new), inside the caller's transaction."""
        self.db.execute(
            INSERT_RUNBOOK.replace("INSERT", "INSERT OR IGNORE", 1),
            runbook_row(runbook_doc, runbook_sha256, runbook_id),
        )
        number = self.db.execute(NEXT_NUMBER).fetchone()[0]
        self.db.execute(
            INSERT_INCIDENT,
            incident_row(events[0], events[-1], runbook_id, runbook_sha256, summary, number),
        )
        self.db.executemany(INSERT_EVENT, [event_row(e) for e in events])

    def turn(self, incident_id: str) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # BEGIN IMMEDIATE queues the writers already

    @guarded
    def append(
        self, incident_id: str, expected: Head, events: Sequence[Event], summary: Summary
    ) -> None:
        if not events:
            return
        if events[0].seq != expected.seq + 1 or events[0].prev_hash != expected.hash:
            raise ValueError("the events are not sealed onto the expected head")
        with self._immediate():
            row = self.db.execute(SELECT_HEAD, (incident_id,)).fetchone()
            if row is None:
                raise IncidentNotFound(msg("err.incident.missing", id=incident_id))
            from incidentctl.records import Head

            found = Head(*row)
            if found[:2] != expected[:2]:
                raise HeadMoved(incident_id, expected, found)
            self.db.executemany(INSERT_EVENT, [event_row(e) for e in events])
            self.db.execute(UPDATE_SUMMARY, (*kept(summary, events[-1]), incident_id))

    @guarded
    def import_incidents(
        self, items: Sequence[tuple[dict[str, Any], str, str, Sequence[Event], Summary]]
    ) -> None:
        with self._immediate():
            for runbook_doc, runbook_sha256, runbook_id, events, summary in items:
                first = events[0]
                if self.db.execute(ID_TAKEN, (first.incident, first.incident)).fetchone():
                    raise IdTaken(first.incident)
                self._insert(runbook_doc, runbook_sha256, runbook_id, events, summary)

    @guarded
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def can_write(self) -> bool:
        """Whether this user may write the file (and the journal beside it)."""
        return os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)

    # --- reading (the queries are shared: incidentctl.store.sql) ---------------------
    def wake_fd(self) -> None:
        return None  # SQLite announces nothing: change_token is polled

    @guarded
    def change_token(self) -> object:
        # data_version moves whenever another connection commits to the file.
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])


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
