"""Shell completion through click's own mechanism: the shell's request arrives in
``$_INCIDENTCTL_COMPLETE`` with the line in ``COMP_WORDS``/``COMP_CWORD``, and the answer is
the completions and nothing else.  Incidents come from the store (read, never written or
created), steps, roles, templates and tiers from an incident's pinned runbook, runbook ids
from the runbooks in use; ``--home``, ``--runbooks`` and ``--lang`` on the line count."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from incidentctl.cli import complete as completion
from incidentctl.cli.main import cli
from incidentctl.clock import ManualClock
from incidentctl.store import FILENAME

from .conftest import DATA, Owner, Run

CLI = [sys.executable, "-m", "incidentctl"]
DAY = "INC-20261122-"


def comp_env(line: str, shell: str = "zsh") -> dict[str, str]:
    """What a shell's completion function sets: the words of ``line`` and the index of the
    one being completed (a line ending in a space completes a new, empty word)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    return {
        "COMP_WORDS": line,
        "COMP_CWORD": str(cword),
        "_INCIDENTCTL_COMPLETE": f"{shell}_complete",
    }


def parse(out: str, shell: str) -> list[tuple[str, str, str | None]]:
    """(type, value, help) of each completion in a shell's answer."""
    if not out.strip():
        return []
    if shell == "bash":
        return [(*line.split(",", 1), None) for line in out.splitlines()]  # type: ignore[misc]
    lines = out.rstrip("\n").split("\n")
    assert len(lines) % 3 == 0, out
    return [
        (lines[i], lines[i + 1], None if lines[i + 2] == "_" else lines[i + 2])
        for i in range(0, len(lines), 3)
    ]


def tab(
    line: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    shell: str = "zsh",
) -> list[tuple[str, str | None]]:
    """Press Tab at the end of ``line``: (value, help) of what is offered, in order.
    Nothing but the completions may be written, to stdout or stderr."""
    for name, value in comp_env(line, shell).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    completion.respond(cli, f"{shell}_complete")
    out, err = capsys.readouterr()
    assert err == ""
    return [(value, about) for _, value, about in parse(out, shell)]


def values(
    line: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    return [value for value, _ in tab(line, capsys, monkeypatch)]


def in_shell(line: str, *, shell: str = "bash", **env: str) -> subprocess.CompletedProcess[str]:
    """Press Tab in a real process, as the shell's completion function runs it."""
    return subprocess.run(
        CLI,
        env={**os.environ, **comp_env(line, shell), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.fixture
def incidents(run: Run, clock: ManualClock) -> list[str]:
    """Four incidents opened through the command line, newest last:
    #1 open (a payment failure at sev2, a step done, one started, a recurring one done),
    #2 mitigated, #3 closed, #4 open."""
    opened = []
    for runbook, tier, title in [
        ("payment-failure", "2", "支付成功率骤降"),
        ("data-breach", "2", "leak"),
        ("system-outage", "1", "down"),
        ("payment-failure", "3", "coupon glitch"),
    ]:
        opened.append(run("open", runbook, "-s", tier, "-t", title).stdout.strip())
        clock.advance(minutes=1)
    run("step", "done", "1", "assemble")
    run("step", "start", "1", "identify-cause")
    run("step", "done", "1", "status-update")
    run("mitigate", "2")
    run("resolve", "3")
    run("close", "3", "--force", "--reason", "test")
    assert opened == [f"{DAY}00{n}" for n in (1, 2, 3, 4)]
    return opened


# --- incidents ------------------------------------------------------------------------------


def test_incidents_open_first_then_mitigated_then_closed_with_titles(
    incidents: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tab("incidentctl show ", capsys, monkeypatch) == [
        (f"{DAY}004", "coupon glitch"),
        (f"{DAY}001", "支付成功率骤降"),
        (f"{DAY}002", "leak (mitigated)"),
        (f"{DAY}003", "down (closed)"),
    ]


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("4", ["4"]),
        ("#", ["4", "1", "2", "3"]),  # a word starting with # would be a comment in a shell
        ("#2", ["2"]),
        ("3", ["3"]),  # closed, named by its whole number
        ("9", []),
        (f"{DAY}00", [f"{DAY}004", f"{DAY}001", f"{DAY}002", f"{DAY}003"]),
        ("inc-20261122-002", [f"{DAY}002"]),
        ("20261122-00", []),  # fewer than eight digits before the dash: a number, not a date
        ("20261122", ["20261122-004", "20261122-001", "20261122-002", "20261122-003"]),
        ("20261123", []),
        ("payment", []),
    ],
)
def test_an_incident_is_offered_in_the_form_it_is_being_typed(
    incidents: list[str],
    typed: str,
    offered: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert values(f"incidentctl show {typed}", capsys, monkeypatch) == offered


def test_every_command_that_takes_an_incident_completes_it(
    incidents: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for command in [
        "timeline", "step done", "note", "assign", "severity", "mitigate", "resolve",
        "reopen", "close", "set", "retract", "walk", "comms", "deadlines", "watch",
        "audit verify",
    ]:  # fmt: skip
        assert values(f"incidentctl {command} 4", capsys, monkeypatch) == ["4"], command


def test_an_incident_already_named_is_not_offered_again(
    incidents: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert values("incidentctl deadlines 1 #4 ", capsys, monkeypatch) == [
        f"{DAY}002",
        f"{DAY}003",
    ]


# --- what an incident's pinned runbook holds ----------------------------------------------


def test_steps_the_action_would_accept_at_the_incidents_tier(
    incidents: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    done = values("incidentctl step done 1 ", capsys, monkeypatch)
    assert done[:3] == ["confirm-and-grade", "customer-first-notice", "brief-agents"]
    assert "assemble" not in done  # done already
    assert "report-pboc" not in done  # a sev1 step; the incident is at sev2
    assert {"identify-cause", "status-update"} <= set(done)  # started; recurring
    start = values("incidentctl step start 1 ", capsys, monkeypatch)
    assert "confirm-and-grade" in start
    assert not {"assemble", "identify-cause"} & set(start)  # done; started already
    skip = values("incidentctl step skip 1 ", capsys, monkeypatch)
    assert "assemble" not in skip and "identify-cause" in skip
    assert values("incidentctl step done 1 identify", capsys, monkeypatch) == ["identify-cause"]
    assert tab("incidentctl --lang zh step na 1 confirm", capsys, monkeypatch) == [
        ("confirm-and-grade", "确认异常并定级")
    ]
    assert values("incidentctl step done 3 ", capsys, monkeypatch) == []  # closed
    assert values("incidentctl step done 9 ", capsys, monkeypatch) == []  # no such incident


def test_evidence_keys_the_step_records_and_the_line_does_not_give_yet(
    incidents: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    line = "incidentctl step done 1 confirm-and-grade --evidence "
    assert tab(line, capsys, monkeypatch) == [
        ("failure-type=", "Anomaly type (system / channel / user operation)"),
        ("affected-orders=", "Affected orders (estimate)"),
    ]
    given = f"{line}failure-type=channel --evidence "
    assert values(given, capsys, monkeypatch) == ["affected-orders="]
    assert values(f"{line}failure-type=", capsys, monkeypatch) == []  # a value is being typed


def test_roles_templates_and_tiers_of_the_pinned_runbook(
    incidents: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    roles = values("incidentctl assign 1 ", capsys, monkeypatch)
    assert roles[:2] == ["commander", "cs-lead"] and "tech" in roles
    assert values("incidentctl assign 1 cs-", capsys, monkeypatch) == ["cs-lead", "cs-agent"]
    templates = values("incidentctl comms 2 ", capsys, monkeypatch)
    assert "regulator-report" in templates and "press-statement" in templates
    assert tab("incidentctl comms 2 press", capsys, monkeypatch) == [
        ("press-statement", "Public statement")
    ]
    # the tier the incident is at already is no change
    assert tab("incidentctl severity 1 ", capsys, monkeypatch) == [
        ("sev1", "Level 1 (major)"),
        ("sev3", "Level 3 (general)"),
    ]
    assert values("incidentctl severity 1 1", capsys, monkeypatch) == ["1"]


def test_set_takes_its_fields(
    incidents: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert values("incidentctl set 1 ", capsys, monkeypatch) == [
        "scope",
        "title",
        "eta",
        "discovered",
    ]


# --- runbooks ------------------------------------------------------------------------------


def test_runbook_ids_and_their_tiers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = values("incidentctl open ", capsys, monkeypatch)
    assert len(shipped) == 10 and "payment-failure" in shipped
    assert tab("incidentctl open pay", capsys, monkeypatch) == [
        ("payment-failure", "Transaction anomaly and payment failure")
    ]
    assert tab("incidentctl --lang zh runbook show data", capsys, monkeypatch) == [
        ("data-breach", "客户信息泄露与数据泄露")
    ]
    assert values("incidentctl list --runbook sys", capsys, monkeypatch) == ["system-outage"]
    assert tab("incidentctl open payment-failure -s ", capsys, monkeypatch) == [
        ("sev1", "Level 1 (major)"),
        ("sev2", "Level 2 (relatively major)"),
        ("sev3", "Level 3 (general)"),
    ]
    tiers = values("incidentctl runbook show data-breach --severity s", capsys, monkeypatch)
    assert tiers == ["sev1", "sev2", "sev3"]
    typed = "incidentctl open -t x payment-failure --severity 2"
    assert values(typed, capsys, monkeypatch) == ["2"]


def test_a_path_is_left_to_the_shell(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert in_shell("incidentctl open ./my").stdout == "file,./my\n"
    assert in_shell("incidentctl --home ").stdout == "dir,\n"
    assert in_shell("incidentctl --runbooks ").stdout == "dir,\n"


def test_only_the_runbooks_that_can_be_read_are_offered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(DATA / "runbooks" / "valid" / "minimal.yaml", mine / "minimal.yaml")
    (mine / "broken.yaml").write_text("id: [broken\n", encoding="utf-8")
    (mine / "wrong.yaml").write_text("id: wrong\nschema_version: 1\n", encoding="utf-8")
    offered = values(f"incidentctl --runbooks {mine} open ", capsys, monkeypatch)
    assert offered == ["coupon-failure"]
    monkeypatch.setenv("INCIDENTCTL_RUNBOOKS", str(mine))
    assert values("incidentctl open ", capsys, monkeypatch) == offered
    assert values("incidentctl open broken -s ", capsys, monkeypatch) == []


# --- the program's options on the line ----------------------------------------------------


@pytest.mark.sqlite_only("a second home with a SQLite store of its own")
def test_home_and_lang_given_on_the_line_are_followed(
    incidents: list[str],
    run: Run,
    tmp_path: Path,
    isolated: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = tmp_path / "other-home"
    run("--home", str(other), "open", "public-opinion", "-s", "1", "-t", "热搜")
    for line in [
        f"incidentctl --home {other} show ",
        f"incidentctl show --home {other} ",  # after the command, as everywhere
        f"incidentctl --home={other} show ",
    ]:
        assert tab(line, capsys, monkeypatch) == [(f"{DAY}001", "热搜")], line
    roles = values(f"incidentctl --home {other} assign 1 ", capsys, monkeypatch)
    assert "pr" in roles and "finance" not in roles  # public-opinion's roles, not #1 here
    monkeypatch.setenv("INCIDENTCTL_HOME", str(other))
    assert values("incidentctl show ", capsys, monkeypatch) == [f"{DAY}001"]
    missing = tmp_path / "missing"
    assert tab(f"incidentctl --home {missing} show ", capsys, monkeypatch) == []
    assert not missing.exists()
    monkeypatch.delenv("INCIDENTCTL_HOME")
    assert tab(f"incidentctl --lang zh --home {isolated} show 2", capsys, monkeypatch) == [
        ("2", "leak (已止损)")
    ]


# --- silence, and nothing created or written ---------------------------------------------


def test_completing_writes_nothing_to_the_store(
    incidents: list[str],
    isolated: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
) -> None:
    import gc

    gc.collect()  # the commands' connections are closed, so the store is at rest

    def at_rest() -> tuple[object, object]:
        """The home's files, byte for byte, and a team store's rows."""
        files = {p.name: p.read_bytes() for p in isolated.iterdir()} if isolated.exists() else {}
        if backend == "sqlite":
            return files, None
        owner = Owner(isolated)
        try:
            rows = owner.rows()
            assert rows["events"], "the incidents' events are in the team store"
            return files, rows
        finally:
            owner.close()

    before = at_rest()
    assert list(before[0]) == ([FILENAME] if backend == "sqlite" else [])
    for line in [
        "incidentctl show ",
        "incidentctl step done 1 ",
        "incidentctl step done 1 confirm-and-grade --evidence ",
        "incidentctl severity 1 ",
        "incidentctl comms 1 ",
    ]:
        assert values(line, capsys, monkeypatch), line
    assert at_rest() == before


def test_without_a_store_nothing_is_offered_and_nothing_created(tmp_path: Path) -> None:
    home = tmp_path / "nowhere" / "home"
    for line in ["incidentctl show ", "incidentctl step done 1 ", "incidentctl comms 1 "]:
        done = in_shell(line, INCIDENTCTL_HOME=str(home))
        assert (done.stdout.strip(), done.stderr, done.returncode) == ("", "", 0)
    done = in_shell("incidentctl open pay", INCIDENTCTL_HOME=str(home))
    assert done.stdout == "plain,payment-failure\n"  # runbooks need no store
    assert not (tmp_path / "nowhere").exists()


def _foreign(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()


def _newer(path: Path) -> None:
    from .conftest import open_home

    open_home(path.parent).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()


@pytest.mark.sqlite_only("an unreadable SQLite file in the home")
@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p.write_bytes(b"not a database at all " * 20),
        lambda p: p.write_bytes(b""),
        _foreign,
        _newer,
        lambda p: p.mkdir(),
    ],
    ids=["garbage", "empty", "foreign", "newer", "directory"],
)
def test_a_store_that_cannot_be_read_offers_nothing_and_says_nothing(
    isolated: Path, spoil: object
) -> None:
    isolated.mkdir()
    path = isolated / FILENAME
    spoil(path)  # type: ignore[operator]
    before = sorted(p.name for p in isolated.iterdir())
    for shell in ("bash", "zsh", "fish"):
        done = in_shell("incidentctl show ", shell=shell)
        assert (done.stdout.strip(), done.stderr) == ("", ""), shell
    done = in_shell("incidentctl step done 1 ")
    assert (done.stdout.strip(), done.stderr) == ("", "")
    assert sorted(p.name for p in isolated.iterdir()) == before


@pytest.mark.sqlite_only("the SQLite store in the home (a team store is named outside it)")
def test_a_home_others_could_write_is_not_read(
    incidents: list[str], isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isolated.chmod(0o777)
    try:
        done = in_shell("incidentctl show ")
    finally:
        isolated.chmod(0o700)
    assert (done.stdout.strip(), done.stderr) == ("", "")


def test_a_failure_while_completing_prints_no_traceback(
    incidents: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from incidentctl.cli.main import LazyGroup
    from incidentctl.incidents import suggest

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(suggest, "incident_refs", broken)
    assert values("incidentctl show ", capsys, monkeypatch) == []  # and stderr stays empty
    assert values("incidentctl sh", capsys, monkeypatch) == ["show"]  # the rest still works
    monkeypatch.setattr(LazyGroup, "get_command", broken)  # click's part fails
    assert values("incidentctl sh", capsys, monkeypatch) == []


def test_a_title_cannot_break_the_shells_answer_or_reach_the_terminal_raw(
    run: Run, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run("open", "payment-failure", "-s", "1", "-t", "two\nlines \x1b]0;pwned\x07 tab\there")
    assert tab("incidentctl show ", capsys, monkeypatch) == [
        (f"{DAY}001", "two⏎lines \\x1b]0;pwned\\x07 tab here")
    ]


# --- through the real entry point and a real shell ---------------------------------------


def test_the_installed_program_answers_each_shell(incidents: list[str]) -> None:
    bash = in_shell("incidentctl show 1", shell="bash")
    assert (bash.stdout, bash.stderr, bash.returncode) == ("plain,1\n", "", 0)
    zsh = in_shell("incidentctl show 1", shell="zsh")
    assert zsh.stdout == "plain\n1\n支付成功率骤降\n"
    fish = subprocess.run(
        CLI,
        env={
            **os.environ,
            "COMP_WORDS": "incidentctl step done 1 confirm",
            "COMP_CWORD": "confirm",
            "_INCIDENTCTL_COMPLETE": "fish_complete",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert fish.stdout == "plain,confirm-and-grade\tConfirm the anomaly and set the tier\n"


@pytest.mark.parametrize(("shell", "marks"), [
    ("bash", ("_incidentctl_completion()", "complete -o nosort -F _incidentctl_completion incidentctl", "compopt -o nospace")),
    ("zsh", ("#compdef incidentctl", "_incidentctl_completion")),
    ("fish", ("complete --no-files --command incidentctl", "_INCIDENTCTL_COMPLETE=fish_complete")),
])  # fmt: skip
@pytest.mark.no_store("the completion scripts, not the store")
def test_the_completion_command_prints_the_same_script_as_the_variable(
    run: Run, shell: str, marks: tuple[str, ...], isolated: Path
) -> None:
    script = run("completion", shell).stdout
    for mark in marks:
        assert mark in script
    env = {**os.environ, "_INCIDENTCTL_COMPLETE": f"{shell}_source"}
    sourced = subprocess.run(CLI, env=env, capture_output=True, text=True, check=True)
    assert sourced.stdout == script
    assert not isolated.exists()  # printing a script needs no store


@pytest.mark.no_store("the completion scripts, not the store")
def test_the_completion_command_refuses_a_shell_it_has_no_script_for(run: Run) -> None:
    assert "tcsh" in run("completion", "tcsh", expect=2).stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_bash_runs_the_script_and_completes(incidents: list[str], tmp_path: Path) -> None:
    """The script bash sources, called as bash calls it on Tab: COMPREPLY holds the answer."""
    program = tmp_path / "bin" / "incidentctl"
    program.parent.mkdir()
    program.write_text(f'#!/bin/sh\nexec {sys.executable} -m incidentctl "$@"\n')
    program.chmod(0o755)
    script = (
        'eval "$(incidentctl completion bash)"\n'
        "reply() { COMPREPLY=(); _incidentctl_completion incidentctl; "
        'printf "%s|" "${COMPREPLY[@]}"; echo; }\n'
        'COMP_WORDS=(incidentctl show ""); COMP_CWORD=2; reply\n'
        "COMP_WORDS=(incidentctl assign 4 cs-); COMP_CWORD=3; reply\n"
    )
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        env={**os.environ, "PATH": f"{program.parent}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.stdout.splitlines() == [
        f"{DAY}004|{DAY}001|{DAY}002|{DAY}003|",
        "cs-lead|cs-agent|",
    ], done.stderr
    assert done.stderr == ""


def test_the_completion_code_is_loaded_only_when_tab_is_pressed() -> None:
    """Completing is kept out of every command's start-up: the callbacks the commands carry
    import the store, runbooks and suggestions only when called."""
    script = (
        "import sys\n"
        "import incidentctl.cli.main, incidentctl.cli.incident_cmd, incidentctl.cli.comms_cmd\n"
        "import incidentctl.cli.runbook_cmd, incidentctl.cli.deadline_cmd\n"
        "bad = [m for m in sys.modules if m.startswith(('incidentctl.store',"
        " 'incidentctl.runbooks', 'incidentctl.incidents', 'click.shell_completion'))]\n"
        "print(bad)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
