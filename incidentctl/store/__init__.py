"""Where incidents are kept: :func:`open_store` picks the backend from a location.

The rest of incidentctl sees only the :class:`~incidentctl.store.base.Store`
protocol.  Today the one backend is the embedded SQLite file; a location is
a path to it, a ``sqlite:///path`` URL, or (for :func:`home_location`) the
incidentctl home directory that holds it.
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


def _sqlite_path(location: str | os.PathLike[str]) -> Path:
    text = str(location)
    if "://" not in text:
        return Path(text)
    scheme, _, rest = text.partition("://")
    if scheme.lower() != "sqlite":
        raise StoreError(msg("err.store.location", scheme=scheme))
    return Path(rest)  # sqlite:///abs/path -> /abs/path; sqlite://rel/path -> rel/path


def store_exists(location: str | os.PathLike[str]) -> bool:
    """Whether a store has been created at ``location`` (nothing is touched)."""
    return _sqlite_path(location).exists()


def open_store(
    location: str | os.PathLike[str], *, create: bool = True, read_only: bool = False
) -> Store:
    """Open the store at ``location``, creating it if ``create`` (else :class:`StoreError`).

    A file there that is not an incidentctl store, or is one from a newer
    release, is refused with one clear line and left untouched.  ``read_only``
    opens an existing store for reading alone: nothing is created, migrated or
    written.
    """
    from incidentctl.store.sqlite import SQLiteStore

    return SQLiteStore.open(_sqlite_path(location), create=create, read_only=read_only)
