"""Business days: a calendar of weekends, public holidays and make-up working days.

``N bd`` from an instant on a working day is the same local time of day on the
N-th working day after it; from a day off (weekend or holiday), it is the end
of the N-th working day after it.  Past the period a calendar covers, only
weekends are days off, and results say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.errors import ConfigError
from incidentctl.i18n import msg

if TYPE_CHECKING:
    from pathlib import Path

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
#: Calendar file in the home directory that replaces the shipped one.
HOME_CALENDAR = "calendar.yaml"
DEFAULT_CALENDAR = "cn"


class BusinessResult(NamedTuple):
    instant: datetime
    beyond_coverage: bool  # a day past the calendar's known holidays was counted


@dataclass
class BusinessCalendar:
    id: str
    zone: tzinfo
    weekend: frozenset[int] = frozenset({5, 6})
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)
    covers: tuple[date, date] | None = None
    source: str = ""

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() not in self.weekend

    def covered(self, day: date) -> bool:
        return self.covers is None or self.covers[0] <= day <= self.covers[1]

    def add(self, instant: datetime, days: int) -> BusinessResult:
        local = instant.astimezone(self.zone)
        day = local.date()
        on_workday = self.is_workday(day)
        beyond = not self.covered(day)
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            beyond = beyond or not self.covered(day)
            if self.is_workday(day):
                counted += 1
        if on_workday:
            naive = datetime.combine(day, local.time().replace(tzinfo=None))
        else:
            naive = datetime.combine(day + timedelta(days=1), time(0, 0))
        result = naive.replace(tzinfo=self.zone)
        return BusinessResult(result.astimezone(instant.tzinfo), beyond)


def from_data(data: dict[str, Any], source: str) -> BusinessCalendar:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone: tzinfo = ZoneInfo(data["zone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(msg("err.calendar.zone", file=source, zone=data["zone"])) from None
    holidays: dict[date, str] = {}
    for h in data.get("holidays", []):
        name = h["name"] if isinstance(h["name"], str) else h["name"].get("en", "")
        start = h.get("from") or h.get("date")
        end = h.get("to") or h.get("date") or start
        if start is None:
            raise ConfigError(msg("err.calendar.holiday_dates", file=source))
        d0, d1 = date.fromisoformat(start), date.fromisoformat(end)
        if d1 < d0:
            raise ConfigError(
                msg("err.calendar.holiday_order", file=source, name=name, end=end, start=start)
            )
        d = d0
        while d <= d1:
            holidays[d] = name
            d += timedelta(days=1)
    workdays = {}
    for w in data.get("workdays", []):
        name = w.get("name", "")
        workdays[date.fromisoformat(w["date"])] = (
            name if isinstance(name, str) else name.get("en", "")
        )
    covers = None
    if data.get("covers"):
        covers = (
            date.fromisoformat(data["covers"]["from"]),
            date.fromisoformat(data["covers"]["to"]),
        )
    return BusinessCalendar(
        id=data["id"],
        zone=zone,
        weekend=frozenset(_WEEKDAYS[d] for d in data["weekend"]),
        holidays=holidays,
        workdays=workdays,
        covers=covers,
        source=source,
    )


#: Bump when what is checked in a calendar, or what a remembered check holds, changes.
_MEMO_VERSION = "calendar/1"


def load_calendar_file(path: Path) -> BusinessCalendar:
    """The calendar in the YAML file at ``path``, checked against its schema.  A calendar
    this release already checked, byte for byte, is not checked again
    (:mod:`incidentctl.documents.memo`): loading YAML and JSON Schema took longer than the
    rest of a ``show`` that meets a business-day deadline."""
    from incidentctl.documents import memo
    from incidentctl.documents.files import MAX_BYTES, read_bytes
    from incidentctl.errors import DocumentError
    from incidentctl.paths import display_path

    name = display_path(path)
    try:
        raw = read_bytes(path, display=name, limit=MAX_BYTES)
        where = memo.directory("calendars")
        entry = memo.key(raw, _MEMO_VERSION) if where is not None else ""
        data = memo.load(where, entry) if where is not None else None
        if isinstance(data, dict):
            return from_data(data, name)
        from incidentctl.documents import yamlsafe
        from incidentctl.documents.schemas import check_text

        located = check_text(yamlsafe.decode(raw, name), "calendar", name)
    except DocumentError as exc:
        raise ConfigError(exc.what, problems=exc.problems) from None
    if located is None:
        raise ConfigError(msg("err.calendar.empty", file=name))
    try:
        calendar = from_data(located.data, name)
    except ValueError as exc:  # an impossible date such as 2026-02-30
        raise ConfigError(f"{name}: {exc}") from None
    if where is not None:
        memo.save(where, entry, located.data)  # only a calendar that loaded
    return calendar


def load_calendar(home: Path, configured: str | None = None) -> BusinessCalendar:
    """``$INCIDENTCTL_HOME/calendar.yaml`` if present, else the configured one
    (a shipped id such as ``cn`` or a path), else the shipped mainland-China calendar."""
    from incidentctl.config import calendar_file

    own = home / HOME_CALENDAR
    if own.is_file():
        from incidentctl.paths import check_private

        check_private(own, what="calendar")
        return load_calendar_file(own)
    name = configured or DEFAULT_CALENDAR
    path = calendar_file(home, name)
    if not path.is_file():
        raise ConfigError(msg("err.calendar.missing", name=name, path=path))
    return load_calendar_file(path)
