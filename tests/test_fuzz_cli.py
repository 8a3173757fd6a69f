"""Every command fed arbitrary arguments: text of any kind (control characters, lone
surrogates as the OS hands over bytes that are not UTF-8), huge and tiny numbers,
malformed times.  The only exit codes are 0, 1 and 2, never 3 (a crash), and nothing
already recorded changes."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidentctl.cli.main import COMMANDS, main

from .conftest import open_home
from .contract import error_of, validate

#: Both fuzz the commands of one incident in the store, on either backend.
pytestmark = pytest.mark.store

SURROGATES = ["\udcb9\udcca", "\udcff", "ok\udc80"]
words = st.one_of(
    st.text(max_size=30),
    st.sampled_from(SURROGATES),
    st.sampled_from(["\x1b]0;x\x07", "\u202e", "", " ", "--", "-", "=", "\n", "长" * 40]),
)
numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
times = st.one_of(
    st.sampled_from(
        [
            "-5m",
            "-1000000d",
            "-999999999999999999999m",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "25:61",
            "2026-02-30 10:00",
            "2026-11-22T10:00",
            "now",
        ]
    ),
    words,
)
values = st.one_of(words, numbers, times)

STEPS = ["confirm-and-grade", "assemble", "notify-card-brands", "nope"]


def commands(inc: str) -> st.SearchStrategy[list[str]]:
    ref = st.one_of(st.just(inc), st.just("1"), values)
    step = st.one_of(st.sampled_from(STEPS), values)
    kv = st.tuples(values, values).map(lambda p: f"{p[0]}={p[1]}")
    return st.one_of(
        st.tuples(
            st.just("open"),
            st.sampled_from(["payment-failure", "x"]) | values,
            values,
            values,
            times,
        ).map(lambda a: [a[0], a[1], "-s", a[2], "-t", a[3], "--at", a[4]]),
        st.tuples(ref, values, times).map(lambda a: ["note", a[0], a[1], "--at", a[2]]),
        st.tuples(st.sampled_from(["done", "skip", "na", "start"]), ref, step, kv, values).map(
            lambda a: ["step", a[0], a[1], a[2], "--evidence", a[3], "--reason", a[4]]
        ),
        st.tuples(ref, values, values).map(lambda a: ["assign", a[0], a[1], a[2]]),
        st.tuples(ref, values, values).map(lambda a: ["severity", a[0], a[1], "--reason", a[2]]),
        st.tuples(ref, st.sampled_from(["scope", "title", "eta"]), values).map(
            lambda a: ["set", a[0], a[1], "--", a[2]]
        ),
        st.tuples(ref, numbers, values).map(lambda a: ["retract", a[0], a[1], "--reason", a[2]]),
        st.tuples(ref, values).map(lambda a: ["resolve", a[0], "--summary", a[1]]),
        st.tuples(ref, values).map(lambda a: ["close", a[0], "--force", "--reason", a[1]]),
        st.tuples(ref, values).map(lambda a: ["reopen", a[0], "--reason", a[1]]),
        st.tuples(numbers, values, values).map(
            lambda a: ["list", "--status", "all", "--limit", a[0], "-s", a[1], "--runbook", a[2]]
        ),
        ref.map(lambda r: ["show", r]),
        ref.map(lambda r: ["timeline", r]),
        values.map(lambda v: ["check", "--no-notify", "--warn-before", v]),
        st.tuples(ref, values, kv, values).map(
            lambda a: ["comms", a[0], a[1], "--set", a[2], "--channel", a[3]]
        ),
        ref.map(lambda r: ["audit", "verify", r]),
        st.tuples(values, values).map(lambda a: ["runbook", "show", a[0], "-s", a[1]]),
        values.map(lambda v: ["runbook", "validate", v]),
        st.tuples(values, values).map(lambda a: ["--tz", a[0], "--by", a[1], "deadlines"]),
        st.tuples(times, times).map(lambda a: ["list", "--since", a[0], "--until", a[1]]),
        st.tuples(times, times, values, values, st.sampled_from(["table", "csv", "md"])).map(
            lambda a: [
                *("report", "--since", a[0], "--until", a[1], "-s", a[2], "--runbook", a[3]),
                *("--format", a[4]),
            ]
        ),
    )


def invoke(argv: list[str]) -> int:
    return run_main(argv)[0]


def run_main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code
    assert isinstance(code, int)
    assert code in (0, 1, 2, 4, 5), f"exit {code} for {argv!r}:\n{err.getvalue()}"
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def with_json(argv: list[str]) -> tuple[list[str], str]:
    """``argv`` with ``--json`` after its command, and the name of that command's schema."""
    at = next(i for i, arg in enumerate(argv) if arg in COMMANDS)
    words = argv[at : at + (2 if argv[at] in ("step", "audit", "runbook") else 1)]
    end = at + len(words)
    return [*argv[:end], "--json", *argv[end:]], "-".join(words)


@pytest.fixture
def incident(isolated: Path) -> str:
    invoke(["open", "payment-failure", "-s", "1", "-t", "before the fuzzing"])
    invoke(["list"])
    store = open_home(isolated)
    try:
        (row,) = store.incidents()
    finally:
        store.close()
    invoke(["note", row.id, "a note already recorded"])
    return row.id


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_argument_crashes_a_command_or_changes_the_record(
    isolated: Path, incident: str, data: st.DataObject
) -> None:
    store = open_home(isolated)
    try:
        before = [e.hash for e in store.events(incident)]
        argv = data.draw(commands(incident))
        invoke(argv)
        after = [e.hash for e in store.events(incident)]
    finally:
        store.close()
    assert after[: len(before)] == before


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_under_json_every_outcome_is_a_document_of_the_contract(
    incident: str, data: st.DataObject
) -> None:
    argv, name = with_json(data.draw(commands(incident)))
    code, out, err = run_main(argv)
    if out:
        validate(name, json.loads(out))
    else:
        assert code in (1, 2), (argv, code, err)
        error = error_of(err)
        assert error["code"].startswith("usage.") == (code == 2), (argv, error)
