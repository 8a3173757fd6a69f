"""Checks remembered: a document this release already checked is not checked again.

Checking a YAML document means loading YAML and JSON Schema: tens of milliseconds before
any rule is looked at, more than the whole of an everyday command.  The outcome depends
only on the document's bytes and on the incidentctl that checked them, so it is kept
under a key made of both, one JSON file per entry; a changed file, or another release,
simply misses.

Entries live in ``$XDG_CACHE_HOME/incidentctl/KIND`` (``~/.cache/incidentctl/KIND``), or
``$INCIDENTCTL_CACHE/KIND``; ``INCIDENTCTL_CACHE=off`` keeps nothing.  What is read back
is trusted as checked, so a directory someone else could write is not used at all.
Entries are written whole (a temporary file, then a rename); a damaged one is ignored,
and a failure to write is not an error: the next run checks again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def directory(kind: str) -> Path | None:
    """The private directory for entries of ``kind``, created if need be; ``None`` when
    there is no usable one (turned off, not writable, or writable by someone else)."""
    from incidentctl.errors import IncidentctlError
    from incidentctl.paths import check_private

    env = os.environ.get("INCIDENTCTL_CACHE")
    if env == "off":
        return None
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    where = (Path(env) if env else base / "incidentctl") / kind
    try:
        if not where.is_dir():
            where.mkdir(mode=0o700, parents=True, exist_ok=True)
            where.chmod(0o700)
        check_private(where, what="home")
    except (OSError, IncidentctlError):
        return None
    return where


def key(raw: bytes, version: str) -> str:
    """The entry for ``raw`` as checked by this release, with the checker's own
    ``version`` (bumped when what an entry holds, or what is checked, changes)."""
    from incidentctl import __version__
    from incidentctl.records import sha256

    digest = sha256(raw)
    digest.update(f"\0{__version__}\0{version}".encode())
    return str(digest.hexdigest())


def load(where: Path, entry: str) -> Any:
    """What was kept under ``entry``, or ``None`` when nothing (readable) was."""
    try:
        with open(where / f"{entry}.json", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def save(where: Path, entry: str, data: Any) -> None:
    """Keep ``data`` under ``entry``; data that JSON would not give back unchanged is not
    kept (it would come back as something else)."""
    try:
        encoded = json.dumps(data, ensure_ascii=False)
        if json.loads(encoded) != data:
            return
    except (TypeError, ValueError):
        return
    tmp = where / f".{entry}.{os.getpid()}.tmp"
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(encoded)
        os.replace(tmp, where / f"{entry}.json")
    except OSError:
        tmp.unlink(missing_ok=True)
