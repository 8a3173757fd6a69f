"""``incidentctl walk``."""

from __future__ import annotations

import click

from incidentctl.cli.app import App, by_option, pass_app


@click.command("walk")
@click.argument("incident", metavar="INC")
@by_option
@pass_app
def walk(app: App, incident: str) -> int:
    """Walk an incident's checklist, one step at a time: the on-call lead's main screen.

    Shows the incident, the next step to act on (overdue steps first) with its
    owner, deadline and instructions, and reminds you of the next status update.
    Steps carry the same numbers in the header, in the list and for jump.
    Single keys act on the step: d done (asks for its evidence), s skip, n n/a
    (both ask for a reason), t note, a assign, v severity, c send the step's
    message, m mitigated, j jump, b back, l list, q quit, ? help; Enter
    redraws.  m, v and resolving first show exactly what they will record (the
    incident, the change, the tier from -> to) and record it only on y.  Every
    action is
    recorded at once; `walk` again resumes at the first open step.  Without a
    terminal, each answer is read as a line from stdin.
    """
    import sys

    from incidentctl.cli.walk import Walker, WalkIO

    tty = sys.stdin.isatty() and sys.stdout.isatty()
    return Walker(app, incident, WalkIO(tty)).run()
