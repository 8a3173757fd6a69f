"""The incident commands end to end, in-process, on the fake clock."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from incidentctl.clock import ManualClock

from .conftest import Run

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


def test_full_payment_failure_incident(run: Run, clock: ManualClock) -> None:
    # opened 30 minutes ago at sev2, by the commander
    out = run(
        "--by",
        "王伟",
        "open",
        "payment-failure",
        "-s",
        "2",
        "-t",
        "支付成功率骤降",
        "--commander",
        "王伟",
        "--at",
        "-30m",
    )
    inc = out.stdout.strip()
    assert inc == "INC-20261122-001"
    assert "pinned sha256" in out.stderr
    run(
        "--by",
        "王伟",
        "step",
        "done",
        inc,
        "confirm-and-grade",
        "--evidence",
        "failure-type=channel",
        "--evidence",
        "affected-orders=3000",
        "--at",
        "-25m",
    )
    run(
        "--by",
        "李娜",
        "step",
        "done",
        inc,
        "identify-cause",
        "--evidence",
        "cause=网关超时",
        "--note",
        "上游通道",
    )
    run(
        "--by",
        "王伟",
        "step",
        "skip",
        inc,
        "notify-card-brands",
        "--reason",
        "no card data involved",
    )
    run("--by", "王伟", "severity", inc, "sev1", "--reason", "all channels affected")
    out = run("--by", "张敏", "note", inc, "客服", "已统一口径", "--at", "-5m").stdout
    assert "back-dated to 2026-11-22 09:55 +08:00, 5m before it was recorded" in out
    clock.advance(minutes=20)
    run("mitigate", inc)
    clock.advance(minutes=40)
    run("resolve", inc, "--summary", "通道恢复")
    err = run("close", inc, expect=1).stderr
    assert "required step(s) still open" in err and "Traceback" not in err
    run("close", inc, "--force", "--reason", "drill ends here")

    timeline = run("--lang", "zh", "timeline", inc).stdout
    lines = [ln for ln in timeline.splitlines() if ln[:2].strip().isdigit()]
    # in the order things happened, each with the actor, back-dated ones marked
    order = [ln.split()[0] for ln in lines]
    assert order == ["1", "2", "6", "3", "4", "5", "7", "8", "9"]
    assert "09:30:00*" in lines[0] and "王伟" in lines[0]
    assert "李娜" in lines[3] and "网关超时" in lines[3]
    assert "补记" in timeline
    data = json.loads(run("timeline", inc, "--json").stdout)["events"]
    assert [e["seq"] for e in data] == [1, 2, 6, 3, 4, 5, 7, 8, 9]
    backdated = {e["seq"]: (e["occurred_at"], e["recorded_at"]) for e in data if e["backdated"]}
    assert backdated == {
        1: ("2026-11-22T01:30:00Z", "2026-11-22T02:00:00Z"),
        2: ("2026-11-22T01:35:00Z", "2026-11-22T02:00:00Z"),
        6: ("2026-11-22T01:55:00Z", "2026-11-22T02:00:00Z"),
    }

    show = json.loads(run("show", inc, "--json").stdout)
    assert show["status"] == "closed" and show["severity"] == "sev1"
    steps = {s["step"]: s for s in show["checklist"]}
    assert steps["confirm-and-grade"]["tier_at_finish"] == "sev2"
    assert steps["notify-card-brands"]["reason"] == "no card data involved"


def test_show_lists_checklist_and_next_deadlines(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t", "--at", "-20m").stdout.strip()
    out = run("show", inc).stdout
    assert "Checklist at sev1 Level 1 (major)" in out
    assert "Next deadlines" in out
    row = next(ln for ln in out.splitlines() if " assemble " in ln)
    assert "overdue 10m (09:50)" in row
    assert "times in Asia/Shanghai (UTC+08:00)" in out


def test_list_filters(run: Run) -> None:
    assert "No incidents" in run("list").stdout  # "yet" where there is no store file
    a = run("open", "payment-failure", "-s", "1", "-t", "first").stdout.strip()
    b = run("open", "payment-failure", "-s", "3", "-t", "second").stdout.strip()
    run("resolve", b)

    def listed(*options: str) -> list[str]:
        return [r["id"] for r in json.loads(run("list", *options, "--json").stdout)["incidents"]]

    assert set(listed()) == {a, b}
    assert listed("--status", "open") == [a]
    assert listed("-s", "三级") == [b]
    assert listed("--runbook", "nope") == []
    text = run("--lang", "zh", "list").stdout
    assert "处理中" in text and "已解决" in text


def test_user_mistakes_get_one_clear_line(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    cases = [
        (["step", "done", inc, "nope"], "has no step 'nope'"),
        (["step", "done", inc, "identify-cause"], "needs evidence"),
        (["step", "skip", inc, "assemble", "--reason", ""], "needs --reason"),
        (["note", inc, "x", "--at", "yesterday"], "'yesterday' is not a time"),
        (["severity", inc, "9", "--reason", "x"], "unknown severity '9'"),
        (["show", "INC-1999"], "no incident matches 'INC-1999'"),
        (["open", "no-such-runbook", "-s", "1", "-t", "x"], "no runbook 'no-such-runbook'"),
        (["assign", inc, "boss", "x"], "has no role 'boss'"),
    ]
    for args, message in cases:
        result = run(*args, expect=1)
        assert message in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("Error: ")
        assert "Traceback" not in result.stderr
    # nothing recorded was lost along the way
    assert len(json.loads(run("timeline", inc, "--json").stdout)["events"]) == 1


@pytest.mark.no_store("usage errors, refused before the store is opened")
def test_usage_errors_exit_2(run: Run) -> None:
    run("step", "skip", "1", "assemble", expect=2)  # --reason missing
    run("step", "done", "1", "x", "--evidence", "novalue", expect=2)
    run("list", "--status", "weird", expect=2)


def test_set_scope_and_eta(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    run("set", inc, "scope", "华东 App 用户")
    run("set", inc, "eta", "11:30")
    data = json.loads(run("show", inc, "--json").stdout)
    assert data["scope"] == "华东 App 用户"
    assert data["eta"] == "2026-11-22T03:30:00Z"


def test_retract_via_cli(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    run("step", "done", inc, "assemble")
    out = run("retract", inc, "2", "--reason", "wrong incident").stdout
    assert "retracted #2" in out
    assert "[retracted #3]" in run("timeline", inc).stdout
    show = json.loads(run("show", inc, "--json").stdout)
    steps = {s["step"]: s for s in show["checklist"]}
    assert steps["assemble"]["status"] == "pending"


@pytest.mark.no_store("usage errors, refused before the store is opened")
def test_every_command_that_records_one_event_takes_at_and_by() -> None:
    import click

    from .contract import json_commands, schema

    recording = {
        name: cmd
        for name, cmd in json_commands().items()
        if schema(name).get("$ref", "").endswith("#/$defs/recorded")
    }
    assert {"note", "retract", "step-done", "close"} <= set(recording)
    for name, cmd in recording.items():
        options = {o for p in cmd.params if isinstance(p, click.Option) for o in p.opts}
        assert {"--at", "--by"} <= options, name


def test_retract_back_dated_and_by_someone_else(run: Run, clock: ManualClock) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    clock.advance(minutes=10)
    run("step", "done", inc, "assemble", "--at", "-5m")  # #2, occurred at 10:05
    clock.advance(minutes=10)  # 10:20
    out = run("retract", inc, "2", "--reason", "wrong step", "--at", "-3m", "--by", "李娜").stdout
    assert "back-dated to 2026-11-22 10:17" in out
    event = json.loads(run("timeline", inc, "--json").stdout)["events"][-1]
    assert event["type"] == "event.retracted" and event["actor"] == "李娜"
    assert event["backdated"] is True
    assert event["occurred_at"] == "2026-11-22T02:17:00Z"
    assert event["recorded_at"] == "2026-11-22T02:20:00Z"
    run("--by", "王伟", "note", inc, "x")
    # the same rules as any back-dated event: not in the future, not before the incident,
    # and a correction never before what it corrects
    err = run("retract", inc, "4", "--reason", "r", "--at", "10:25", expect=1).stderr
    assert "in the future" in err
    err = run("retract", inc, "4", "--reason", "r", "--at", "2026-11-22 09:00", expect=1).stderr
    assert "before the incident opened" in err
    err = run("retract", inc, "4", "--reason", "r", "--at", "10:19", expect=1).stderr
    assert "before event #4 it retracts (2026-11-22 10:20 +08:00)" in err
    assert json.loads(run("show", inc, "--json").stdout)["head"]["seq"] == 4


def test_by_names_the_actor_after_the_command_as_well_as_before(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCIDENTCTL_USER", "王伟")
    inc = run("open", "payment-failure", "-s", "2", "-t", "t").stdout.strip()
    run("step", "skip", inc, "notify-card-brands", "--reason", "无卡数据", "--by", "李娜")
    run("--by", "赵六", "note", inc, "hello")
    run("note", inc, "again")
    actors = [e["actor"] for e in json.loads(run("timeline", inc, "--json").stdout)["events"]]
    assert actors == ["王伟", "李娜", "赵六", "王伟"]


def test_closed_means_closed_key_times_summary_and_no_countdown(
    run: Run, clock: ManualClock
) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    clock.advance(minutes=5)
    run("step", "done", inc, "assemble")
    clock.advance(minutes=35)
    run("mitigate", inc)
    clock.advance(minutes=30)
    run("resolve", inc, "--summary", "通道已恢复，退款已完成")
    clock.advance(minutes=20)
    run("close", inc, "--force", "--reason", "复盘另行安排")
    shown = run("show", inc).stdout
    assert "mitigated 10:40 (40m in)" in shown
    assert "resolved 11:10 (1h 10m in)" in shown
    assert "closed 11:30 (1h 30m in)" in shown
    assert "Summary: 通道已恢复，退款已完成" in shown
    assert "closed by force: 复盘另行安排" in shown
    assert "Next deadlines" not in shown and "overdue" not in shown
    assert not re.search(r"\bin \d+[smhd]", shown.split("Checklist")[1])  # nothing counts down
    assert "assemble" in shown and "met" in shown and "not done at close" in shown
    clock.advance(hours=30)  # a day later nothing has moved: the same verdicts, no countdown
    later = run("show", inc).stdout.split("Checklist")[1]
    undated = re.compile(r"\d\d-\d\d ")  # a date appears once 'today' is another day
    assert undated.sub("", later) == undated.sub("", shown.split("Checklist")[1])
    data = json.loads(run("deadlines", inc, "--all", "--json").stdout)["deadlines"]
    assert {d["state"] for d in data} <= {"met", "missed", "unfinished", "skipped", "n/a"}
    assert run("deadlines", inc).stdout.count("overdue") == 0


def test_the_programs_options_work_after_the_command_too(
    run: Run, isolated: Path, tmp_path: Path, backend: str
) -> None:
    assert "交易异常与支付失败" in run("runbook", "list", "--lang", "zh").stdout
    assert "交易异常与支付失败" in run("runbook", "list", "--lang=zh").stdout
    inc = run("open", "payment-failure", "-s", "1", "-t", "t", "--tz", "UTC").stdout.strip()
    assert "Etc/UTC" in run("show", inc, "--tz", "Etc/UTC").stdout
    other = tmp_path / "other-store.db"
    run("open", "payment-failure", "-s", "1", "-t", "another", "--store", f"sqlite://{other}")
    assert other.exists()
    assert "another" not in run("list").stdout
    assert "another" in run("list", "--store", f"sqlite://{other}").stdout
    if backend == "sqlite":  # a team store is not in the home
        elsewhere = tmp_path / "other-home"
        run("open", "payment-failure", "-s", "1", "-t", "elsewhere", "--home", str(elsewhere))
        assert (elsewhere / "incidents.db").exists()
        assert "elsewhere" not in run("list").stdout
        assert "elsewhere" in run("list", "--home", str(elsewhere)).stdout
    # after `--`, everything is what the user typed
    run("note", inc, "--", "--lang", "zh")
    texts = [
        e["payload"].get("text")
        for e in json.loads(run("timeline", inc, "--json").stdout)["events"]
    ]
    assert "--lang zh" in texts
