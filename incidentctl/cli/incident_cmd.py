"""Incident lifecycle commands: open, list, show, timeline, step, note, assign, severity,
mitigate, resolve, reopen, close, set, retract."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, by_option, json_option, key_values, pass_app

if TYPE_CHECKING:
    from collections.abc import Callable

    from incidentctl.incidents.service import Incidents
    from incidentctl.records import Event

F = TypeVar("F", bound="Callable[..., Any]")

_at = click.option(
    "--at",
    metavar="TIME",
    help="When it happened, if earlier than now (back-dates the event): ISO 8601, 'YYYY-MM-DD HH:MM', 'HH:MM' or -15m.",
)


def at_option(f: F) -> F:
    """``--at`` and ``--by``: when it happened and who did it, on every recording command."""
    return _at(by_option(f))


INC = click.argument("incident", metavar="INC", shell_complete=complete.incidents)


def _recorded(app: App, svc: Incidents, event: Event, as_json: bool) -> int:
    """Report one recorded event: a line saying what was recorded, or the event as JSON."""
    from incidentctl.incidents import Recorded

    row = svc.store.incident(event.incident)
    assert row is not None
    return app.report(Recorded(event, svc.runbook(row.runbook_sha256)), as_json=as_json)


# --- open -------------------------------------------------------------------------------


@click.command("open")
@click.argument("runbook_ref", metavar="RUNBOOK", shell_complete=complete.runbooks)
@click.option(
    "-s",
    "--severity",
    required=True,
    metavar="S",
    shell_complete=complete.runbook_tiers("runbook_ref"),
    help="Tier: 1, sev1, or the tier's name (一级, 一级(重大)).",
)
@click.option("-t", "--title", required=True, help="What is happening, in a few words.")
@click.option("--commander", metavar="NAME", help="The incident commander (the `commander` role).")
@click.option(
    "--scope", metavar="TEXT", help="Affected scope (users, regions, channels), for messages."
)
@click.option(
    "--discovered-at",
    metavar="TIME",
    help="When the event was discovered, if before opening (read like --at). Legal "
    "reporting clocks (from: discovered) run from it; without it they count from opening.",
)
@at_option
@json_option
@pass_app
def open_(
    app: App,
    runbook_ref: str,
    severity: str,
    title: str,
    commander: str | None,
    scope: str | None,
    discovered_at: str | None,
    at: str | None,
    as_json: bool,
) -> int:
    """Open an incident from a runbook; print its id.

    The full runbook is pinned into the incident, so later edits of the YAML
    never change it.  RUNBOOK is a runbook id or a path to a runbook file.
    """
    from incidentctl.incidents import Opened

    runbook = app.runbook_dir.find(runbook_ref)
    view = app.incidents(create=True).open(
        runbook,
        severity=severity,
        title=title,
        commander=commander,
        scope=scope,
        at=at,
        discovered_at=discovered_at,
        facts=app.config.facts,
    )
    return app.report(Opened(view), as_json=as_json)


# --- reading ----------------------------------------------------------------------------

STATUS_FILTERS = {
    "active": ("open", "mitigated", "resolved"),
    "open": ("open",),
    "mitigated": ("mitigated",),
    "resolved": ("resolved",),
    "closed": ("closed",),
    "all": None,
}


def _tier_filter(text: str) -> str:
    from incidentctl.errors import InvalidInput
    from incidentctl.i18n import msg
    from incidentctl.runbooks.model import tier_id_of

    tier = tier_id_of(text)
    if tier is None:
        raise InvalidInput(msg("err.severity.filter", text=text))
    return tier


@click.command("list")
@click.option(
    "--status",
    type=click.Choice(list(STATUS_FILTERS)),
    default="active",
    show_default=True,
    help="Which incidents: active means open, mitigated or resolved (not yet closed).",
)
@click.option(
    "--runbook",
    "runbook_id",
    metavar="ID",
    shell_complete=complete.runbooks,
    help="Only incidents of this runbook.",
)
@click.option("-s", "--severity", metavar="S", help="Only this tier (1, sev1, 一级).")
@click.option(
    "--limit",
    type=click.IntRange(min=0, max=1_000_000),
    default=100,
    show_default=True,
    help="At most this many, newest first (0: all).",
)
@click.option(
    "--since",
    metavar="DATE",
    help="Only incidents opened from DATE on (YYYY-MM-DD in --tz, or a time as --at takes it).",
)
@click.option(
    "--until", metavar="DATE", help="Only incidents opened before the end of DATE (or that time)."
)
@click.option("--drills", is_flag=True, help="Also list drills (演练); their ids start DRILL-.")
@json_option
@pass_app
def list_(
    app: App,
    status: str,
    runbook_id: str | None,
    severity: str | None,
    limit: int,
    since: str | None,
    until: str | None,
    drills: bool,
    as_json: bool,
) -> int:
    """List incidents, newest first (drills only with --drills)."""
    from incidentctl.incidents import IncidentListing, listed

    now = app.clock.now()
    window = None
    if since is not None or until is not None:
        from incidentctl.times import window as read_window

        window = read_window(since, until, now=now, zone=app.zone)
    if not app.has_store():
        return app.report(
            IncidentListing([], now, app.store_location, store=False), as_json=as_json
        )
    rows = listed(
        app.store(create=False),
        statuses=STATUS_FILTERS[status],
        runbook_id=runbook_id,
        severity=_tier_filter(severity) if severity else None,
        limit=limit,
        window=window,
        end_included=not until,
        drills=drills,
    )
    return app.report(IncidentListing(rows, now, app.store_location), as_json=as_json)


@click.command("show")
@INC
@json_option
@pass_app
def show(app: App, incident: str, as_json: bool) -> int:
    """Show an incident: summary, roles, severity history, checklist and next deadlines.

    INC is a full id, a unique prefix, or the trailing number (3 for INC-20261122-003).

    The incident's hash chain and pinned runbook are verified first: if someone altered
    the store, the incident is still shown, followed by a warning on stderr naming the
    first event that does not verify, and the exit code is 1.
    """
    from incidentctl.deadlines import IncidentPage
    from incidentctl.incidents.audit import log_problems

    svc = app.incidents()
    view = svc.view(incident)
    now = view.now()
    problems = log_problems(view.events, svc.store.runbook_document)
    return app.report(IncidentPage(view, app.deadlines(view, now), now, problems), as_json=as_json)


@click.command("timeline")
@INC
@json_option
@pass_app
def timeline(app: App, incident: str, as_json: bool) -> int:
    """Every event of an incident in the order it happened, with the time it was
    recorded, who recorded it, and back-dated events marked.

    As with `show`, a log that does not verify is still printed, followed by a warning
    on stderr naming the first event that does not verify, and the exit code is 1.
    """
    from incidentctl.incidents import Timeline
    from incidentctl.incidents.audit import log_problems

    svc = app.incidents()
    view = svc.view(incident)
    problems = log_problems(view.events, svc.store.runbook_document)
    return app.report(Timeline(view, view.now(), problems), as_json=as_json)


# --- steps -------------------------------------------------------------------------------


@click.group()
def step() -> None:
    """Record progress on a checklist step: start, done, skip, na."""


def _step_command(action: str, doc: str) -> click.Command:
    needs_reason = action in ("skip", "na")

    @click.command(action, help=doc)
    @INC
    @click.argument("step_id", metavar="STEP", shell_complete=complete.steps)
    @click.option("--note", help="A remark to keep with the step.")
    @click.option("--reason", required=needs_reason, help="Why (required for skip and na).")
    @click.option(
        "--evidence",
        "evidence",
        multiple=True,
        metavar="KEY=VALUE",
        callback=key_values,
        shell_complete=complete.evidence_keys,
        help="Evidence the step records (repeat for several); `runbook show` lists what each step needs.",
    )
    @at_option
    @json_option
    @pass_app
    def command(
        app: App,
        incident: str,
        step_id: str,
        note: str | None,
        reason: str | None,
        evidence: dict[str, str],
        at: str | None,
        as_json: bool,
    ) -> int:
        svc = app.incidents()
        event = svc.step(
            incident, action, step_id, note=note, reason=reason, evidence=evidence, at=at
        )
        return _recorded(app, svc, event, as_json)

    return command


step.add_command(_step_command("start", "Mark a step as started."))
step.add_command(
    _step_command("done", "Mark a step done, with the evidence it requires (--evidence KEY=VALUE).")
)
step.add_command(_step_command("skip", "Skip a step; --reason is required."))
step.add_command(
    _step_command("na", "Mark a step not applicable to this incident; --reason is required.")
)


# --- the other lifecycle events ----------------------------------------------------------


class NegativeValues(click.Command):
    """A command whose values may start with a minus and a digit (``set INC eta -5m``
    reaches the ETA's own check, a time in the past, rather than being taken for an
    option ``-5``); any other unknown option is still refused as one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ignore_unknown_options = True

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = {o for p in self.get_params(ctx) for o in (*p.opts, *p.secondary_opts)}
        takes_value = {
            o
            for p in self.get_params(ctx)
            if isinstance(p, click.Option) and not p.is_flag
            for o in p.opts
        }
        # A value such as -3h would otherwise be read as the options -3 and -h (help):
        # hand it to click under a stand-in, and put it back once parsed.
        stand_ins: dict[str, str] = {}
        out: list[str] = []
        for i, arg in enumerate(args):
            if arg == "--":
                out.extend(args[i:])
                break
            name = arg.split("=", 1)[0]
            if arg.startswith("-") and arg != "-" and not arg[1:2].isdigit() and name not in known:
                raise click.NoSuchOption(name, ctx=ctx)
            if arg[:1] == "-" and arg[1:2].isdigit() and (i == 0 or args[i - 1] not in takes_value):
                key = f"\0negative{len(stand_ins)}"
                stand_ins[key] = arg
                out.append(key)
            else:
                out.append(arg)
        rest = super().parse_args(ctx, out)
        for param, value in ctx.params.items():
            if isinstance(value, str) and value in stand_ins:
                ctx.params[param] = stand_ins[value]
        return rest


def _simple(
    name: str,
    doc: str,
    call: Callable[..., Event],
    *params: Callable[[Callable[..., Any]], Callable[..., Any]],
    cls: type[click.Command] = click.Command,
) -> click.Command:
    """A command that records one event through ``call(service, incident, **options)``."""

    def body(app: App, incident: str, as_json: bool, **kwargs: Any) -> int:
        svc = app.incidents()
        return _recorded(app, svc, call(svc, incident, **kwargs), as_json)

    command: Callable[..., Any] = pass_app(body)
    for decorate in reversed(params):
        command = decorate(command)
    command = json_option(command)
    command = INC(command)
    return click.command(name, cls=cls, help=doc)(command)


@click.command("note")
@INC
@click.argument("text", nargs=-1, required=True)
@at_option
@json_option
@pass_app
def note(app: App, incident: str, text: tuple[str, ...], at: str | None, as_json: bool) -> int:
    """Add a note to the incident's log (the words are joined with spaces)."""
    svc = app.incidents()
    return _recorded(app, svc, svc.note(incident, " ".join(text), at=at), as_json)


assign = _simple(
    "assign",
    "Give ROLE (a role id of the runbook: commander, tech, pr...) to NAME.",
    lambda svc, incident, role, name, at: svc.assign(incident, role, name, at=at),
    click.argument("role", metavar="ROLE", shell_complete=complete.roles),
    click.argument("name", metavar="NAME"),
    at_option,
)

severity = _simple(
    "severity",
    "Escalate or de-escalate to tier S (1, sev1, 一级...); --reason is required.",
    lambda svc, incident, tier, reason, at: svc.set_severity(incident, tier, reason=reason, at=at),
    click.argument("tier", metavar="S", shell_complete=complete.severities),
    click.option("--reason", required=True, help="Why the severity changes."),
    at_option,
)

mitigate = _simple(
    "mitigate",
    "Record that the damage has stopped (deadlines anchored on `mitigated` start now).",
    lambda svc, incident, note, at: svc.mitigate(incident, note=note, at=at),
    click.option("--note", help="What stopped the damage."),
    at_option,
)

resolve = _simple(
    "resolve",
    "Record that the incident is resolved (deadlines anchored on `resolved` start now).",
    lambda svc, incident, summary, at: svc.resolve_incident(incident, summary=summary, at=at),
    click.option("--summary", help="One-paragraph summary of what happened."),
    at_option,
)

reopen = _simple(
    "reopen",
    "Reopen a resolved or closed incident; --reason is required.",
    lambda svc, incident, reason, at: svc.reopen(incident, reason=reason, at=at),
    click.option("--reason", required=True, help="Why it is reopened."),
    at_option,
)

close = _simple(
    "close",
    "Close a resolved incident. Refused while required steps are open, unless --force --reason.",
    lambda svc, incident, force, reason, at: svc.close(incident, force=force, reason=reason, at=at),
    click.option(
        "--force", is_flag=True, help="Close even with required steps open (needs --reason)."
    ),
    click.option("--reason", help="Why (required with --force)."),
    at_option,
)

set_ = _simple(
    "set",
    "Set a fact of the incident: scope (affected users/regions), title, or eta: the time "
    "promised to customers, which messages say as {eta} and which is tracked as a deadline "
    "(met if the incident is mitigated by then). TIME is +30m or 30m (from now), HH:MM "
    "(today, or tomorrow once that time has passed), YYYY-MM-DD HH:MM, or ISO 8601; a time "
    "in the past is refused; '' withdraws the ETA. discovered: when the event was "
    "discovered, read like --at (-3h, HH:MM, ISO 8601), never after opening; legal "
    "reporting clocks count from it.",
    lambda svc, incident, field, value, at: svc.update(incident, field, value, at=at),
    click.argument("field", type=click.Choice(["scope", "title", "eta", "discovered"])),
    click.argument("value"),
    at_option,
    cls=NegativeValues,
)

retract = _simple(
    "retract",
    "Retract a mistaken event (by its # in `timeline`); it stays in the log, marked, and stops counting.",
    lambda svc, incident, seq, reason, at: svc.retract(incident, seq, reason=reason, at=at),
    click.argument("seq", type=click.IntRange(min=1), metavar="SEQ"),
    click.option("--reason", required=True, help="Why the event was wrong."),
    at_option,
)
