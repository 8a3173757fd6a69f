"""Optional settings in ``$INCIDENTCTL_HOME/config.yaml`` (validated; errors point at the line)."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from incidentctl.documents.yamlsafe import Located

CONFIG_FILE = "config.yaml"


_EMPTY: Mapping[str, Any] = MappingProxyType({})


class Config(NamedTuple):
    calendar: str | None = None
    #: Where incidents are kept (``store:``), unless ``--store`` or ``$INCIDENTCTL_STORE`` say.
    store: str | None = None
    due_soon_fraction: float = 0.2
    due_soon_max_seconds: int = 15 * 60
    org: Mapping[str, str] = _EMPTY
    #: The organisation's yes/no facts (``org.cii``...) that decide conditional duties.
    facts: Mapping[str, bool] = _EMPTY
    notify: Mapping[str, Any] = _EMPTY
    #: Who notices mention, by name: their accounts on each chat platform (``people:``).
    people: Mapping[str, Mapping[str, Any]] = _EMPTY
    path: str | None = None
    #: The file holds notification secrets (webhook URLs, a command) and others can read it.
    exposed: bool = False
    #: The longest text recorded on an incident, in bytes.
    max_text: int = 64 * 1024
    #: How often a runbook should be drilled, in seconds (``drills.every``), and per runbook.
    drills_every: int = 180 * 86400
    drills_every_by_runbook: Mapping[str, int] = _EMPTY
    #: What ``check`` does with overdue action items: ``off``, ``report`` (list them) or
    #: ``page`` (list them, count them as overdue, and send a notice for each).
    check_actions: str = "report"
    #: ``audit.anchor``: ``check`` takes an anchor when the last is older than ``every``.
    anchor: Mapping[str, Any] = _EMPTY


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
    Defaults when there is no config file (without loading YAML at all); a config already
    checked, unchanged since, is not parsed and validated again (see :func:`_recall`)."""
    path = home / CONFIG_FILE
    if not path.is_file():
        return Config()
    from incidentctl.durations import parse_duration
    from incidentctl.paths import check_private, display_path, readable_by_others

    check_private(path, what="config")
    name = display_path(path)
    text, data = _recall(path)
    if data is _MISSED:
        located = _load(path, name)
        data = located.data if located is not None else None
        _check_calendar(home, path, name, data)
        _check_notify(path, name, data)
        _remember(text, data)
    else:
        _check_calendar(home, path, name, data)
    if data is None:
        return Config(path=name)
    due_soon = data.get("deadlines", {}).get("due_soon", {})
    drills = data.get("drills", {})
    anchor = data.get("audit", {}).get("anchor", {})
    return Config(
        calendar=data.get("calendar"),
        store=data.get("store"),
        due_soon_fraction=float(due_soon.get("fraction", 0.2)),
        due_soon_max_seconds=parse_duration(due_soon["max"]).seconds
        if "max" in due_soon
        else 15 * 60,
        org={k: str(v) for k, v in data.get("org", {}).items() if not isinstance(v, bool)},
        facts={k: v for k, v in data.get("org", {}).items() if isinstance(v, bool)},
        notify=data.get("notify", {}),
        people=data.get("people", {}),
        path=name,
        exposed=bool(data.get("notify") or data.get("people") or anchor.get("post"))
        and readable_by_others(path),
        max_text=int(data.get("limits", {}).get("text", 64 * 1024)),
        drills_every=parse_duration(drills.get("every", "180d")).min_seconds,
        drills_every_by_runbook={
            k: parse_duration(v).min_seconds for k, v in drills.get("runbooks", {}).items()
        },
        check_actions=str(data.get("check", {}).get("action_items", "report")),
        anchor=anchor,
    )


def _load(path: Path, name: str) -> Located | None:
    """The config parsed and checked against its schema, every problem located."""
    from incidentctl.documents.schemas import load_checked
    from incidentctl.errors import DocumentError

    try:
        return load_checked(path, "config", display=name)
    except DocumentError as exc:
        raise ConfigError(exc.what, problems=exc.problems) from None


def _check_calendar(home: Path, path: Path, name: str, data: Any) -> None:
    """Refuse a ``calendar:`` that names neither a shipped calendar nor a file.  Checked on
    every load, remembered or not: the file it names may come and go."""
    calendar = data.get("calendar") if isinstance(data, dict) else None
    if calendar is None or calendar_file(home, calendar).is_file():
        return
    from incidentctl.i18n import t

    message = t(
        "err.config.calendar",
        "en",
        name=calendar,
        shipped=shipped_calendars(),
        path=calendar_file(home, calendar),
    )
    raise config_error(path, name, ("calendar",), message)


def _check_notify(path: Path, name: str, data: Any) -> None:
    """What the schema cannot say about ``notify``: a secret given one way only and only to
    a robot that signs, mentions that name someone in ``people``, a zone that exists."""
    notify = data.get("notify") if isinstance(data, dict) else None
    if not isinstance(notify, dict):
        return
    from incidentctl.i18n import t

    people = data.get("people") or {}
    for i, hook in enumerate(notify.get("webhooks") or ()):
        given = [k for k in ("secret", "secret_env") if k in hook]
        if len(given) == 2:
            where: tuple[str | int, ...] = ("notify", "webhooks", i, "secret_env")
            raise config_error(path, name, where, t("err.config.secret_twice", "en"))
        fmt = str(hook.get("format", "json"))
        if given and fmt.split("-", 1)[0] not in ("dingtalk", "feishu"):
            where = ("notify", "webhooks", i, given[0])
            raise config_error(path, name, where, t("err.config.secret_unsigned", "en", fmt=fmt))
    for role, who in (notify.get("fallback") or {}).items():
        if who != "@all" and who not in people:
            where = ("notify", "fallback", role)
            message = t("err.config.unknown_person", "en", name=who, people=list(people) or "-")
            raise config_error(path, name, where, message)
    import re

    role_id = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
    for tier, levels in (notify.get("escalation") or {}).items():
        for i, level in enumerate(levels or ()):
            who = level.get("notify") if isinstance(level, dict) else None
            if who is None or who == "@all" or who in people or role_id.fullmatch(who):
                continue
            where = ("notify", "escalation", tier, i, "notify")
            message = t("err.config.escalation_target", "en", name=who, people=list(people) or "-")
            raise config_error(path, name, where, message)
    zone = notify.get("tz")
    if zone and zone.upper() not in ("UTC", "Z"):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            message = t("err.config.zone", "en", zone=zone)
            raise config_error(path, name, ("notify", "tz"), message) from None


def config_error(path: Path, name: str, where: tuple[str | int, ...], message: str) -> ConfigError:
    """The error for a problem at ``where`` in the config, located at its line and column
    (the file is loaded again: this is only ever the way out)."""
    from incidentctl.errors import DocumentError

    located = _load(path, name)
    assert located is not None
    invalid = DocumentError([located.problem(where, message)])
    return ConfigError(invalid.what, problems=invalid.problems)


def home_config_error(home: Path, where: tuple[str | int, ...], message: str) -> ConfigError:
    """:func:`config_error` for the config of ``home``."""
    from incidentctl.paths import display_path

    path = home / CONFIG_FILE
    return config_error(path, display_path(path), where, message)


# --- a config already checked ----------------------------------------------------------
# Checking the config loads YAML and JSON Schema, which costs more than the whole of an
# everyday command such as ``list``; and every command that reads the home checks it.  So
# the outcome is kept, as a runbook's or a calendar's is (:mod:`incidentctl.documents.memo`):
# under the user's private cache directory, keyed by the exact bytes it was checked from
# and the release that checked them, beside the text itself, which must still match.

#: Bump when what a remembered config holds changes shape.
_MEMO_VERSION = 1
#: What :func:`_recall` returns when the config has to be checked.
_MISSED: Any = object()
#: A config larger than this is simply checked each time.
_MEMO_MAX = 256 * 1024


def _recall(path: Path) -> tuple[str, Any]:
    """The config's text, and its checked data if this release checked that very text
    before (else :data:`_MISSED`)."""
    from incidentctl.documents import memo

    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MEMO_MAX + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return "", _MISSED
    where = memo.directory("config") if len(raw) <= _MEMO_MAX else None
    if where is None:
        return text, _MISSED
    entry = memo.load(where, memo.key(raw, f"config/{_MEMO_VERSION}"))
    if isinstance(entry, dict) and entry.get("text") == text and "data" in entry:
        return text, entry["data"]
    return text, _MISSED


def _remember(text: str, data: Any) -> None:
    """Keep a successful check; a failure to write is not an error (the next run checks
    again), and data JSON would not give back unchanged is not kept."""
    from incidentctl.documents import memo

    raw = text.encode("utf-8")
    where = memo.directory("config") if text and len(raw) <= _MEMO_MAX else None
    if where is not None:
        memo.save(where, memo.key(raw, f"config/{_MEMO_VERSION}"), {"text": text, "data": data})
