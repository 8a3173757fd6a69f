"""Promises: an ETA is only a time someone committed to, it is tracked as a deadline,
messages write times the way people write them, and drafts show their blanks."""

from __future__ import annotations

import json
import stat
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from incidentctl.clock import ManualClock
from incidentctl.errors import InvalidInput
from incidentctl.times import parse_eta, written

from .conftest import PRESS_INPUTS, Run, open_press_incident, runbook

SH = ZoneInfo("Asia/Shanghai")
PRESS = [arg for k, v in PRESS_INPUTS.items() for arg in ("--set", f"{k}={v}")]

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


def _open(run: Run, name: str = "system-outage", tier: str = "1") -> str:
    return run("open", name, "-s", tier, "-t", "演练", "--scope", "华东地区用户").stdout.strip()


def _eta(run: Run, inc: str) -> str | None:
    value: str | None = json.loads(run("show", inc, "--json").stdout)["eta"]
    return value


def _promises(run: Run, inc: str) -> list[dict[str, Any]]:
    every = json.loads(run("deadlines", inc, "--all", "--json").stdout)["deadlines"]
    return sorted((d for d in every if d["step"] == "ETA"), key=lambda d: d["key"])


# --- set INC eta: what it accepts and refuses ----------------------------------------


def test_set_eta_takes_times_still_to_come(run: Run, clock: ManualClock) -> None:
    inc = _open(run)
    clock.advance(hours=7, minutes=32)  # 17:32 in Shanghai
    run("set", inc, "eta", "10:00")
    assert _eta(run, inc) == "2026-11-23T02:00:00Z"  # 10:00 has passed today: tomorrow
    run("set", inc, "eta", "18:00")
    assert _eta(run, inc) == "2026-11-22T10:00:00Z"  # still to come today
    run("set", inc, "eta", "+30m")
    assert _eta(run, inc) == "2026-11-22T10:02:00Z"
    run("set", inc, "eta", "45m")
    assert _eta(run, inc) == "2026-11-22T10:17:00Z"
    run("set", inc, "eta", "+1h30m")
    assert _eta(run, inc) == "2026-11-22T11:02:00Z"
    run("set", inc, "eta", "2026-11-24 09:00")
    assert _eta(run, inc) == "2026-11-24T01:00:00Z"
    run("set", inc, "eta", "2026-11-25T12:00:00+00:00")
    assert _eta(run, inc) == "2026-11-25T12:00:00Z"


def test_hh_mm_rolls_over_midnight(run: Run, clock: ManualClock) -> None:
    inc = _open(run)
    clock.advance(hours=13, minutes=50)  # 23:50 in Shanghai
    run("set", inc, "eta", "01:00")
    assert _eta(run, inc) == "2026-11-22T17:00:00Z"  # 01:00 on the 23rd, Shanghai
    run("set", inc, "eta", "23:50")  # exactly now has passed too: tomorrow
    assert _eta(run, inc) == "2026-11-23T15:50:00Z"


def test_set_eta_refuses_a_time_in_the_past_and_what_is_not_a_time(
    run: Run, clock: ManualClock
) -> None:
    inc = _open(run)
    clock.advance(hours=7, minutes=32)
    for past in ("-5m", "2026-11-22 10:00", "2026-11-22T09:00:00Z"):
        err = run("set", inc, "eta", past, expect=1).stderr
        assert "in the past" in err and "an ETA is a time still to come" in err, past
    err = run("--lang", "zh", "set", inc, "eta", "-5m", expect=1).stderr
    assert "已经过去 5分钟" in err and "预计时间必须是尚未到来的时间" in err
    assert "+30m or 30m (from now)" in run("set", inc, "eta", "soon", expect=1).stderr
    assert "calendar units" in run("set", inc, "eta", "1bd", expect=1).stderr
    assert "is zero" in run("set", inc, "eta", "0m", expect=1).stderr
    assert _eta(run, inc) is None  # nothing was recorded
    assert "has no ETA to clear" in run("set", inc, "eta", "", expect=1).stderr
    run("set", inc, "eta", "18:00")
    assert "already has the ETA" in run("set", inc, "eta", "18:00", expect=1).stderr


@pytest.mark.no_store("parsing and writing times, not the store")
def test_parse_eta_directly() -> None:
    now = datetime(2026, 11, 22, 15, 50, tzinfo=timezone.utc)  # 23:50 in Shanghai
    assert parse_eta("00:10", now=now, tz=SH) == datetime(2026, 11, 22, 16, 10, tzinfo=timezone.utc)
    assert parse_eta("+10m", now=now, tz=SH) == now + timedelta(minutes=10)
    assert parse_eta("2h", now=now, tz=SH) == now + timedelta(hours=2)
    for text in ("-1m", "2026-11-22 23:49", "2026-11-22T15:50:00Z", "later", "+", "1bd"):
        with pytest.raises(InvalidInput):
            parse_eta(text, now=now, tz=SH)


def test_the_confirmation_shows_local_time_with_the_zone(run: Run) -> None:
    inc = _open(run)
    out = run("set", inc, "eta", "11:30").stdout
    assert "ETA committed: 2026-11-22 11:30 +08:00 (1h 30m ahead)" in out
    assert "T03:30" not in out and "Z" not in out.split(":", 1)[1]
    out = run("--lang", "zh", "set", inc, "eta", "12:00").stdout
    assert "预计时间变更：2026-11-22 11:30 +08:00 -> 2026-11-22 12:00 +08:00（2小时后）" in out
    out = run("set", inc, "eta", "").stdout
    assert "ETA withdrawn (was 2026-11-22 12:00 +08:00)" in out
    timeline = run("timeline", inc).stdout
    assert "ETA committed: 2026-11-22 11:30 +08:00" in timeline and "ETA withdrawn" in timeline
    payloads = [
        e["payload"] for e in json.loads(run("timeline", inc, "--json").stdout)["events"][1:]
    ]
    assert payloads == [
        {"field": "eta", "value": "2026-11-22T03:30:00Z"},
        {"field": "eta", "value": "2026-11-22T04:00:00Z", "previous": "2026-11-22T03:30:00Z"},
        {"field": "eta", "value": "", "previous": "2026-11-22T04:00:00Z"},
    ]


# --- the promise is a deadline --------------------------------------------------------


def test_a_promise_not_kept_is_overdue_then_missed(run: Run, clock: ManualClock) -> None:
    inc = _open(run)
    run("set", inc, "eta", "+30m")  # 10:30
    [p] = _promises(run, inc)
    assert (p["key"], p["state"], p["due"]) == ("ETA#1", "pending", "2026-11-22T02:30:00Z")
    assert "promised customers 10:30" in run("deadlines", inc).stdout
    shown = run("--lang", "zh", "show", inc).stdout
    assert "预计: 2026-11-22 10:30 +08:00  (ETA#1: 30分钟后)" in shown
    clock.advance(minutes=25)
    assert _promises(run, inc)[0]["state"] == "due-soon"
    clock.advance(minutes=10)  # 10:35
    assert _promises(run, inc)[0]["state"] == "overdue"
    assert "ETA: 2026-11-22 10:30 +08:00  (ETA#1: overdue 5m)" in run("show", inc).stdout
    flagged = json.loads(run("check", "--no-notify", "--json", expect=5).stdout)["deadlines"]
    assert any(d["key"] == "ETA#1" and d["flag"] == "breach" for d in flagged)
    run("mitigate", inc)
    [p] = _promises(run, inc)
    assert (p["state"], p["finished_at"]) == ("missed", "2026-11-22T02:35:00Z")


def test_a_promise_is_met_when_the_incident_is_mitigated_by_then(
    run: Run, clock: ManualClock
) -> None:
    inc = _open(run)
    run("set", inc, "eta", "+30m")
    clock.advance(minutes=20)
    run("mitigate", inc)
    [p] = _promises(run, inc)
    assert (p["state"], p["finished_at"]) == ("met", "2026-11-22T02:20:00Z")


def test_a_promise_made_after_mitigation_is_kept_by_resolving(run: Run, clock: ManualClock) -> None:
    inc = _open(run)
    run("mitigate", inc)
    clock.advance(minutes=5)
    run("set", inc, "eta", "+1h")
    assert _promises(run, inc)[0]["state"] == "pending"  # mitigated already: not kept yet
    clock.advance(minutes=70)
    run("resolve", inc)
    assert _promises(run, inc)[0]["state"] == "missed"
    err = run("set", inc, "eta", "+1h", expect=1).stderr
    assert "is resolved" in err and "reopen it first" in err


def test_changing_or_withdrawing_a_promise(run: Run, clock: ManualClock) -> None:
    inc = _open(run)
    run("set", inc, "eta", "+30m")  # 10:30
    clock.advance(minutes=10)
    run("set", inc, "eta", "+1h")  # changed before it fell due: the first one is gone
    assert [(p["key"], p["state"]) for p in _promises(run, inc)] == [("ETA#2", "pending")]
    clock.advance(minutes=70)  # 11:20: the second has lapsed
    assert _promises(run, inc)[0]["state"] == "overdue"
    run("set", inc, "eta", "12:00")  # changed after it lapsed: it stays missed
    assert [(p["key"], p["state"]) for p in _promises(run, inc)] == [
        ("ETA#2", "missed"),
        ("ETA#3", "pending"),
    ]
    run("set", inc, "eta", "")  # withdrawn in time: no longer a promise
    assert [(p["key"], p["state"]) for p in _promises(run, inc)] == [("ETA#2", "missed")]


# --- what messages say ----------------------------------------------------------------


@pytest.mark.no_store("parsing and writing times, not the store")
def test_written_times() -> None:
    now = datetime(2026, 11, 22, 9, 32, tzinfo=timezone.utc)  # 17:32 in Shanghai

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=SH)

    assert written(at("2026-11-22T18:00"), now, SH, "zh") == "今天 18:00"
    assert written(at("2026-11-22T18:00"), now, SH, "en") == "today 18:00"
    assert written(at("2026-11-23T01:00"), now, SH, "zh", zone=True) == "明天 01:00 (UTC+8)"
    assert written(at("2026-11-23T01:00"), now, SH, "en") == "tomorrow 01:00"
    assert written(at("2026-11-27T10:00"), now, SH, "zh") == "11月27日 10:00"
    assert written(at("2026-11-27T10:00"), now, SH, "en") == "27 Nov 10:00"
    assert written(at("2027-01-03T09:05"), now, SH, "zh") == "2027年1月3日 09:05"
    assert written(at("2027-01-03T09:05"), now, SH, "en") == "3 Jan 2027 09:05"
    assert written(at("2026-11-22T18:00"), now, SH, "zh", dated=True) == "11月22日 18:00"
    assert written(now, now, ZoneInfo("Asia/Kolkata"), "en", zone=True) == "today 15:02 (UTC+5:30)"
    assert written(now, now, timezone.utc, "en", zone=True) == "today 09:32 (UTC)"
    assert written(now, now, ZoneInfo("America/New_York"), "en", zone=True) == "today 04:32 (UTC-5)"


def test_a_customer_message_says_the_promise_the_way_people_write_it(
    run: Run, org: None, clock: ManualClock
) -> None:
    inc = _open(run, "data-breach")

    def notice(lang: str) -> str:
        out: str = run("--lang", lang, "comms", inc, "customer-security-notice").stdout
        assert "+08:00" not in out and "T0" not in out
        return out

    run("set", inc, "eta", "11:30")
    assert "今天 11:30 (UTC+8)" in notice("zh") and "today 11:30 (UTC+8)" in notice("en")
    run("set", inc, "eta", "2026-11-23 01:00")
    assert "明天 01:00 (UTC+8)" in notice("zh") and "tomorrow 01:00 (UTC+8)" in notice("en")
    run("set", inc, "eta", "2026-11-27 10:00")
    assert "11月27日 10:00 (UTC+8)" in notice("zh") and "27 Nov 10:00 (UTC+8)" in notice("en")


def test_a_lapsed_eta_is_never_promised(run: Run, org: None, clock: ManualClock) -> None:
    inc = _open(run, "data-breach")
    run("set", inc, "eta", "+30m")
    clock.advance(minutes=31)
    err = run("comms", inc, "customer-security-notice", expect=1).stderr
    assert (
        f"the ETA committed to, 2026-11-22 10:30 +08:00, has passed; commit to a new one "
        f"with `incidentctl set {inc} eta TIME`"
    ) in err


def test_a_promised_time_is_never_given_with_set(run: Run, org: None) -> None:
    inc = open_press_incident(run)
    for name in ("eta", "eta_in", "next_update"):
        err = run("comms", inc, "press-statement", *PRESS, "--set", f"{name}=11:30", expect=1)
        assert f"{{{name}}} is a time promised to the reader" in err.stderr
        assert f"`incidentctl set {inc} eta TIME`" in err.stderr


def test_next_update_is_the_schedule_else_the_eta_else_refused(
    run: Run, org: None, clock: ManualClock
) -> None:
    inc = _open(run)  # system-outage sev1: status updates every 30m until resolved
    progress = ("--set", "progress=恢复中", "--set", "workaround=用网页版")
    update = run("--lang", "zh", "comms", inc, "customer-update", *progress).stdout
    assert "下一次更新：今天 10:30 (UTC+8)" in update  # this message is the update: +30m
    run("mitigate", inc)
    run("resolve", inc)
    clock.advance(minutes=5)
    # updates have stopped and nobody promised a time: nothing to say, so refused
    err = run("comms", inc, "customer-update", *progress, expect=1).stderr
    assert "no update is scheduled and no ETA is committed" in err
    assert f"`incidentctl set {inc} eta TIME`" in err
    run("reopen", inc, "--reason", "again")
    run("set", inc, "eta", "13:00")
    run("mitigate", inc)
    run("resolve", inc)
    update = run("comms", inc, "customer-update", *progress).stdout
    assert "Next update: today 13:00 (UTC+8)" in update  # the promise made


def test_next_update_without_a_schedule_is_the_committed_eta(run: Run, org: None) -> None:
    inc = _open(run, "customer-data-error", "3")  # sev3: no scheduled updates
    given = ("--set", "affected_data=积分", "--set", "paused=积分兑换")
    err = run("--lang", "zh", "comms", inc, "customer-notice", *given, expect=1).stderr
    assert "没有排定的进展通报，也没有已承诺的预计时间" in err
    run("set", inc, "eta", "15:00")
    out = run("--lang", "zh", "comms", inc, "customer-notice", *given).stdout
    assert "我们将在 今天 15:00 (UTC+8) 前告诉您处理进展" in out


def test_times_in_a_message_to_a_regulator_carry_their_date(
    run: Run, org: None, clock: ManualClock
) -> None:
    inc = _open(run, "system-outage")
    rb = runbook("system-outage")
    regulator = next(t for t in rb.templates.values() if t.audience == "regulator")
    sets = [arg for i in regulator.inputs for arg in ("--set", f"{i.id}=x")]
    run("assign", inc, "commander", "王伟")
    for role in rb.roles:
        run("assign", inc, role, f"值班-{role}")
    out = run("--lang", "zh", "comms", inc, regulator.id, *sets).stdout
    assert "事件发生时间：11月22日 10:00" in out and "今天" not in out


# --- drafts ---------------------------------------------------------------------------


def test_a_regulator_report_can_be_read_while_its_clock_runs(run: Run) -> None:
    inc = _open(run, "data-breach")  # no organisation configured, nothing given
    rb = runbook("data-breach")
    report = rb.templates["regulator-report"]
    result = run("--lang", "zh", "comms", inc, "regulator-report", "--draft")
    for i in report.inputs:
        assert f"［待填：{i.label.zh}］" in result.stdout, i.id
    assert "关于［待填：org.name］个人信息泄露事件的报告" in result.stdout
    assert "草稿，未记录" in result.stderr and "--set report_type=..." in result.stderr
    data = json.loads(run("comms", inc, "pipl-notice", "--draft", "--json").stdout)
    assert data["kind"] == "draft"
    assert {b["placeholder"] for b in data["blanks"]} == {
        *(i.id for i in rb.templates["pipl-notice"].inputs),
        *("org.name", "org.hotline"),
    }
    assert all(f"[TO FILL: {b['topic']}]" in data["message"]["text"] for b in data["blanks"])
    events = json.loads(run("timeline", inc, "--json").stdout)["events"]
    assert not [e for e in events if e["type"] == "comms.sent"]  # a draft records nothing


def test_a_draft_is_never_sent(run: Run) -> None:
    inc = _open(run, "data-breach")
    result = run("comms", inc, "pipl-notice", "--draft", "--send", "--channel", "sms", expect=2)
    assert "a draft is never sent" in result.stderr


def _editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fill: bool) -> Path:
    """$EDITOR: a script that keeps a copy of what it was given and, if ``fill``, fills
    every blank with «filled»."""
    seen = tmp_path / "seen.txt"
    script = tmp_path / "editor.py"
    script.write_text(
        "import re, sys\n"
        "p = sys.argv[1]\n"
        "text = open(p, encoding='utf-8').read()\n"
        f"open({str(seen)!r}, 'w', encoding='utf-8').write(text)\n"
        + (
            "text = re.sub(r'［待填：[^］]*］|\\[TO FILL: [^\\]]*\\]', '«filled»', text)\n"
            "open(p, 'w', encoding='utf-8').write(text)\n"
            if fill
            else ""
        ),
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    return seen


def test_edit_opens_the_draft_and_send_waits_for_every_blank(
    run: Run, org: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inc = _open(run, "data-breach")
    seen = _editor(tmp_path, monkeypatch, fill=False)
    given = ("--set", "what_happened=数据库被拖库", "--set", "contact_email=dpo@example.com")
    result = run("--lang", "zh", "comms", inc, "pipl-notice", *given, "--edit", "--send", expect=1)
    opened = seen.read_text(encoding="utf-8")
    assert opened.startswith("关于您个人信息安全的重要告知\n\n")  # the subject, then the body
    assert "数据库被拖库" in opened and "［待填：" in opened
    assert "消息还有 5 处待填" in result.stderr
    labels = {i.id: i.label.zh for i in runbook("data-breach").templates["pipl-notice"].inputs}
    for name in ("data_types", "cause", "harm", "remedies", "what_you_can_do"):
        assert labels[name] in result.stderr
    events = json.loads(run("timeline", inc, "--json").stdout)["events"]
    assert not [e for e in events if e["type"] == "comms.sent"]

    _editor(tmp_path, monkeypatch, fill=True)
    run("--lang", "zh", "comms", inc, "pipl-notice", *given, "--edit", "--send")
    [sent] = [
        e
        for e in json.loads(run("timeline", inc, "--json").stdout)["events"]
        if e["type"] == "comms.sent"
    ]
    p = sent["payload"]
    assert "«filled»" in p["text"] and "待填" not in p["text"]
    assert p["subject"] == "关于您个人信息安全的重要告知" and p["channel"] == "sms"


def test_a_draft_with_nothing_left_to_fill_says_so(run: Run, org: None) -> None:
    inc = open_press_incident(run)
    run("set", inc, "eta", "11:30")
    result = run("comms", inc, "press-statement", *PRESS, "--draft")
    assert "TO FILL" not in result.stdout and "nothing is left to fill" in result.stderr
