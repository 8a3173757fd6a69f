"""Checked runbooks, remembered: a file already checked is not parsed and validated again.

Checking a runbook means loading YAML and JSON Schema and linting every rule:
hundreds of milliseconds for the eight shipped runbooks, on every ``open`` and
``runbook list``.  The outcome of checking a file depends only on its bytes and on
the incidentctl that checked them, so it is kept under a key made of both (the
file's SHA-256, the package version, the runbook format version, and the bytes
of the schema and of the modules that check and model a runbook, so that a
changed rule is applied even before the version is bumped): the validated
document, or its problems.  A changed file, or another checker, simply misses.

The entries are kept by :mod:`incidentctl.documents.memo`, in
``$XDG_CACHE_HOME/incidentctl/runbooks`` (``~/.cache/...``), private to the user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentctl import RUNBOOK_SCHEMA_VERSION
from incidentctl.errors import Problem

if TYPE_CHECKING:
    from pathlib import Path

#: Bump when what a cache entry holds changes shape.
ENTRY_VERSION = 2

#: The modules whose code decides what a check finds (with the schema itself).
_CHECKER_MODULES = (
    *("lint.py", "model.py", "validate.py", "placeholders.py", "evidence.py", "phrases.py"),
)


def cache_dir() -> Path | None:
    """The runbook cache directory, created private if need be; ``None`` when there is no
    usable one (not writable, or writable by someone else)."""
    from incidentctl.documents import memo

    return memo.directory("runbooks")


def key(raw: bytes) -> str:
    """What a check of ``raw`` depends on: the bytes, this release, the format version,
    and the checker itself (:func:`checker_fingerprint`)."""
    from incidentctl.documents import memo

    return memo.key(
        raw, f"runbook/{RUNBOOK_SCHEMA_VERSION}/{ENTRY_VERSION}/{checker_fingerprint()}"
    )


_fingerprint: list[str] = []  # computed once per process


def checker_fingerprint() -> str:
    """A digest of the runbook schema and the checking modules as installed: a schema or
    lint change invalidates every remembered check, whatever the version says.  Each file
    counts by its size and modification time, which any edit or new install changes:
    reading and hashing their 70 KB took 1.2 ms of every ``open`` and ``runbook list``."""
    if not _fingerprint:
        import os

        from incidentctl.paths import package_data, schema_path
        from incidentctl.records import sha256

        digest = sha256(b"")
        here = os.path.dirname(__file__)
        files: list[str | os.PathLike[str]] = [
            schema_path("runbook"),
            *(os.path.join(here, name) for name in _CHECKER_MODULES),
            package_data("phrases.yaml"),
        ]
        for path in files:
            try:
                st = os.stat(path)
                digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            except OSError:
                digest.update(f"{path}\0missing\n".encode())
        _fingerprint.append(str(digest.hexdigest()))
    return _fingerprint[0]


def load(
    directory: Path, entry: str, file: str
) -> tuple[Any, list[Problem], tuple[int, int], str | None] | None:
    """The document, problems, place of the ``id`` key and the document's sha256 (what an
    incident pins: hashing the canonical JSON of ten runbooks on every ``runbook list`` and
    ``open`` took 6 ms) of a checked file, or ``None``."""
    from incidentctl.documents import memo

    data = memo.load(directory, entry)
    try:
        problems = [Problem(file, *p) for p in data["problems"]]
        line, column = data["id_at"]
        sha = data["sha256"]
        return data["document"], problems, (int(line), int(column)), sha
    except (ValueError, KeyError, TypeError):
        return None


def save(
    directory: Path,
    entry: str,
    document: Any,
    problems: list[Problem],
    id_at: tuple[int, int],
) -> None:
    """Remember a check; a failure to write is not an error (the next run checks again)."""
    from incidentctl.documents import memo
    from incidentctl.runbooks.model import document_sha256

    memo.save(
        directory,
        entry,
        {
            "document": document,
            "problems": [[p.line, p.column, p.path, p.message] for p in problems],
            "id_at": list(id_at),
            "sha256": document_sha256(document) if isinstance(document, dict) else None,
        },
    )
