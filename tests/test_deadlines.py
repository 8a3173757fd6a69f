"""The deadline engine on a fake clock, against a runbook whose durations are known.

engine-test: ack 10m/30m/1h after opened; diagnose 20m/1h/4h after ack;
escalate-only (sev1) 1h; optional-report 2h/4h/8h; update first 15m/30m, then
every 30m/1h until resolved (sev1, sev2); verify 1h/2h/4h after mitigated;
postmortem 2bd/3bd/5bd after resolved.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from incidentctl.clock import ManualClock
from incidentctl.deadlines import engine as dl
from incidentctl.deadlines.calendar import load_calendar
from incidentctl.deadlines.engine import Deadline, Policy, deadlines
from incidentctl.incidents.service import Incidents
from incidentctl.times import fmt_zoned, zone_label

from .conftest import T0, runbook

if TYPE_CHECKING:
    from incidentctl.store.base import Store

RB = runbook("engine")
M = timedelta(minutes=1)


def at(svc: Incidents, clock: ManualClock) -> dict[str, Deadline]:
    view = svc.view("1")
    home = Path(tempfile.gettempdir())
    return {
        d.key: d
        for d in deadlines(
            view.runbook, view.state, clock.now(), calendar=lambda: load_calendar(home)
        )
    }


def open_engine(svc: Incidents, severity: str = "2") -> str:
    return svc.open(RB, severity=severity, title="engine").state.id


def test_anchors_and_waiting(svc: Incidents, clock: ManualClock) -> None:
    open_engine(svc)
    d = at(svc, clock)
    assert d["ack"].state == dl.PENDING and d["ack"].due == T0 + 30 * M and d["ack"].tier == "sev2"
    assert d["diagnose"].state == dl.WAITING and d["diagnose"].due is None
    assert d["verify"].state == dl.WAITING and d["postmortem"].state == dl.WAITING
    assert "escalate-only" not in d  # sev1 only
    assert d["update#1"].due == T0 + 30 * M
    clock.advance(minutes=10)
    svc.step("1", "done", "ack")
    d = at(svc, clock)
    assert d["ack"].state == dl.MET
    assert d["diagnose"].due == T0 + 10 * M + 60 * M and d["diagnose"].anchor_at == T0 + 10 * M
    clock.advance(minutes=5)
    svc.mitigate("1")
    assert at(svc, clock)["verify"].due == T0 + 15 * M + 2 * 60 * M


def test_exactly_on_the_deadline(svc: Incidents, clock: ManualClock) -> None:
    open_engine(svc)
    clock.set(T0 + 30 * M)
    assert at(svc, clock)["ack"].state == dl.DUE_SOON  # on the instant: still on time
    clock.advance(seconds=1)
    assert at(svc, clock)["ack"].state == dl.OVERDUE
    svc.step("1", "done", "ack", at=(T0 + 30 * M).isoformat())
    assert at(svc, clock)["ack"].state == dl.MET  # done exactly on the due instant


def test_due_soon_threshold(svc: Incidents, clock: ManualClock) -> None:
    open_engine(svc)  # ack: 30m at sev2, so due soon in its last 6 minutes (20%)
    clock.set(T0 + 24 * M - timedelta(seconds=1))
    assert at(svc, clock)["ack"].state == dl.PENDING
    clock.set(T0 + 24 * M)
    assert at(svc, clock)["ack"].state == dl.DUE_SOON
    assert Policy().threshold(10 * 3600) == 15 * 60  # capped at 15 minutes
    assert Policy(0.5, 3600).threshold(3600) == 1800


def test_escalation_moves_open_deadlines_at_once(svc: Incidents, clock: ManualClock) -> None:
    open_engine(svc, "2")
    clock.advance(minutes=15)
    before = at(svc, clock)
    assert before["ack"].state == dl.PENDING and before["ack"].due == T0 + 30 * M
    svc.set_severity("1", "1", reason="spreading")
    after = at(svc, clock)
    assert (
        after["ack"].state == dl.OVERDUE
        and after["ack"].due == T0 + 10 * M
        and after["ack"].tier == "sev1"
    )
    assert after["escalate-only"].due == T0 + 60 * M


def test_finished_steps_keep_the_verdict_of_their_tier(svc: Incidents, clock: ManualClock) -> None:
    open_engine(svc, "2")
    clock.advance(minutes=20)
    svc.step("1", "done", "ack")  # met under sev2 (30m), though sev1 would say 10m
    clock.advance(minutes=5)
    svc.set_severity("1", "1", reason="spreading")
    d = at(svc, clock)["ack"]
    assert (d.state, d.tier, d.due) == (dl.MET, "sev2", T0 + 30 * M)


def test_de_escalation_drops_steps_of_the_higher_tier(svc: Incidents, clock: ManualClock) -> None:
    open_engine(svc, "1")
    assert "escalate-only" in at(svc, clock)
    clock.advance(minutes=5)
    svc.set_severity("1", "3", reason="contained")
    d = at(svc, clock)
    assert "escalate-only" not in d
    assert d["ack"].due == T0 + 60 * M and d["ack"].tier == "sev3"
    assert not [k for k in d if k.startswith("update#")]


def test_recurring_updates_and_missed_ones_stay_missed(svc: Incidents, clock: ManualClock) -> None:
    open_engine(svc, "1")  # first update due at 15m, then every 30m
    clock.set(T0 + 10 * M)
    svc.step("1", "done", "update")
    clock.set(T0 + 45 * M)
    d = at(svc, clock)
    assert d["update#1"].state == dl.MET
    assert d["update#2"].state == dl.OVERDUE and d["update#2"].due == T0 + 40 * M
    clock.set(T0 + 71 * M)  # #2's window closed at 70m without an update
    d = at(svc, clock)
    assert d["update#2"].state == dl.MISSED and d["update#2"].finished_at is None
    assert d["update#3"].state == dl.OVERDUE and d["update#3"].due == T0 + 70 * M
    clock.set(T0 + 75 * M)
    svc.step("1", "done", "update")
    d = at(svc, clock)
    assert d["update#2"].state == dl.MISSED
    assert d["update#3"].state == dl.MISSED and d["update#3"].finished_at == T0 + 75 * M
    assert d["update#4"].due == T0 + 105 * M and d["update#4"].state == dl.PENDING


def test_recurrence_stops_at_resolution_and_resumes_on_reopen(
    svc: Incidents, clock: ManualClock
) -> None:
    open_engine(svc, "1")
    clock.set(T0 + 10 * M)
    svc.step("1", "done", "update")
    clock.set(T0 + 50 * M)
    svc.resolve_incident("1")
    clock.set(T0 + 3 * 60 * M)
    d = at(svc, clock)
    updates = sorted(k for k in d if k.startswith("update#"))
    assert updates == ["update#1", "update#2"]
    assert d["update#2"].state == dl.MISSED  # due at 40m, resolved at 50m without it
    svc.reopen("1", reason="back")
    d = at(svc, clock)
    assert d["update#3"].due == T0 + 3 * 60 * M + 30 * M and d["update#3"].state == dl.PENDING


def test_business_days_across_national_day_and_a_working_saturday(
    svc: Incidents, clock: ManualClock
) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    clock.set(datetime(2026, 9, 30, 15, 0, tzinfo=shanghai))
    open_engine(svc, "1")
    svc.resolve_incident("1")
    clock.advance(hours=1)
    d = at(svc, clock)["postmortem"]  # 2bd: Oct 1-7 are holidays, so Thu 8 and Fri 9
    assert d.due == datetime(2026, 10, 9, 15, 0, tzinfo=shanghai) and not d.beyond_calendar
    cal = load_calendar(Path(tempfile.gettempdir()))
    three = cal.add(
        datetime(2026, 9, 30, 15, 0, tzinfo=shanghai), 3
    ).instant  # Sat 10 is a make-up workday
    assert three == datetime(2026, 10, 10, 15, 0, tzinfo=shanghai)
    four = cal.add(
        datetime(2026, 10, 9, 9, 0, tzinfo=shanghai), 2
    ).instant  # Sat 10 works, Sun 11 does not
    assert four == datetime(2026, 10, 12, 9, 0, tzinfo=shanghai)


def test_business_days_from_a_day_off_end_with_the_working_day() -> None:
    cal = load_calendar(Path(tempfile.gettempdir()))
    shanghai = ZoneInfo("Asia/Shanghai")
    result = cal.add(datetime(2026, 10, 3, 11, 0, tzinfo=shanghai), 1)  # a holiday Saturday
    assert result.instant == datetime(2026, 10, 9, 0, 0, tzinfo=shanghai)  # end of Thu 8
    beyond = cal.add(datetime(2026, 12, 30, 10, 0, tzinfo=shanghai), 2)
    assert beyond.beyond_coverage and beyond.instant == datetime(2027, 1, 1, 10, 0, tzinfo=shanghai)


def test_times_are_utc_and_displayed_with_their_zone_across_dst() -> None:
    ny = ZoneInfo("America/New_York")
    before = datetime(2026, 10, 31, 12, 0, tzinfo=timezone.utc)
    after = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)
    assert zone_label(ny, before) == "America/New_York (UTC-04:00)"
    assert zone_label(ny, after) == "America/New_York (UTC-05:00)"
    # a 10-minute deadline across the fall-back hour is 10 real minutes
    opened = datetime(2026, 11, 1, 5, 55, tzinfo=timezone.utc)  # 01:55 EDT
    due = opened + timedelta(minutes=10)  # 01:05 EST, the second 1 a.m.
    assert fmt_zoned(opened, ny) == "2026-11-01 01:55 -04:00"
    assert fmt_zoned(due, ny) == "2026-11-01 01:05 -05:00"


# --- properties ---------------------------------------------------------------------

ACK = {"sev1": 10, "sev2": 30, "sev3": 60}


#: The properties reuse one store (the test's, on either backend) across their examples:
#: each example opens an incident of its own in it.
SHARED_STORE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(SHARED_STORE, max_examples=60)
@given(
    start=hs.sampled_from(["sev1", "sev2", "sev3"]),
    change=hs.one_of(
        hs.none(), hs.tuples(hs.integers(1, 90), hs.sampled_from(["sev1", "sev2", "sev3"]))
    ),
    done_after=hs.integers(1, 90),
)
def test_done_before_its_due_instant_is_never_missed(
    store: Store, start: str, change: tuple[int, str] | None, done_after: int
) -> None:
    clock = ManualClock(T0)
    svc = Incidents(store, clock, actor="p", zone=ZoneInfo("UTC"))
    inc = svc.open(RB, severity=start, title="p").state.id
    clock.set(T0 + 100 * M)
    tier = start
    if change and change[1] != start:
        svc.set_severity(inc, change[1], reason="r", at=(T0 + change[0] * M).isoformat())
        if change[0] <= done_after:
            tier = change[1]
    svc.step(inc, "done", "ack", at=(T0 + done_after * M).isoformat())
    view = svc.view(inc)
    d = {x.key: x for x in deadlines(view.runbook, view.state, clock.now())}["ack"]
    assert d.tier == tier
    assert d.due == T0 + ACK[tier] * M
    assert d.state == (dl.MET if done_after <= ACK[tier] else dl.MISSED)


ACTIONS = [
    ("step", "ack", 5),
    ("step", "diagnose", 20),
    ("note", "n", 7),
    ("update", "update", 12),
    ("update", "update", 50),
    ("severity", "1", 30),
    ("step", "optional-report", 40),
]


def _record(store: Store, order: list[int]) -> list[tuple[str, str, str | None, str | None]]:
    clock = ManualClock(T0)
    svc = Incidents(store, clock, actor="p", zone=ZoneInfo("UTC"))
    inc = svc.open(RB, severity="2", title="p").state.id
    clock.set(T0 + 120 * M)
    for i in order:
        kind, what, minute = ACTIONS[i]
        when = (T0 + minute * M).isoformat()
        if kind == "note":
            svc.note(inc, what, at=when)
        elif kind == "severity":
            svc.set_severity(inc, what, reason="r", at=when)
        elif what == "diagnose":
            svc.step(inc, "done", what, evidence={"cause": "c"}, at=when)
        else:
            svc.step(inc, "done", what, at=when)
    view = svc.view(inc)
    return sorted(
        (d.key, d.state, d.tier, d.due.isoformat() if d.due else None)
        for d in deadlines(view.runbook, view.state, clock.now())
    )


@settings(SHARED_STORE, max_examples=25)
@given(order=hs.permutations(range(len(ACTIONS))))
def test_results_do_not_depend_on_recording_order(store: Store, order: list[int]) -> None:
    baseline = _record(store, list(range(len(ACTIONS))))
    assert _record(store, list(order)) == baseline


def test_recurring_occurrences_keep_their_tier_after_escalation(
    svc: Incidents, clock: ManualClock
) -> None:
    open_engine(svc, "2")  # first update at 30m, then hourly
    clock.set(T0 + 25 * M)
    svc.step("1", "done", "update")
    clock.set(T0 + 60 * M)
    svc.set_severity("1", "1", reason="spreading")
    d = at(svc, clock)
    assert (d["update#1"].state, d["update#1"].tier, d["update#1"].due) == (
        dl.MET,
        "sev2",
        T0 + 30 * M,
    )
    # the open occurrence now follows sev1's 30 minutes from the last update: overdue at once
    assert (d["update#2"].state, d["update#2"].tier, d["update#2"].due) == (
        dl.OVERDUE,
        "sev1",
        T0 + 55 * M,
    )


def test_a_step_done_before_its_anchor_is_met_and_sorts_with_the_rest(
    svc: Incidents, clock: ManualClock
) -> None:
    open_engine(svc, "2")
    clock.advance(minutes=5)
    svc.step("1", "done", "verify")  # anchored on mitigated, which has not happened
    svc.step("1", "done", "ack")
    clock.advance(minutes=5)
    d = at(svc, clock)
    assert (d["verify"].state, d["verify"].due) == (dl.MET, None)
    ordered = dl.by_urgency(list(d.values()))
    assert (
        ordered[-1].key == "verify"
    )  # among the met ones, the one without a due instant comes last
    assert [x.state for x in ordered].index(dl.MET) < len(ordered) - 1
