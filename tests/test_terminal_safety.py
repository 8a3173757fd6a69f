"""Nothing raw reaches a terminal: whatever control characters titles, notes, names,
evidence or errors carry, the text output holds none of them (the store and --json keep
the true text)."""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidentctl.cli.app import App
from incidentctl.cli.main import cli
from incidentctl.clock import ManualClock
from incidentctl.render.safe import clean
from incidentctl.render.style import Style

from .conftest import T0

#: Sequences seen in attacks on terminals: OSC 52 (clipboard), OSC 0 (window title),
#: CSI 2J (clear), hidden text, cursor moves, C1 CSI, bells, backspaces, carriage
#: returns, bidi overrides and isolates, zero-width characters, NUL.
NASTY = [
    "\x1b]52;c;cHduZWQ=\x07",
    "\x1b]0;PWNED\x07",
    "\x1b[2J",
    "\x1b[8m",
    "\x1b[1A\x1b[2K",
    "\x9b31m",
    "\x07",
    "\x08\x08\x08",
    "\r",
    "\u202e",
    "\u2066",
    "\u200b",
    "\x00",
    "\n",
    "\x1b",
]
pieces = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=5))
dirty = (
    st.lists(pieces, min_size=1, max_size=6)
    .map("".join)
    .filter(
        lambda s: s.strip() and not s.startswith("-")  # not an option
    )
)

#: What can come as an argument, as a title or as a name (``--by``): no NUL, which ``main``
#: refuses in any argument and a title or a name refuses wherever it comes from.
argument = dirty.filter(lambda s: "\0" not in s)

SGR = re.compile(r"\x1b\[[0-9;]*m")


def raw_controls(text: str, *, colour: bool) -> list[str]:
    """Control and format characters in ``text`` that are not a newline (or, with
    colour on, one of incidentctl's own SGR colour sequences)."""
    if colour:
        text = SGR.sub("", text)
    return [
        repr(ch)
        for ch in text
        if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")
    ]


def invoke(
    home: Path, clock: ManualClock, *args: str, colour: bool = False, input: str | None = None
) -> str:
    app = App(home=str(home), clock=clock, lang="en", tz="Asia/Shanghai")
    if colour:
        app.__dict__["style"] = Style(True)
    result = CliRunner().invoke(cli, list(args), obj=app, input=input, catch_exceptions=False)
    assert result.exit_code in (0, 1, 4, 5), result.output
    return result.stdout + result.stderr


@pytest.mark.store
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(title=argument, note=dirty, name=argument, evidence=dirty, colour=st.booleans())
def test_no_control_sequence_from_data_reaches_the_terminal(
    title: str, note: str, name: str, evidence: str, colour: bool
) -> None:
    clock = ManualClock(T0)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        out = invoke(home, clock, "--by", name, "open", "payment-failure", "-s", "1", "-t", title)
        inc = out.splitlines()[0]
        invoke(home, clock, "note", inc, note)
        invoke(home, clock, "assign", inc, "tech", name)
        invoke(home, clock, "set", inc, "scope", note)
        invoke(
            home, clock, "step", "done", inc, "confirm-and-grade",
            "--evidence", f"failure-type={evidence}", "--evidence", f"affected-orders={evidence}",
        )  # fmt: skip
        clock.advance(minutes=90)
        outputs = {
            f"{command[0]} {n}": invoke(home, clock, *command, colour=colour)
            for n, command in enumerate(
                (
                    ["show", inc],
                    ["timeline", inc],
                    ["list"],
                    ["deadlines"],
                    ["check", "--no-notify"],
                    ["audit", "verify", inc],
                    ["note", inc, note],
                    ["show", title],  # an error that quotes what was typed
                    ["show", inc, "--json"],
                    ["timeline", inc, "--json"],
                    ["list", "--json"],
                    ["show", title, "--json"],
                    ["report", "--until", "2026-12-31"],
                    ["report", "--until", "2026-12-31", "--format", "md"],
                    ["report", "--until", "2026-12-31", "--json"],
                )
            )
        }
        lines = f"list\nnote {note}\n{name}\nquit\n"  # a refused line is quoted: cleaned
        outputs["walk"] = invoke(home, clock, "walk", inc, input=lines)
        for command, text in outputs.items():
            assert raw_controls(text, colour=colour) == [], command
        # a newline in the title never starts a line of its own: the header stays one line
        if "\n" in title.strip():
            assert "⏎" in outputs["show 0"].split("\n")[0]
        # and the record keeps the true text
        events = json.loads(invoke(home, clock, "timeline", inc, "--json"))["events"]
        assert events[0]["payload"]["title"] == title.strip()
        assert any(e["payload"].get("text") == note.strip() for e in events)


def test_json_escapes_what_a_terminal_would_act_on_and_keeps_the_true_text() -> None:
    from incidentctl.render.json_reporter import dumps

    nasty = "".join(NASTY) + "\x85\u2028\u2029\x7f\U000e0041 中文\u3000ok"
    for indent in (None, 2):
        text = dumps({"kind": "x", "text": nasty}, indent=indent)
        assert json.loads(text)["text"] == nasty
        assert raw_controls(text, colour=False) == []
        assert text.splitlines() == text.split("\n")  # no reader sees another line break
        assert "中文\u3000ok" in text  # Chinese text and its spaces stay as they are


def test_clean_shows_every_control_visibly() -> None:
    assert clean("a\x1b]0;x\x07b") == "a\\x1b]0;x\\x07b"
    assert clean("line\nbreak") == "line⏎break"
    assert clean("line\nbreak", one_line=False) == "line\nbreak"
    assert clean("rtl\u202eevil") == "rtl\\u202eevil"
    assert clean("tab\there") == "tab here"
    assert clean("中文 plain") == "中文 plain"


def test_clean_data_leaves_what_is_already_safe_alone() -> None:
    """Multi-line runbook texts are not dirty: a shipped runbook is shown as it is."""
    from incidentctl.render.safe import _dirty, clean_data, clean_runbook

    from .conftest import runbook

    rb = runbook("data-breach")
    assert not _dirty(rb.doc)
    assert clean_runbook(rb) is rb
    doc = {
        "title": {"zh": "标题\n伪造", "en": "ok"},
        "instructions": {"zh": "一\n二", "en": "a\nb"},
    }
    assert _dirty(doc)
    assert clean_data(doc) == {
        "title": {"zh": "标题⏎伪造", "en": "ok"},
        "instructions": {"zh": "一\n二", "en": "a\nb"},
    }


def test_spaces_of_every_width_are_shown_as_spaces() -> None:
    assert clean("联系人：王伟\u3000电话") == "联系人：王伟\u3000电话"
    assert clean("a\u00a0b") == "a\u00a0b"
    assert clean("a\u2028b") == "a\\u2028b"  # a line separator is not a space


@pytest.mark.store
def test_a_runbook_cannot_drive_the_terminal_from_a_listing_or_its_page(
    tmp_path: Path,
) -> None:
    """Runbooks may come from anywhere (``--runbooks DIR``): what a listing and a runbook's
    page show of one is cleaned like any other text."""
    from .conftest import REPO

    books = tmp_path / "books"
    books.mkdir()
    source = (REPO / "runbooks" / "payment-failure.yaml").read_text(encoding="utf-8")
    hostile = source.replace(
        "  en: Transaction anomaly and payment failure",
        '  en: "Payment \\e[2J\\e]0;owned\\a failure \\u202e"',
        1,
    )
    hostile = hostile.replace(
        "en: Level 3 (general)}", 'en: "Level 3 \\e]52;c;cHduZWQ=\\a (general)"}', 1
    )
    assert hostile.count("\\e]") == 2
    (books / "payment-failure.yaml").write_text(hostile, encoding="utf-8")
    clock = ManualClock(T0)
    for args, shown in (
        (["runbook", "list"], "Payment"),
        (["runbook", "show", "payment-failure"], "Payment"),
        (["open", "payment-failure", "-s", "3", "-t", "t"], "Level 3"),  # the tier it names
    ):
        out = invoke(tmp_path / "home", clock, "--runbooks", str(books), *args)
        assert shown in out, out
        assert raw_controls(out, colour=False) == [], args


_any_text = st.text(
    st.characters(codec="utf-8")
    | st.sampled_from(
        ["\x1b", "\x07", "\x7f", "\x85", "\u202e", "\u2028", "\n", "\\", '"', "\u3000"]
    ),
    max_size=12,
)


@given(
    payload=st.dictionaries(
        _any_text,
        _any_text
        | st.lists(_any_text, max_size=3)
        | st.dictionaries(_any_text, _any_text, max_size=2),
        max_size=4,
    ),
    spaced=st.booleans(),
)
def test_a_stored_payload_is_judged_clean_exactly_when_every_string_in_it_is(
    payload: dict[str, object], spaced: bool
) -> None:
    """The check of a stored payload's JSON text agrees with the walk through the payload,
    whatever its characters, and whether the store wrote it canonical or spaced."""
    from incidentctl.records import Draft, StoredEvent, canonical_text, seal
    from incidentctl.render import safe

    e = StoredEvent(
        *seal(
            Draft("note", payload, "a", "2026-11-22T02:00:00Z", "2026-11-22T02:00:00Z"),
            incident="INC-1",
            seq=1,
            prev_hash="0" * 64,
        )
    )
    e.text = (
        json.dumps(payload, ensure_ascii=False, sort_keys=True)
        if spaced
        else canonical_text(payload)
    )
    assert safe._payload_dirty(e) == safe._dirty(payload)
