"""Durations: ``30s``, ``10m``, ``4h``, ``2d``, compound ``1h30m``, and business days ``1bd``.

One parser serves runbooks (deadlines, recurrence, effort), the command line
(``--at -15m``, ``--warn-before 10m``) and configuration files, so the syntax
is the same everywhere.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, NamedTuple

from incidentctl.errors import InvalidInput
from incidentctl.i18n import msg, t

if TYPE_CHECKING:
    from incidentctl.i18n import Msg

_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_CALENDAR_RE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_BUSINESS_RE = re.compile(r"^(\d+)bd$")

#: The regular expression the runbook schema uses for a duration; kept here so
#: the schema and the parser cannot disagree (a test compares them).
SCHEMA_PATTERN = r"^(?:[1-9][0-9]*bd|(?=[0-9])(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?)$"

#: The longest duration accepted anywhere (about ten years): anything longer is a mistake,
#: and would overflow date arithmetic further on.
MAX_DAYS = 3650

EXPECTED = t("err.duration.expected", "en")


class Duration(NamedTuple):
    """A span of calendar time, or a number of business days (never both)."""

    seconds: int = 0
    business_days: int = 0

    @property
    def is_business(self) -> bool:
        return self.business_days > 0

    @property
    def min_seconds(self) -> int:
        """Shortest real span this duration can be (business days count as 1 day each)."""
        return self.business_days * 86400 if self.is_business else self.seconds

    def __str__(self) -> str:
        if self.is_business:
            return f"{self.business_days}bd"
        return compact(self.seconds)


@functools.lru_cache(maxsize=256)  # a runbook repeats the same few durations many times
def parse_duration(text: str, *, allow_zero: bool = False) -> Duration:
    """Parse a duration; raise :class:`InvalidInput` with the expected forms."""
    raw = text.strip().lower()
    m = _BUSINESS_RE.match(raw)
    if m:
        if len(m.group(1)) > 6 or int(m.group(1)) > MAX_DAYS:
            raise InvalidInput(msg("err.duration.too_long", text=text, limit=MAX_DAYS))
        n = int(m.group(1))
        if n == 0 and not allow_zero:
            raise InvalidInput(_zero(text))
        return Duration(business_days=n)
    m = _CALENDAR_RE.match(raw)
    if not raw or not m:
        raise InvalidInput(msg("err.duration.invalid", text=text, expected=_expected()))
    if any(v is not None and len(v) > 12 for v in m.groups()):
        raise InvalidInput(msg("err.duration.too_long", text=text, limit=MAX_DAYS))
    seconds = sum(
        int(v) * _UNIT_SECONDS[u] for v, u in zip(m.groups(), "dhms", strict=True) if v is not None
    )
    if seconds == 0 and not allow_zero:
        raise InvalidInput(_zero(text))
    if seconds > MAX_DAYS * 86400:
        raise InvalidInput(msg("err.duration.too_long", text=text, limit=MAX_DAYS))
    return Duration(seconds=seconds)


def _expected() -> Msg:
    return msg("err.duration.expected")


def _zero(text: str) -> Msg:
    return msg("err.duration.zero", text=text, expected=_expected())


def parse_range(text: str) -> tuple[Duration, Duration]:
    """Parse an effort estimate such as ``5m-20m`` (or a single ``10m``)."""
    low, sep, high = text.partition("-")
    a = parse_duration(low)
    b = parse_duration(high) if sep else a
    if a.is_business or b.is_business:
        raise InvalidInput(msg("err.duration.effort_units", text=text))
    if b.seconds < a.seconds:
        raise InvalidInput(msg("err.duration.range_order", text=text))
    return a, b


def compact(seconds: int) -> str:
    """``5400`` -> ``1h30m``: the canonical, re-parsable spelling."""
    if seconds == 0:
        return "0s"
    out = []
    rest = seconds
    for unit, size in _UNIT_SECONDS.items():
        n, rest = divmod(rest, size)
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)


_HUMAN_UNITS = {
    "en": (("d", "d"), ("h", "h"), ("m", "m"), ("s", "s")),
    "zh": (("d", "天"), ("h", "小时"), ("m", "分"), ("s", "秒")),
}


class Span:
    """A length of time in a message, said in the message's language: the catalogue
    writes it ``{span:en}`` or ``{span:zh}`` (``30m``, ``30分钟``)."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __format__(self, lang: str) -> str:
        return human(self.seconds, lang or "en")


def human(seconds: float, lang: str = "en", *, parts: int = 2) -> str:
    """A short human reading of a span: ``12m 30s``, ``2d 3h``; zh ``12分30秒``, ``10分钟``.

    The two most significant units are kept; seconds are dropped once the span
    reaches an hour.  Negative spans are formatted by magnitude.
    """
    total = int(abs(seconds))
    if total >= 3600:
        total = total // 60 * 60
    names = dict(_HUMAN_UNITS.get(lang, _HUMAN_UNITS["en"]))
    values: list[tuple[int, str]] = []
    rest = total
    for unit, size in _UNIT_SECONDS.items():
        n, rest = divmod(rest, size)
        values.append((n, unit))
    first = next((i for i, (n, _) in enumerate(values) if n), len(values) - 1)
    chosen = [(n, u) for n, u in values[first : first + parts] if n] or [(0, "s")]
    if lang == "zh":
        # 12分30秒, but 10分钟 and 1小时30分钟 when no seconds follow the minutes
        return "".join(
            f"{n}{'分钟' if u == 'm' and i == len(chosen) - 1 else names[u]}"
            for i, (n, u) in enumerate(chosen)
        )
    return " ".join(f"{n}{names[u]}" for n, u in chosen)
