"""Drills: scenarios, the drill clock, injects, scripted responders, scores, isolation."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from incidentctl.clock import ManualClock
from incidentctl.drills import play as dp
from incidentctl.drills import scenario as sc
from incidentctl.drills.score import LATE, MET, MISSED, VOID, credit, score_of
from incidentctl.errors import InvalidAction
from incidentctl.incidents import events as ev
from incidentctl.incidents.service import Incidents
from incidentctl.paths import shipped_runbooks_dir
from incidentctl.runbooks.repository import RunbookDir

from .conftest import DATA, T0, Run, open_home, runbook

if TYPE_CHECKING:
    from incidentctl.runbooks.model import Runbook
    from incidentctl.store.base import Store

SCENARIOS = DATA / "scenarios"
#: The tests of what a drill stores and reads, run on SQLite and on a PostgreSQL team store.
BOTH_BACKENDS = pytest.mark.usefixtures("backend")
TEST_RUNBOOKS = RunbookDir(DATA / "runbooks" / "valid")
SHIPPED = RunbookDir(shipped_runbooks_dir())


def mini() -> sc.Scenario:
    return sc.find(str(SCENARIOS / "mini.yaml"), TEST_RUNBOOKS)


def start(svc: Incidents, speed: float = 1.0) -> str:
    return dp.start(svc, mini(), runbook("minimal"), speed=speed).state.id


# --- scenario files ---------------------------------------------------------------------
def test_every_shipped_runbook_has_a_valid_scenario() -> None:
    files = sc.scenario_files(SHIPPED)
    checked = [sc.check_file(f, SHIPPED) for f in files]
    assert [c.problems for c in checked if not c.ok] == []
    drilled = {c.scenario.runbook for c in checked if c.scenario}
    shipped = {p.stem for p in shipped_runbooks_dir().glob("*.yaml")}
    assert drilled == shipped
    for c in checked:
        assert c.scenario is not None and Path(c.file).stem == c.scenario.id
        for text in (
            c.scenario.title,
            c.scenario.briefing,
            *(i.message for i in c.scenario.injects),
        ):
            assert text["zh"].strip() and text["en"].strip()


def test_the_runbook_directory_does_not_read_scenarios_as_runbooks() -> None:
    listing = SHIPPED.listing()
    assert listing.invalid == [] and len(listing.runbooks) == 10


@pytest.mark.no_store("scenarios checked and simulated without a store")
def test_invalid_scenarios_are_reported_at_file_line_col(run: Run) -> None:
    bad = sorted(str(p) for p in (SCENARIOS / "invalid").glob("*.yaml"))
    runbooks = str(DATA / "runbooks" / "valid")
    result = run("--runbooks", runbooks, "drill", "validate", *bad, expect=1)
    assert result.stdout.splitlines() == [
        f"{bad[0]}:11:13: expectations[0].within: 'ten minutes' is not a duration "
        "(expected e.g. 30s, 10m, 4h, 1h30m)",
        f"{bad[1]}:10:12: injects[0].after: injects wait on each other in a circle",
        f"{bad[1]}:13:12: injects[1].after: injects wait on each other in a circle",
        f"{bad[1]}:17:11: expectations[0].step: 'start-responce' is not a step "
        "(did you mean start-response?)",
        f"{bad[2]}:11:12: injects[0].after: give either at or after, not both",
        f"{bad[2]}:16:15: expectations[0].template: give either step or template, not both",
    ]
    assert "6 problem(s) in 3 file(s)" in result.stderr


@pytest.mark.no_store("scenarios checked and simulated without a store")
def test_an_unknown_scenario_is_a_clear_error(run: Run) -> None:
    result = run("drill", "run", "data-breach-tabletopp", expect=1)
    assert "no scenario 'data-breach-tabletopp'" in result.stderr
    assert "did you mean data-breach-tabletop?" in result.stderr
    assert "Traceback" not in result.stderr


# --- the drill clock and injects ------------------------------------------------------------
@BOTH_BACKENDS
def test_a_drill_runs_on_its_own_clock_at_its_speed(svc: Incidents, clock: ManualClock) -> None:
    drill = start(svc, speed=6)
    assert drill.startswith("DRILL-")
    clock.advance(minutes=5)
    assert svc.view(drill).now() == T0 + timedelta(minutes=30)
    other = svc.open(runbook("minimal"), severity="sev1", title="real")
    assert other.state.id.startswith("INC-") and other.now() == T0 + timedelta(minutes=5)


@BOTH_BACKENDS
def test_injects_arrive_at_their_drill_time_under_speed_and_pauses(
    svc: Incidents, clock: ManualClock
) -> None:
    drill = start(svc, speed=6)
    clock.advance(seconds=99)  # 9m54s of drill time: nothing due yet
    assert dp.deliver(svc, drill) == []
    clock.advance(seconds=1)  # 10m: the alert
    [alert] = dp.deliver(svc, drill)
    assert alert.payload["inject"] == "alert" and alert.occurred == T0 + timedelta(minutes=10)
    dp.set_clock(svc, drill, dp.PAUSE)
    clock.advance(hours=3)  # paused: drill time stands still
    assert svc.view(drill).now() == T0 + timedelta(minutes=10)
    assert dp.deliver(svc, drill) == []
    dp.set_clock(svc, drill, dp.RESUME)
    clock.advance(seconds=50)  # 5 more drill minutes: the follow-up, 5m after the alert
    [follow] = dp.deliver(svc, drill)
    assert follow.payload["inject"] == "follow-up"
    assert follow.occurred == T0 + timedelta(minutes=15)
    with pytest.raises(InvalidAction):
        dp.set_clock(svc, drill, dp.RESUME)


def test_an_inject_after_a_step_waits_for_it(svc: Incidents, clock: ManualClock) -> None:
    drill = start(svc)
    clock.advance(minutes=4)
    svc.step(drill, "done", "start-response")
    clock.advance(seconds=30)
    assert [e.payload["inject"] for e in dp.deliver(svc, drill)] == []
    clock.advance(seconds=30)
    [after] = dp.deliver(svc, drill)
    assert after.payload["inject"] == "after-start"
    assert after.occurred == T0 + timedelta(minutes=5)


@BOTH_BACKENDS
def test_an_inject_delivered_late_is_recorded_at_its_drill_time_with_its_tier_change(
    svc: Incidents, clock: ManualClock
) -> None:
    drill = start(svc)
    clock.advance(hours=1)  # nobody looked for an hour: everything due arrives at once
    arrived = dp.deliver(svc, drill)
    kinds = [(e.type, e.payload.get("inject") or e.payload.get("to")) for e in arrived]
    assert kinds == [
        (ev.DRILL_INJECT, "alert"),
        (ev.DRILL_INJECT, "follow-up"),
        (ev.DRILL_INJECT, "calmer"),
        (ev.SEVERITY, "sev2"),
    ]
    assert arrived[2].occurred == T0 + timedelta(minutes=30)
    assert arrived[2].recorded == T0 + timedelta(hours=1)
    state = svc.view(drill).state
    assert state.severity == "sev2" and state.tier_at(T0 + timedelta(minutes=29)) == "sev1"
    assert dp.deliver(svc, drill) == []


@BOTH_BACKENDS
def test_two_players_see_the_same_drill_time_and_each_inject_once(
    store: Store, isolated: Path, clock: ManualClock
) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    lead = Incidents(store, clock, actor="lead", zone=zone)
    drill = start(lead, speed=6)
    second_store = open_home(isolated)
    player = Incidents(second_store, clock, actor="player", zone=zone)
    clock.advance(minutes=2)
    assert lead.view(drill).now() == player.view(drill).now() == T0 + timedelta(minutes=12)
    player.step(drill, "done", "start-response")
    clock.advance(seconds=10)  # one drill minute later: the inject after that step is due
    got = dp.deliver(player, drill) + dp.deliver(lead, drill)
    assert sorted(e.payload["inject"] for e in got if e.type == ev.DRILL_INJECT) == [
        "after-start",
        "alert",
    ]
    injects = [e for e in lead.view(drill).events if e.type == ev.DRILL_INJECT]
    assert len(injects) == 2
    second_store.close()


def test_an_ended_drill_stands_still_and_delivers_nothing(
    svc: Incidents, clock: ManualClock
) -> None:
    drill = start(svc)
    clock.advance(minutes=3)
    dp.set_clock(svc, drill, dp.END)
    clock.advance(hours=5)
    view = svc.view(drill)
    assert view.now() == T0 + timedelta(minutes=3) and view.state.drill_ended_at == view.now()
    assert dp.deliver(svc, drill) == []
    with pytest.raises(InvalidAction):
        dp.set_clock(svc, drill, dp.PAUSE)


def test_pause_on_an_incident_that_is_not_a_drill_is_refused(run: Run) -> None:
    run("open", "payment-failure", "-s", "2", "-t", "real")
    result = run("drill", "pause", "1", expect=1)
    assert "is not a drill" in result.stderr


# --- scores ---------------------------------------------------------------------------------
def test_credit_is_full_at_the_limit_and_falls_to_zero_at_twice_it() -> None:
    assert credit(600, 600, 2.0) == (MET, 1.0)
    assert credit(900, 600, 2.0) == (LATE, 0.5)
    assert credit(1200, 600, 2.0) == (LATE, 0.0)
    assert credit(1500, 600, 2.0) == (LATE, 0.0)
    assert credit(900, 600, 3.0) == (LATE, 0.75)


@BOTH_BACKENDS
def test_scoring_edge_cases(svc: Incidents, clock: ManualClock) -> None:
    drill = start(svc)
    clock.advance(minutes=10)  # exactly at the limit, and before the alert was delivered
    svc.step(drill, "done", "start-response")
    view = svc.view(drill)
    marks = {m.id: m for m in score_of(view, mini()).marks}
    assert marks["start"].verdict == MET and marks["start"].elapsed == 600
    assert marks["start-after-alert"].verdict == VOID  # its inject has not arrived
    assert marks["notice"].verdict == MISSED
    dp.deliver(svc, drill)
    marks = {m.id: m for m in score_of(svc.view(drill), mini()).marks}
    # done at the very moment the alert arrived: within the limit counted from it
    assert marks["start-after-alert"].verdict == MET
    clock.advance(minutes=25)  # 35m in: the notice (20m allowed) is 15m late
    svc.step(drill, "done", "customer-notice", evidence={"notice-url": "https://x"})
    dp.set_clock(svc, drill, dp.END)
    result = score_of(svc.view(drill), mini())
    marks = {m.id: m for m in result.marks}
    assert marks["notice"].verdict == LATE and marks["notice"].credit == 0.25
    assert result.score == pytest.approx(100 * (2 + 1 + 0.25) / 4, abs=0.05)
    assert result.weakest_role == "ops" and result.weakest_phase == "respond"
    # the calmer inject moved the drill to sev2 at 30m: deadlines are counted by tier
    assert {t.tier for t in result.tiers} <= {"sev1", "sev2"}
    assert svc.view(drill).state.severity == "sev2"


# --- unattended runs ----------------------------------------------------------------------
def _auto(run: Run, scenario: str, seed: int) -> dict[str, object]:
    out = run("drill", "run", scenario, "--auto", "--seed", str(seed), "--json").stdout
    return json.loads(out)  # type: ignore[no-any-return]


def test_auto_is_deterministic_for_a_seed(run: Run, clock: ManualClock, tmp_path: Path) -> None:
    first = _auto(run, "data-breach-tabletop", 7)
    log_one = json.loads(run("timeline", str(first["incident"]), "--json").stdout)["events"]
    run(
        "--home",
        str(tmp_path / "other"),
        "drill",
        "run",
        "data-breach-tabletop",
        "--auto",
        "--seed",
        "7",
    )
    second = json.loads(
        run("--home", str(tmp_path / "other"), "drill", "score", "1", "--json").stdout
    )
    log_two = json.loads(run("--home", str(tmp_path / "other"), "timeline", "1", "--json").stdout)[
        "events"
    ]
    assert log_one == log_two  # the same events, times and hashes
    assert json.dumps(first["score"], sort_keys=True) == json.dumps(
        {k: v for k, v in second.items() if k not in ("kind", "schema_version")}, sort_keys=True
    )


def test_every_shipped_scenario_plays_unattended_in_well_under_a_second_each(run: Run) -> None:
    for path in sc.scenario_files(SHIPPED):
        began = time.perf_counter()
        result = _auto(run, path.stem, 1)
        assert time.perf_counter() - began < 5
        assert result["ended"] is True and result["score"] is not None


# --- drills keep out of the way of real incidents -------------------------------------------
@BOTH_BACKENDS
def test_drills_never_page_nor_show_in_listings_unless_asked(run: Run, clock: ManualClock) -> None:
    drill = run("drill", "run", "payment-failure-tabletop", "--detach").stdout.split()[0]
    assert drill.startswith("DRILL-")
    clock.advance(hours=3)  # every deadline of the drill is overdue
    assert run("check").stdout == ""
    assert "No incidents" in run("list").stdout
    assert drill in run("list", "--drills").stdout
    assert drill not in run("deadlines").stdout
    assert drill in run("deadlines", "--drills").stdout
    assert drill in run("deadlines", drill).stdout  # named, it is shown
    assert json.loads(run("report", "--json").stdout)["incidents"] == 0
    assert json.loads(run("report", "--drills", "--json").stdout)["incidents"] == 1


def test_a_drill_says_so_on_screens_in_messages_and_in_its_post_mortem(
    run: Run, org: None, clock: ManualClock
) -> None:
    drill = run("drill", "run", "payment-failure-tabletop", "--detach").stdout.split()[0]
    assert drill in run("show", drill).stdout
    message = run("comms", drill, "agent-brief", "--draft").stdout
    assert "[DRILL: an exercise, not a real event]" in message
    clock.advance(minutes=20)
    run("drill", "tick", drill)
    assert "DRILL inject double-charge" in run("timeline", drill).stdout
    ended = run("drill", "end", drill).stdout
    assert "score" in ended
    pm = run("postmortem", drill).stdout
    assert "DRILL: this incident was an exercise" in pm and "Drill score:" in pm
    data = json.loads(run("postmortem", drill, "--format", "json").stdout)
    assert data["incident"]["drill"] is True and "score" in data["drill_score"]


# --- history and what is due -----------------------------------------------------------------
def test_history_and_due_follow_the_policy_interval(
    run: Run, clock: ManualClock, isolated: Path
) -> None:
    from .conftest import write_config

    write_config(isolated, "drills: {every: 30d, runbooks: {phishing: 1d}}\n")
    assert "No drills yet." in run("drill", "history").stdout
    due = json.loads(run("drill", "due", "--json", expect=5).stdout)
    assert all(r["due"] and r["last_drill"] is None for r in due["runbooks"])
    for scenario in sc.scenario_files(SHIPPED):
        run("drill", "run", scenario.stem, "--auto", "--seed", "2")
    assert run("drill", "due").stdout == ""  # every runbook drilled: silent, exit 0
    clock.advance(days=2)
    due = json.loads(run("drill", "due", "--json", expect=5).stdout)
    assert [r["runbook"] for r in due["runbooks"] if r["due"]] == ["phishing"]
    run("drill", "run", "phishing-tabletop", "--auto", "--seed", "3", "--players", "commander=王伟")
    history = json.loads(run("drill", "history", "--runbook", "phishing", "--json").stdout)
    assert [d["scenario"] for d in history["drills"]] == ["phishing-tabletop"] * 2
    assert "王伟" in history["drills"][1]["players"]
    assert "phishing: last drilled" in run("drill", "history").stdout
    clock.advance(days=29)  # 31 days after the first round: all are due again
    due = json.loads(run("drill", "due", "--json", expect=5).stdout)
    assert all(r["due"] for r in due["runbooks"])


# --- the feasibility simulator ----------------------------------------------------------------
def _two_steps(b_due: str) -> Runbook:
    """A runbook of two one-off ops steps, both counted from opening: ``a`` takes 10-20
    minutes (triangular, most likely 15) and is due in 15; ``b`` takes exactly 10 and is
    due in ``b_due``."""
    import copy

    from incidentctl.runbooks.model import from_document

    doc = copy.deepcopy(runbook("minimal").doc)
    step = {
        "title": {"zh": "步骤", "en": "A step"},
        "instructions": {"zh": "做。", "en": "Do it."},
        "role": "ops",
        "tiers": ["sev1"],
    }
    doc["phases"] = [
        {
            "id": "respond",
            "name": {"zh": "响应", "en": "Respond"},
            "steps": [
                {
                    **step,
                    "id": "a",
                    "effort": "10m-20m",
                    "due": {"from": "opened", "sev1": "15m", "source": "team-policy"},
                },
                {
                    **step,
                    "id": "b",
                    "effort": "10m",
                    "due": {"from": "opened", "sev1": b_due, "source": "team-policy"},
                },
            ],
        }
    ]
    return from_document(doc)


def test_the_simulator_agrees_with_a_hand_computation() -> None:
    from incidentctl.drills.simulate import simulate

    # One person: b waits for a, so b is met iff a takes at most 17 minutes.  For a
    # triangular (10, 15, 20) minutes, P(X <= 17) = 1 - (20 - 17)^2 / ((20 - 10)(20 - 15))
    # = 1 - 9/50 = 0.82; and P(a <= 15) = 0.5 exactly.
    result = simulate(_two_steps("27m"), "sev1", runs=20_000, seed=11)
    odds = {d.step: d for d in result.deadlines}
    sd = (0.82 * 0.18 / 20_000) ** 0.5
    assert abs(odds["a"].p_met - 0.5) < 4 * (0.25 / 20_000) ** 0.5
    assert abs(odds["b"].p_met - 0.82) < 4 * sd
    assert odds["a"].median_slack == pytest.approx(0, abs=15)
    assert result.critical_path == ["a", "b"]
    # A second person for the role takes b at once: always met, 17 minutes to spare.
    two = simulate(_two_steps("27m"), "sev1", runs=2000, seed=11, staff={"ops": 2})
    assert {d.step: d.p_met for d in two.deadlines}["b"] == 1.0
    assert {d.step: d.median_slack for d in two.deadlines}["b"] == 17 * 60
    assert result.advice[0].role == "ops" and result.advice[0].staff == 2


@pytest.mark.no_store("scenarios checked and simulated without a store")
def test_simulate_is_deterministic_and_names_what_a_small_team_will_miss(run: Run) -> None:
    args = ("drill", "simulate", "data-breach", "-s", "1", "--runs", "2000", "--seed", "4")
    first = run(*args, "--json").stdout
    assert first == run(*args, "--json").stdout
    data = json.loads(first)
    unlikely = [d["step"] for d in data["deadlines"] if d["p_met"] < 0.5]
    assert unlikely  # one person per role cannot meet every sev1 deadline
    assert "unlikely to be met" in run(*args).stdout
    bigger = json.loads(run(*args, "--staff", "security=3", "--json").stdout)
    assert bigger["compliance"] > data["compliance"]


@pytest.mark.no_store("scenarios checked and simulated without a store")
def test_simulate_refuses_bad_staff(run: Run) -> None:
    result = run("drill", "simulate", "data-breach", "-s", "1", "--staff", "securty=2", expect=1)
    assert "has no role 'securty'" in result.stderr and "security" in result.stderr
    result = run("drill", "simulate", "data-breach", "-s", "1", "--staff", "security=0", expect=1)
    assert "whole number from 1 to 99" in result.stderr


def test_a_walk_on_a_drill_shows_each_inject_as_it_arrives(
    svc: Incidents, clock: ManualClock
) -> None:
    from incidentctl.i18n import say
    from incidentctl.walk.controller import Walk

    drill = start(svc, speed=6)
    walk = Walk(svc, drill, lang="en", arrivals=dp.deliver)
    assert walk.screen().message == ()
    clock.advance(minutes=2)  # 12 drill minutes: the alert has come
    said = [say(m, "en") for m in walk.screen().message]
    assert said == ["DRILL inject alert: An alert"]
    assert walk.screen().message == ()  # recorded once, shown once
    assert walk.screen().now == T0 + timedelta(minutes=12)


@BOTH_BACKENDS
def test_a_drills_id_completes(svc: Incidents, store: Store) -> None:
    from incidentctl.incidents.suggest import incident_refs

    drill = start(svc)
    real = svc.open(runbook("minimal"), severity="sev1", title="real").state.id
    assert [ref for ref, _ in incident_refs(store, "dr")] == [drill]
    assert [ref for ref, _ in incident_refs(store, "DRILL-2026")] == [drill]
    assert drill not in [ref for ref, _ in incident_refs(store, "INC-")]
    assert real in [ref for ref, _ in incident_refs(store, "INC-")]


def test_a_team_of_generalists_shares_one_queue() -> None:
    from incidentctl.drills.simulate import ANYONE, simulate

    # Two people who can each take any role: b never waits for a, as with two ops people.
    pooled = simulate(_two_steps("27m"), "sev1", runs=2000, seed=3, team=2)
    assert {d.step: d.p_met for d in pooled.deadlines}["b"] == 1.0
    assert pooled.staff == {ANYONE: 2} and pooled.advice[0].role == ANYONE
    alone = simulate(_two_steps("27m"), "sev1", runs=2000, seed=3, team=1)
    by_role = simulate(_two_steps("27m"), "sev1", runs=2000, seed=3)
    assert alone.deadlines == by_role.deadlines  # one person for the one role: the same


@pytest.mark.no_store("scenarios checked and simulated without a store")
def test_a_two_person_team_is_told_which_data_breach_deadlines_it_will_likely_miss(
    run: Run,
) -> None:
    args = ("drill", "simulate", "data-breach", "-s", "1", "--runs", "2000", "--team", "2")
    data = json.loads(run(*args, "--json").stdout)
    unlikely = {d["step"] for d in data["deadlines"] if d["p_met"] < 0.5}
    assert {"contain", "preserve-evidence"} <= unlikely
    assert "One more person (3 in all)" in run(*args).stdout


def test_a_scenario_in_drills_is_named_after_its_id(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "runbooks"
    (folder / "drills").mkdir(parents=True)
    (folder / "coupon-failure.yaml").write_text(
        (DATA / "runbooks" / "valid" / "minimal.yaml").read_text(encoding="utf-8"), "utf-8"
    )
    text = (SCENARIOS / "mini.yaml").read_text(encoding="utf-8")
    (folder / "drills" / "other.yaml").write_text(text, encoding="utf-8")
    result = run("--runbooks", str(folder), "drill", "validate", expect=1)
    assert "id: the file is named other: name it mini.yaml" in result.stdout
    (folder / "drills" / "other.yaml").rename(folder / "drills" / "mini.yaml")
    run("--runbooks", str(folder), "drill", "validate")
    assert run("--runbooks", str(folder), "drill", "run", "mini", "--auto").stdout


def test_a_player_in_an_unknown_role_is_refused_before_the_drill_opens(run: Run) -> None:
    args = ("drill", "run", "phishing-tabletop", "--detach", "--players", "comander=王伟")
    result = run(*args, expect=1)
    assert "has no role 'comander'" in result.stderr and "commander" in result.stderr
    assert "DRILL-" not in run("list", "--drills", "--status", "all").stdout
