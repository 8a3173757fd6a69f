"""Writers racing on one incident: decisions are taken on the head they append to, each
event is sealed once, time never runs backwards along a chain, nobody sees "locked"."""

from __future__ import annotations

import itertools
import multiprocessing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from incidentctl import records
from incidentctl.incidents import events as ev
from incidentctl.records import Draft, Head, seal_after, verify_chain
from incidentctl.store.base import HeadMoved

from .conftest import open_home, runbook

if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier

    from incidentctl.clock import ManualClock
    from incidentctl.incidents.service import Incidents

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


def _service(home: str, actor: str) -> Incidents:
    from zoneinfo import ZoneInfo

    from incidentctl.clock import SystemClock
    from incidentctl.incidents.service import Incidents

    return Incidents(open_home(Path(home)), SystemClock(), actor=actor, zone=ZoneInfo("UTC"))


def _count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = records.compute_hash

    def counting(body: dict[str, Any]) -> str:
        calls[0] += 1
        return real(body)

    monkeypatch.setattr(records, "compute_hash", counting)
    return calls


def test_each_recorded_event_is_hashed_exactly_once(
    svc: Incidents, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_hashes(monkeypatch)
    incident = svc.open(runbook("payment-failure"), severity="1", title="t").state.id
    assert calls[0] == 1
    svc.note(incident, "one")
    assert calls[0] == 2
    svc.step(incident, "done", "assemble")
    svc.set_severity(incident, "2", reason="smaller")
    assert calls[0] == 4
    assert len(svc.store.events(incident)) == 4


def test_a_lost_race_is_decided_again_on_the_new_head(
    svc: Incidents, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer escalates between our read and our append: our severity change is
    refused by the store, decided again on the state that now holds, and records the
    right 'from'."""
    incident = svc.open(runbook("payment-failure"), severity="1", title="t").state.id
    store = svc.store
    real_append = store.append
    raced = []

    def append_after_a_rival(*args: Any, **kwargs: Any) -> None:
        if not raced:
            raced.append(True)
            rival = store.events(incident)[-1]
            drafts = [
                Draft(
                    ev.SEVERITY,
                    {"from": "sev1", "to": "sev2", "reason": "rival"},
                    "bob",
                    rival.recorded_at,
                    rival.recorded_at,
                )
            ]
            sealed = seal_after(Head.of(rival), incident, drafts)
            real_append(incident, Head.of(rival), sealed, svc.view(incident).state.summary())
        real_append(*args, **kwargs)

    monkeypatch.setattr(store, "append", append_after_a_rival)
    clock.advance(60)
    event = svc.set_severity(incident, "3", reason="ours")
    assert event.payload["from"] == "sev2"
    assert [e.seq for e in store.events(incident)] == [1, 2, 3]
    assert svc.view(incident).state.severity == "sev3"


def test_store_refuses_events_not_built_on_its_head(svc: Incidents) -> None:
    incident = svc.open(runbook("payment-failure"), severity="1", title="t").state.id
    first = svc.store.events(incident)[0]
    svc.note(incident, "someone else")
    stale = seal_after(
        Head.of(first),
        incident,
        [Draft(ev.NOTE, {"text": "late"}, "x", first.recorded_at, first.recorded_at)],
    )
    with pytest.raises(HeadMoved):
        svc.store.append(incident, Head.of(first), stale, svc.view(incident).state.summary())
    assert [e.payload.get("text") for e in svc.store.events(incident)[1:]] == ["someone else"]


# --- real processes -------------------------------------------------------------------


def _set_severity(
    home: str, incidents: list[str], tier: str, barrier: Barrier, results: Any
) -> None:
    svc = _service(home, f"lead-{tier}")
    for incident in incidents:
        barrier.wait(timeout=60)
        try:
            event = svc.set_severity(incident, tier, reason=f"to {tier}")
            results.put((incident, tier, event.seq, None))
        except Exception as exc:
            results.put((incident, tier, None, f"{type(exc).__name__}: {exc}"))


def test_two_writers_racing_on_severity_end_in_the_tier_acknowledged_last(
    svc: Incidents, isolated: Path
) -> None:
    rb = runbook("payment-failure")
    incidents = [svc.open(rb, severity="1", title=f"race {i}").state.id for i in range(20)]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_set_severity, args=(str(isolated), incidents, tier, barrier, results))
        for tier in ("2", "3")
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in range(2 * len(incidents))]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert [o for o in outcomes if o[3]] == [], "every change was acknowledged"
    for incident in incidents:
        acknowledged = sorted((o for o in outcomes if o[0] == incident), key=lambda o: o[2])
        last_tier = f"sev{acknowledged[-1][1]}"
        view = svc.view(incident)
        assert view.state.severity == last_tier, incident
        changes = [e for e in view.events if e.type == ev.SEVERITY]
        assert [c.payload["from"] for c in changes] == ["sev1", changes[0].payload["to"]]
        assert [e.seq for e in view.events] == [1, 2, 3]


def _note_writer(home: str, incident: str, worker: int, count: int, barrier: Barrier) -> None:
    svc = _service(home, f"w{worker}")
    barrier.wait(timeout=120)
    for i in range(count):
        svc.note(incident, f"w{worker} n{i}")


def test_32_writers_on_a_long_incident_lose_nothing_and_never_see_locked(
    svc: Incidents, isolated: Path
) -> None:
    incident = svc.open(runbook("payment-failure"), severity="1", title="week-long").state.id
    first = svc.store.events(incident)[0]
    history = [
        Draft(ev.NOTE, {"text": f"history {i}"}, "bob", first.recorded_at, first.recorded_at)
        for i in range(3000)
    ]
    sealed = seal_after(Head.of(first), incident, history)
    svc.store.append(incident, Head.of(first), sealed, svc.view(incident).state.summary())

    workers, count = 32, 25
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers)
    procs = [
        ctx.Process(target=_note_writer, args=(str(isolated), incident, w, count, barrier))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=600)
    assert [p.exitcode for p in procs] == [0] * workers, "a writer failed (see its stderr)"
    events = svc.store.events(incident)
    assert len(events) == 1 + 3000 + workers * count
    assert verify_chain(events) == []
    texts = {e.payload["text"] for e in events[3001:]}
    assert texts == {f"w{w} n{i}" for w in range(workers) for i in range(count)}
    for before, after in itertools.pairwise(events):
        assert after.recorded >= before.recorded, after.seq
        if not after.backdated:
            assert after.occurred >= before.occurred, after.seq
