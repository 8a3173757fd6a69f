"""The ``incidentctl`` command: a click group whose subcommands are imported on first use.

Only the module of the command being run is imported, so ``incidentctl show``
never pays for YAML, JSON Schema or the interactive walk.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from incidentctl import __version__
from incidentctl.cli import complete
from incidentctl.cli.app import JSON_ASKED, App
from incidentctl.errors import IncidentctlError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from incidentctl.errors import Problem

#: name -> "module:attribute", in the order ``--help`` lists them.
COMMANDS: dict[str, str] = {
    "open": "incidentctl.cli.incident_cmd:open_",
    "list": "incidentctl.cli.incident_cmd:list_",
    "show": "incidentctl.cli.incident_cmd:show",
    "timeline": "incidentctl.cli.incident_cmd:timeline",
    "step": "incidentctl.cli.incident_cmd:step",
    "note": "incidentctl.cli.incident_cmd:note",
    "assign": "incidentctl.cli.incident_cmd:assign",
    "severity": "incidentctl.cli.incident_cmd:severity",
    "mitigate": "incidentctl.cli.incident_cmd:mitigate",
    "resolve": "incidentctl.cli.incident_cmd:resolve",
    "reopen": "incidentctl.cli.incident_cmd:reopen",
    "close": "incidentctl.cli.incident_cmd:close",
    "set": "incidentctl.cli.incident_cmd:set_",
    "retract": "incidentctl.cli.incident_cmd:retract",
    "item": "incidentctl.cli.item_cmd:item",
    "deadlines": "incidentctl.cli.deadline_cmd:deadlines",
    "watch": "incidentctl.cli.deadline_cmd:watch",
    "check": "incidentctl.cli.deadline_cmd:check",
    "ack": "incidentctl.cli.ack_cmd:ack",
    "walk": "incidentctl.cli.walk_cmd:walk",
    "comms": "incidentctl.cli.comms_cmd:comms",
    "audit": "incidentctl.cli.audit_cmd:audit",
    # the review (复盘) and what comes after the incident
    "review": "incidentctl.cli.review_cmd:review",
    "action": "incidentctl.cli.review_cmd:action",
    "actions": "incidentctl.cli.review_cmd:actions",
    "postmortem": "incidentctl.cli.review_cmd:postmortem",
    "export": "incidentctl.cli.bundle_cmd:export",
    "import": "incidentctl.cli.bundle_cmd:import_",
    # across incidents
    "report": "incidentctl.cli.report_cmd:report",
    "runbook": "incidentctl.cli.runbook_cmd:runbook",
    "completion": "incidentctl.cli.complete:completion",
    # drills
    "drill": "incidentctl.cli.drill_cmd:drill",
    # the store
    "store": "incidentctl.cli.store_cmd:store",
}

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

#: Every exit code and what it means, as ``incidentctl --help`` ends and word for word as
#: the README's table says (a test compares them).
EXIT_CODES: tuple[tuple[str, str], ...] = (
    ("0", "success (`check`: every deadline on track)"),
    (
        "1",
        "a user error: bad input, invalid runbook, refused action; the message says what and "
        "where (`walk` without a terminal: a line was refused; every other line was still "
        "taken; `show`, `timeline`: the incident's log does not verify, and was printed with "
        "a warning)",
    ),
    ("2", "command-line usage error (unknown option, missing argument)"),
    (
        "3",
        "internal error (a bug); a crash report is written to `$INCIDENTCTL_HOME/crash/` "
        "(private to you; it keeps the command's shape but not the values you typed) and its "
        "path printed",
    ),
    ("4", "`check`: a deadline is due soon"),
    (
        "5",
        "`check`: a deadline is overdue (or, with `check.action_items: page`, an action item); "
        "`drill due`: a runbook is due a drill",
    ),
    (
        "6",
        "`check`: a notice could not be delivered, or the scheduled anchor (`audit.anchor`) "
        "could not be written or posted (whatever else is due); stderr says which and why",
    ),
    ("130", "interrupted (Ctrl-C); nothing already recorded is lost"),
)


class UserError(click.ClickException):
    """An :class:`IncidentctlError` on its way to the terminal."""

    def __init__(self, error: IncidentctlError, lang: str) -> None:
        super().__init__(error.text(lang))
        self.hint = error.hint_text(lang)
        self.lang = lang

    def show(self, file: Any = None) -> None:
        from incidentctl.i18n import t
        from incidentctl.render.safe import clean

        text = clean(self.format_message(), one_line=False)  # it may quote what was typed
        click.echo(t("error", self.lang, text=text), file=file, err=file is None)
        if self.hint:
            hint = clean(self.hint, one_line=False)
            click.echo(t("hint", self.lang, text=hint), file=file, err=file is None)


#: Options of the whole program that may also come after the command
#: (``incidentctl runbook list --lang zh``); each takes a value.
GLOBAL_OPTIONS = ("--home", "--store", "--runbooks", "--lang", "--tz")


def hoist_global_options(args: list[str]) -> list[str]:
    """``args`` with the program's own options moved in front of the command, wherever
    they were given (up to a ``--``, after which everything is an argument)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg in GLOBAL_OPTIONS and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 2
            continue
        if arg.split("=", 1)[0] in GLOBAL_OPTIONS and "=" in arg:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _without_dangling_option(args: list[str]) -> list[str]:
    """A line being completed after an option that waits for its value (``open RUNBOOK
    -s``), without that option: click stops parsing at such an option and leaves the
    arguments before it unread, yet the option's value is offered from them.  What is
    being completed is still read from the whole line."""
    if not args or "--" in args:
        return args
    last = args[-1]
    if last.startswith("-") and last != "-" and last not in GLOBAL_OPTIONS:
        return args[:-1]
    return args


class JsonError(click.ClickException):
    """An error of a command given ``--json``: one line of JSON on stderr, the document of
    ``schemas/output/error.schema.json`` (exit code 1, as for a :class:`UserError`)."""

    def __init__(
        self,
        code: str,
        message: str,
        hint: str | None = None,
        *,
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.hint = hint
        self.problems = problems

    @classmethod
    def of(cls, error: IncidentctlError, lang: str) -> JsonError:
        return cls(error.code, error.text(lang), error.hint_text(lang), problems=error.problems)

    def show(self, file: Any = None) -> None:
        from incidentctl.render.json_reporter import dumps, error_document

        data = error_document(self.code, self.format_message(), self.hint, self.problems)
        click.echo(dumps(data), file=file, err=file is None)


class JsonUsageError(JsonError):
    """A usage error of a command given ``--json`` (exit code 2)."""

    exit_code = EXIT_USAGE


def wants_json(args: Sequence[str]) -> bool:
    """Whether the command line gives ``--json`` among its options, read without running
    the parser (for an error before it got that far): the value of an option that takes
    one is skipped, and ``--`` ends the options."""
    command: click.Command = cli
    words = iter(hoist_global_options(list(args)))
    for arg in words:
        if arg == "--":
            return False
        if arg == "--json":
            return True
        if arg.startswith("-"):
            option = next((p for p in command.params if arg in p.opts), None)
            if isinstance(option, click.Option) and not option.is_flag and not option.count:
                next(words, None)
        elif isinstance(command, click.Group):
            command = command.get_command(click.Context(command), arg) or command
    return False


def _json_asked(ctx: click.Context) -> bool:
    """Whether the command line asked for ``--json``: as the command's parser found, or,
    for an error before it got that far, as :func:`wants_json` tells."""
    asked = ctx.meta.get(JSON_ASKED)
    return asked if isinstance(asked, bool) else wants_json(ctx.meta.get(_ARGV, ()))


def usage_error(exc: click.ClickException, lang: str) -> JsonError:
    """Click's own error (a missing argument, an unknown option, a bad value) as a
    :class:`JsonError`, said in ``lang`` where its parts are known."""
    from incidentctl.i18n import t

    ctx: click.Context | None = getattr(exc, "ctx", None)
    hint = t("cli.usage_hint", lang, command=f"{ctx.command_path} --help") if ctx else None

    def usage(code: str, message: str) -> JsonError:
        return JsonUsageError(f"usage.{code}", message, hint)

    def named(e: click.BadParameter) -> str:
        if isinstance(e.param_hint, str):
            return e.param_hint
        if e.param_hint is not None:
            return " / ".join(e.param_hint)
        return e.param.get_error_hint(e.ctx) if e.param is not None and e.ctx else "?"

    def near(possibilities: Sequence[str]) -> str:
        return t("err.did_you_mean", lang, close=possibilities[0]) if possibilities else ""

    if isinstance(exc, click.MissingParameter):
        kind = "option" if isinstance(exc.param, click.Option) else "argument"
        return usage(f"missing_{kind}", t(f"cli.missing_{kind}", lang, name=named(exc)))
    if isinstance(exc, click.BadParameter):
        return usage("bad_value", t("cli.bad_value", lang, name=named(exc), detail=exc.message))
    if isinstance(exc, click.NoSuchOption):
        close = near(exc.possibilities or [])
        return usage(
            "no_such_option", t("cli.no_such_option", lang, name=exc.option_name, near=close)
        )
    if type(exc).__name__ == "NoSuchCommand":  # click 8.2 and later
        name = getattr(exc, "command_name", "")
        possible = getattr(exc, "possibilities", [])
        return usage(
            "no_such_command", t("cli.no_such_command", lang, name=name, near=near(possible))
        )
    if isinstance(exc, click.BadOptionUsage):
        return usage("bad_option", exc.format_message())
    if isinstance(exc, click.BadArgumentUsage):
        return usage("bad_argument", exc.format_message())
    if isinstance(exc, click.UsageError):
        return usage("error", exc.format_message())
    return JsonError("error", exc.format_message())


#: Where :class:`LazyGroup` keeps the command line it was given, in the context's ``meta``.
_ARGV = "incidentctl.argv"


class LazyGroup(click.Group):
    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        if ctx.parent is None:  # the program's own help ends with its exit codes
            with formatter.section("Exit codes"):
                formatter.write_dl(list(EXIT_CODES))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *(n for n in super().list_commands(ctx) if n not in self.lazy)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attr = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attr)
            if not isinstance(command, click.Command):  # pragma: no cover - programming error
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = hoist_global_options(args)
        if ctx.resilient_parsing:  # completing (or reading the options for an error)
            args = _without_dangling_option(args)
        if ctx.parent is None:
            ctx.meta[_ARGV] = list(args)
        try:
            return super().parse_args(ctx, args)
        except click.ClickException as exc:
            if isinstance(exc, JsonError) or ctx.resilient_parsing or not _json_asked(ctx):
                raise
            raise usage_error(exc, _reader_lang(ctx.meta[_ARGV])) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            rv = super().invoke(ctx)
        except IncidentctlError as exc:
            app = ctx.find_object(App)
            lang = app.lang if app is not None else "en"
            if _json_asked(ctx):
                raise JsonError.of(exc, lang) from exc
            raise UserError(exc, lang) from exc
        except click.ClickException as exc:  # a usage error of a command, or of a callback
            if not _json_asked(ctx):
                raise
            app = ctx.find_object(App)
            raise usage_error(exc, app.lang if app is not None else "en") from exc
        if isinstance(rv, int) and not isinstance(rv, bool) and rv != 0:
            ctx.exit(rv)  # commands return their exit code; click would drop it
        return rv


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="incidentctl")
@click.option(
    "--home",
    metavar="DIR",
    shell_complete=complete.directories,
    help="Store location (default: $INCIDENTCTL_HOME, else ~/.local/share/incidentctl).",
)
@click.option(
    "--store",
    metavar="URL",
    help="Where incidents are kept: sqlite:///PATH or postgresql://... (default: "
    "$INCIDENTCTL_STORE, else `store:` in config.yaml, else the SQLite file in the home).",
)
@click.option(
    "--runbooks",
    "runbooks_dir",
    metavar="DIR",
    shell_complete=complete.directories,
    help="Runbook directory (default: $INCIDENTCTL_RUNBOOKS, else ./runbooks, else the shipped runbooks).",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    help="Language of runbook text and labels (default: $INCIDENTCTL_LANG, else the locale).",
)
@click.option(
    "--tz",
    metavar="ZONE",
    help="Time zone for display and input (default: $TZ, else the system zone).",
)
@click.option(
    "--by",
    "actor",
    metavar="NAME",
    help="Who is acting (default: $INCIDENTCTL_USER, else the OS user).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    home: str | None,
    store: str | None,
    runbooks_dir: str | None,
    lang: str | None,
    tz: str | None,
    actor: str | None,
) -> None:
    """incidentctl: incident response for e-commerce platforms (电商应急处理).

    Runbooks as code, an append-only tamper-evident incident log, tiered
    deadlines, drills and post-mortems.  Run `incidentctl COMMAND --help` for
    any command; the exit codes are listed below.
    """
    if not isinstance(ctx.obj, App):
        ctx.obj = App(home=home, store=store, runbooks=runbooks_dir, lang=lang, tz=tz, actor=actor)
    else:  # tests pass a prepared App (fake clock); command-line options still apply
        ctx.obj.apply(home=home, store=store, runbooks=runbooks_dir, lang=lang, tz=tz, actor=actor)
    ctx.call_on_close(ctx.obj.close)
    if not lang:
        from incidentctl.i18n import LANGS, t, unsupported_env_lang

        # Said, not refused: the variable may be set for every program on the machine,
        # and a cron job must not stop over the language of its output.
        value = unsupported_env_lang()
        if value is not None:
            from incidentctl.render.safe import clean

            said = t("warn.lang_env", ctx.obj.lang, value=clean(value), langs=list(LANGS))
            click.echo(said, err=True)


#: Crash reports kept in a home's ``crash/`` directory; older ones are removed.
CRASH_REPORTS_KEPT = 20


def _shape(argv: list[str]) -> list[str]:
    """The command line as a crash report keeps it: command names and option names, and
    for every value only its length (titles and notes may hold personal data)."""
    out = []
    for arg in argv:
        name = arg.split("=", 1)[0]
        if arg in COMMANDS or (arg.startswith("-") and name.lstrip("-").replace("-", "").isalnum()):
            out.append(name + ("=<...>" if "=" in arg else ""))
        else:
            out.append(f"<{len(arg)} chars>")
    return out


def _crash_report(argv: list[str] | None) -> str | None:
    """Write what went wrong to ``<home>/crash/``, privately and without following anything
    another user could have planted; the path, or ``None`` if it could not be written."""
    import traceback
    from datetime import datetime

    from incidentctl.paths import check_private, home_dir

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with cli.make_context("incidentctl", list(args), resilient_parsing=True) as ctx:
            home_option = ctx.params.get("home")
    except Exception:
        home_option = None
    try:
        home = home_dir(home_option if isinstance(home_option, str) else None)
        check_private(home, what="home")
        directory = home / "crash"
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        check_private(directory, what="home")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = directory / f"crash-{stamp}-{os.getpid()}-{os.urandom(3).hex()}.log"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(f"incidentctl {__version__}, Python {sys.version.split()[0]}\n")
            fh.write(f"argv: {_shape(args)!r}\n\n")
            fh.write(traceback.format_exc())
        reports = sorted(directory.glob("crash-*.log"))
        for old in reports[:-CRASH_REPORTS_KEPT]:
            old.unlink(missing_ok=True)
    except (OSError, IncidentctlError):
        return None
    return str(path)


def _bad_argument(argv: list[str] | None) -> tuple[str, str] | None:
    """The first argument or setting that cannot be used as text: not valid UTF-8 (Python
    hands such bytes over as lone surrogates, which nothing downstream can store) or holding
    a NUL (no file name or C string can); where it is, and the catalogue key saying why."""
    args = list(sys.argv[1:] if argv is None else argv)
    named = [(f"#{n}", a) for n, a in enumerate(args, 1)]
    named += [
        (f"${var}", os.environ[var])
        for var in (
            "INCIDENTCTL_HOME",
            "INCIDENTCTL_STORE",
            "INCIDENTCTL_RUNBOOKS",
            "INCIDENTCTL_USER",
            "INCIDENTCTL_LANG",
            "TZ",
        )
        if var in os.environ
    ]
    for where, value in named:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            shown = value.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            return f"{where}: {shown}", "cli.not_utf8"
        if "\0" in value:
            return where, "cli.nul"
    return None


def _reader_lang(argv: list[str] | None) -> str:
    """The reader's language once the command is over: ``--lang`` as the command line
    gives it, else the environment's."""
    from incidentctl.i18n import detect_lang

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with cli.make_context("incidentctl", args, resilient_parsing=True) as ctx:
            lang = ctx.params.get("lang")
    except Exception:
        lang = None
    return detect_lang(lang if isinstance(lang, str) else None)


def main(argv: list[str] | None = None) -> NoReturn:
    """Console entry point: run the CLI and map every outcome to an exit code."""
    code: int
    instruction = os.environ.get(complete.COMPLETE_VAR)
    if instruction:  # the shell asks for completions (or for its script)
        sys.exit(complete.respond(cli, instruction))
    args = sys.argv[1:] if argv is None else argv
    bad = _bad_argument(argv)
    if bad is not None:
        from incidentctl.i18n import t

        lang = _reader_lang(argv)
        if wants_json(args):
            JsonError(bad[1], t(bad[1], lang, where=bad[0])).show()
        else:
            click.echo(t("error", lang, text=t(bad[1], lang, where=bad[0])), err=True)
        sys.exit(EXIT_USER_ERROR)
    try:
        result = cli.main(args=argv, prog_name="incidentctl", standalone_mode=False)
        code = result if isinstance(result, int) else EXIT_OK
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        from incidentctl.i18n import t

        said = t("cli.interrupted", _reader_lang(argv))
        if wants_json(args):
            click.echo(err=True)  # off the line where the terminal echoed ^C
            JsonError("interrupted", said).show()
        else:
            click.echo("\n" + said, err=True)
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth reporting.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_OK
    except Exception as exc:
        from incidentctl.i18n import t

        path = _crash_report(argv)
        lang = _reader_lang(argv)
        error = f"{type(exc).__name__}: {exc}"
        details = path or t("cli.no_crash_report", lang)
        said = t("cli.internal_error", lang, error=error)
        if wants_json(args):
            JsonError("internal", said, t("cli.bug", lang, details=details)).show()
        else:
            click.echo(said, err=True)
            click.echo(t("cli.bug", lang, details=details), err=True)
        code = EXIT_INTERNAL
    sys.exit(code)
