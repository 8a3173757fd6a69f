"""`deadlines`: what is missed, what is due next, in order of urgency."""

from __future__ import annotations

import json

import pytest

from incidentctl.clock import ManualClock
from incidentctl.render.text import width

from .conftest import Run

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


def breach_90_minutes_ago(run: Run) -> str:
    return run(
        "open", "data-breach", "-s", "1", "-t", "用户数据库外泄", "--at", "-90m"
    ).stdout.strip()


def test_backdated_sev1_breach_shows_missed_obligations_and_what_is_next(run: Run) -> None:
    inc = breach_90_minutes_ago(run)
    data = {d["key"]: d for d in json.loads(run("deadlines", inc, "--json").stdout)["deadlines"]}
    # due 10m / 30m / 1h after discovery: all past at 90 minutes
    for key in ("assemble", "contain", "report-cii"):
        assert data[key]["state"] == "overdue", key
        assert data[key]["seconds_left"] < 0
    assert data["assemble"]["seconds_left"] == -80 * 60
    # the CAC report (4 h) is still ahead, with 2.5 h left, and names its source
    assert data["report-cac"]["state"] == "pending"
    assert data["report-cac"]["seconds_left"] == int(2.5 * 3600)
    assert data["report-cac"]["source"]
    # status updates every 30 m: the first window closed without an update; the
    # second stays open (overdue) until the third falls due, exactly now
    assert data["status-update#1"]["state"] == "missed"
    assert data["status-update#2"]["state"] == "overdue"
    assert "status-update#3" not in data
    # anchored on events that have not happened: waiting, not a time
    assert data["postmortem"]["state"] == "waiting"
    assert data["postmortem"]["due"] is None


def test_human_output_puts_overdue_first_then_by_due_time(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    inc = breach_90_minutes_ago(run)
    out = run("deadlines", inc).stdout
    lines = out.splitlines()
    assert lines[0].startswith(inc) and "用户数据库外泄" in lines[0]
    assert all(width(ln) <= 100 for ln in lines), out
    states = [ln.split()[0] for ln in lines[3:] if ln[:1].strip()]
    first_other = next(i for i, s in enumerate(states) if s != "overdue")
    assert set(states[:first_other]) == {"overdue"}
    assert "overdue" not in states[first_other:]
    pending = [ln for ln in lines if ln.startswith("pending")]
    assert "report-cac" in pending[0]
    assert "times in Asia/Shanghai" in out


def test_without_an_id_every_active_incident_is_listed(run: Run, clock: ManualClock) -> None:
    a = breach_90_minutes_ago(run)
    b = run("open", "system-outage", "-s", "2", "-t", "订单服务不可用").stdout.strip()
    c = run("open", "payment-failure", "-s", "3", "-t", "个别支付失败").stdout.strip()
    run("resolve", c, "--summary", "ok")
    run("close", c, "--force", "--reason", "drill")
    incidents = {d["incident"] for d in json.loads(run("deadlines", "--json").stdout)["deadlines"]}
    assert incidents == {a, b}
    clock.advance(minutes=11)
    out = run("deadlines").stdout
    assert a in out and b in out and c not in out


def test_escalating_a_sev2_outage_to_sev1_moves_its_deadlines(run: Run, clock: ManualClock) -> None:
    inc = run("open", "system-outage", "-s", "2", "-t", "订单服务不可用").stdout.strip()
    clock.advance(minutes=25)
    before = {d["key"]: d for d in json.loads(run("deadlines", inc, "--json").stdout)["deadlines"]}
    assert before["fail-over"]["state"] == "pending"
    run("severity", inc, "1", "--reason", "核心下单链路全部不可用")
    after = {d["key"]: d for d in json.loads(run("deadlines", inc, "--json").stdout)["deadlines"]}
    assert after["fail-over"]["tier"] == "sev1"
    assert after["fail-over"]["due"] < before["fail-over"]["due"]
    assert after["locate-fault"]["state"] == "overdue"  # 20 m at sev1, 25 m have passed
    assert before["locate-fault"]["state"] != "overdue"


def test_an_unsent_update_is_missed_once_the_next_one_is_due(run: Run, clock: ManualClock) -> None:
    inc = breach_90_minutes_ago(run)
    clock.advance(seconds=1)
    data = {d["key"]: d for d in json.loads(run("deadlines", inc, "--json").stdout)["deadlines"]}
    assert data["status-update#2"]["state"] == "missed"
    assert data["status-update#3"]["state"] == "overdue"
