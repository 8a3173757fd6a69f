"""Checked runbooks, remembered: a file already checked is not parsed and validated again.

Checking a runbook means loading YAML and JSON Schema and linting every rule:
hundreds of milliseconds for the eight shipped runbooks, on every ``open`` and
``runbook list``.  The outcome of checking a file depends only on its bytes and on
the incidentctl that checked them, so it is kept under a key made of both (the
file's SHA-256, the package version, the runbook format version, and the bytes
of the schema and of the modules that check and model a runbook, so that a
changed rule is applied even before the version is bumped): the validated
document, or its problems.  A changed file, or another checker, simply misses.

The cache lives in ``$XDG_CACHE_HOME/incidentctl/runbooks`` (``~/.cache/...``),
private to the user; what is read back from it is trusted as checked, so a cache
directory someone else could write is not used at all.  Entries are written
whole (a temporary file, then a rename); a damaged entry is ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from incidentctl import RUNBOOK_SCHEMA_VERSION, __version__
from incidentctl.errors import Problem

#: Bump when what a cache entry holds changes shape.
ENTRY_VERSION = 1

#: The modules whose code decides what a check finds (with the schema itself).
_CHECKER_MODULES = (
    *("lint.py", "model.py", "validate.py", "placeholders.py", "evidence.py", "phrases.py"),
)


def cache_dir() -> Path | None:
    """The runbook cache directory, created private if need be; ``None`` when there is no
    usable one (not writable, or writable by someone else)."""
    from incidentctl.errors import IncidentctlError
    from incidentctl.paths import check_private

    env = os.environ.get("INCIDENTCTL_CACHE")
    if env == "off":
        return None
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    directory = Path(env) if env else base / "incidentctl" / "runbooks"
    try:
        if not directory.is_dir():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            directory.chmod(0o700)
        check_private(directory, what="home")
    except (OSError, IncidentctlError):
        return None
    return directory


def key(raw: bytes) -> str:
    """What a check of ``raw`` depends on: the bytes, this release, the format version."""
    from incidentctl.records import sha256

    digest = sha256(raw)
    digest.update(f"\0{__version__}\0{RUNBOOK_SCHEMA_VERSION}\0{ENTRY_VERSION}".encode())
    digest.update(checker_fingerprint().encode())
    return str(digest.hexdigest())


_fingerprint: list[str] = []  # computed once per process


def checker_fingerprint() -> str:
    """A digest of the runbook schema and the checking modules as installed: a schema or
    lint change invalidates every remembered check, whatever the version says."""
    if not _fingerprint:
        from incidentctl.paths import schema_path
        from incidentctl.records import sha256

        digest = sha256(b"")
        here = Path(__file__).parent
        from incidentctl.paths import package_data

        checker = (*(here / name for name in _CHECKER_MODULES), package_data("phrases.yaml"))
        for path in (schema_path("runbook"), *checker):
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(path.name.encode())
        _fingerprint.append(str(digest.hexdigest()))
    return _fingerprint[0]


def load(
    directory: Path, entry: str, file: str
) -> tuple[Any, list[Problem], tuple[int, int]] | None:
    """The document, problems and place of the ``id`` key of a checked file, or ``None``."""
    try:
        with open(directory / f"{entry}.json", encoding="utf-8") as fh:
            data = json.load(fh)
        problems = [Problem(file, *p) for p in data["problems"]]
        line, column = data["id_at"]
        return data["document"], problems, (int(line), int(column))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(
    directory: Path,
    entry: str,
    document: Any,
    problems: list[Problem],
    id_at: tuple[int, int],
) -> None:
    """Remember a check; a failure to write is not an error (the next run checks again)."""
    data = {
        "document": document,
        "problems": [[p.line, p.column, p.path, p.message] for p in problems],
        "id_at": list(id_at),
    }
    tmp = directory / f".{entry}.{os.getpid()}.tmp"
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, directory / f"{entry}.json")
    except (OSError, TypeError, ValueError):
        tmp.unlink(missing_ok=True)
