"""Typed errors raised by the library.

The CLI turns every :class:`IncidentctlError` into one clear line on stderr
(and a hint under it), in the reader's language, with exit code 1; anything
else is a bug (exit 3).  An error says what went wrong as a
:class:`~incidentctl.i18n.Msg` from the catalogue, or as literal text when
the text is data (a problem located in a file, a message from the system).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from incidentctl.i18n import Msg, msg, say

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


class IncidentctlError(Exception):
    """A user-facing failure: bad input, a refused action, a missing thing (exit code 1)."""

    def __init__(self, message: str | Msg, *, hint: str | Msg | None = None) -> None:
        super().__init__(str(message))
        self.what = message
        self.why_not = hint

    @property
    def message(self) -> str:
        """The message in English."""
        return say(self.what, "en")

    @property
    def hint(self) -> str | None:
        """The hint in English, if there is one."""
        return None if self.why_not is None else say(self.why_not, "en")

    def text(self, lang: str) -> str:
        return say(self.what, lang)

    def hint_text(self, lang: str) -> str | None:
        return None if self.why_not is None else say(self.why_not, lang)

    def __str__(self) -> str:
        return self.message


class Problem(NamedTuple):
    """One problem in a file, located at the YAML node that caused it."""

    file: str
    line: int  # 1-based
    column: int  # 1-based
    path: str  # e.g. ``phases[1].steps[3].due.sev1`` ("" for the whole document)
    message: str

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }


class DocumentError(IncidentctlError):
    """A YAML document (runbook, config, calendar...) could not be loaded or is invalid;
    ``problems`` holds every problem found, sorted by place."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems)
        if not self.problems:
            super().__init__(msg("err.document.invalid"))
            return
        first = self.problems[0].format()
        more = len(self.problems) - 1
        if more == 0:
            super().__init__(first)
        elif more == 1:
            super().__init__(msg("err.document.one_more", first=first))
        else:
            super().__init__(msg("err.document.more", first=first, n=more))


class RunbookError(DocumentError):
    """A runbook file could not be loaded or is invalid."""


class RunbookNotFound(IncidentctlError):
    pass


class IncidentNotFound(IncidentctlError):
    pass


class AmbiguousIncident(IncidentctlError):
    pass


class InvalidAction(IncidentctlError):
    """The incident's current state does not allow the requested action."""


class StepNotApplicable(InvalidAction):
    pass


class UnknownStep(IncidentctlError):
    pass


class InvalidInput(IncidentctlError):
    """A value given on the command line (time, duration, severity...) is malformed."""


class StoreError(IncidentctlError):
    """The incident store is missing, corrupt, foreign or too new."""


class UnsafePath(IncidentctlError):
    """The home, its config or its store could have been written by someone else."""


class ConfigError(IncidentctlError):
    pass


def nearest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to a mistyped ``word``, for a "did you mean" hint."""
    import difflib  # only on the error path

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> Msg | str:
    """`` (did you mean 'x'?)`` after a mistyped ``word``, or nothing if no candidate is close."""
    close = nearest(word, candidates, cutoff)
    return msg("err.did_you_mean", close=close) if close else ""


def clauses(parts: Sequence[str | Msg]) -> str | Msg:
    """``a; b; c`` in the reader's language (``a；b；c`` in Chinese)."""
    joined: str | Msg = parts[-1] if parts else ""
    for part in reversed(parts[:-1]):
        joined = msg("err.clauses", first=part, rest=joined)
    return joined
