"""Results, then reporters: one text and one JSON rendering of every command's result.

A command computes a result object (an :class:`~incidentctl.deadlines.IncidentPage`,
a :class:`~incidentctl.deadlines.monitor.CheckResult`...) and hands it to
:func:`report`, which picks the reporter by name (``text`` or ``json``) and
the method by the result's type.  Commands never branch on the output
format; post-mortems and reports add their own formats the same way.

Each method imports what it renders with, so a command pays only for its
own output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import tzinfo

    from incidentctl.render.style import Style


class Out(Protocol):
    """Where a reporter writes, and how the reader reads."""

    lang: str

    @property
    def zone(self) -> tzinfo: ...

    @property
    def style(self) -> Style: ...

    @property
    def width(self) -> int: ...

    def echo(self, text: str = "", *, err: bool = False) -> None: ...


class Reporter:
    """Renders results to an :class:`Out`; subclasses have one method per result type,
    named after it."""

    def __init__(self, out: Out) -> None:
        self.out = out

    def report(self, result: object) -> None:
        method: Callable[[Any], None] | None = getattr(self, type(result).__name__, None)
        if method is None:  # pragma: no cover - a programming error
            raise TypeError(f"{type(self).__name__} cannot render {type(result).__name__}")
        method(result)


#: Each format's reporter, imported when it is asked for: a text command never loads JSON's.
REPORTER_BY_NAME: dict[str, str] = {
    "text": "incidentctl.render.text_reporter:TextReporter",
    "json": "incidentctl.render.json_reporter:JsonReporter",
}


def report(result: object, out: Out, fmt: str = "text") -> int:
    """Render ``result`` with the reporter named ``fmt``; the exit code the result calls for."""
    import importlib

    module, name = REPORTER_BY_NAME[fmt].split(":")
    reporter: type[Reporter] = getattr(importlib.import_module(module), name)
    reporter(out).report(result)
    code = getattr(result, "exit_code", 0)
    return code if isinstance(code, int) else 0
