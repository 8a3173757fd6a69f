"""Reading and showing instants: user input in many forms, storage in UTC, display in a zone."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING

from incidentctl.durations import Span, parse_duration
from incidentctl.errors import InvalidInput
from incidentctl.i18n import msg, t

if TYPE_CHECKING:
    from incidentctl.i18n import Msg

#: How far in the future a given time may be before it is refused (clock skew).
FUTURE_TOLERANCE = timedelta(seconds=60)

#: A POSIX TZ value (``CST-8``, ``EST5EDT``, ``<+08>-8``): the C library reads it itself.
_POSIX_TZ = re.compile(
    r"^(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]+>)[+-]?\d{1,2}(?::\d{2}){0,2}(?:[A-Za-z]{3,}.*)?$"
)
#: Instants outside these years are refused rather than overflowing later.
YEARS = (1970, 9999)

_RELATIVE = re.compile(r"^-\s*(\S+)$")
_AHEAD = re.compile(r"^\+\s*(\S+)$")
_SPAN = re.compile(r"^\d+[a-z]")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_LOCAL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


#: IANA names of UTC itself: a machine set to one of them needs no zone database.
_UTC_KEYS = frozenset(
    ("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu")
)


def system_zone() -> tzinfo:
    """The machine's zone, by IANA name when it can be found (so DST is right)."""
    try:
        target = os.readlink("/etc/localtime")
        key = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
        if key in _UTC_KEYS:  # most servers: skip loading zoneinfo (about 1.5 ms)
            return timezone.utc
    except OSError:
        key = ""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        if key:
            return ZoneInfo(key)
    except (OSError, ValueError, ZoneInfoNotFoundError):
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as fh:
            key = fh.read().strip()
        if key:
            return ZoneInfo(key)
    except (OSError, ValueError, ZoneInfoNotFoundError):
        pass
    local = datetime.now().astimezone().tzinfo
    return local if local is not None else timezone.utc


def resolve_zone(name: str | None = None) -> tzinfo:
    """``--tz NAME``, else ``$TZ``, else the system zone."""
    explicit = name is not None
    name = name if explicit else os.environ.get("TZ")
    if not name:
        return system_zone()
    if name.upper() in ("UTC", "Z"):
        return timezone.utc
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name.lstrip(":"))
    except (ZoneInfoNotFoundError, ValueError):
        if explicit:
            raise InvalidInput(msg("err.time.zone", name=name)) from None
        if not _POSIX_TZ.match(name):
            raise InvalidInput(
                msg("err.time.env_zone", name=name), hint=msg("err.time.env_zone_how")
            ) from None
        # A POSIX TZ string (e.g. CST-8): the C library already applies it.
        local = datetime.now().astimezone().tzinfo
        return local if local is not None else timezone.utc


def zone_label(tz: tzinfo, at: datetime | None = None) -> str:
    """``Asia/Shanghai (UTC+08:00)``."""
    at = at or datetime.now(timezone.utc)
    local = at.astimezone(tz)
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    key = getattr(tz, "key", None)
    return f"{key} ({offset})" if key else offset


def fmt(instant: datetime, tz: tzinfo, *, seconds: bool = True, date_part: bool = True) -> str:
    local = instant.astimezone(tz)
    pattern = ("%Y-%m-%d " if date_part else "") + ("%H:%M:%S" if seconds else "%H:%M")
    return local.strftime(pattern)


def short_time(instant: datetime, now: datetime, zone: tzinfo) -> str:
    """A short local time: ``14:05`` today, ``11-21 14:05`` this year, else the full date."""
    local, today = instant.astimezone(zone), now.astimezone(zone)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def fmt_zoned(instant: datetime, tz: tzinfo) -> str:
    """``2026-11-22 14:05 +08:00``: a time that carries its zone, for messages and notes."""
    local = instant.astimezone(tz)
    z = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M ") + (f"{z[:3]}:{z[3:]}" if z else "UTC")


def iso(instant: datetime) -> str:
    """Storage form: UTC, seconds precision with microseconds when present, ``Z`` suffix."""
    utc = instant.astimezone(timezone.utc)
    text = utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def from_iso(text: str) -> datetime:
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def parse_time(text: str, *, now: datetime, tz: tzinfo, allow_future: bool = False) -> datetime:
    """Read a user-given time; naive forms are in ``tz``.  Returns an aware UTC instant."""
    raw = text.strip()
    value: datetime | None = None
    m = _RELATIVE.match(raw)
    if m:
        try:
            span = parse_duration(m.group(1))
        except InvalidInput as exc:
            if getattr(exc.what, "key", "") == "err.duration.too_long":
                raise
            raise InvalidInput(msg("err.time.invalid", text=text)) from None
        if span.is_business:
            raise InvalidInput(msg("err.time.relative_units", text=text))
        try:
            value = now - timedelta(seconds=span.seconds)
        except OverflowError:
            raise InvalidInput(
                msg("err.time.range", text=text, first=YEARS[0], last=YEARS[1])
            ) from None
    elif (m := _CLOCK.match(raw)) is not None:
        hh, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        today = now.astimezone(tz).date()
        value = _local(today, hh, mm, ss, tz, text)
    elif (m := _LOCAL.match(raw)) is not None:
        y, mo, d, hh, mm = (int(m.group(i)) for i in range(1, 6))
        ss = int(m.group(6) or 0)
        try:
            day = date(y, mo, d)
        except ValueError:
            problem = msg("err.time.bad_day") if 1 <= mo <= 12 else msg("err.time.bad_month")
            raise InvalidInput(msg("err.time.bad_date", text=text, problem=problem)) from None
        value = _local(day, hh, mm, ss, tz, text)
    else:
        try:
            value = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith("Z") else raw)
        except ValueError:
            raise InvalidInput(msg("err.time.invalid", text=text)) from None
        if value.tzinfo is None:
            value = _exists_once(value.replace(tzinfo=tz), tz, text)
    try:
        value = value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        value = None
    if value is None or not YEARS[0] <= value.year <= YEARS[1]:
        raise InvalidInput(msg("err.time.range", text=text, first=YEARS[0], last=YEARS[1]))
    if not allow_future and value - now > FUTURE_TOLERANCE:
        raise InvalidInput(
            msg(
                "err.time.future",
                text=text,
                span=Span((value - now).total_seconds()),
                at=fmt_zoned(value, tz),
            )
        )
    return value


def _local(day: date, hh: int, mm: int, ss: int, tz: tzinfo, text: str) -> datetime:
    if hh > 23 or mm > 59 or ss > 59:
        raise InvalidInput(msg("err.time.bad_clock", text=text))
    return _exists_once(datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=tz), tz, text)


def _exists_once(local: datetime, tz: tzinfo, text: str) -> datetime:
    """``local`` if that wall-clock time happened exactly once in ``tz``; a time skipped by a
    daylight-saving change, or one that happened twice, is refused with what to type."""
    try:
        early = local.replace(fold=0).utcoffset()
        late = local.replace(fold=1).utcoffset()
        if early == late:
            return local
        back = local.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return local  # the range check that follows says what is wrong
    naive = local.replace(tzinfo=None)
    zone = zone_label(tz, local.astimezone(timezone.utc))
    shown = naive.strftime("%Y-%m-%d %H:%M")
    if back != naive:  # the clocks jumped over it
        raise InvalidInput(msg("err.time.skipped", text=text, time=shown, zone=zone))
    offsets = [_offset(local.replace(fold=f)) for f in (0, 1)]
    raise InvalidInput(
        msg("err.time.twice", text=text, time=shown, zone=zone),
        hint=msg("err.time.twice_how", first=f"{shown}{offsets[0]}", second=f"{shown}{offsets[1]}"),
    )


def _offset(local: datetime) -> str:
    z = local.strftime("%z")
    return f"{z[:3]}:{z[3:]}"


def parse_eta(text: str, *, now: datetime, tz: tzinfo) -> datetime:
    """Read a time someone commits to: ``+30m`` or ``30m`` (that long from now), ``HH:MM``
    (the next such time: today, or tomorrow once it has passed), ``YYYY-MM-DD HH:MM`` or
    ISO 8601 (naive forms in ``tz``).  A time that is not still to come is refused."""
    raw = text.strip()
    value: datetime | None = None
    ahead = _AHEAD.match(raw)
    if ahead or _SPAN.match(raw.lower()):
        spelled = ahead.group(1) if ahead else raw
        try:
            span = parse_duration(spelled)
        except InvalidInput as exc:
            if getattr(exc.what, "key", "") in ("err.duration.too_long", "err.duration.zero"):
                raise
            raise InvalidInput(msg("err.eta.invalid", text=text)) from None
        if span.is_business:
            raise InvalidInput(msg("err.time.relative_units", text=text))
        value = now + timedelta(seconds=span.seconds)
    elif _RELATIVE.match(raw):
        try:
            past = parse_time(raw, now=now, tz=tz)
        except InvalidInput as exc:
            if getattr(exc.what, "key", "") == "err.time.invalid":
                raise InvalidInput(msg("err.eta.invalid", text=text)) from None
            raise
        raise InvalidInput(_past(text, past, now, tz))
    elif (m := _CLOCK.match(raw)) is not None:
        hh, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        today = now.astimezone(tz).date()
        value = _local(today, hh, mm, ss, tz, text)
        if value <= now:
            value = _local(today + timedelta(days=1), hh, mm, ss, tz, text)
    else:
        try:
            value = parse_time(raw, now=now, tz=tz, allow_future=True)
        except InvalidInput as exc:
            if getattr(exc.what, "key", "") == "err.time.invalid":
                raise InvalidInput(msg("err.eta.invalid", text=text)) from None
            raise
    value = value.astimezone(timezone.utc)
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise InvalidInput(msg("err.time.range", text=text, first=YEARS[0], last=YEARS[1]))
    if value <= now:
        raise InvalidInput(_past(text, value, now, tz))
    return value


def _past(text: str, value: datetime, now: datetime, tz: tzinfo) -> Msg:
    return msg(
        "err.eta.past",
        text=text,
        span=Span((now - value).total_seconds()),
        at=fmt_zoned(value, tz),
    )


def utc_offset(instant: datetime, tz: tzinfo) -> str:
    """The zone as people write it: ``UTC+8``, ``UTC+5:30``, ``UTC-3``, ``UTC``."""
    delta = instant.astimezone(tz).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def written(
    instant: datetime,
    now: datetime,
    tz: tzinfo,
    lang: str,
    *,
    zone: bool = False,
    dated: bool = False,
) -> str:
    """A time as people write it in a message: ``今天 10:00`` / ``today 10:00``, ``明天 01:00`` /
    ``tomorrow 01:00``, else ``11月27日 10:00`` / ``27 Nov 10:00`` (with the year when it is
    not this year's).  ``dated`` always gives the date (for a text read later, not at once);
    ``zone`` adds ``(UTC+8)``.  Never ISO, never ``+08:00``."""
    local, today = instant.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    day = local.date()
    if not dated and day == today:
        text = t("time.today", lang, time=clock)
    elif not dated and day == today + timedelta(days=1):
        text = t("time.tomorrow", lang, time=clock)
    else:
        month = t("time.months", lang).split()[day.month - 1]
        key = "time.date" if day.year == today.year else "time.date_year"
        text = t(key, lang, day=day.day, month=month, year=day.year, time=clock)
    return f"{text} ({utc_offset(instant, tz)})" if zone else text


def window(
    since: str | None, until: str | None, *, now: datetime, zone: tzinfo
) -> tuple[datetime | None, datetime]:
    """``--since`` and ``--until`` as instants: a date ``YYYY-MM-DD`` is its whole day in
    ``zone`` (since its first instant, until its end), anything else a time as ``--at``
    reads it; ``until`` defaults to ``now``.  Refused: a value that is neither, and a
    window that ends before it starts."""

    def read(text: str, option: str, end: bool) -> datetime:
        raw = text.strip()
        if len(raw) == 10:
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                raise InvalidInput(msg("err.window.date", option=option, text=text)) from None
            if end:
                day += timedelta(days=1)
            return datetime(day.year, day.month, day.day, tzinfo=zone)
        try:
            return parse_time(raw, now=now, tz=zone, allow_future=True)
        except InvalidInput:
            raise InvalidInput(msg("err.window.date", option=option, text=text)) from None

    start = read(since, "--since", False) if since is not None else None
    end = read(until, "--until", True) if until is not None else now
    if start is not None and start >= end:
        raise InvalidInput(
            msg(
                "err.window.order",
                since=fmt(start, zone, seconds=False),
                until=fmt(end, zone, seconds=False),
            )
        )
    return start, end


def opened_within(
    opened_at: str, start: datetime | None, end: datetime, *, end_included: bool = False
) -> bool:
    """Whether a stored opening time falls in the window :func:`window` read: from
    ``start`` on, before ``end`` (or at it, when ``end`` is "now": an incident opened this
    instant counts)."""
    at = from_iso(opened_at)
    return (start is None or at >= start) and (at < end or (end_included and at == end))
