"""Nothing raw reaches a terminal: data made visible before it is laid out.

Titles, notes, names, evidence, runbook texts, the words in an error: any of
them may hold control characters, whether typed by mistake or planted to
attack whoever reads them (an OSC 52 sequence that writes the clipboard, one
that retitles the window, CSI 2J, a carriage return that overwrites what came
before, bidi overrides that reorder text, a newline that forges a header
line).  The text reporter cleans every piece of data *before* laying it out,
so widths stay right and incidentctl's own colours are the only escape
sequences written: each control or invisible format character is shown as
its escape (``\\x1b``, ``\\u202e``), and a newline in a one-line field (a
title, a name) as ``⏎``.  The store keeps the true text, and so does JSON output, which
writes such characters as JSON escapes (:func:`visible_json`).

Cleaning is cheap when there is nothing to clean: ``str.isprintable`` answers
for a whole string at C speed, and only a view holding a dirty string is
rebuilt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incidentctl.incidents.service import View
    from incidentctl.records import Event
    from incidentctl.runbooks.model import Runbook
    from incidentctl.store.base import IncidentRow

NEWLINE_MARK = "⏎"

#: Fields whose text may run over several lines (notes, reasons, instructions,
#: message bodies); everything else is one line.
MULTI_LINE = frozenset(
    {
        "text",
        "reason",
        "summary",
        "note",
        "instructions",
        "body",
        "description",
        "response",
        "criteria",
    }
)
_LANGS = ("zh", "en")


def _escape(ch: str) -> str:
    o = ord(ch)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"


#: Space separators (category Zs): shown as the spaces they are, though Python's
#: ``isprintable`` says otherwise for all but the ASCII one (U+3000 is the ideographic
#: space of Chinese text).
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_DROP_SPACES = str.maketrans("", "", _SPACES)
_DROP_SPACES_AND_NEWLINES = str.maketrans("", "", _SPACES + "\n")


def _shown(ch: str) -> bool:
    """Whether ``ch`` may reach a terminal as it is: printable, or a space of any width."""
    return ch.isprintable() or ch in _SPACES


def _safe(text: str, *, one_line: bool) -> bool:
    """Whether ``text`` may be shown as it is (C-speed for the common cases)."""
    if text.isprintable():
        return True
    return text.translate(_DROP_SPACES if one_line else _DROP_SPACES_AND_NEWLINES).isprintable()


def clean(text: str, *, one_line: bool = True) -> str:
    """``text`` with every control or invisible format character shown as its escape, and
    each newline kept (``one_line=False``) or shown as ``⏎``."""
    if _safe(text, one_line=one_line):
        return text
    out = []
    for ch in text:
        if _shown(ch):
            out.append(ch)
        elif ch == "\n":
            out.append("\n" if not one_line else NEWLINE_MARK)
        elif ch == "\t":
            out.append(" ")
        else:
            out.append(_escape(ch))
    return "".join(out)


def _json_escape(ch: str) -> str:
    o = ord(ch)
    if o < 0x10000:
        return f"\\u{o:04x}"
    o -= 0x10000  # JSON spells a character beyond the BMP as its UTF-16 surrogate pair
    return f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}"


def visible_json(text: str) -> str:
    """JSON text (as ``json.dumps`` writes it) with every character that would not be shown
    as itself (controls, invisible format characters, line and paragraph separators) written
    as its ``\\u`` escape: parsed, it is exactly the true text; printed, nothing raw reaches
    the terminal, and a line is a line for every reader."""
    if _safe(text, one_line=False):
        return text
    return "".join(ch if ch == "\n" or _shown(ch) else _json_escape(ch) for ch in text)


def _dirty(value: Any, key: str = "") -> bool:
    """Whether :func:`clean_data` would change ``value`` (with the same rules)."""
    if isinstance(value, str):
        return not _safe(value, one_line=key not in MULTI_LINE)
    if isinstance(value, dict):
        return any(
            not k.isprintable() or _dirty(v, key if k in _LANGS else k) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_dirty(v, key) for v in value)
    return False


def _payload_dirty(e: Event) -> bool:
    """Whether any text of the event's payload needs cleaning.  An event read from a store
    carries its payload's JSON text: JSON writes every character below U+0020 as an escape
    (``\\n``, ``\\u001b``), so a text without a backslash whose characters are all
    printable holds no string that needs cleaning, keys included; one check of one string
    at C speed instead of a walk through the payload (a text with, say, an ideographic
    space takes the walk)."""
    text = getattr(e, "text", None)
    if text is not None and "\\" not in text and text.isprintable():
        return False
    return _dirty(e.payload)


def clean_data(value: Any, key: str = "") -> Any:
    """A copy of JSON-like data with every string cleaned; a string is one line unless the
    nearest key above it that is not a language (``zh``/``en``) is in :data:`MULTI_LINE`."""
    if isinstance(value, str):
        return clean(value, one_line=key not in MULTI_LINE)
    if isinstance(value, dict):
        return {clean(k): clean_data(v, key if k in _LANGS else k) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_data(v, key) for v in value]
    return value


def clean_event(e: Event) -> Event:
    if not _dirty(e.actor) and not _dirty(e.incident) and not _payload_dirty(e):
        return e
    return e._replace(
        incident=clean(e.incident),
        payload=clean_data(e.payload),
        actor=clean(e.actor),
    )


#: Per pinned runbook: its cleaned copy, or None when it had nothing to clean.
_RUNBOOKS: dict[str, Runbook | None] = {}


def clean_runbook(rb: Runbook) -> Runbook:
    """The runbook with every text cleaned (the same object when there was nothing to clean)."""
    if rb.sha256 not in _RUNBOOKS:
        cleaned = None
        if _dirty(rb.doc):
            from incidentctl.runbooks.model import from_document

            cleaned = from_document(clean_data(rb.doc), rb.sha256)
        _RUNBOOKS[rb.sha256] = cleaned
    return _RUNBOOKS[rb.sha256] or rb


def clean_view(view: View) -> View:
    """The view as it may be shown: its events and runbook cleaned, its state folded again
    from them when anything changed (the same view when nothing did)."""
    runbook = clean_runbook(view.runbook)
    events = [clean_event(e) for e in view.events]
    if runbook is view.runbook and all(a is b for a, b in zip(events, view.events, strict=True)):
        return view
    from incidentctl.incidents.state import fold

    return view._replace(events=events, runbook=runbook, state=fold(runbook, events))


def clean_row(row: IncidentRow) -> IncidentRow:
    if not any(isinstance(v, str) and _dirty(v) for v in row[:8]):
        return row
    return row._replace(
        id=clean(row.id),
        runbook_id=clean(row.runbook_id),
        title=clean(row.title),
        severity=clean(row.severity),
        status=clean(row.status),
        commander=None if row.commander is None else clean(row.commander),
    )
