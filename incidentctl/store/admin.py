"""Looking after a store: ``incidentctl store init`` and ``store status``.

Both backends answer the same questions: which backend, which schema version, how
much it holds, whether the current user may write.  Initialising an embedded store
creates (or migrates) its file; initialising a team store creates the schema, its
triggers and the two roles (see :mod:`incidentctl.store.postgres`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from incidentctl.store import display_location, is_postgres, open_store

if TYPE_CHECKING:
    import os


class StoreStatus(NamedTuple):
    """What ``store status`` shows."""

    backend: str  # "sqlite" or "postgresql"
    location: str  # without any password
    schema_version: int
    known_version: int  # the newest schema this release knows
    incidents: int
    events: int
    runbooks: int
    can_write: bool
    user: str | None  # the database user (a team store), else None


class StoreInitialised(NamedTuple):
    """What ``store init`` did: the schema version before (0: there was none) and after,
    and the roles it created or granted again."""

    backend: str
    location: str
    before: int
    after: int
    roles: tuple[str, ...]


def status(location: str | os.PathLike[str]) -> StoreStatus:
    """The state of the store at ``location`` (opened read-only: nothing is changed)."""
    if is_postgres(location):
        from incidentctl.store.postgres import SCHEMA_VERSION, PostgresStore

        pg = open_store(location, create=False, read_only=True)
        assert isinstance(pg, PostgresStore)
        try:
            # the read-only connection itself cannot write: ask a normal one
            writer = PostgresStore(pg.conninfo, pg.location)
            try:
                can_write = writer.can_write()
            finally:
                writer.close()
            version = pg.schema_version() or 0
            return StoreStatus(
                "postgresql", pg.location, version, SCHEMA_VERSION, *pg.counts(), can_write, pg.user
            )
        finally:
            pg.close()
    from incidentctl.store.sqlite import SCHEMA_VERSION as KNOWN
    from incidentctl.store.sqlite import SQLiteStore

    lite = open_store(location, create=False, read_only=True)
    assert isinstance(lite, SQLiteStore)
    try:
        return StoreStatus(
            "sqlite",
            lite.location,
            lite.schema_version(),
            KNOWN,
            *lite.counts(),
            lite.can_write(),
            None,
        )
    finally:
        lite.close()


def initialise(location: str | os.PathLike[str], *, roles: bool = True) -> StoreInitialised:
    """Create the store at ``location`` or bring its schema up to date."""
    if is_postgres(location):
        from incidentctl.store.postgres import AUDITOR, RESPONDER, PostgresStore

        text = str(location)
        pg = PostgresStore(text, display_location(text))
        try:
            before, after = pg.initialise(roles=roles)
        finally:
            pg.close()
        return StoreInitialised(
            "postgresql", pg.location, before, after, (RESPONDER, AUDITOR) if roles else ()
        )
    from incidentctl.store import sqlite_path
    from incidentctl.store.sqlite import SCHEMA_VERSION, SQLiteStore, read_version

    path = sqlite_path(location)
    before = read_version(path) if path.exists() else 0
    store = SQLiteStore.open(path)
    store.close()
    return StoreInitialised("sqlite", str(path), before, SCHEMA_VERSION, ())
