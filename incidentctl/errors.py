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


#: Catalogue keys that frame a list of problems rather than say what went wrong.
_FRAMES = frozenset(
    ("err.document.invalid", "err.document.one_more", "err.document.more", "err.clauses")
)


class IncidentctlError(Exception):
    """A user-facing failure: bad input, a refused action, a missing thing (exit code 1)."""

    #: The :attr:`code` of an error whose message is not a catalogue entry of its own.
    default_code = "error"
    #: Every problem found in a document, when the error is about one.
    problems: Sequence[Problem] = ()

    def __init__(self, message: str | Msg, *, hint: str | Msg | None = None) -> None:
        super().__init__(str(message))
        self.what = message
        self.why_not = hint

    @property
    def code(self) -> str:
        """What went wrong, for programs (``--json`` errors): the catalogue key of the
        message without ``err.`` (``incident.no_match``), else :attr:`default_code`."""
        what = self.what
        if isinstance(what, Msg) and what.key.startswith("err.") and what.key not in _FRAMES:
            return what.key.removeprefix("err.")
        return self.default_code

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


class DocumentError(IncidentctlError):
    """A YAML document (runbook, config, calendar...) could not be loaded or is invalid;
    ``problems`` holds every problem found, sorted by place."""

    default_code = "document.invalid"

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

    default_code = "runbook.invalid"


class RunbookNotFound(IncidentctlError):
    default_code = "runbook.not_found"


class IncidentNotFound(IncidentctlError):
    default_code = "incident.not_found"


class AmbiguousIncident(IncidentctlError):
    default_code = "incident.ambiguous"


class InvalidAction(IncidentctlError):
    """The incident's current state does not allow the requested action."""

    default_code = "action.refused"


class StepNotApplicable(InvalidAction):
    default_code = "step.not_for_tier"


class UnknownStep(IncidentctlError):
    default_code = "step.unknown"


class InvalidInput(IncidentctlError):
    """A value given on the command line (time, duration, severity...) is malformed."""

    default_code = "input.invalid"


class StoreError(IncidentctlError):
    """The incident store is missing, corrupt, foreign or too new."""

    default_code = "store.unusable"


class UnsafePath(IncidentctlError):
    """The home, its config or its store could have been written by someone else."""

    default_code = "unsafe.path"


class ConfigError(IncidentctlError):
    """The home's config or calendar is invalid; ``problems`` as for a :class:`DocumentError`
    when it is one."""

    default_code = "config.invalid"

    def __init__(
        self,
        message: str | Msg,
        *,
        hint: str | Msg | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message, hint=hint)
        self.problems = sorted(problems)


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
