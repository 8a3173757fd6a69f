"""`walk` driven by stdin scripts and through a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from incidentctl.cli.app import App
from incidentctl.cli.walk import Walker, WalkIO
from incidentctl.clock import ManualClock
from incidentctl.runbooks.model import Runbook

from .conftest import PRESS_INPUTS, Run, open_press_incident, runbook

PO = runbook("public-opinion")

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


def done_line(rb: Runbook, step_id: str) -> str:
    """A line that marks the step done with its required evidence."""
    step = rb.step(step_id)
    assert step is not None
    return " ".join(
        [
            "done",
            step_id,
            *(f"{e.id}='{e.example(e.id + ' value')}'" for e in step.evidence if e.required),
        ]
    )


def events(run: Run, inc: str) -> list[dict[str, object]]:
    return json.loads(run("timeline", inc, "--json").stdout)["events"]


def kinds(run: Run, inc: str) -> list[object]:
    return [e["type"] for e in events(run, inc)]


def test_a_whole_sev1_public_opinion_incident_from_walk_alone(
    run: Run, org: None, clock: ManualClock
) -> None:
    inc = open_press_incident(run)
    order = [s.id for s in PO.steps if s.applies_to("sev1") and not s.recurring]
    review = [s.id for s in PO.steps if s.due is not None and s.due.anchor == "resolved"]
    script: list[str] = []
    for step_id in order:
        if step_id in review:
            continue
        if step_id == "first-public-statement":
            values = " ".join(f"{k}='{v}'" for k, v in PRESS_INPUTS.items())
            script += [f"comms press-statement eta=11:30 {values}", done_line(PO, step_id)]
        elif step_id == "authority-endorsement":
            script += [f"skip {step_id} facts are not disputed; no third party needed"]
        else:
            script += [done_line(PO, step_id)]
    script += ["resolve 平息"]  # when only the review is left
    for step_id in review:
        script += [done_line(PO, step_id)]
    result = run("walk", inc, input="\n".join(script) + "\n")
    out = result.stdout
    assert result.stderr == ""  # not one line refused
    assert "Every applicable step is done, skipped or n/a." in out
    assert "resolved; on to the review" in out
    log = events(run, inc)
    kinds = [e["type"] for e in log]
    assert kinds.count("step.done") == len(order) - 1 and kinds.count("step.skipped") == 1
    sent = [e for e in log if e["type"] == "comms.sent"]
    assert len(sent) == 1 and sent[0]["payload"]["template"] == "press-statement"
    assert "22 Nov 11:30 (UTC+8)" in sent[0]["payload"]["text"]  # the committed time, filled in
    skipped = next(e for e in log if e["type"] == "step.skipped")
    assert skipped["payload"]["reason"] == "facts are not disputed; no third party needed"
    show = json.loads(run("show", inc, "--json").stdout)
    assert show["status"] == "resolved" and show["eta"] == "2026-11-22T03:30:00Z"
    assert {s["step"]: s for s in show["checklist"]}["public-update"][
        "completions"
    ]  # the statement counted


def test_quit_and_resume_where_you_were(run: Run, clock: ManualClock) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    first = run("walk", inc, input=done_line(PO, "assess-and-grade") + "\nquit\n").stdout
    assert "[1/17] assess-and-grade" in first and "resumes at the first open step" in first
    again = run("walk", inc, input="quit\n").stdout
    assert "[1/17]" not in again and "[2/17] assemble" in again


def test_overdue_steps_come_first_and_the_next_update_is_reminded(
    run: Run, clock: ManualClock
) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    run("step", "done", inc, "assess-and-grade", "--evidence", "source-links=x",
        "--evidence", "spread=x")  # fmt: skip
    clock.advance(minutes=12)  # assemble (10m) is overdue; brief-staff is not yet
    out = run("walk", inc, input="quit\n").stdout
    assert re.findall(r"\[\d+/\d+\] (\S+)", out) == ["assemble"]
    clock.advance(minutes=40)  # the first public update (1h) is due soon
    out = run("walk", inc, input="quit\n").stdout
    assert "[!] Next update" in out
    assert "press c" not in out  # no keys without a terminal


def test_bad_lines_and_missing_evidence_record_nothing(run: Run) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    err = run("walk", inc, input="x\n?\nd\ndone\nquit\n", expect=1).stderr
    assert "line 1: Not recorded: unknown action 'x'" in err
    assert "line 2: Not recorded: '?' is a key of the walk on a terminal" in err
    assert "line 3: Not recorded: 'd' is a key of the walk on a terminal" in err
    assert "line 4: Not recorded: step assess-and-grade needs evidence" in err
    assert len(events(run, inc)) == 1
    err = run("walk", inc, input="skip assess-and-grade\nquit\n", expect=1).stderr
    assert "line 1: Not recorded: `skip` needs a reason" in err
    assert len(events(run, inc)) == 1


def test_jump_back_list_and_chinese(run: Run) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    script = "jump official-response\nback\nlist\nquit\n"
    out = run("--lang", "zh", "walk", inc, input=script).stdout
    screens = out.split("-" * 60)
    assert "[12/17] official-response  公布调查结果与处理方案" in screens[2]  # after the jump
    assert "[11/17] sentiment-check" in screens[3]  # back goes to the step numbered before it
    assert "17  postmortem" in screens[3]  # the whole checklist, numbered, as the header is
    assert len(screens) == 4  # listing moves nothing: no screen is drawn again


class Scripted(WalkIO):
    """Lines from a list; ``before_line`` runs just before each line is given."""

    def __init__(self, lines: list[str], before_line: list[object] | None = None) -> None:
        super().__init__(tty=False)
        self.lines = lines
        self.before = before_line or []

    def next_line(self) -> str | None:
        if self.before:
            action = self.before.pop(0)
            if callable(action):
                action()
        return self.lines.pop(0) if self.lines else None


def test_two_leads_never_double_record_a_step(
    isolated: Path, clock: ManualClock, run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    other = App(home=str(isolated), clock=clock, actor="lead-b", lang="en")

    def b_records_it() -> None:  # lead B finishes the step while A's screen still shows it
        other.incidents().step(
            inc, "done", "assess-and-grade", evidence={"source-links": "x", "spread": "y"}
        )

    a = Walker(
        App(home=str(isolated), clock=clock, actor="lead-a", lang="en"),
        inc,
        Scripted([done_line(PO, "assess-and-grade"), "quit"], before_line=[b_records_it]),
    )
    assert a.run() == 1  # a line was refused
    said = capsys.readouterr()
    assert "line 1: Not recorded: step assess-and-grade is already done" in said.err
    assert "lead-b" in said.err
    assert "[2/17] assemble" in said.out  # A's next redraw shows B's progress
    done = [e for e in events(run, inc) if e["type"] == "step.done"]
    assert [(e["payload"]["step"], e["actor"]) for e in done] == [("assess-and-grade", "lead-b")]


def _spawn(isolated: Path, inc: str, pexpect: object) -> object:
    env = {**os.environ, "INCIDENTCTL_HOME": str(isolated), "INCIDENTCTL_USER": "pty"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "incidentctl", "walk", inc],
        env=env,  # type: ignore[attr-defined]
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 120),
    )


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_real_terminal_single_keys_and_ctrl_c_mid_answer(isolated: Path, run: Run) -> None:
    pexpect = pytest.importorskip("pexpect")
    opened = subprocess.run(
        [sys.executable, "-m", "incidentctl", "open", "public-opinion", "-s", "1", "-t", "pty"],
        env={**os.environ, "INCIDENTCTL_HOME": str(isolated)},
        capture_output=True,
        text=True,
        check=True,
    )  # on the real clock, as the walk in the terminal runs on it
    inc = opened.stdout.strip()
    child = _spawn(isolated, inc, pexpect)
    child.expect(r"\[1/17\] assess-and-grade")
    child.send("d")  # one key, no Enter
    child.expect(r"\[source-links\]")
    child.sendline("https://weibo.com/123")
    child.expect(r"\[spread\]")
    child.sendline("3.2万转发")
    child.expect("optional")
    child.sendline("")
    child.expect(r"\[2/17\] assemble")
    child.send("s")
    child.expect("Reason")
    child.send("half a reas")
    child.sendintr()  # Ctrl-C in the middle of an answer
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    log = events(run, inc)
    assert [e["type"] for e in log] == ["incident.opened", "step.done"]
    assert log[1]["payload"]["evidence"] == {
        "source-links": "https://weibo.com/123",
        "spread": "3.2万转发",
    }
    # and a new walk resumes at the step that was interrupted
    child = _spawn(isolated, inc, pexpect)
    child.expect(r"\[2/17\] assemble")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def _open_on_the_real_clock(isolated: Path, name: str) -> str:
    """An incident opened by the real command, on the real clock the terminal walk runs on."""
    opened = subprocess.run(
        [sys.executable, "-m", "incidentctl", "open", name, "-s", "1", "-t", "pty"],
        env={**os.environ, "INCIDENTCTL_HOME": str(isolated)},
        capture_output=True,
        text=True,
        check=True,
    )
    return opened.stdout.strip()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_on_a_terminal_m_asks_first_and_n_records_nothing(isolated: Path, run: Run) -> None:
    pexpect = pytest.importorskip("pexpect")
    inc = _open_on_the_real_clock(isolated, "public-opinion")
    child = _spawn(isolated, inc, pexpect)
    child.expect(r"\[1/17\] assess-and-grade")
    child.send("m")
    child.expect(re.escape(f"mark {inc} mitigated: status open -> mitigated. Record it? [y/N]"))
    child.send("n")
    child.expect("Cancelled; nothing recorded.")
    child.send("v")
    child.expect("New severity")
    child.sendline("2")
    child.expect("Reason")
    child.sendline("热度下降")
    child.expect(re.escape(f"{inc} from sev1 Level 1 (major) to sev2 Level 2 (relatively major)"))
    child.send("x")  # anything but y is no
    child.expect("Cancelled; nothing recorded.")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert kinds(run, inc) == ["incident.opened"]
    child = _spawn(isolated, inc, pexpect)
    child.expect(r"\[1/17\] assess-and-grade")
    child.send("m")
    child.expect(r"Record it\? \[y/N\]")
    child.send("y")
    child.expect("Marked mitigated.")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert kinds(run, inc) == ["incident.opened", "incident.mitigated"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_on_a_terminal_enter_redraws_silently_and_j_goes_to_the_number_shown(
    isolated: Path, run: Run
) -> None:
    pexpect = pytest.importorskip("pexpect")
    inc = _open_on_the_real_clock(isolated, "public-opinion")
    child = _spawn(isolated, inc, pexpect)
    child.expect(r"Action \[")
    for quiet in ("\r", " "):
        child.send(quiet)
        child.expect(r"\[1/\d+\] assess-and-grade")
        child.expect(r"Action \[")
        assert "Unknown key" not in child.before
    child.send("?")
    child.expect("j  jump to a step")
    child.send("l")
    child.expect(r"(?m)^ +12 +(\S+) ")
    listed_12 = child.match.group(1)
    child.expect(r"Action \[")
    child.send("j")
    child.expect(r"Step \(number or id\)")
    child.sendline("12")
    child.expect(r"\[(\d+)/(\d+)\] (\S+)  ")
    assert child.match.groups() == ("12", "17", listed_12)
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert listed_12 == "official-response"


def test_list_and_jump_use_the_show_checklist_in_the_walk_language(run: Run) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    out = run("--lang", "zh", "walk", inc, input="list\njump 3\nquit\n").stdout
    _, listed, after_jump = out.split("-" * 60)
    assert re.search(r"^ +2 +assemble .*待办", listed, re.M), listed  # a row, in Chinese
    assert "pending" not in out
    third = [s.id for s in PO.steps if s.applies_to("sev1")][2]
    assert re.search(rf"\[3/17\] {third}  ", after_jump), after_jump


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_on_a_terminal_someone_elses_step_shows_while_the_walk_waits(
    isolated: Path, run: Run, backend: str
) -> None:
    """Live for the team: nobody presses a key here, and the screen still moves on."""
    pexpect = pytest.importorskip("pexpect")
    inc = _open_on_the_real_clock(isolated, "public-opinion")
    child = _spawn(isolated, inc, pexpect)
    child.expect(r"\[1/17\] assess-and-grade")
    subprocess.run(
        [
            *(sys.executable, "-m", "incidentctl", "--by", "lead-b", "step", "done", inc),
            *("assess-and-grade", "--evidence", "source-links=x", "--evidence", "spread=y"),
        ],
        env={**os.environ, "INCIDENTCTL_HOME": str(isolated)},
        capture_output=True,
        check=True,
    )
    # within a second on SQLite (polled), at once on a team store (NOTIFY); allow for load
    child.expect(r"\[2/17\] assemble", timeout=5)
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
