"""Files a command reads or writes for the reader: text to standard output or to a file
(replaced whole), files read with a clear error, the home's anchor file."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from incidentctl.cli.app import App


def home_anchors(app: App) -> list[dict[str, object]]:
    """The anchors of the home's own anchor file (``audit anchor`` without ``--to``), if any."""
    import os

    from incidentctl.incidents.anchors import read_anchors

    path = os.path.join(app.home, "anchors.jsonl")
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return read_anchors(fh.read(), path)


def read_file(path: str) -> str:
    from incidentctl.errors import InvalidInput
    from incidentctl.i18n import msg

    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInput(msg("err.review.unreadable", path=path, problem=problem)) from None


def write_out(text: str, output: str | None, *, json_text: bool = False) -> None:
    """``text`` to standard output, or to ``output`` (replaced whole, never half written).
    On a terminal, what people typed is made harmless first (control characters shown
    as escapes); a file or a pipe gets the true text."""
    if output is None or output == "-":
        import sys

        if sys.stdout.isatty():
            from incidentctl.render.safe import clean, visible_json

            text = visible_json(text) if json_text else clean(text, one_line=False)
        click.echo(text, nl=False)
        return
    import os

    from incidentctl.errors import InvalidInput
    from incidentctl.i18n import msg

    tmp = f"{output}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InvalidInput(
            msg("err.output.write", path=output, problem=exc.strerror or str(exc))
        ) from None
