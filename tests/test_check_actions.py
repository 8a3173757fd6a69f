"""``check`` and overdue action items: reported, counted and paged as ``check.action_items``
says, once per item and due date, on a fake clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from incidentctl.clock import ManualClock
from incidentctl.incidents.service import Incidents
from tests.conftest import write_config as config

from .conftest import Run, checks_at_once, runbook
from .contract import validate
from .test_notify_check import Hook


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.release.set()
    h.server.shutdown()
    h.server.server_close()


def closed_with_action(run: Run, due: str = "2026-11-23") -> str:
    """A closed incident (no deadline of its own left to flag) with one open action item
    due by the end of ``due`` (Asia/Shanghai, the tests' zone)."""
    inc = run("open", "payment-failure", "-s", "2", "-t", "支付失败").stdout.strip()
    run("resolve", inc)
    run("close", inc, "--force", "--reason", "the review goes on")
    run("action", "add", inc, "alert", "on", "refunds", "--owner", "王伟", "--due", due)
    return inc


def check_json(run: Run, expect: int | None = 0) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(run("check", "--json", expect=expect).stdout)
    validate("check", doc)
    return doc


def test_by_default_overdue_action_items_are_listed_but_leave_the_exit_code(
    run: Run, clock: ManualClock
) -> None:
    inc = closed_with_action(run)
    assert run("check").stdout == ""  # due by the end of tomorrow: not overdue yet
    assert check_json(run)["actions"] == []
    clock.advance(hours=46)  # 2026-11-24 00:00 in Shanghai: a whole day late
    out = run("check").stdout
    assert "Overdue action items:" in out and "alert on refunds" in out and inc in out
    doc = check_json(run)
    assert doc["status"] == "ok"
    assert [(a["incident"], a["number"], a["overdue"]) for a in doc["actions"]] == [(inc, 1, True)]
    assert "逾期行动项" in run("--lang", "zh", "check").stdout
    run("action", "done", inc, "1")
    assert run("check").stdout == ""


def test_action_items_off_are_not_looked_at(run: Run, clock: ManualClock, isolated: Path) -> None:
    closed_with_action(run)
    clock.advance(days=3)
    config(isolated, "check: {action_items: 'off'}\n")
    assert run("check").stdout == ""
    assert check_json(run)["actions"] == []


def test_drills_action_items_are_left_out(svc: Incidents, run: Run, clock: ManualClock) -> None:
    drill = svc.open(runbook("minimal"), severity="1", title="drill", drill={"scenario": "x"})
    svc.add_action(drill.state.id, "practise", owner="王伟", due="2026-11-22")
    real = closed_with_action(run, due="2026-11-22")
    clock.advance(days=3)
    doc = check_json(run, expect=None)  # the drill's own deadlines are another matter
    assert [a["incident"] for a in doc["actions"]] == [real]


def test_paged_action_items_count_as_overdue_and_page_once_per_due_date(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        "check: {action_items: page}\n"
        "people: {王伟: {mobile: '13800000001'}}\n"
        "notify:\n  kinds: [breach]\n  lang: zh\n"
        f"  webhooks:\n    - {{name: team, url: '{hook.url}', format: dingtalk-text}}\n",
    )
    inc = closed_with_action(run)
    run("check")
    assert hook.requests == []
    clock.advance(days=2)
    for _ in range(3):  # cron runs every minute: one page however often it runs
        assert check_json(run, expect=5)["status"] == "overdue"
        clock.advance(minutes=1)
    assert len(hook.requests) == 1
    request = hook.requests[0]
    text = request["json"]["text"]["content"]
    assert text.startswith(f"【行动项逾期】{inc}") and "alert on refunds" in text
    assert f"incidentctl action done {inc} 1" in text and "@13800000001" in text
    assert request["json"]["at"]["atMobiles"] == ["13800000001"]
    assert request["key"].startswith(f"{inc}/action/action#1@")
    timeline = json.loads(run("timeline", inc, "--json").stdout)["events"]
    (notified,) = [e["payload"] for e in timeline if e["type"] == "deadline.notified"]
    assert (notified["kind"], notified["deadline"], notified["mentioned"]) == (
        "action",
        "action#1",
        ["王伟"],
    )
    assert "13800000001" not in json.dumps(timeline, ensure_ascii=False)
    # done: nothing overdue, nothing sent
    run("action", "done", inc, "1")
    assert check_json(run)["status"] == "ok"
    assert len(hook.requests) == 1


def test_no_notify_reports_without_paging(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        f"check: {{action_items: page}}\nnotify:\n  webhooks:\n    - {{url: '{hook.url}'}}\n",
    )
    closed_with_action(run)
    clock.advance(days=2)
    run("check", "--no-notify", expect=5)
    assert hook.requests == []
    run("check", expect=5)
    assert hook.requests[0]["json"]["type"] == "action.overdue"


@pytest.mark.no_store("a config error, found before the store is opened")
def test_a_bad_action_items_setting_points_at_the_line(run: Run, isolated: Path) -> None:
    config(isolated, "check:\n  action_items: loud\n")
    err = run("check", expect=1).stderr
    assert "config.yaml:2:17: check.action_items:" in err and "Traceback" not in err


@pytest.mark.store
def test_two_checks_racing_page_an_action_item_once(hook: Hook, isolated: Path) -> None:
    """Two real `check` processes at once, against a slow receiver: the claim keeps the
    second away, as it does for deadlines."""
    import os
    import subprocess
    import sys

    from .conftest import REPO

    config(
        isolated,
        f"check: {{action_items: page}}\nnotify:\n  webhooks:\n    - {{url: '{hook.url}'}}\n",
    )
    hook.delay = 0.3
    env = {**os.environ, "INCIDENTCTL_HOME": str(isolated)}
    cli = [sys.executable, "-m", "incidentctl"]

    def do(*args: str) -> str:
        done = subprocess.run(
            [*cli, *args], env=env, check=True, capture_output=True, cwd=REPO, text=True
        )
        return done.stdout.strip()

    inc = do("open", "payment-failure", "-s", "3", "-t", "race", "--at", "-2d")
    do("resolve", inc)
    do("close", inc, "--force", "--reason", "review goes on")
    do("action", "add", inc, "fix", "--owner", "王伟", "--due", "2020-01-01", "--at", "-1d")
    checks_at_once(env, rounds=2)
    assert [r["key"] for r in hook.requests] == [f"{inc}/action/action#1@2020-01-01T16:00:00Z"]
