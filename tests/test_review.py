"""The review (复盘) and its action items: events of the log, folded like any other,
allowed after the incident is closed, and listed across incidents."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from incidentctl.errors import InvalidAction, InvalidInput
from incidentctl.incidents import events as ev
from incidentctl.incidents.service import parse_impact

from .conftest import Run, runbook
from .contract import validate

if TYPE_CHECKING:
    from incidentctl.clock import ManualClock
    from incidentctl.incidents.service import Incidents


def _closed(svc: Incidents, clock: ManualClock) -> str:
    inc = svc.open(runbook("minimal"), severity="1", title="t").state.id
    clock.advance(minutes=5)
    svc.resolve_incident(inc)
    svc.close(inc, force=True, reason="test")
    return inc


def test_review_sections_are_events_and_work_on_a_closed_incident(
    svc: Incidents, clock: ManualClock
) -> None:
    inc = _closed(svc, clock)
    svc.review(inc, "summary", "  Card payments failed.  ")
    svc.review(inc, "impact", "customers=1200 amount=56,000.5 duration=40m note=app users")
    svc.review(inc, "discovered", "-20m")
    state = svc.view(inc).state
    assert state.review["summary"] == "Card payments failed."
    assert state.review["impact"] == {
        "customers": 1200,
        "amount_cny": "56000.50",
        "duration_seconds": 2400,
        "note": "app users",
    }
    assert state.review["discovered"].endswith("Z")
    events = svc.store.events(inc)
    assert [e.type for e in events[-3:]] == [ev.REVIEWED] * 3
    svc.review(inc, "summary", "")
    assert "summary" not in svc.view(inc).state.review
    with pytest.raises(InvalidAction):
        svc.review(inc, "summary", "")  # nothing to clear
    with pytest.raises(InvalidInput, match="no section 'rootcause'"):
        svc.review(inc, "rootcause", "x")


def test_discovered_cannot_come_after_the_opening(svc: Incidents, clock: ManualClock) -> None:
    inc = _closed(svc, clock)
    with pytest.raises(InvalidInput, match="after the incident was opened"):
        svc.review(inc, "discovered", "-1m")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("customers=-1", "not a whole number"),
        ("orders=1.5", "not a whole number"),
        ("amount=abc", "not an amount"),
        ("amount=-3", "not an amount"),
        ("amount=nan", "not an amount"),
        ("duration=1bd", "not business days"),
        ("duration=soon", "not a duration"),
        ("users=3", "NAME one of"),
        ("customers=1 customers=2", "given twice"),
        ("note=", "at least one"),
    ],
)
def test_impact_is_typed(text: str, error: str) -> None:
    with pytest.raises(InvalidInput, match=error):
        parse_impact(text)


def test_action_items_live_past_the_close(svc: Incidents, clock: ManualClock) -> None:
    inc = _closed(svc, clock)
    svc.add_action(inc, "alert on success rate", owner="王伟", due="2026-12-01", kind="detect")
    svc.add_action(inc, "drill", owner="李娜", due="2026-11-23")
    svc.end_action(inc, 1, done=True)
    with pytest.raises(InvalidAction, match="already done"):
        svc.end_action(inc, 1, done=True)
    with pytest.raises(InvalidInput, match="needs --reason"):
        svc.end_action(inc, 2, done=False)
    with pytest.raises(InvalidInput, match="no action item 7"):
        svc.end_action(inc, 7, done=True)
    with pytest.raises(InvalidInput, match="not a due date"):
        svc.add_action(inc, "x", owner="a", due="12/01")
    with pytest.raises(InvalidInput, match="not a kind"):
        svc.add_action(inc, "x", owner="a", due="2026-12-01", kind="blame")
    actions = svc.view(inc).state.actions
    assert [(a.number, a.state) for a in actions.values()] == [(1, "done"), (2, "open")]
    # due by the end of the day in the zone it was set in (Shanghai): 16:00 UTC
    assert actions[2].due_at.isoformat() == "2026-11-23T16:00:00+00:00"
    assert svc.with_actions()[0].state.id == inc


def test_a_retracted_action_item_is_gone(svc: Incidents, clock: ManualClock) -> None:
    inc = svc.open(runbook("minimal"), severity="1", title="t").state.id
    added = svc.add_action(inc, "x", owner="a", due="2026-12-01")
    svc.retract(inc, added.seq, reason="duplicate")
    assert svc.view(inc).state.actions == {}


def test_actions_across_incidents(run: Run, clock: ManualClock) -> None:
    a = run("open", "payment-failure", "-s", "2", "-t", "a").stdout.strip()
    b = run("open", "payment-failure", "-s", "2", "-t", "b").stdout.strip()
    run("action", "add", a, "fix", "retries", "--owner", "王伟", "--due", "2026-11-21")
    run("action", "add", b, "train", "--owner", "李娜", "--due", "2026-12-30", "--kind", "training")
    run("action", "add", b, "later", "--owner", "王伟", "--due", "2026-12-31")
    run("action", "drop", b, "2", "--reason", "covered by #1")
    out = run("actions").stdout
    assert "fix retries" in out and "overdue" in out and "later" not in out
    assert out.index("fix retries") < out.index("train")
    assert "train" not in run("actions", "--overdue").stdout
    assert "fix retries" not in run("actions", "--owner", "李娜").stdout
    doc = json.loads(run("actions", "--all", "--json").stdout)
    validate("actions", doc)
    assert [(x["incident"], x["number"], x["state"], x["overdue"]) for x in doc["actions"]] == [
        (a, 1, "open", True),
        (b, 1, "open", False),
        (b, 2, "dropped", False),
    ]
    run("action", "done", a, "3", expect=1)


def test_review_from_a_file_and_from_stdin(run: Run, tmp_path: object) -> None:
    from pathlib import Path

    inc = run("open", "payment-failure", "-s", "2", "-t", "a").stdout.strip()
    path = Path(str(tmp_path)) / "lessons.md"
    path.write_text("- retry budgets\n- 演练\n", encoding="utf-8")
    run("review", inc, "set", "lessons", "--file", str(path))
    run("review", inc, "set", "went-well", "--file", "-", input="paged in 2 minutes\n")
    doc = json.loads(run("review", inc, "set", "lucky", "low", "traffic", "--json").stdout)
    validate("review", doc)
    assert doc["event"]["payload"] == {"field": "lucky", "value": "low traffic"}
    err = run("review", inc, "set", "lessons", "x", "--file", str(path), expect=1).stderr
    assert "one way only" in err
    err = run("review", inc, "set", "lessons", "--file", str(path) + ".missing", expect=1).stderr
    assert "cannot read" in err
    assert "no section" not in run("review", inc, "set", "nope", "x", expect=2).stderr
