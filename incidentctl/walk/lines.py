"""Walk actions written as lines: what a walk reads when there is no terminal.

Each line is one action, written out whole, beginning with a word::

    done [STEP] [ID=VALUE]...     the step on screen, or STEP, done with its evidence
    skip STEP REASON...           skip STEP; the rest of the line is the reason
    na STEP REASON...             mark STEP n/a; the rest of the line is the reason
    note TEXT...                  a note: the rest of the line, as written
    assign ROLE NAME...           ROLE (id or number) is held by NAME, the rest of the line
    severity TIER REASON...       TIER (2, sev2, 二级); the rest of the line is the reason
    mitigate                      the incident is mitigated
    resolve [SUMMARY...]          the incident is resolved; the rest of the line is the summary
    comms TEMPLATE [channel=C] [eta=TIME] [NAME=VALUE]...
                                  record TEMPLATE as sent, filled with the live facts and
                                  the values given; eta=TIME first commits to TIME
    jump STEP                     show STEP next
    back                          show the step numbered before the one on screen
    list                          show the whole checklist, numbered
    quit                          stop reading (the rest of the input is left unread)

STEP is a step's id or its number in the checklist (the number on screen).
ID=VALUE and NAME=VALUE pairs are separated by spaces; a value holding spaces is
quoted as in a shell (``affected="约 1200 位用户"``).  Blank lines and lines
starting with ``#`` are skipped.

:func:`parse_line` reads a line against the screen it is read on (the step on
screen, the checklist's numbers, the runbook's steps, evidence, roles, tiers and
templates) and says what it means, an :mod:`~incidentctl.walk.intents` intent,
or why it means nothing the walk can do (a :class:`Refusal`).  It reads no
input and records nothing; the walk records an intent with
:meth:`~incidentctl.walk.controller.Walk.perform`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from incidentctl.errors import IncidentctlError, clauses, did_you_mean, nearest
from incidentctl.i18n import Msg, msg
from incidentctl.incidents.state import checklist_steps
from incidentctl.walk import intents as it
from incidentctl.walk.controller import KEYS, pick

if TYPE_CHECKING:
    from collections.abc import Callable

    from incidentctl.runbooks.model import Step
    from incidentctl.walk.controller import Screen

#: The pairs of ``comms`` that say where and when, not what the message says.
CHANNEL = "channel"
ETA = "eta"


class Refusal(NamedTuple):
    """Why a line means nothing the walk can do: nothing is recorded from it."""

    reason: Msg | str


class _Refused(Exception):
    def __init__(self, reason: Msg | str) -> None:
        super().__init__(str(reason))
        self.reason = reason


def parse_line(line: str, screen: Screen) -> it.Intent | Refusal | None:
    """What ``line`` means on ``screen``: an intent, a :class:`Refusal` saying why it
    means nothing the walk can do, or ``None`` for a blank line or a ``#`` comment.

    The whole line is read before anything is decided: a verb it does not know, a
    step, role, tier or template the runbook does not have, a reason or evidence
    left out, or words where none belong make it a refusal."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if _not_utf8(text):  # bytes that are not text: nothing in them can be meant
        return Refusal(msg("walk.line.not_utf8"))
    verb, *more = text.split(maxsplit=1)
    rest = more[0] if more else ""
    read = _READERS.get(verb.lower())
    if read is None:
        return Refusal(_unknown(verb))
    try:
        return read(verb.lower(), rest, screen)
    except _Refused as refused:
        return Refusal(refused.reason)
    except IncidentctlError as exc:  # a tier or template the runbook does not have
        return Refusal(exc.what)


def _not_utf8(text: str) -> bool:
    """Whether ``text`` holds bytes stdin could not decode (kept as lone surrogates)."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _unknown(verb: str) -> Msg:
    verbs = [f"`{v}`" for v in VERBS]
    if verb in dict(KEYS):
        return msg("walk.line.key", word=verb, verbs=verbs)
    close = nearest(verb.lower(), VERBS)
    near = msg("walk.line.did_you_mean", verb=close) if close else ""
    return msg("walk.line.unknown", word=verb, near=near, verbs=verbs)


# --- the parts of a line ------------------------------------------------------------
def _step(word: str, screen: Screen) -> Step:
    """A step by its number in the checklist or by its id."""
    view = screen.view
    listed = checklist_steps(view.runbook, view.state)
    if word.isdecimal():
        if 0 < int(word) <= len(listed):
            return listed[int(word) - 1]
    else:
        step = view.runbook.step(word)
        if step is not None:
            return step
    ids = [x.id for x in view.runbook.steps]
    raise _Refused(msg("walk.line.no_step", step=word, near=did_you_mean(word, ids), n=len(listed)))


def _on_screen(verb: str, screen: Screen, nothing: str = "walk.line.no_step_on_screen") -> Step:
    """The step on screen; refused with ``nothing`` when no step is shown."""
    step = screen.view.runbook.step(screen.step.id) if screen.step else None
    if step is None:
        raise _Refused(msg(nothing, verb=verb))
    return step


def _words(verb: str, rest: str) -> list[str]:
    import shlex

    try:
        return shlex.split(rest)
    except ValueError:
        raise _Refused(msg("walk.line.quote", verb=verb)) from None


def _pairs(verb: str, words: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise _Refused(msg("walk.line.not_pair", verb=verb, item=word))
        if key in pairs:
            raise _Refused(msg("walk.line.twice", verb=verb, key=key))
        pairs[key] = value
    return pairs


def _nothing_more(verb: str, rest: str) -> None:
    if rest:
        raise _Refused(msg("walk.line.extra", verb=verb, extra=rest))


def _split(verb: str, rest: str, needs: str) -> tuple[str, str | None]:
    """The first word of ``rest`` (refused with ``needs`` if there is none), and the text
    after it, if any."""
    if not rest:
        raise _Refused(msg(needs, verb=verb))
    first, *more = rest.split(maxsplit=1)
    return first, more[0] if more else None


# --- each verb ----------------------------------------------------------------------
def _done(verb: str, rest: str, screen: Screen) -> it.Intent:
    words = _words(verb, rest)
    if words and "=" not in words[0]:
        step = _step(words.pop(0), screen)
    else:
        step = _on_screen(verb, screen)
    given = _pairs(verb, words)
    known = [e.id for e in step.evidence]
    for key in given:
        if key not in known:
            if not known:
                raise _Refused(msg("walk.line.no_evidence", step=step.id, given=key))
            raise _Refused(msg("err.evidence.unknown", step=step.id, given=key, known=known))
    evidence = {k: v.strip() for k, v in given.items() if v.strip()}
    missing = [e for e in step.evidence if e.required and e.id not in evidence]
    if missing:
        need = clauses([msg("err.evidence.item", id=e.id, label=e.label) for e in missing])
        raise _Refused(msg("walk.line.evidence_missing", step=step.id, need=need))
    return it.Done(step.id, evidence)


def _skip(verb: str, rest: str, screen: Screen) -> it.Intent:
    word, reason = _split(verb, rest, "walk.line.needs_step")
    step = _step(word, screen)
    if reason is None:
        raise _Refused(msg("walk.line.needs_reason", verb=verb))
    if verb == "skip":
        return it.Skip(step.id, reason)
    return it.NotApplicable(step.id, reason)


def _note(verb: str, rest: str, screen: Screen) -> it.Intent:
    if not rest:
        raise _Refused(msg("walk.line.needs_text", verb=verb))
    return it.Note(rest)


def _assign(verb: str, rest: str, screen: Screen) -> it.Intent:
    word, name = _split(verb, rest, "walk.line.needs_role")
    rb = screen.view.runbook
    role = pick(word, list(rb.roles))
    if role not in rb.roles:
        raise _Refused(rb.unknown_role(word))
    if name is None:
        raise _Refused(msg("walk.line.needs_name", verb=verb))
    return it.Assign(role, name)


def _severity(verb: str, rest: str, screen: Screen) -> it.Intent:
    word, reason = _split(verb, rest, "walk.line.needs_tier")
    tier = screen.view.runbook.resolve_tier(word)
    if reason is None:
        raise _Refused(msg("walk.line.needs_reason", verb=verb))
    return it.Severity(tier, reason)


def _mitigate(verb: str, rest: str, screen: Screen) -> it.Intent:
    _nothing_more(verb, rest)
    return it.Mitigate()


def _resolve(verb: str, rest: str, screen: Screen) -> it.Intent:
    return it.Resolve(rest or None)


def _comms(verb: str, rest: str, screen: Screen) -> it.Intent:
    words = _words(verb, rest)
    if not words or "=" in words[0]:
        raise _Refused(msg("walk.line.needs_template", verb=verb))
    template = words.pop(0)
    rb = screen.view.runbook
    if template not in rb.templates:
        known = list(rb.templates)
        raise _Refused(
            msg(
                "err.comms.unknown_template",
                runbook=rb.id,
                template=template,
                near=did_you_mean(template, known),
                templates=known or msg("err.none"),
            )
        )
    values = _pairs(verb, words)
    for key, value in values.items():
        if not value.strip():
            raise _Refused(msg("walk.line.empty_value", verb=verb, key=key))
    channel = values.pop(CHANNEL, None)
    eta = values.pop(ETA, None)
    return it.Send(template, channel, eta, values)


def _jump(verb: str, rest: str, screen: Screen) -> it.Intent:
    word, more = _split(verb, rest, "walk.line.needs_step")
    if more is not None:
        raise _Refused(msg("walk.line.extra", verb=f"{verb} {word}", extra=more))
    return it.Jump(_step(word, screen).id)


def _back(verb: str, rest: str, screen: Screen) -> it.Intent:
    _nothing_more(verb, rest)
    _on_screen(verb, screen, "walk.line.nothing_to_leave")
    return it.Back()


def _list(verb: str, rest: str, screen: Screen) -> it.Intent:
    _nothing_more(verb, rest)
    return it.Checklist()


def _quit(verb: str, rest: str, screen: Screen) -> it.Intent:
    _nothing_more(verb, rest)
    return it.Quit()


_READERS: dict[str, Callable[[str, str, Screen], it.Intent]] = {
    "done": _done,
    "skip": _skip,
    "na": _skip,
    "note": _note,
    "assign": _assign,
    "severity": _severity,
    "mitigate": _mitigate,
    "resolve": _resolve,
    "comms": _comms,
    "jump": _jump,
    "back": _back,
    "list": _list,
    "quit": _quit,
}
#: The first word of every line, in the order help lists them.
VERBS: tuple[str, ...] = tuple(_READERS)
