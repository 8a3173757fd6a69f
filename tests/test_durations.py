from __future__ import annotations

import json
import re

import pytest

from incidentctl.durations import SCHEMA_PATTERN, Duration, human, parse_duration, parse_range
from incidentctl.errors import InvalidInput
from incidentctl.paths import schema_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", Duration(seconds=30)),
        ("10m", Duration(seconds=600)),
        ("4h", Duration(seconds=14400)),
        ("2d", Duration(seconds=172800)),
        ("1h30m", Duration(seconds=5400)),
        ("1bd", Duration(business_days=1)),
        ("7bd", Duration(business_days=7)),
        (" 15M ", Duration(seconds=900)),
    ],
)
def test_parse(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "90", "m", "10 minutes", "1.5h", "2h1d", "-5m", "1bd2h", "0m", "0bd"]
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_duration(text)


def test_zero_allowed_on_request() -> None:
    assert parse_duration("0s", allow_zero=True).seconds == 0


def test_str_round_trips() -> None:
    for text in ("30s", "10m", "1h30m", "2d", "1d2h3m4s", "3bd"):
        assert str(parse_duration(text)) == text


def test_schema_pattern_is_the_parsers() -> None:
    schema = json.loads(schema_path("runbook").read_text(encoding="utf-8"))
    assert schema["$defs"]["duration"]["pattern"] == SCHEMA_PATTERN
    for text in ("30s", "1h30m", "1bd", "90", "h", "2h1d", "1bd2h"):
        ok = True
        try:
            parse_duration(text)
        except InvalidInput:
            ok = False
        assert bool(re.match(SCHEMA_PATTERN, text)) == ok, text


def test_effort_range() -> None:
    low, high = parse_range("5m-20m")
    assert (low.seconds, high.seconds) == (300, 1200)
    with pytest.raises(InvalidInput):
        parse_range("20m-5m")
    with pytest.raises(InvalidInput):
        parse_range("1bd-2bd")


@pytest.mark.parametrize(
    ("seconds", "en", "zh"),
    [
        (0, "0s", "0秒"),
        (45, "45s", "45秒"),
        (750, "12m 30s", "12分30秒"),
        (3660, "1h 1m", "1小时1分钟"),
        (3601, "1h", "1小时"),
        (90061, "1d 1h", "1天1小时"),
        (-300, "5m", "5分钟"),
    ],
)
def test_human(seconds: int, en: str, zh: str) -> None:
    assert human(seconds) == en
    assert human(seconds, "zh") == zh
