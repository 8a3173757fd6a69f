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


def load_config(home: Path) -> Config:
    """Defaults when there is no config file (without loading YAML at all)."""
    path = home / CONFIG_FILE
    if not path.is_file():
        return Config()
    from incidentctl.durations import parse_duration
    from incidentctl.errors import RunbookError
    from incidentctl.runbooks import yamlsafe
    from incidentctl.runbooks.repository import display_path
    from incidentctl.runbooks.validate import schema_problems

    name = display_path(path)
    try:
        text = yamlsafe.read_text(path, display=name)
        if all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
            return Config(path=name)
        located = yamlsafe.load(text, name)
    except RunbookError as exc:
        raise ConfigError(exc.message) from None
    problems = sorted(schema_problems(located, "config"))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(problems[0].format() + more)
    data: dict[str, Any] = located.data or {}
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
    )
