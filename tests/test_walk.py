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


def evidence_lines(rb: Runbook, step_id: str) -> list[str]:
    step = rb.step(step_id)
    assert step is not None
    return [f"{e.id} value" if e.required else "" for e in step.evidence]


def events(run: Run, inc: str) -> list[dict[str, object]]:
    return json.loads(run("timeline", inc, "--json").stdout)["events"]


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
            script += ["c", "11:30", *PRESS_INPUTS.values(), "y", "y", *evidence_lines(PO, step_id)]
        elif step_id == "authority-endorsement":
            script += ["s", "facts are not disputed; no third party needed"]
        else:
            script += ["d", *evidence_lines(PO, step_id), ""]
    script += ["y", "平息"]  # resolve when only the review is left
    for step_id in review:
        script += ["d", *evidence_lines(PO, step_id), ""]
    result = run("walk", inc, input="\n".join(script) + "\n")
    out = result.stdout
    assert "Every applicable step is done, skipped or n/a." in out
    assert "resolved; on to the review" in out
    log = events(run, inc)
    kinds = [e["type"] for e in log]
    assert kinds.count("step.done") == len(order) - 1 and kinds.count("step.skipped") == 1
    sent = [e for e in log if e["type"] == "comms.sent"]
    assert len(sent) == 1 and sent[0]["payload"]["template"] == "press-statement"
    assert "2026-11-22 11:30 +08:00" in sent[0]["payload"]["text"]  # the committed time, filled in
    skipped = next(e for e in log if e["type"] == "step.skipped")
    assert skipped["payload"]["reason"] == "facts are not disputed; no third party needed"
    show = json.loads(run("show", inc, "--json").stdout)
    assert show["status"] == "resolved" and show["eta"] == "2026-11-22T03:30:00Z"
    assert {s["step"]: s for s in show["checklist"]}["public-update"][
        "completions"
    ]  # the statement counted


def test_quit_and_resume_where_you_were(run: Run, clock: ManualClock) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    first = run(
        "walk", inc, input="d\n" + "\n".join(evidence_lines(PO, "assess-and-grade")) + "\n\nq\n"
    ).stdout
    assert "[1/16] assess-and-grade" in first and "resumes at the first open step" in first
    again = run("walk", inc, input="q\n").stdout
    assert "[1/16]" not in again and "[2/16] assemble" in again


def test_overdue_steps_come_first_and_the_next_update_is_reminded(
    run: Run, clock: ManualClock
) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    clock.advance(minutes=12)  # assemble (10m) is overdue; assess-and-grade (15m) is not yet
    out = run("walk", inc, input="q\n").stdout
    assert "assemble" in out.split("Action")[0].split("\n\n")[1].split("\n")[0]
    clock.advance(minutes=40)  # the first public update (1h) is due soon
    out = run("walk", inc, input="q\n").stdout
    assert "[!] Next update" in out and "press c to send it" in out


def test_bad_keys_and_missing_evidence_record_nothing(run: Run) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    out = run("walk", inc, input="x\n?\nd\n\n\n\nq\n").stdout
    assert "Unknown key 'x'" in out
    assert "j  jump to a step" in out
    assert "(an answer is required)" in out and "Cancelled; nothing recorded." in out
    assert len(events(run, inc)) == 1
    out = run("walk", inc, input="s\n\n\n\nq\n").stdout  # a skip without a reason
    assert "Cancelled; nothing recorded." in out
    assert len(events(run, inc)) == 1


def test_jump_back_list_and_chinese(run: Run) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    out = run("--lang", "zh", "walk", inc, input="j\nofficial-response\nb\nl\nq\n").stdout
    screens = out.split("-" * 60)
    assert "[11/16] official-response  公布调查结果与处理方案" in screens[2]  # after the jump
    assert "[10/16] sentiment-check" in screens[3]  # back goes to the step before it
    assert "17  postmortem" in screens[4]  # the whole checklist, numbered


class Scripted(WalkIO):
    """Answers from a list; ``before_key`` runs just before each key is given."""

    def __init__(self, answers: list[str], before_key: list[object] | None = None) -> None:
        super().__init__(tty=False)
        self.answers = answers
        self.before = before_key or []

    def key(self, prompt: str) -> str | None:
        if self.before:
            action = self.before.pop(0)
            if callable(action):
                action()
        return self.answers.pop(0) if self.answers else None

    def line(self, prompt: str) -> str | None:
        return self.answers.pop(0) if self.answers else None


def test_two_leads_never_double_record_a_step(
    isolated: Path, clock: ManualClock, run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    ev = evidence_lines(PO, "assess-and-grade")
    other = App(home=str(isolated), clock=clock, actor="lead-b", lang="en")

    def b_records_it() -> None:  # lead B finishes the step while A's screen still shows it
        other.incidents().step(
            inc, "done", "assess-and-grade", evidence={"source-links": "x", "spread": "y"}
        )

    a = Walker(
        App(home=str(isolated), clock=clock, actor="lead-a", lang="en"),
        inc,
        Scripted(["d", *ev, "", "q"], before_key=[b_records_it]),
    )
    assert a.run() == 0
    out = capsys.readouterr().out
    assert "Not recorded: step assess-and-grade is already done" in out and "lead-b" in out
    assert "[2/16] assemble" in out  # A's next redraw shows B's progress
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
    child.expect(r"\[1/16\] assess-and-grade")
    child.send("d")  # one key, no Enter
    child.expect(r"\[source-links\]")
    child.sendline("https://weibo.com/123")
    child.expect(r"\[spread\]")
    child.sendline("3.2万转发")
    child.expect("optional")
    child.sendline("")
    child.expect(r"\[2/16\] assemble")
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
    child.expect(r"\[2/16\] assemble")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_list_and_jump_use_the_show_checklist_in_the_walk_language(run: Run) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    out = run("--lang", "zh", "walk", inc, input="l\nj\n3\nq\n").stdout
    listing = out.split("操作")[1]
    assert "待办" in listing and "pending" not in listing  # step states in Chinese
    third = [s.id for s in PO.steps if s.applies_to("sev1")][2]
    after_jump = out.split("步骤（序号或编号）")[-1]
    assert re.search(rf"\[\d+/\d+\] {third}  ", after_jump), after_jump
