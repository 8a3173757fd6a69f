"""Legal clocks run from discovery: ``open --discovered-at`` and ``set INC discovered``
anchor every ``from: discovered`` deadline; without them, those deadlines count from
opening and say so."""

from __future__ import annotations

import json
from typing import Any

import pytest

from incidentctl.clock import ManualClock

from .conftest import Run


def _deadlines(run: Run, inc: str) -> dict[str, dict[str, Any]]:
    every = json.loads(run("deadlines", inc, "--all", "--json").stdout)["deadlines"]
    return {d["key"]: d for d in every}


def _report_cac(run: Run, inc: str, clock: ManualClock) -> None:
    clock.advance(minutes=21)
    run(
        "step", "done", inc, "report-cac",
        "--evidence", "cac-receipt=SH-2026-0042", "--evidence", "reported-at=now",
    )  # fmt: skip


def test_the_regulator_clock_from_discovery_is_missed_where_opening_would_say_met(
    run: Run, clock: ManualClock
) -> None:
    # found five hours before anyone opened the incident: the CAC's 4 hours had already run
    inc = run(
        "open", "data-breach", "-s", "1", "-t", "leak", "--discovered-at", "-5h"
    ).stdout.strip()
    _report_cac(run, inc, clock)
    d = _deadlines(run, inc)["report-cac"]
    assert d["anchor"] == "discovered" and d["anchor_fallback"] is None
    assert d["state"] == "missed"
    # the same filing, counted from opening, would look met with 3h 39m to spare
    other = run("open", "data-breach", "-s", "1", "-t", "leak 2").stdout.strip()
    _report_cac(run, other, clock)
    fallback = _deadlines(run, other)["report-cac"]
    assert fallback["state"] == "met" and fallback["anchor_fallback"] == "opened"


def test_set_discovered_moves_the_clocks_and_is_an_event(
    run: Run, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    inc = run("open", "data-breach", "-s", "1", "-t", "leak").stdout.strip()
    before = _deadlines(run, inc)["report-cac"]
    assert before["state"] == "pending" and before["anchor_fallback"] == "opened"
    out = " ".join(run("--lang", "en", "deadlines", inc).stdout.split())  # unwrapped
    assert "← opened (discovery time not recorded)" in out  # the fallback is said
    run("set", inc, "discovered", "-3h")
    after = _deadlines(run, inc)["report-cac"]
    assert after["anchor_fallback"] is None
    assert after["anchor_at"] < before["anchor_at"]
    assert after["seconds_left"] == 3600
    shown = json.loads(run("show", inc, "--json").stdout)
    assert shown["discovered_at"] == after["anchor_at"]
    timeline = run("--lang", "en", "timeline", inc).stdout
    assert "discovered =" in timeline
    # steps from opening are untouched
    assert _deadlines(run, inc)["assemble"]["anchor_at"] == before["anchor_at"]


def test_discovery_after_opening_or_in_the_future_is_refused(run: Run) -> None:
    inc = run("open", "data-breach", "-s", "1", "-t", "leak", "--at", "-1h").stdout.strip()
    err = run("set", inc, "discovered", "-10m", expect=1).stderr
    assert "after the incident was opened" in err
    err = run("set", inc, "discovered", "+10m", expect=1).stderr
    assert "Traceback" not in err and err.strip()
    err = run(
        "open", "data-breach", "-s", "1", "-t", "x", "--at", "-2h", "--discovered-at", "-1h",
        expect=1,
    ).stderr  # fmt: skip
    assert "after the incident was opened" in err
