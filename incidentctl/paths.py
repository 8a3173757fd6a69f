"""Where things live: shipped runbooks and schemas, the user's runbooks, the home directory."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    # An installed wheel carries the top-level runbooks/ and schemas/ folders as
    # package data under incidentctl/_data/; a source checkout has them beside
    # the package.
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the current directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def schemas_dir() -> Path:
    return _shipped("schemas")


def schema_path(name: str) -> Path:
    return schemas_dir() / f"{name}.schema.json"


def shipped_runbooks_dir() -> Path:
    return _shipped("runbooks")


def package_data(name: str) -> Path:
    """A data file that belongs to the package itself (calendars, config defaults)."""
    return _PACKAGE / "data" / name


def runbooks_dir(explicit: str | os.PathLike[str] | None = None) -> tuple[Path, str]:
    """The runbook directory in use and why: ``--runbooks``, ``$INCIDENTCTL_RUNBOOKS``,
    a ``runbooks/`` folder in the current directory, or the shipped runbooks."""
    if explicit:
        return Path(explicit), "--runbooks"
    env = os.environ.get("INCIDENTCTL_RUNBOOKS")
    if env:
        return Path(env), "$INCIDENTCTL_RUNBOOKS"
    local = Path.cwd() / "runbooks"
    if local.is_dir() and any(local.glob("*.y*ml")):
        return local, "./runbooks"
    return shipped_runbooks_dir(), "shipped"


def default_home() -> Path:
    """``$XDG_DATA_HOME/incidentctl``, i.e. ``~/.local/share/incidentctl`` by default."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "incidentctl"


def home_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("INCIDENTCTL_HOME")
    if env:
        return Path(env)
    return default_home()
