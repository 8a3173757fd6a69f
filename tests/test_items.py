"""Per-item clocks: where the manual counts from each customer's report, a ``per:`` step
keeps one deadline per report, and ``deadlines`` lists the worst first."""

from __future__ import annotations

import json
from typing import Any

from incidentctl.clock import ManualClock

from .conftest import Run, runbook


def _deadlines(run: Run, inc: str) -> dict[str, dict[str, Any]]:
    every = json.loads(run("deadlines", inc, "--all", "--json").stdout)["deadlines"]
    return {d["key"]: d for d in every}


def test_the_three_steps_of_finding_8_keep_a_clock_per_customer() -> None:
    for name, step_id in (
        ("logistics-anomaly", "remedy-damaged-lost"),
        ("customer-complaint", "solution-offer"),
        ("marketing-anomaly", "process-feedback"),
    ):
        step = runbook(name).step(step_id)
        assert step is not None and step.per == "customer-report", name


def test_each_report_has_its_own_deadline_from_its_own_report(run: Run, clock: ManualClock) -> None:
    inc = run("open", "logistics-anomaly", "-s", "2", "-t", "parcels lost").stdout.strip()
    waiting = _deadlines(run, inc)["remedy-damaged-lost"]
    assert waiting["state"] == "waiting" and waiting["anchor"] == "customer-report"
    run("item", "add", inc, "customer-report", "SO-1001", "--at", "-20h")
    clock.advance(hours=5)
    run("item", "add", inc, "customer-report", "SO-1002")
    d = _deadlines(run, inc)
    assert "remedy-damaged-lost" not in d  # one clock per report now, none per incident
    first, second = d["remedy-damaged-lost@SO-1001"], d["remedy-damaged-lost@SO-1002"]
    assert first["state"] == "overdue" and first["item"] == "SO-1001"  # 25h after its report
    assert second["state"] == "pending" and second["seconds_left"] == 24 * 3600
    run("item", "done", inc, "SO-1002")
    d = _deadlines(run, inc)
    assert d["remedy-damaged-lost@SO-1002"]["state"] == "met"
    assert d["remedy-damaged-lost@SO-1001"]["state"] == "overdue"
    # the listing puts the worst first; the checklist row shows it
    listed = json.loads(run("deadlines", inc, "--json").stdout)["deadlines"]
    keys = [x["key"] for x in listed if x["step"] == "remedy-damaged-lost"]
    assert keys[0] == "remedy-damaged-lost@SO-1001"
    timeline = run("--lang", "en", "timeline", inc).stdout
    assert "customer report SO-1001 received; reported 2026-11-21 14:00" in " ".join(
        timeline.split()
    )


def test_item_mistakes_are_refused_clearly(run: Run) -> None:
    inc = run("open", "logistics-anomaly", "-s", "2", "-t", "t").stdout.strip()
    run("item", "add", inc, "customer-report", "SO-1")
    err = run("item", "add", inc, "customer-report", "SO-1", expect=1).stderr
    assert "already recorded" in err
    err = run("item", "done", inc, "SO-9", expect=1).stderr
    assert "no item SO-9" in err and "SO-1" in err
    err = run("item", "add", inc, "customer-report", "bad ref!", expect=1).stderr
    assert "is not an item reference" in err
    other = run("open", "payment-failure", "-s", "2", "-t", "t").stdout.strip()
    err = run("item", "add", other, "customer-report", "SO-1", expect=1).stderr
    assert "keeps no clock per 'customer-report'" in err
    run("item", "done", inc, "SO-1")
    err = run("item", "done", inc, "SO-1", expect=1).stderr
    assert "already done" in err
