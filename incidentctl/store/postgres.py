"""The team store: one PostgreSQL database that every responder's machine shares.

- The same tables as the embedded store, in the schema ``incidentctl``, read by the same
  queries (:mod:`incidentctl.store.sql`); the same schema versions, migrated in order,
  one transaction each, by ``incidentctl store init`` alone (a responder never needs
  the right to change the schema).
- Every append is a compare-and-swap in one transaction: the summary row is updated
  ``WHERE head_hash = <the head the events were sealed onto>``; no row updated means
  someone else appended first, and nothing is written.  The events' primary key
  ``(incident_id, seq)`` makes a forked chain impossible even so.
- New incidents are created under a transaction-scoped advisory lock, so ids and
  ``#N`` numbers are allocated race-free.
- Triggers refuse ``UPDATE``, ``DELETE`` and ``TRUNCATE`` on events and runbook
  snapshots, whoever asks; the roles ``incidentctl_responder`` (read and append) and
  ``incidentctl_auditor`` (read only) are granted nothing more.
- Each change of an incident's summary row is announced with ``NOTIFY``, so ``watch``
  wakes the moment someone else records something.
- A connection lost mid-command (the server restarted) is opened again and the command
  retried once; an append already committed before the loss is recognised by its
  hashes, never written twice.

psycopg 3 is imported only here, and only when a ``postgresql://`` store is opened.
"""

from __future__ import annotations

import contextlib
import functools
import os
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
    SUMMARY_COLUMNS,
    UPDATE_SUMMARY,
    SQLReads,
    event_row,
    incident_row,
    kept,
    runbook_row,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    import psycopg

    from incidentctl.records import Event, Head
    from incidentctl.store.base import Summary

F = TypeVar("F", bound="Callable[..., Any]")

SCHEMA = "incidentctl"
RESPONDER = "incidentctl_responder"
AUDITOR = "incidentctl_auditor"
#: The channel every change of an incident is announced on (its payload: the incident's id).
CHANNEL = "incidentctl_changes"
#: The advisory lock new incidents and migrations are created under ("INCD").
LOCK_KEY = 0x494E4344
#: The first half of the advisory lock each incident's writers queue on ("TURN").
TURN_KEY = 0x5455524E
CONNECT_TIMEOUT = 10

#: The migrations, with the version numbers of the embedded store's (its ``MIGRATIONS``).
MIGRATIONS: list[str] = [
    # 1: the initial schema
    """
    CREATE TABLE runbooks (
        sha256      TEXT COLLATE "C" PRIMARY KEY,
        runbook_id  TEXT NOT NULL,
        version     TEXT NOT NULL,
        document    TEXT NOT NULL
    );
    CREATE TABLE incidents (
        id              TEXT COLLATE "C" PRIMARY KEY,
        opened_at       TEXT COLLATE "C" NOT NULL,
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
        incident_id  TEXT COLLATE "C" NOT NULL REFERENCES incidents(id),
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
    );
    CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '%: % refused', TG_ARGV[0], TG_OP;
    END $$;
    CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION refuse_change('incident events are append-only');
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('incident events are append-only');
    CREATE TRIGGER runbooks_no_change BEFORE UPDATE OR DELETE ON runbooks
        FOR EACH ROW EXECUTE FUNCTION refuse_change('pinned runbooks are immutable');
    CREATE TRIGGER runbooks_no_truncate BEFORE TRUNCATE ON runbooks
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('pinned runbooks are immutable');
    CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
        FOR EACH ROW EXECUTE FUNCTION refuse_change('incidents are kept for good');
    CREATE TRIGGER incidents_no_truncate BEFORE TRUNCATE ON incidents
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('incidents are kept for good');
    CREATE FUNCTION announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('incidentctl_changes', NEW.id);
        RETURN NULL;
    END $$;
    CREATE TRIGGER incidents_announce AFTER INSERT OR UPDATE ON incidents
        FOR EACH ROW EXECUTE FUNCTION announce_change();
    """,
    # 2: every incident gets a short number for life, #1, #2... in the order they were opened
    """
    ALTER TABLE incidents ADD COLUMN number INTEGER;
    UPDATE incidents SET number = numbered.n
        FROM (SELECT id, row_number() OVER (ORDER BY opened_at, id) AS n FROM incidents)
            AS numbered
        WHERE numbered.id = incidents.id;
    CREATE UNIQUE INDEX incidents_by_number ON incidents(number);
    """,
    # 3: the summary row changes only as the append path changes it, and is never deleted
    # (migration 1 refuses DELETE already).  The append here moves the row first, as its
    # compare-and-swap, and inserts the events after it in the same transaction, so that
    # the row agrees with the end of the chain is checked when the transaction commits;
    # incidents with action items are found without reading every event.  The function
    # names its tables with the schema: it runs with the search path of whoever updates.
    f"""
    CREATE FUNCTION summary_follows_log() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id IS DISTINCT FROM OLD.id
           OR NEW.opened_at IS DISTINCT FROM OLD.opened_at
           OR NEW.runbook_id IS DISTINCT FROM OLD.runbook_id
           OR NEW.runbook_sha256 IS DISTINCT FROM OLD.runbook_sha256
           OR NEW.number IS DISTINCT FROM OLD.number
           OR NEW.last_seq <= OLD.last_seq
           OR NEW.head_hash IS DISTINCT FROM
              (SELECT hash FROM {SCHEMA}.events WHERE incident_id = NEW.id AND seq = NEW.last_seq)
           OR EXISTS (SELECT 1 FROM {SCHEMA}.events WHERE incident_id = NEW.id AND seq > NEW.last_seq)
        THEN
            RAISE EXCEPTION
                'incident summary rows change only with the events appended: UPDATE refused';
        END IF;
        RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER incidents_append_only AFTER UPDATE ON incidents
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION summary_follows_log();
    CREATE INDEX events_action_items ON events(incident_id) WHERE type = 'action.added';
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

#: What each role may do, granted afresh by every ``store init`` (new tables included).
GRANTS = f"""
REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM {RESPONDER}, {AUDITOR};
GRANT USAGE ON SCHEMA {SCHEMA} TO {RESPONDER}, {AUDITOR};
GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {RESPONDER}, {AUDITOR};
GRANT INSERT ON runbooks, incidents, events TO {RESPONDER};
GRANT UPDATE ({SUMMARY_COLUMNS}) ON incidents TO {RESPONDER};
"""


def _q(sql: str) -> str:
    """A statement written for ``?`` placeholders, in psycopg's ``%s`` style."""
    return sql.replace("%", "%%").replace("?", "%s")


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(msg("err.store.pg_driver"), hint=msg("err.store.pg_driver_how")) from None
    return psycopg


def _names_timeout(psycopg: Any, conninfo: str) -> bool:
    """Whether the user chose how long to wait for the server: in the URL or the
    environment (which our own default would otherwise override)."""
    if os.environ.get("PGCONNECT_TIMEOUT"):
        return True
    try:
        return "connect_timeout" in psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.Error:
        return False  # connecting says what is wrong with it


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def guarded(method: F) -> F:
    """Turn a PostgreSQL failure inside ``method`` into one clear :class:`StoreError`; a
    connection lost on the way is opened again and ``method`` retried once."""

    @functools.wraps(method)
    def wrapper(self: PostgresStore, *args: Any, **kwargs: Any) -> Any:
        psycopg = _driver()
        for attempt in (1, 2):
            try:
                return method(self, *args, **kwargs)
            except psycopg.errors.InsufficientPrivilege as exc:
                raise StoreError(
                    msg(
                        "err.store.pg_denied",
                        location=self.location,
                        user=self.user,
                        problem=_first_line(exc),
                    ),
                    hint=msg("err.store.pg_denied_how"),
                ) from None
            except psycopg.OperationalError as exc:
                if attempt == 1 and self.lost():
                    self.reconnect()
                    continue
                raise self.unreachable(exc) from None
            except psycopg.Error as exc:
                raise StoreError(
                    msg("err.store.pg_failed", location=self.location, problem=_first_line(exc)),
                    hint=msg("err.store.pg_failed_how"),
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper  # type: ignore[return-value]


class PostgresStore(SQLReads):
    """The team store (see the module's docstring for its guarantees).

    Open it with :meth:`open` (or :func:`incidentctl.store.open_store`), which checks that
    the database has been initialised by ``incidentctl store init`` at this release's
    schema version.
    """

    def __init__(
        self,
        conninfo: str,
        location: str,
        *,
        read_only: bool = False,
        connect_timeout: int = CONNECT_TIMEOUT,
    ) -> None:
        super().__init__()
        self.conninfo = conninfo
        self.location = location
        self.read_only = read_only
        self.connect_timeout = connect_timeout
        self.user = _who(conninfo)
        self._listening = False
        self._token: object = None
        self.conn: psycopg.Connection[Any] = self._connect()

    # --- connecting ------------------------------------------------------------------
    def _connect(self) -> psycopg.Connection[Any]:
        psycopg = _driver()
        options = f"-c search_path={SCHEMA}"
        if self.read_only:
            options += " -c default_transaction_read_only=on"
        settings: dict[str, Any] = {"application_name": "incidentctl", "options": options}
        if not _names_timeout(psycopg, self.conninfo):
            settings["connect_timeout"] = self.connect_timeout
        try:
            conn = psycopg.connect(self.conninfo, autocommit=True, **settings)
        except psycopg.Error as exc:
            raise self.unreachable(exc) from None
        self.user = conn.info.user
        return conn  # type: ignore[no-any-return]

    def lost(self) -> bool:
        """Whether the connection is gone (the server restarted or went away)."""
        return bool(self.conn.closed or self.conn.broken)

    def reconnect(self) -> None:
        try:
            self.conn.close()
        finally:
            self._listening = False
            self.conn = self._connect()

    def unreachable(self, exc: BaseException) -> StoreError:
        """The one line for a server that cannot be reached or refuses who we are."""
        problem = _first_line(exc)
        auth = any(
            s in problem
            for s in ("authentication failed", "no password supplied", "role", "pg_hba.conf")
        )
        key = "err.store.pg_auth" if auth else "err.store.pg_unreachable"
        return StoreError(
            msg(key, location=self.location, user=self.user, problem=problem),
            hint=msg(key + "_how"),
        )

    @classmethod
    def open(
        cls,
        conninfo: str,
        location: str,
        *,
        read_only: bool = False,
        connect_timeout: int = CONNECT_TIMEOUT,
    ) -> PostgresStore:
        """The store in the database ``conninfo`` names, which must have been initialised
        (``incidentctl store init``) at this release's schema version.  A server that has
        not answered within ``connect_timeout`` seconds is unreachable, unless the URL or
        ``$PGCONNECT_TIMEOUT`` says how long to wait."""
        store = cls(conninfo, location, read_only=read_only, connect_timeout=connect_timeout)
        try:
            version = store.schema_version()
            if version is None:
                raise StoreError(
                    msg("err.store.pg_uninitialised", location=location),
                    hint=msg("err.store.pg_init_how", location=location),
                )
            if version > SCHEMA_VERSION:
                raise StoreError(
                    msg("err.store.too_new", path=location, found=version, known=SCHEMA_VERSION)
                )
            if version < SCHEMA_VERSION:
                raise StoreError(
                    msg("err.store.pg_old", location=location, found=version),
                    hint=msg("err.store.pg_init_how", location=location),
                )
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.conn.close()

    def __del__(self) -> None:
        # A store dropped without close() (a command's end) closes its connection quietly.
        conn = self.__dict__.get("conn")
        if conn is not None:
            conn.close()

    # --- the schema ------------------------------------------------------------------
    @guarded
    def schema_version(self) -> int | None:
        """The schema's version, or ``None`` when the database holds no incidentctl store."""
        row = self.conn.execute(
            "SELECT to_regclass(%s)", (f"{SCHEMA}.schema_migrations",)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        found = self.conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")
        return int(found.fetchone()[0])  # type: ignore[index]

    @guarded
    def initialise(self, *, roles: bool = True) -> tuple[int, int]:
        """Create the schema or bring it up to date, each migration in its own transaction,
        and (if ``roles``) the two roles and their grants; the versions before and after."""
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            self.conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
        before = self.schema_version() or 0
        if before > SCHEMA_VERSION:
            raise StoreError(
                msg("err.store.too_new", path=self.location, found=before, known=SCHEMA_VERSION)
            )
        for version in range(before + 1, SCHEMA_VERSION + 1):
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                row = self.conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")
                if int(row.fetchone()[0]) >= version:  # type: ignore[index]
                    continue  # another init migrated meanwhile
                self.conn.execute(MIGRATIONS[version - 1])
                self.conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
        if roles:
            with self.conn.transaction():
                for role in (RESPONDER, AUDITOR):
                    exists = self.conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
                    if exists.fetchone() is None:
                        self.conn.execute(f"CREATE ROLE {role} NOLOGIN")
                self.conn.execute(GRANTS)
        return before, SCHEMA_VERSION

    @guarded
    def can_write(self) -> bool:
        """Whether the connected user may append to the store."""
        row = self.conn.execute(
            "SELECT has_table_privilege(current_user, 'events', 'INSERT') "
            "AND has_column_privilege(current_user, 'incidents', 'head_hash', 'UPDATE') "
            "AND NOT current_setting('default_transaction_read_only')::boolean"
        ).fetchone()
        return bool(row and row[0])

    # --- writing ---------------------------------------------------------------------
    @guarded
    def _all(self, sql: str, args: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(_q(sql), args).fetchall()

    def _written(self, event: Event) -> bool:
        """Whether ``event`` is in the store already, byte for byte (a commit whose
        acknowledgement a lost connection swallowed)."""
        row = self.conn.execute(
            "SELECT hash FROM events WHERE incident_id = %s AND seq = %s",
            (event.incident, event.seq),
        ).fetchone()
        return row is not None and row[0] == event.hash

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
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            taken = self.conn.execute("SELECT 1 FROM incidents WHERE id = %s", (opened.incident,))
            if taken.fetchone() is not None:
                if self._written(opened):
                    return
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
        self.conn.execute(
            _q(INSERT_RUNBOOK) + " ON CONFLICT (sha256) DO NOTHING",
            runbook_row(runbook_doc, runbook_sha256, runbook_id),
        )
        number = self.conn.execute(NEXT_NUMBER).fetchone()[0]  # type: ignore[index]
        self.conn.execute(
            _q(INSERT_INCIDENT),
            incident_row(events[0], events[-1], runbook_id, runbook_sha256, summary, number),
        )
        with self.conn.cursor() as cur:
            cur.executemany(_q(INSERT_EVENT), [event_row(e) for e in events])

    @contextlib.contextmanager
    def turn(self, incident_id: str) -> Iterator[None]:
        """A session advisory lock on the incident (released at the end, or with the
        session if the process dies): writers that lost the compare-and-swap would
        otherwise keep colliding, each try a few round trips, and one of 32 could lose
        200 races in a row.  The compare-and-swap still decides; this only queues."""
        key = (TURN_KEY, incident_id)
        self.conn.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", key)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):  # a lost connection has dropped it already
                self.conn.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", key)

    @guarded
    def append(
        self, incident_id: str, expected: Head, events: Sequence[Event], summary: Summary
    ) -> None:
        if not events:
            return
        if events[0].seq != expected.seq + 1 or events[0].prev_hash != expected.hash:
            raise ValueError("the events are not sealed onto the expected head")
        with self.conn.transaction():
            swapped = self.conn.execute(
                _q(UPDATE_SUMMARY) + " AND last_seq = %s AND head_hash = %s",
                (*kept(summary, events[-1]), incident_id, expected.seq, expected.hash),
            )
            if swapped.rowcount != 1:
                if self._written(events[-1]):
                    return
                row = self.conn.execute(_q(SELECT_HEAD), (incident_id,)).fetchone()
                if row is None:
                    raise IncidentNotFound(msg("err.incident.missing", id=incident_id))
                from incidentctl.records import Head

                raise HeadMoved(incident_id, expected, Head(*row))
            with self.conn.cursor() as cur:
                cur.executemany(_q(INSERT_EVENT), [event_row(e) for e in events])

    @guarded
    def import_incidents(
        self, items: Sequence[tuple[dict[str, Any], str, str, Sequence[Event], Summary]]
    ) -> None:
        with self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            for runbook_doc, runbook_sha256, runbook_id, events, summary in items:
                first = events[0]
                taken = self.conn.execute(_q(ID_TAKEN), (first.incident, first.incident))
                if taken.fetchone() is not None:
                    raise IdTaken(first.incident)
                self._insert(runbook_doc, runbook_sha256, runbook_id, events, summary)

    # --- others' changes -------------------------------------------------------------
    @guarded
    def change_token(self) -> object:
        """Moves whenever anyone appends or opens an incident.  The count of incidents and
        the sum of their heads grow with every write; while nothing has been announced on
        :data:`CHANNEL` since it was last read, it is not even asked for again."""
        if self._listening:
            announced = list(self.conn.notifies(timeout=0.001))
            if not announced and self._token is not None:
                return self._token
        else:
            self.conn.execute(f"LISTEN {CHANNEL}")
            self._listening = True
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(last_seq), 0) FROM incidents"
        ).fetchone()
        self._token = tuple(row) if row else None
        return self._token

    def wake_fd(self) -> int | None:
        """The connection's socket, listening on :data:`CHANNEL`: readable when someone
        records a change (:meth:`change_token` reads the announcement)."""
        if not self._listening:
            self.change_token()
        return int(self.conn.fileno())


def _who(conninfo: str) -> str:
    """The database user ``conninfo`` connects as, as far as it says (libpq's default:
    ``$PGUSER``, else the OS user)."""
    import os

    try:
        from psycopg.conninfo import conninfo_to_dict

        user = conninfo_to_dict(conninfo).get("user")
    except Exception:
        user = None
    if user:
        return str(user)
    if os.environ.get("PGUSER"):
        return os.environ["PGUSER"]
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry in a container
        return "?"
