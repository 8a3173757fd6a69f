"""Optional settings in ``$INCIDENTCTL_HOME/config.yaml`` (validated; errors point at the line)."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

CONFIG_FILE = "config.yaml"


_EMPTY: Mapping[str, Any] = MappingProxyType({})


class Config(NamedTuple):
    calendar: str | None = None
    due_soon_fraction: float = 0.2
    due_soon_max_seconds: int = 15 * 60
    org: Mapping[str, str] = _EMPTY
    notify: Mapping[str, Any] = _EMPTY
    path: str | None = None
    #: The file holds notification secrets (webhook URLs, a command) and others can read it.
    exposed: bool = False
    #: The longest text recorded on an incident, in bytes.
    max_text: int = 64 * 1024


def calendar_file(home: Path, name: str) -> Path:
    """Where the business-day calendar ``name`` of the config lives: a shipped one by its id
    (``cn``), else a file, its path relative to the home unless absolute."""
    from pathlib import Path

    from incidentctl.paths import package_data

    shipped = package_data(f"calendars/{name}.yaml")
    if shipped.is_file():
        return shipped
    path = Path(name).expanduser()
    return path if path.is_absolute() else home / path


def shipped_calendars() -> list[str]:
    from incidentctl.paths import package_data

    return sorted(p.stem for p in package_data("calendars").glob("*.yaml"))


def load_config(home: Path) -> Config:
    """The home's config, checked whole: its schema, and that the calendar it names exists.
    Defaults when there is no config file (without loading YAML at all)."""
    path = home / CONFIG_FILE
    if not path.is_file():
        return Config()
    from incidentctl.documents.schemas import load_checked
    from incidentctl.durations import parse_duration
    from incidentctl.errors import DocumentError
    from incidentctl.paths import check_private, display_path, readable_by_others

    check_private(path, what="config")
    name = display_path(path)
    try:
        located = load_checked(path, "config", display=name)
    except DocumentError as exc:
        raise ConfigError(exc.what, problems=exc.problems) from None
    if located is None:
        return Config(path=name)
    data: dict[str, Any] = located.data or {}
    calendar = data.get("calendar")
    if calendar is not None and not calendar_file(home, calendar).is_file():
        from incidentctl.i18n import t

        problem = located.problem(
            ("calendar",),
            t(
                "err.config.calendar",
                "en",
                name=calendar,
                shipped=shipped_calendars(),
                path=calendar_file(home, calendar),
            ),
        )
        invalid = DocumentError([problem])
        raise ConfigError(invalid.what, problems=invalid.problems)
    due_soon = data.get("deadlines", {}).get("due_soon", {})
    return Config(
        calendar=data.get("calendar"),
        due_soon_fraction=float(due_soon.get("fraction", 0.2)),
        due_soon_max_seconds=parse_duration(due_soon["max"]).seconds
        if "max" in due_soon
        else 15 * 60,
        org={k: str(v) for k, v in data.get("org", {}).items()},
        notify=data.get("notify", {}),
        path=name,
        exposed=bool(data.get("notify")) and readable_by_others(path),
        max_text=int(data.get("limits", {}).get("text", 64 * 1024)),
    )
