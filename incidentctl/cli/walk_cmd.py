"""``incidentctl walk``."""

from __future__ import annotations

import click

from incidentctl.cli import complete
from incidentctl.cli.app import App, by_option, pass_app


@click.command("walk")
@click.argument("incident", metavar="INC", shell_complete=complete.incidents)
@by_option
@pass_app
def walk(app: App, incident: str) -> int:
    """Walk an incident's checklist, one step at a time: the on-call lead's main screen.

    Shows the incident, the next step to act on (overdue steps first) with its
    owner, deadline and instructions, and reminds you of the next status update.
    Steps carry the same numbers in the header, in the list and for jump.  Every
    action is recorded at once; `walk` again resumes at the first open step.

    On a terminal, single keys act on the step: d done (asks for its evidence),
    s skip, n n/a (both ask for a reason), t note, a assign, v severity, c send
    the step's message, m mitigated, j jump, b back, l list, q quit, ? help;
    Enter redraws, and so does someone else's change while the walk waits for
    a key.  m, v and resolving first show exactly what they will record
    (the incident, the change, the tier from -> to) and record it only on y.

    Without a terminal (scripts, pipes), each line of stdin is one whole action
    and nothing is asked:

    \b
      done [STEP] [ID=VALUE]...  STEP (default: the step on screen) done, with its evidence
      skip STEP REASON...        skip STEP; the rest of the line is the reason
      na STEP REASON...          mark STEP n/a; the rest of the line is the reason
      note TEXT...               a note: the rest of the line
      assign ROLE NAME...        ROLE (id or number) is held by NAME
      severity TIER REASON...    move to TIER (2, sev2 or 二级); the reason is required
      mitigate                   the incident is mitigated
      resolve [SUMMARY...]       the incident is resolved; the rest of the line is the summary
      comms TEMPLATE [channel=C] [eta=TIME] [NAME=VALUE]...
                                 record TEMPLATE as sent, filled with the live facts and
                                 the values given; eta=TIME first commits to TIME
      jump STEP                  show STEP next
      back                       show the step numbered before the one on screen
      list                       print the whole checklist, numbered
      quit                       stop; lines after it are not read

    STEP is a step's id or its number in the checklist.  A value holding spaces
    is quoted as in a shell: affected="约 1200 位用户".  Blank lines and lines
    starting with # are skipped.  Each line is read whole before anything is
    recorded: a line that does not parse (an unknown word, a step, role, tier or
    template the runbook does not have, evidence or a reason left out, words
    where none belong), or that the incident refuses (a step already done, say),
    records nothing, is reported on stderr as "line N: ...", and the walk goes
    on with the next line.  The exit code is 0 if no line was refused, 1 if any
    was.
    """
    import sys

    from incidentctl.cli.walk import Walker, WalkIO

    tty = sys.stdin.isatty() and sys.stdout.isatty()
    return Walker(app, incident, WalkIO(tty)).run()
