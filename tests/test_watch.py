"""`watch`: frames on the fake clock, bells on transitions, and the real thing in a pseudo-terminal."""

from __future__ import annotations

import io
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from incidentctl.cli.app import App
from incidentctl.cli.watch import LEAVE, Watch, countdown
from incidentctl.clock import ManualClock
from incidentctl.incidents.service import Incidents
from incidentctl.render.text import width

from .conftest import T0, runbook

M = timedelta(minutes=1)
S = timedelta(seconds=1)

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


def watcher(isolated: Path, clock: ManualClock, lang: str = "en") -> Watch:
    app = App(home=str(isolated), clock=clock, lang=lang, tz="Asia/Shanghai")
    return Watch(app, [], bell=True, notifier=None, out=io.StringIO())


def tick(w: Watch, clock: ManualClock, instant: datetime) -> tuple[str, int]:
    """The frame ``watch`` draws when the clock shows ``instant``."""
    clock.set(instant)
    return w.tick(instant)


@pytest.mark.no_store("the countdown and the terminal check, not the store")
def test_countdown_format() -> None:
    assert countdown(299) == " 00:04:59"
    assert countdown(-723) == "-00:12:03"
    assert countdown(5 * 86400 + 3 * 3600) == " 5d 03h"


def test_frames_count_down_and_ring_once_per_transition(
    svc: Incidents, clock: ManualClock, isolated: Path
) -> None:
    svc.open(runbook("engine"), severity="2", title="engine")  # ack and the first update: 30m
    w = watcher(isolated, clock)
    frame, rings = tick(w, clock, T0 + 1 * M)
    ack = next(line for line in frame.splitlines() if " ack " in line)
    assert "00:29:00" in ack and rings == 0
    assert "Asia/Shanghai (UTC+08:00)" in frame.splitlines()[0]
    _, rings = tick(w, clock, T0 + 23 * M)
    assert rings == 0
    frame, rings = tick(w, clock, T0 + 24 * M)  # both turn due soon
    assert rings == 2 and "due soon" in frame
    _, rings = tick(w, clock, T0 + 25 * M)
    assert rings == 0
    frame, rings = tick(w, clock, T0 + 30 * M + S)  # both breached
    assert rings == 2
    assert "-00:00:01" in next(line for line in frame.splitlines() if " ack " in line)
    _, rings = tick(w, clock, T0 + 31 * M)
    assert rings == 0


def test_picks_up_other_peoples_changes(svc: Incidents, clock: ManualClock, isolated: Path) -> None:
    inc = svc.open(runbook("engine"), severity="2", title="engine").state.id
    w = watcher(isolated, clock)
    frame, _ = tick(w, clock, T0 + M)
    assert " ack " in frame
    svc.step(inc, "done", "ack")  # from another connection, as another terminal would
    frame, _ = tick(w, clock, T0 + 2 * M)
    assert " ack " not in frame
    assert " diagnose " in frame


def test_chinese_frame_stays_aligned(svc: Incidents, clock: ManualClock, isolated: Path) -> None:
    svc.open(runbook("payment-failure"), severity="1", title="支付成功率骤降")
    frame, _ = tick(watcher(isolated, clock, "zh"), clock, T0 + M)
    lines = frame.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("状态"))
    rows = [line for line in lines[header + 2 :] if line.strip() and "INC-" in line]
    assert rows
    columns = {width(line[: line.index("INC-")]) for line in rows}
    assert len(columns) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_real_terminal_draws_and_quits_cleanly(svc: Incidents, isolated: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    svc.open(runbook("payment-failure"), severity="1", title="pty test")
    env = {**os.environ, "INCIDENTCTL_HOME": str(isolated), "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "incidentctl", "watch"],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 120),
    )
    child.expect("incidentctl watch")
    child.expect("assemble")
    child.setwinsize(30, 100)  # a resize mid-run is survived
    child.expect("incidentctl watch")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert LEAVE in (child.before or "")


@pytest.mark.no_store("the countdown and the terminal check, not the store")
def test_watch_refuses_without_a_terminal(run) -> None:  # type: ignore[no-untyped-def]
    assert "needs a terminal" in run("watch", expect=1).stderr
