"""Shell completion: what Tab offers for each argument and option, and the ``completion``
command that prints the script a shell sources.

Click asks a parameter's ``shell_complete`` for the word under the cursor (see
:func:`respond`).  The answers come from the store, opened read-only (nothing is created,
migrated or written), and from the runbooks in use, with ``--home``, ``--runbooks`` and
``--lang`` as given on the same line.  Tab is pressed often and expects an answer at
once, and only completions may reach the terminal: whatever cannot be read (no store yet,
a foreign or damaged one, a broken runbook) offers nothing, silently.

The command modules import this one for its callbacks, so it imports nothing of the
store or the runbooks until Tab is pressed.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from click.shell_completion import CompletionItem

    from incidentctl.cli.app import App
    from incidentctl.runbooks.model import Runbook, Text
    from incidentctl.store.base import IncidentRow, Store

    Found = Iterable[tuple[str, "str | Text | None"]]
    Callback = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]

PROG = "incidentctl"
#: The variable through which a shell asks for completions (click's convention).
COMPLETE_VAR = "_INCIDENTCTL_COMPLETE"
#: Shells whose scripts ``incidentctl completion`` prints.
SHELLS = ("bash", "zsh", "fish")

#: What a completion may be: a word a shell takes as it is (no space, quote, glob or
#: variable), as every id, number and tier is.  Anything else read from a store is dropped.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+=-]*")


def respond(cli: click.Command, instruction: str) -> int:
    """Answer ``$_INCIDENTCTL_COMPLETE``: ``SHELL_source`` prints the shell's script,
    ``SHELL_complete`` the completions of the line the shell passes in ``COMP_WORDS``.
    While completing, stderr is silenced and a failure answers nothing: a traceback or a
    warning in the middle of the user's line would be worse than no completion."""
    from click.shell_completion import shell_complete

    _register_shells()
    if not instruction.endswith("_complete"):
        return shell_complete(cli, {}, PROG, COMPLETE_VAR, instruction)
    saved = sys.stderr
    try:
        with open(os.devnull, "w", encoding="utf-8") as quiet:
            sys.stderr = quiet
            return shell_complete(cli, {}, PROG, COMPLETE_VAR, instruction)
    except KeyboardInterrupt:
        return 130
    except Exception:
        return 1
    finally:
        sys.stderr = saved


def _register_shells() -> None:
    """click's shell scripts, but for bash, which leaves no space after a completion ending
    in ``=`` (``--evidence KEY=``), so that the value is typed straight after it (fish
    does so by itself)."""
    from click.shell_completion import BashComplete, add_completion_class

    class Bash(BashComplete):
        source_template = BashComplete.source_template.replace(
            "            COMPREPLY+=($value)\n",
            "            COMPREPLY+=($value)\n"
            "            [[ $value == *= ]] && compopt -o nospace\n",
        )

    add_completion_class(Bash, "bash")


# --- where answers come from -----------------------------------------------------------

#: Where the App built for one completion is kept, in the root context's ``meta``.
_APP = "incidentctl.complete.app"


def _app(ctx: click.Context) -> App:
    """The program's settings as the line gives them: click parses the options of the whole
    line before asking for completions, but runs no command, so no App is built yet."""
    from incidentctl.cli.app import App

    root = ctx.find_root()
    app = root.meta.get(_APP)
    if not isinstance(app, App):
        p = root.params
        options = {"home": p.get("home"), "runbooks": p.get("runbooks_dir"), "lang": p.get("lang")}
        if isinstance(root.obj, App):  # one prepared by a caller (tests)
            app = root.obj
            app.apply(**options)
        else:
            app = App(**options)
        root.meta[_APP] = app
    return app


def _store(ctx: click.Context) -> Store | None:
    return _app(ctx).read_only_store()


def _incident(ctx: click.Context) -> tuple[Store, IncidentRow, Runbook] | None:
    """The store, the incident named earlier on the line and its pinned runbook."""
    from incidentctl.incidents import suggest

    ref = ctx.params.get("incident")
    store = _store(ctx) if isinstance(ref, str) else None
    found = suggest.pinned(store, ref) if store is not None and isinstance(ref, str) else None
    return (store, *found) if store is not None and found is not None else None


def _items(found: Found, incomplete: str, lang: str, *, prefixed: bool) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    from incidentctl.render.safe import clean

    items = []
    for value, about in found:
        if not _PLAIN.fullmatch(value) or (prefixed and not value.startswith(incomplete)):
            continue
        text = about if isinstance(about, str) or about is None else about.get(lang)
        items.append(CompletionItem(value, help=clean(text) if text else None))
    return items


def _completer(
    find: Callable[[click.Context, click.Parameter, str], Found], *, prefixed: bool = True
) -> Callback:
    """A ``shell_complete`` callback from ``find(ctx, param, incomplete)``, which lists
    ``(value, help)``: values not starting with what was typed are dropped (unless
    ``find`` matched them itself), and help is said in ``--lang`` and made safe to show.
    A failure is :func:`respond`'s to silence."""

    def callback(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        found = find(ctx, param, incomplete)
        return _items(found, incomplete, _app(ctx).lang, prefixed=prefixed)

    return callback


# --- what is offered --------------------------------------------------------------------


def _incidents(ctx: click.Context, param: click.Parameter, incomplete: str) -> Found:
    from incidentctl.i18n import t
    from incidentctl.incidents import suggest

    store = _store(ctx)
    if store is None:
        return []
    given = ctx.params.get(param.name or "")
    named = given if isinstance(given, (tuple, list)) else ()
    exclude = {i for ref in named for i in store.match_ids(ref)[:1]}
    lang = _app(ctx).lang

    def about(row: IncidentRow) -> str:
        if row.status == "open":
            return row.title
        return f"{row.title} ({t(f'status.{row.status}', lang)})"

    found = suggest.incident_refs(store, incomplete, exclude=exclude)
    return [(value, about(row)) for value, row in found]


#: An incident: its number or its id, open ones first, its title as help.
incidents = _completer(_incidents, prefixed=False)


def _is_path(text: str) -> bool:
    return text.startswith((".", "~")) or "/" in text or text.endswith((".yaml", ".yml"))


def _runbooks(ctx: click.Context, param: click.Parameter, incomplete: str) -> Found:
    app = _app(ctx)
    return [(rb.id, rb.title) for _, rb in app.runbook_dir.listing().runbooks]


_runbook_ids = _completer(_runbooks)


def runbooks(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """A runbook id of the runbooks in use, or, once the word looks like a path, a file."""
    if _is_path(incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(incomplete, type="file")]
    return _runbook_ids(ctx, param, incomplete)


def _tier_values(tiers: list[tuple[str, Text]], incomplete: str) -> Found:
    """Tiers as typed: ``sev1``, or ``1`` once a digit was typed."""
    if incomplete[:1].isdecimal():
        return [(tier.removeprefix("sev"), name) for tier, name in tiers]
    return tiers


def runbook_tiers(argument: str) -> Callback:
    """The tiers of the runbook given earlier on the line as the argument ``argument``."""

    def find(ctx: click.Context, param: click.Parameter, incomplete: str) -> Found:
        from incidentctl.incidents import suggest

        ref = ctx.params.get(argument)
        if not isinstance(ref, str):
            return []
        runbook = _app(ctx).runbook_dir.find(ref)
        return _tier_values(suggest.tiers(runbook), incomplete)

    return _completer(find)


def _severity(ctx: click.Context, param: click.Parameter, incomplete: str) -> Found:
    from incidentctl.incidents import suggest

    found = _incident(ctx)
    if found is None:
        return []
    _, row, runbook = found
    return _tier_values(suggest.tiers(runbook, besides=row.severity), incomplete)


#: A tier of the incident's pinned runbook, but the one it is at.
severities = _completer(_severity)


def _steps(ctx: click.Context, param: click.Parameter, incomplete: str) -> Found:
    from incidentctl.incidents import suggest

    found = _incident(ctx)
    if found is None or ctx.command.name is None:
        return []
    return suggest.steps(*found, action=ctx.command.name)


#: A step of the incident's pinned runbook that ``step ACTION`` would accept now.
steps = _completer(_steps)


def _evidence(ctx: click.Context, param: click.Parameter, incomplete: str) -> Found:
    from incidentctl.incidents import suggest

    step_id = ctx.params.get("step_id")
    if "=" in incomplete or not isinstance(step_id, str):
        return []  # a value is being typed, or the step is not named yet
    found = _incident(ctx)
    if found is None:
        return []
    given = ctx.params.get("evidence")
    keys = given.keys() if isinstance(given, dict) else ()
    return [(f"{key}=", label) for key, label in suggest.evidence(found[2], step_id, keys)]


#: ``KEY=`` for each piece of evidence the step records and the line does not give yet.
evidence_keys = _completer(_evidence)


def _roles(ctx: click.Context, param: click.Parameter, incomplete: str) -> Found:
    from incidentctl.incidents import suggest

    found = _incident(ctx)
    return suggest.roles(found[2]) if found is not None else []


roles = _completer(_roles)


def _templates(ctx: click.Context, param: click.Parameter, incomplete: str) -> Found:
    from incidentctl.incidents import suggest

    found = _incident(ctx)
    return suggest.templates(found[2]) if found is not None else []


templates = _completer(_templates)


def directories(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Let the shell complete a directory name itself."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="dir")]


# --- the command ----------------------------------------------------------------------


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the script that makes SHELL complete incidentctl with Tab: commands and
    options, incidents (open ones first, titles shown where the shell shows help),
    runbooks, steps, roles, templates, tiers and evidence keys.

    \b
      bash:  eval "$(incidentctl completion bash)"    in ~/.bashrc
      zsh:   eval "$(incidentctl completion zsh)"     in ~/.zshrc
      fish:  incidentctl completion fish > ~/.config/fish/completions/incidentctl.fish

    Completion reads the store without ever creating or changing it, and follows
    --home, --runbooks and --lang given on the line.
    """
    from click.shell_completion import get_completion_class

    _register_shells()
    cls = get_completion_class(shell)
    assert cls is not None  # one of SHELLS, which click has
    click.echo(cls(ctx.find_root().command, {}, PROG, COMPLETE_VAR).source(), nl=False)
