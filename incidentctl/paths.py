"""Where things live: shipped runbooks and schemas, the user's runbooks, the home directory."""

from __future__ import annotations

import os
import stat
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


def home_origin(explicit: str | os.PathLike[str] | None = None) -> str:
    """Where the home in use was named: ``--home``, ``$INCIDENTCTL_HOME``, or ``default``."""
    if explicit:
        return "--home"
    return "$INCIDENTCTL_HOME" if os.environ.get("INCIDENTCTL_HOME") else "default"


def check_home(home: Path, origin: str) -> None:
    """Refuse a home that is not a directory, or could never become one because something
    on its path is a file (``--home /etc/passwd``): its store could never be there, and
    saying "no incidents yet" would hide the mistake.  A home that does not exist yet, under
    a directory, is fine; other failures are left to whoever opens it."""
    from incidentctl.errors import StoreError
    from incidentctl.i18n import msg

    path = home
    while True:
        try:
            mode = os.stat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            if path.parent == path:
                return
            path = path.parent
            continue
        except OSError:
            return
        if stat.S_ISDIR(mode):
            return
        raise StoreError(
            msg(
                "err.home.not_dir",
                path=home,
                origin=msg(f"origin.{origin}"),
                blocker=path,
            ),
            hint=msg("err.home.how"),
        )


def make_private_dir(path: Path) -> None:
    """Create the directory ``path`` if it is not there, and any missing parent of it, each
    private (0700): the home, which only the embedded store creates otherwise, and the
    directories in it."""
    if not path.parent.exists():
        make_private_dir(path.parent)
    path.mkdir(mode=0o700, exist_ok=True)


def check_private(path: Path, *, what: str) -> None:
    """Refuse a file or directory someone else could have written, as ``ssh`` refuses a
    ``~/.ssh`` others can write: it (and, if it is a symbolic link, the link itself) must
    belong to this user or to root, and be writable by its owner alone.  Nothing is
    checked for a path that does not exist yet.

    ``what`` names it for the message (``home``, ``config``, ``store``, ``calendar``).
    """
    from incidentctl.errors import UnsafePath
    from incidentctl.i18n import msg

    me = os.getuid()
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError:
        return  # unreadable: whoever opens it says so
    shown = display_path(path)
    if stat.S_ISLNK(link.st_mode) and link.st_uid not in (me, 0):
        raise UnsafePath(
            msg(f"err.unsafe.{what}", path=shown, why=msg("err.unsafe.link_owner")),
            hint=msg("err.unsafe.fix_owner", path=shown),
        )
    try:
        target = os.stat(path)
    except OSError:
        return
    if target.st_uid not in (me, 0):
        raise UnsafePath(
            msg(f"err.unsafe.{what}", path=shown, why=msg("err.unsafe.owner")),
            hint=msg("err.unsafe.fix_owner", path=shown),
        )
    if target.st_mode & 0o022:
        raise UnsafePath(
            msg(f"err.unsafe.{what}", path=shown, why=msg("err.unsafe.writable")),
            hint=msg("err.unsafe.fix_mode", path=shown),
        )


def readable_by_others(path: Path) -> bool:
    try:
        return bool(os.stat(path).st_mode & 0o044)
    except OSError:
        return False
