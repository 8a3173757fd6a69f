"""``incidentctl drill run | pause | resume | end | score | validate``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, by_option, json_option, key_values, pass_app

if TYPE_CHECKING:
    from incidentctl.drills.score import DrillScore
    from incidentctl.incidents.service import Incidents, View

INC = click.argument("incident", metavar="INC", shell_complete=complete.incidents)


@click.group()
def drill() -> None:
    """Drills (演练): run a scenario on its own clock, then score it.

    A drill is an incident whose id starts DRILL- and whose log says it is a
    drill: every command against it sees drill time, it never pages (check),
    and list, deadlines and report leave it out unless given --drills.  Scenarios live
    in the runbook directory's drills/ folder.
    """


def _score(app: App, svc: Incidents, view: View) -> DrillScore:
    from incidentctl.drills.play import scenario_of
    from incidentctl.drills.score import previous_scores, score_of

    scenario = scenario_of(view.state)
    earlier = previous_scores(
        svc, scenario.id, view.state.id, calendar=app.calendar, policy=app.policy
    )
    return score_of(view, scenario, previous=earlier, calendar=app.calendar, policy=app.policy)


@drill.command("run")
@click.argument("scenario", metavar="SCENARIO")
@click.option(
    "--speed",
    type=click.FloatRange(min=0.1, max=1000),
    default=1.0,
    show_default=True,
    help="Drill time runs this many times as fast as real time.",
)
@click.option(
    "--auto",
    is_flag=True,
    help="Let the scenario's scripted responders play it at once (no waiting), then score.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="With --auto: the random seed."
)
@click.option(
    "--players",
    "players",
    multiple=True,
    metavar="ROLE=NAME",
    callback=key_values,
    help="Who plays which role (repeatable); commander=NAME leads.",
)
@click.option(
    "--detach",
    is_flag=True,
    help="Open the drill and return at once (as --json does); injects are then delivered "
    "by walk, watch and drill tick.",
)
@by_option
@json_option
@pass_app
def run(
    app: App,
    scenario: str,
    speed: float,
    auto: bool,
    seed: int,
    players: dict[str, str],
    detach: bool,
    as_json: bool,
) -> int:
    """Open a drill incident of SCENARIO (an id in drills/ or a file) on its own clock.

    Without --auto, the command stays on and shows each inject as it arrives,
    and the score once someone runs drill end (Ctrl-C leaves the drill running).  With --auto, the
    scripted responders play the whole drill as a simulation, deterministic
    for --seed, and its score is printed.
    """
    from incidentctl.drills import play as dp
    from incidentctl.drills import scenario as sc
    from incidentctl.drills.results import DrillStarted

    found = sc.find(scenario, app.runbook_dir)
    runbook = app.runbook_dir.find(found.runbook)
    if auto:
        from incidentctl.clock import ManualClock
        from incidentctl.drills.auto import play
        from incidentctl.incidents.service import Incidents

        clock = ManualClock(app.clock.now())
        svc = Incidents(
            app.store(create=True),
            clock,
            actor=app.actor,
            zone=app.zone,
            max_text=app.config.max_text,
        )
        view = dp.start(
            svc, found, runbook, speed=1.0, players=players, lang=app.lang, auto=True, seed=seed
        )
        view = play(
            svc,
            clock,
            view.state.id,
            found,
            seed=seed,
            lang=app.lang,
            calendar=app.calendar,
            policy=app.policy,
        )
        return app.report(DrillStarted(view, found, _score(app, svc, view), []), as_json=as_json)
    svc = app.incidents(create=True)
    view = dp.start(svc, found, runbook, speed=speed, players=players, lang=app.lang)
    injects = dp.deliver(svc, view.state.id)
    view = svc.view(view.state.id)
    following = not (detach or as_json)
    code = app.report(DrillStarted(view, found, None, injects, following), as_json=as_json)
    if not following:
        return code
    return _follow(app, svc, view.state.id)


def _follow(app: App, svc: Incidents, incident: str) -> int:
    """Show each inject as it arrives, until the drill ends (then its score) or Ctrl-C."""
    import time

    from incidentctl.drills import play as dp
    from incidentctl.drills.results import InjectsArrived

    while True:
        arrived = dp.deliver(svc, incident)
        view = svc.view(incident)
        if arrived:
            app.report(InjectsArrived(view, arrived))
        if view.state.drill_ended_at is not None:  # someone ended it: its score
            return app.report(_score(app, svc, view))
        upcoming = dp.next_due(dp.scenario_of(view.state), view.state)
        speed = float((view.state.drill or {}).get("clock", {}).get("speed", 1))
        wait = 1.0
        if upcoming is not None:
            wait = min(wait, max(0.05, (upcoming - view.now()).total_seconds() / speed))
        time.sleep(wait)


@drill.command("tick")
@INC
@by_option
@json_option
@pass_app
def tick(app: App, incident: str, as_json: bool) -> int:
    """Deliver the injects of drill INC whose drill time has come, and show them."""
    from incidentctl.drills import play as dp
    from incidentctl.drills.results import InjectsArrived

    svc = app.incidents()
    view = dp.drill_view(svc, incident)
    arrived = dp.deliver(svc, view.state.id)
    return app.report(InjectsArrived(svc.view(view.state.id), arrived), as_json=as_json)


def _clock(app: App, incident: str, action: str, as_json: bool) -> int:
    from incidentctl.drills import play as dp
    from incidentctl.drills.results import DrillClock

    svc = app.incidents()
    view = dp.set_clock(svc, incident, action)
    score = _score(app, svc, view) if action == dp.END else None
    return app.report(DrillClock(view, action, score), as_json=as_json)


@drill.command("pause")
@INC
@by_option
@json_option
@pass_app
def pause(app: App, incident: str, as_json: bool) -> int:
    """Stop drill INC's clock: drill time stands still until drill resume."""
    return _clock(app, incident, "pause", as_json)


@drill.command("resume")
@INC
@by_option
@json_option
@pass_app
def resume(app: App, incident: str, as_json: bool) -> int:
    """Start drill INC's clock again where it stopped."""
    return _clock(app, incident, "resume", as_json)


@drill.command("end")
@INC
@by_option
@json_option
@pass_app
def end(app: App, incident: str, as_json: bool) -> int:
    """End drill INC (its clock stops for good) and print its score.  An abandoned drill
    can be ended at any time and is scored as it stands."""
    return _clock(app, incident, "end", as_json)


@drill.command("score")
@INC
@json_option
@pass_app
def score(app: App, incident: str, as_json: bool) -> int:
    """Score drill INC: each expectation met, late (partial credit) or missed, weighted;
    deadlines by tier; key times; the weakest phase and role; earlier drills of the
    same scenario."""
    from incidentctl.drills import play as dp

    svc = app.incidents()
    view = dp.drill_view(svc, incident)
    return app.report(_score(app, svc, view), as_json=as_json)


@drill.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@json_option
@pass_app
def validate(app: App, paths: tuple[Path, ...], as_json: bool) -> int:
    """Check scenario files: YAML, schema, and their references to their runbook.

    With no PATH, checks every scenario in the runbook directory's drills/.  Each
    problem is printed as FILE:LINE:COL: PATH: MESSAGE; exit code 1 if there is any.
    """
    from incidentctl.drills import scenario as sc
    from incidentctl.drills.results import ScenarioValidation
    from incidentctl.paths import display_path

    files = list(paths) or sc.scenario_files(app.runbook_dir)
    results = []
    for f in files:
        results.append(sc.check_file(f, app.runbook_dir, display=display_path(Path(f))))
    return app.report(ScenarioValidation(results), as_json=as_json)


@drill.command("history")
@click.option(
    "--runbook",
    "runbook_id",
    metavar="ID",
    shell_complete=complete.runbooks,
    help="Only drills of this runbook.",
)
@json_option
@pass_app
def history(app: App, runbook_id: str | None, as_json: bool) -> int:
    """Every drill in the store, oldest first: when, which scenario and runbook, who
    played, and its score; then, per runbook, when it was last drilled and the trend."""
    from incidentctl.drills.history import DrillHistory
    from incidentctl.drills.history import history as past

    if not app.has_store():
        return app.report(DrillHistory([]), as_json=as_json)
    found = past(app.incidents(), runbook=runbook_id, calendar=app.calendar, policy=app.policy)
    return app.report(found, as_json=as_json)


@drill.command("due")
@json_option
@pass_app
def due(app: App, as_json: bool) -> int:
    """For cron: the runbooks not drilled within the policy interval (config
    drills.every, default 180d; drills.runbooks.ID for one runbook).

    Exit 0 when every runbook in use was drilled recently enough, 5 when one is due
    (never drilled, or its last drill is older than its interval).
    """
    from incidentctl.drills.history import DrillHistory
    from incidentctl.drills.history import due as due_rows
    from incidentctl.drills.history import history as past

    ids = sorted({rb.id for _, rb in app.runbook_dir.listing().runbooks})
    found = DrillHistory([])
    if app.has_store():
        found = past(app.incidents(), calendar=app.calendar, policy=app.policy)
    config = app.config
    result = due_rows(
        found, ids, app.clock.now(), config.drills_every, config.drills_every_by_runbook
    )
    return app.report(result, as_json=as_json)


@drill.command("simulate")
@click.argument("runbook_id", metavar="RUNBOOK", shell_complete=complete.runbooks)
@click.option(
    "-s",
    "--severity",
    metavar="S",
    required=True,
    shell_complete=complete.runbook_tiers("runbook_id"),
    help="The tier to simulate (1, sev1, 一级...).",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1, max=1_000_000),
    default=1000,
    show_default=True,
    help="How many runs of the Monte Carlo.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The random seed.")
@click.option(
    "--staff",
    "staff",
    multiple=True,
    metavar="ROLE=N",
    callback=key_values,
    help="People per role (repeatable; 1 for a role not named).",
)
@click.option(
    "--team",
    type=click.IntRange(min=1, max=999),
    metavar="N",
    help="A team of N people, each able to take any role (instead of --staff).",
)
@json_option
@pass_app
def simulate(
    app: App,
    runbook_id: str,
    severity: str,
    runs: int,
    seed: int,
    staff: dict[str, str],
    team: int | None,
    as_json: bool,
) -> int:
    """Can a team of this size meet RUNBOOK's deadlines?  A Monte Carlo over its steps.

    Each step takes a time drawn from its effort range (triangular, most likely at
    the midpoint), starts once its deadline's anchor is reached, and queues on the
    people of its role (or, with --team, on anyone in the team).  Prints, per deadline,
    the chance it is met and the median slack; the critical path; and which one extra
    person raises compliance most.
    """
    from incidentctl.drills.simulate import parse_staff
    from incidentctl.drills.simulate import simulate as run_it

    rb = app.runbook_dir.find(runbook_id)
    tier = rb.resolve_tier(severity)
    result = run_it(rb, tier, runs=runs, seed=seed, staff=parse_staff(staff), team=team)
    return app.report(result, as_json=as_json)
