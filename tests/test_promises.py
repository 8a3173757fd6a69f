"""Promises: an ETA is only a time someone committed to, it is tracked as a deadline,
messages write times the way people write them, and drafts show their blanks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from incidentctl.clock import ManualClock
from incidentctl.errors import InvalidInput
from incidentctl.times import parse_eta

from .conftest import Run

SH = ZoneInfo("Asia/Shanghai")


def _open(run: Run, name: str = "system-outage", tier: str = "1") -> str:
    return run("open", name, "-s", tier, "-t", "演练", "--scope", "华东地区用户").stdout.strip()


def _eta(run: Run, inc: str) -> str | None:
    value: str | None = json.loads(run("show", inc, "--json").stdout)["eta"]
    return value


# --- set INC eta: what it accepts and refuses ----------------------------------------


def test_set_eta_takes_times_still_to_come(run: Run, clock: ManualClock) -> None:
    inc = _open(run)
    clock.advance(hours=7, minutes=32)  # 17:32 in Shanghai
    run("set", inc, "eta", "10:00")
    assert _eta(run, inc) == "2026-11-23T02:00:00Z"  # 10:00 has passed today: tomorrow
    run("set", inc, "eta", "18:00")
    assert _eta(run, inc) == "2026-11-22T10:00:00Z"  # still to come today
    run("set", inc, "eta", "+30m")
    assert _eta(run, inc) == "2026-11-22T10:02:00Z"
    run("set", inc, "eta", "45m")
    assert _eta(run, inc) == "2026-11-22T10:17:00Z"
    run("set", inc, "eta", "+1h30m")
    assert _eta(run, inc) == "2026-11-22T11:02:00Z"
    run("set", inc, "eta", "2026-11-24 09:00")
    assert _eta(run, inc) == "2026-11-24T01:00:00Z"
    run("set", inc, "eta", "2026-11-25T12:00:00+00:00")
    assert _eta(run, inc) == "2026-11-25T12:00:00Z"


def test_hh_mm_rolls_over_midnight(run: Run, clock: ManualClock) -> None:
    inc = _open(run)
    clock.advance(hours=13, minutes=50)  # 23:50 in Shanghai
    run("set", inc, "eta", "01:00")
    assert _eta(run, inc) == "2026-11-22T17:00:00Z"  # 01:00 on the 23rd, Shanghai
    run("set", inc, "eta", "23:50")  # exactly now has passed too: tomorrow
    assert _eta(run, inc) == "2026-11-23T15:50:00Z"


def test_set_eta_refuses_a_time_in_the_past_and_what_is_not_a_time(
    run: Run, clock: ManualClock
) -> None:
    inc = _open(run)
    clock.advance(hours=7, minutes=32)
    for past in ("-5m", "2026-11-22 10:00", "2026-11-22T09:00:00Z"):
        err = run("set", inc, "eta", past, expect=1).stderr
        assert "in the past" in err and "an ETA is a time still to come" in err, past
    err = run("--lang", "zh", "set", inc, "eta", "-5m", expect=1).stderr
    assert "已经过去 5分钟" in err and "预计时间必须是尚未到来的时间" in err
    assert "+30m or 30m (from now)" in run("set", inc, "eta", "soon", expect=1).stderr
    assert "calendar units" in run("set", inc, "eta", "1bd", expect=1).stderr
    assert "is zero" in run("set", inc, "eta", "0m", expect=1).stderr
    assert _eta(run, inc) is None  # nothing was recorded
    assert "has no ETA to clear" in run("set", inc, "eta", "", expect=1).stderr
    run("set", inc, "eta", "18:00")
    assert "already has the ETA" in run("set", inc, "eta", "18:00", expect=1).stderr


def test_parse_eta_directly() -> None:
    now = datetime(2026, 11, 22, 15, 50, tzinfo=timezone.utc)  # 23:50 in Shanghai
    assert parse_eta("00:10", now=now, tz=SH) == datetime(2026, 11, 22, 16, 10, tzinfo=timezone.utc)
    assert parse_eta("+10m", now=now, tz=SH) == now + timedelta(minutes=10)
    assert parse_eta("2h", now=now, tz=SH) == now + timedelta(hours=2)
    for text in ("-1m", "2026-11-22 23:49", "2026-11-22T15:50:00Z", "later", "+", "1bd"):
        with pytest.raises(InvalidInput):
            parse_eta(text, now=now, tz=SH)
