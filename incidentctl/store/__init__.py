"""Where incidents are kept: :func:`open_store` picks the backend from a location.

The rest of incidentctl sees only the :class:`~incidentctl.store.base.Store`
protocol.  Two backends stand behind it:

- the embedded SQLite file (the default, in the incidentctl home): a location is a
  path to it or a ``sqlite:///path`` URL;
- a PostgreSQL database a team shares: ``postgresql://[user@]host[:port]/dbname[?...]``
  (or ``postgres://``), any libpq URL, ``?service=NAME`` included.  Passwords come from
  ``~/.pgpass``, ``$PGPASSWORD`` or the service file; a location is only ever shown
  through :func:`display_location`, which masks any password it holds.  Its driver,
  psycopg 3, is imported only when such a store is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from incidentctl.errors import StoreError
from incidentctl.i18n import msg

if TYPE_CHECKING:
    import os

    from incidentctl.store.base import Store

#: The store's file name inside the incidentctl home.
FILENAME = "incidents.db"


def home_location(home: Path) -> str:
    """The default store of an incidentctl home: its embedded SQLite file."""
    return str(home / FILENAME)


#: URL schemes of a PostgreSQL store.
POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres(location: str | os.PathLike[str]) -> bool:
    """Whether ``location`` names a PostgreSQL store (not a file)."""
    scheme, sep, _ = str(location).partition("://")
    return bool(sep) and scheme.lower() in POSTGRES_SCHEMES


def sqlite_path(location: str | os.PathLike[str]) -> Path:
    text = str(location)
    if "://" not in text:
        return Path(text)
    scheme, _, rest = text.partition("://")
    if scheme.lower() != "sqlite":
        raise StoreError(msg("err.store.location", scheme=scheme[:40]))  # cleaned when shown
    return Path(rest)  # sqlite:///abs/path -> /abs/path; sqlite://rel/path -> rel/path


def check_location(location: str | os.PathLike[str]) -> None:
    """Refuse a location of a kind no backend serves (an unknown URL scheme)."""
    if not is_postgres(location):
        sqlite_path(location)


def display_location(location: str | os.PathLike[str]) -> str:
    """``location`` as it may be shown: a URL's password (in its user part or among its
    parameters) replaced by ``***``."""
    text = str(location)
    if "://" not in text:
        return text
    from urllib.parse import parse_qsl, urlencode, urlsplit

    try:
        parts = urlsplit(text)
        netloc, query = parts.netloc, parts.query
        userinfo, at, hostport = netloc.rpartition("@")
        if at and ":" in userinfo:
            netloc = userinfo.split(":", 1)[0] + ":***@" + hostport
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() == "password" for k, _ in pairs):
            query = urlencode(
                [(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*/"
            )
        if (netloc, query) == (parts.netloc, parts.query):
            return text
        # by hand: urlunsplit drops the "//" of a scheme it does not know, before an empty host
        shown = f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
        return shown + (f"#{parts.fragment}" if parts.fragment else "")
    except ValueError:
        scheme = text.partition("://")[0]
        return f"{scheme}://***"


def same_store(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two locations name the same store (a file however it is spelled)."""
    if is_postgres(a) or is_postgres(b):
        return display_location(a) == display_location(b)
    return sqlite_path(a).resolve() == sqlite_path(b).resolve()


def has_password(location: str | os.PathLike[str]) -> bool:
    """Whether a URL carries a password (better kept in ``~/.pgpass``)."""
    return display_location(location) != str(location)


def store_exists(location: str | os.PathLike[str]) -> bool:
    """Whether a store has been created at ``location`` (nothing is touched).  A server
    store is taken to exist: opening it says if it has not been initialised."""
    if is_postgres(location):
        return True
    return sqlite_path(location).exists()


def open_store(
    location: str | os.PathLike[str],
    *,
    create: bool = True,
    read_only: bool = False,
    connect_timeout: int | None = None,
) -> Store:
    """Open the store at ``location``, creating it if ``create`` (else :class:`StoreError`).
    A PostgreSQL store is never created here: ``incidentctl store init`` does that.

    A file there that is not an incidentctl store, or is one from a newer
    release, is refused with one clear line and left untouched.  ``read_only``
    opens an existing store for reading alone: nothing is created, migrated or
    written.  ``connect_timeout``: how many seconds to wait for a server store to answer
    (else its own default; the URL's ``connect_timeout`` or ``$PGCONNECT_TIMEOUT`` win).
    """
    if is_postgres(location):
        from incidentctl.store.postgres import CONNECT_TIMEOUT, PostgresStore

        text = str(location)
        return PostgresStore.open(
            text,
            display_location(text),
            read_only=read_only,
            connect_timeout=connect_timeout or CONNECT_TIMEOUT,
        )
    from incidentctl.store.sqlite import SQLiteStore

    return SQLiteStore.open(sqlite_path(location), create=create, read_only=read_only)
