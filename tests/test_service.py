"""Lifecycle rules of the incident service, and the fold they build on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from incidentctl.clock import ManualClock
from incidentctl.errors import (
    AmbiguousIncident,
    IncidentNotFound,
    InvalidAction,
    InvalidInput,
    StepNotApplicable,
    UnknownStep,
)
from incidentctl.incidents import state as st
from incidentctl.incidents.service import Incidents
from incidentctl.paths import shipped_runbooks_dir

from .conftest import T0, runbook

PF = "payment-failure"

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


def opened(svc: Incidents, severity: str = "1", at: str | None = None) -> str:
    return svc.open(
        runbook(PF), severity=severity, title="支付成功率骤降", commander="王伟", at=at
    ).state.id


def test_open_pins_the_runbook_and_accepts_tier_names(svc: Incidents) -> None:
    for name, tier in [("1", "sev1"), ("sev2", "sev2"), ("三级", "sev3"), ("一级（重大）", "sev1")]:
        view = svc.open(runbook(PF), severity=name, title="t")
        assert view.state.severity == tier
        assert svc.store.runbook_document(view.state.runbook_sha256) == runbook(PF).doc
    with pytest.raises(InvalidInput, match="unknown severity 'sev9'"):
        svc.open(runbook(PF), severity="sev9", title="t")
    with pytest.raises(InvalidInput, match="title is empty"):
        svc.open(runbook(PF), severity="1", title="  ")


def test_pinned_runbook_survives_edits_of_the_yaml(svc: Incidents, tmp_path: Path) -> None:
    from incidentctl.runbooks.validate import load_runbook

    path = tmp_path / "pf.yaml"
    shutil.copy(shipped_runbooks_dir() / f"{PF}.yaml", path)
    original = load_runbook(path)
    incident = svc.open(original, severity="1", title="t").state.id
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("sev1: 30m, sev2: 1h, sev3: 4h", "sev1: 15m, sev2: 1h, sev3: 4h"),
        encoding="utf-8",
    )
    assert load_runbook(path).sha256 != original.sha256
    view = svc.view(incident)
    assert view.runbook.sha256 == original.sha256
    step = view.runbook.step("identify-cause")
    assert step is not None and step.due is not None and str(step.due.durations["sev1"]) == "30m"


def test_step_done_requires_its_evidence(svc: Incidents) -> None:
    inc = opened(svc)
    with pytest.raises(
        InvalidInput, match=r"needs evidence to be marked done: failure-type .*affected-orders"
    ):
        svc.step(inc, "done", "confirm-and-grade")
    with pytest.raises(InvalidInput, match="records no evidence 'failure_type'"):
        svc.step(inc, "done", "confirm-and-grade", evidence={"failure_type": "x"})
    with pytest.raises(InvalidInput, match="affected-orders"):
        svc.step(
            inc,
            "done",
            "confirm-and-grade",
            evidence={"failure-type": "channel", "affected-orders": "  "},
        )
    e = svc.step(
        inc,
        "done",
        "confirm-and-grade",
        evidence={"failure-type": "channel", "affected-orders": "3000"},
    )
    assert e.payload == {
        "step": "confirm-and-grade",
        "evidence": {"failure-type": "channel", "affected-orders": "3000"},
    }


def test_unknown_step_lists_the_valid_ids(svc: Incidents) -> None:
    inc = opened(svc, "3")
    with pytest.raises(UnknownStep) as info:
        svc.step(inc, "done", "identify-caus")
    text = str(info.value)
    assert "did you mean 'identify-cause'" in text
    assert "steps at sev3: confirm-and-grade, assemble" in text
    assert "report-pboc" not in text  # sev1 only


def test_step_of_another_tier_is_refused(svc: Incidents) -> None:
    inc = opened(svc, "3")
    with pytest.raises(StepNotApplicable, match=r"step report-pboc applies to sev1; .* is sev3"):
        svc.step(inc, "na", "report-pboc", reason="x")


def test_skip_and_na_need_a_reason(svc: Incidents) -> None:
    inc = opened(svc)
    for action in ("skip", "na"):
        with pytest.raises(InvalidInput, match="needs --reason"):
            svc.step(inc, action, "notify-card-brands", reason=" ")
    svc.step(inc, "na", "notify-card-brands", reason="no card data")
    state = svc.view(inc).state
    assert state.steps["notify-card-brands"].status == st.NA
    assert state.steps["notify-card-brands"].reason == "no card data"


def test_a_step_is_never_recorded_twice(svc: Incidents) -> None:
    inc = opened(svc)
    svc.step(inc, "skip", "notify-card-brands", reason="none")
    with pytest.raises(InvalidAction, match="already skipped"):
        svc.step(inc, "done", "notify-card-brands", evidence={"acquirer-ticket": "1"})
    svc.step(inc, "start", "assemble")
    with pytest.raises(InvalidAction, match="already in progress"):
        svc.step(inc, "start", "assemble")


def test_recurring_steps_accept_many_completions(svc: Incidents, clock: ManualClock) -> None:
    inc = opened(svc)
    for _ in range(3):
        clock.advance(minutes=25)
        svc.step(inc, "done", "status-update")
    ss = svc.view(inc).state.steps["status-update"]
    assert len(ss.completions) == 3 and ss.status == st.PENDING


def test_severity_changes_are_recorded_both_ways(svc: Incidents, clock: ManualClock) -> None:
    inc = opened(svc, "2")
    clock.advance(minutes=5)
    svc.set_severity(inc, "1", reason="spreading")
    clock.advance(minutes=5)
    svc.set_severity(inc, "三级", reason="contained")
    state = svc.view(inc).state
    assert [(c.before, c.after, c.reason) for c in state.severity_history] == [
        ("sev2", "sev1", "spreading"),
        ("sev1", "sev3", "contained"),
    ]
    assert state.severity == "sev3"
    assert state.tier_at(state.opened_at) == "sev2"
    with pytest.raises(InvalidAction, match="already sev3"):
        svc.set_severity(inc, "sev3", reason="again")
    with pytest.raises(InvalidInput, match="needs --reason"):
        svc.set_severity(inc, "1", reason="")


def test_lifecycle_and_close_rules(svc: Incidents, clock: ManualClock) -> None:
    inc = opened(svc, "3")
    with pytest.raises(InvalidAction, match="resolve it before closing"):
        svc.close(inc)
    svc.mitigate(inc)
    with pytest.raises(InvalidAction, match="only an open incident can be mitigated"):
        svc.mitigate(inc)
    svc.resolve_incident(inc, summary="fixed")
    with pytest.raises(InvalidAction, match="required step"):
        svc.close(inc)
    with pytest.raises(InvalidInput, match="--force needs --reason"):
        svc.close(inc, force=True)
    closed = svc.close(inc, force=True, reason="drill")
    assert closed.payload["forced"] is True and "assemble" in closed.payload["open_steps"]
    with pytest.raises(InvalidAction, match="is closed"):
        svc.step(inc, "start", "assemble")
    with pytest.raises(InvalidAction, match="is closed"):
        svc.assign(inc, "tech", "x")
    svc.note(inc, "a remark after closing stays possible")
    svc.reopen(inc, reason="came back")
    state = svc.view(inc).state
    assert state.status == st.OPEN and len(state.periods) == 2 and state.resolved_at is None


def test_close_after_every_required_step_is_finished(svc: Incidents) -> None:
    rb = runbook("engine")
    inc = svc.open(rb, severity="3", title="t").state.id
    svc.resolve_incident(inc)
    for step in rb.steps:
        if step.required and not step.recurring and step.applies_to("sev3"):
            svc.step(inc, "skip", step.id, reason="test")
    assert svc.close(inc).payload == {"forced": False, "open_steps": []}


def test_back_dating_rules(svc: Incidents) -> None:
    inc = opened(svc, at="-30m")  # the fake clock says 10:00 in Shanghai
    note = svc.note(inc, "earlier", at="-10m")
    assert note.backdated and note.occurred < note.recorded
    assert not svc.note(inc, "now").backdated
    with pytest.raises(InvalidInput, match="before the incident opened"):
        svc.note(inc, "too early", at="-1h")
    with pytest.raises(InvalidInput, match="30m in the future"):
        svc.note(inc, "later", at="10:30")
    with pytest.raises(InvalidInput, match="'5m' is not a time"):
        svc.note(inc, "ambiguous", at="5m")


def test_incident_references(svc: Incidents, clock: ManualClock) -> None:
    a = opened(svc)
    clock.advance(hours=24)
    b = opened(svc)
    with pytest.raises(AmbiguousIncident, match="matches 2 incidents"):
        svc.resolve("INC-202611")
    svc.resolve_incident(a)
    svc.close(a, force=True, reason="x")
    # each incident's number is its own for life, whatever the day and the status
    assert [svc.resolve(r) for r in ("1", "#1", " #2 ", "2")] == [a, a, b, b]
    assert svc.resolve(b.removeprefix("INC-")) == b
    with pytest.raises(IncidentNotFound):
        svc.resolve("INC-2025")
    with pytest.raises(IncidentNotFound):
        svc.resolve("3")


def test_retraction_removes_an_event_from_the_state(svc: Incidents) -> None:
    inc = opened(svc)
    done = svc.step(inc, "done", "assemble")
    svc.retract(inc, done.seq, reason="wrong step")
    state = svc.view(inc).state
    assert state.steps["assemble"].status == st.PENDING
    assert state.retracted == {done.seq}
    with pytest.raises(InvalidAction, match="already retracted"):
        svc.retract(inc, done.seq, reason="again")
    with pytest.raises(InvalidAction, match="cannot be retracted"):
        svc.retract(inc, 1, reason="no")


def test_a_retraction_can_be_back_dated(svc: Incidents, clock: ManualClock) -> None:
    from datetime import timedelta

    inc = opened(svc)
    clock.advance(minutes=10)
    note = svc.note(inc, "wrong incident")
    clock.advance(minutes=10)
    retraction = svc.retract(inc, note.seq, reason="wrong incident", at="-5m")
    assert retraction.backdated and retraction.occurred == clock.now() - timedelta(minutes=5)
    assert svc.view(inc).state.retracted == {note.seq}
    svc.step(inc, "done", "assemble")
    assert svc.view(inc).state.steps["assemble"].status == st.DONE


def test_assign_roles(svc: Incidents) -> None:
    inc = opened(svc)
    svc.assign(inc, "tech", "李娜")
    svc.assign(inc, "commander", "张敏")
    state = svc.view(inc).state
    assert state.roles == {"commander": "张敏", "tech": "李娜"}
    assert state.commander == "张敏"
    with pytest.raises(InvalidInput, match="no role 'tec' \\(did you mean 'tech'\\?\\)"):
        svc.assign(inc, "tec", "x")


def test_fold_applies_events_in_the_order_they_occurred(svc: Incidents, clock: ManualClock) -> None:
    inc = opened(svc, "2", at="-1h")
    svc.set_severity(inc, "1", reason="now")  # recorded first, occurred later
    svc.step(inc, "done", "assemble", at="-50m")  # recorded later, occurred earlier, under sev2
    state = svc.view(inc).state
    assert state.steps["assemble"].tier_at_finish == "sev2"
    assert state.severity == "sev1"


def test_each_incident_runs_on_the_clock_its_log_names(svc, clock) -> None:  # type: ignore[no-untyped-def]
    """A drill's log carries its clock: every read of that incident sees drill time, while
    a real incident next to it sees the process's clock."""
    from datetime import timedelta

    from incidentctl.times import iso

    sim_origin = T0 - timedelta(hours=3)
    drill = {"clock": {"real_origin": iso(T0), "sim_origin": iso(sim_origin), "speed": 6}}
    rb = runbook(PF)
    real = svc.open(rb, severity="1", title="real").state.id
    practice = svc.open(rb, severity="1", title="drill", drill=drill).state.id
    clock.advance(minutes=10)
    assert svc.view(real).now() == T0 + timedelta(minutes=10)
    assert svc.view(practice).now() == sim_origin + timedelta(minutes=60)
    # what is recorded on the drill is recorded in drill time
    event = svc.note(practice, "drill note")
    assert event.occurred == sim_origin + timedelta(minutes=60)


def test_a_title_or_a_name_holding_a_nul_is_refused_alike_on_every_backend(
    svc: Incidents,
) -> None:
    """A title or a name is kept in the summary row too, where a PostgreSQL text column
    cannot hold a NUL: both backends refuse it as input, not the team store as broken."""
    rb = runbook("payment-failure")
    inc = svc.open(rb, severity="1", title="t").state.id
    refused = [
        lambda: svc.open(rb, severity="1", title="a\0b"),
        lambda: svc.open(rb, severity="1", title="t", commander="王\0伟"),
        lambda: svc.assign(inc, "commander", "王\0伟"),
        lambda: svc.update(inc, "title", "x\0"),
    ]
    for attempt in refused:
        with pytest.raises(InvalidInput) as caught:
            attempt()
        assert caught.value.what.key == "err.text.nul"  # type: ignore[union-attr]
    assert [r.id for r in svc.store.incidents()] == [inc]
    assert len(svc.store.events(inc)) == 1
    svc.note(inc, "a note may hold \0 one")  # kept in the event's JSON, escaped
    assert svc.store.events(inc)[-1].payload["text"] == "a note may hold \0 one"
