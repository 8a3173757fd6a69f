"""`comms`: templates rendered with live facts, and recorded exactly as sent."""

from __future__ import annotations

import json
import re
import stat
import sys
from pathlib import Path

import pytest

from incidentctl.clock import ManualClock
from incidentctl.paths import shipped_runbooks_dir

from .conftest import PRESS_INPUTS, Run, open_press_incident, runbook

PRESS = [arg for k, v in PRESS_INPUTS.items() for arg in ("--set", f"{k}={v}")]

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


def test_list_templates(run: Run) -> None:
    inc = open_press_incident(run)
    data = json.loads(run("comms", inc, "--list", "--json").stdout)
    by_id = {t["id"]: t for t in data["templates"]}
    assert by_id["press-statement"]["audience"] == "press"
    assert "first-public-statement" in by_id["press-statement"]["steps"]
    assert "press" in run("comms", inc).stdout


def test_render_fills_live_facts_and_the_eta(run: Run, org: None, clock: ManualClock) -> None:
    inc = open_press_incident(run)
    run("set", inc, "eta", "11:30")
    out = run("--lang", "zh", "comms", inc, "press-statement", *PRESS).stdout
    assert "重复扣款" in out and "示例商城" in out and "400-820-0000" in out
    assert "11月22日 11:30 (UTC+8)" in out  # the committed ETA, dated for the press
    assert "{" not in out and "+08:00" not in out
    en = run("comms", inc, "press-statement", "--message-lang", "en", *PRESS, "--json").stdout
    assert json.loads(en)["message"]["lang"] == "en"


def test_without_a_committed_eta_no_deadline_stands_in_for_it(
    run: Run, org: None, clock: ManualClock
) -> None:
    inc = open_press_incident(run)
    # a sev1 public-opinion incident opened at 10:00: its soonest deadline is 10:10, which
    # is an internal deadline, not a time anybody promised the press
    result = run("--lang", "zh", "comms", inc, "press-statement", *PRESS, expect=1)
    assert "10:10" not in result.stdout + result.stderr
    assert f"{{eta}}：请用 `incidentctl set {inc} eta TIME` 承诺一个时间" in result.stderr
    err = run("comms", inc, "press-statement", *PRESS, expect=1).stderr
    assert f"{{eta}}: commit to a time with `incidentctl set {inc} eta TIME`" in err
    assert "--set eta" not in err


def test_missing_values_are_named_with_how_to_give_them(run: Run) -> None:
    inc = run("open", "public-opinion", "-s", "1", "-t", "t").stdout.strip()
    err = run("comms", inc, "press-statement", expect=1).stderr
    assert "{topic}: give it with --set topic=..." in err
    assert "{org.name}: set org.name in config.yaml, or --set org.name=..." in err
    err = run("comms", inc, "press-statement", "--set", "tpoic=x", expect=1).stderr
    assert "has no placeholder 'tpoic'" in err
    err = run("comms", inc, "press-statment", expect=1).stderr
    assert "did you mean 'press-statement'" in err


def test_send_records_exact_text_and_counts_as_the_update(
    run: Run, org: None, clock: ManualClock
) -> None:
    inc = open_press_incident(run)
    run("set", inc, "eta", "11:30")
    clock.advance(minutes=20)
    result = run(
        "--lang", "zh", "comms", inc, "press-statement", *PRESS, "--send", "--channel", "weibo"
    )
    assert "计为 public-update 的一次通报" in result.stderr
    events = json.loads(run("timeline", inc, "--json").stdout)["events"]
    sent = [e for e in events if e["type"] == "comms.sent"]
    assert len(sent) == 1
    p = sent[0]["payload"]
    assert p["channel"] == "weibo" and p["audience"] == "press" and p["lang"] == "zh"
    assert p["text"] == result.stdout.split("\n\n", 1)[1].rstrip("\n")  # exactly what was shown
    assert p["inputs"]["topic"] == "重复扣款"
    show = json.loads(run("show", inc, "--json").stdout)
    steps = {s["step"]: s for s in show["checklist"]}
    (completion,) = steps["public-update"]["completions"]
    assert completion["occurred_at"] == "2026-11-22T02:20:00Z"
    assert completion["via"] == "comms.sent"
    update1 = next(d for d in show["deadlines"] if d["key"] == "public-update#1")
    assert update1["state"] == "met"


def test_edit_before_sending(
    run: Run, org: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inc = open_press_incident(run)
    run("set", inc, "eta", "11:30")
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\np = sys.argv[1]\ntext = open(p, encoding='utf-8').read()\n"
        "open(p, 'w', encoding='utf-8').write(text.replace('深表歉意', '非常抱歉'))\n",
        encoding="utf-8",
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    run("--lang", "zh", "comms", inc, "press-statement", *PRESS, "--edit", "--send")
    sent = [
        e
        for e in json.loads(run("timeline", inc, "--json").stdout)["events"]
        if e["type"] == "comms.sent"
    ]
    assert "非常抱歉" in sent[0]["payload"]["text"] and "深表歉意" not in sent[0]["payload"]["text"]


SHIPPED = sorted(p.stem for p in shipped_runbooks_dir().glob("*.yaml"))


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_template_renders_in_both_languages(run: Run, org: None, name: str) -> None:
    """Once the incident's facts and a template's inputs are known, nothing is left unfilled."""
    rb = runbook(name)
    inc = run(
        "open", name, "-s", "1", "-t", "演练", "--commander", "王伟", "--scope", "华东地区用户"
    ).stdout.strip()
    for role in rb.roles:
        run("assign", inc, role, f"值班-{role}")
    run("set", inc, "eta", "11:30")
    for template in rb.templates.values():
        sets = [arg for i in template.inputs for arg in ("--set", f"{i.id}=«{i.id}»")]
        for lang in ("zh", "en"):
            out = run("--lang", lang, "comms", inc, template.id, *sets).stdout
            for i in template.inputs:
                assert f"«{i.id}»" in out, (name, template.id, lang)
            assert not re.search(r"\{[a-z][a-z0-9_.-]*\}", out), (name, template.id, lang, out)
            assert not re.search(r"\+\d\d:\d\d|\d{4}-\d\d-\d\dT\d", out), (name, template.id)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_template_renders_as_a_draft_with_nothing_given(run: Run, name: str) -> None:
    """At any time, with no value given, no organisation configured and no ETA committed,
    every template can be read: each unknown placeholder is a marked blank."""
    rb = runbook(name)
    inc = run("open", name, "-s", "1", "-t", "演练").stdout.strip()
    for template in rb.templates.values():
        for lang in ("zh", "en"):
            result = run("--lang", lang, "comms", inc, template.id, "--draft", "--json")
            data = json.loads(result.stdout)
            text = f"{data['message']['subject'] or ''}\n{data['message']['text']}"
            assert data["kind"] == "draft"
            assert not re.search(r"\{[a-z][a-z0-9_.-]*\}", text), (name, template.id, lang)
            marker = "［待填：{}］" if lang == "zh" else "[TO FILL: {}]"
            for i in template.inputs:
                assert marker.format(i.label.get(lang)) in text, (name, template.id, lang, i.id)
            blanks = {b["placeholder"] for b in data["blanks"]}
            assert {i.id for i in template.inputs} <= blanks, (name, template.id, lang)


def test_sent_message_takes_its_audience_from_the_pinned_runbook_and_not_after_close(
    run: Run, org: None
) -> None:
    inc = open_press_incident(run)
    run("set", inc, "eta", "11:30")
    sent = json.loads(
        run(
            "comms", inc, "press-statement", *PRESS, "--send", "--channel", "weibo", "--json"
        ).stdout
    )
    assert sent["event"]["payload"]["audience"] == "press"
    assert sent["message"]["channel"] == "weibo" and sent["counts_as"] == ["public-update"]
    run("resolve", inc)
    run("close", inc, "--force", "--reason", "drill over")
    result = run("comms", inc, "press-statement", *PRESS, "--send", expect=1)
    assert "closed" in result.stderr
    assert [e["type"] for e in json.loads(run("timeline", inc, "--json").stdout)["events"]].count(
        "comms.sent"
    ) == 1


def _kinds(run: Run, inc: str) -> list[str]:
    return [e["type"] for e in json.loads(run("timeline", inc, "--json").stdout)["events"]]


def test_a_channel_the_template_does_not_list_is_a_usage_error(
    run: Run, org: None, clock: ManualClock
) -> None:
    inc = open_press_incident(run)
    run("set", inc, "eta", "11:30")
    before = _kinds(run, inc)
    for extra in ([], ["--send"], ["--draft"]):
        args = ["comms", inc, "press-statement", *PRESS, "--channel", "carrier-pigeon", *extra]
        err = run(*args, expect=2).stderr
        assert "template press-statement does not go out on 'carrier-pigeon'" in err
        assert "its channels: weibo, website, wechat-official" in err
        result = run(*args, "--json", expect=2)
        assert result.stdout == ""
        error = json.loads(result.stderr.strip().splitlines()[-1])["error"]
        assert error["code"] == "usage.bad_value"
        assert "weibo, website, wechat-official" in error["message"]
    err = run("comms", inc, "press-statement", *PRESS, "--channel", "webo", expect=2).stderr
    assert "did you mean 'weibo'" in err
    assert _kinds(run, inc) == before  # nothing recorded
    run("comms", inc, "press-statement", *PRESS, "--channel", "website", "--send")
    assert _kinds(run, inc) == [*before, "comms.sent"]


def test_a_template_without_channels_takes_those_of_its_runbook(
    run: Run, tmp_path: Path, clock: ManualClock
) -> None:
    from .conftest import DATA

    book = tmp_path / "coupon.yaml"
    text = (DATA / "runbooks" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    book.write_text(
        text
        + "  - id: staff-note\n"
        + "    audience: internal\n"
        + "    name: {zh: 内部通知, en: Staff note}\n"
        + "    body: {zh: 注意, en: Heads up}\n",
        encoding="utf-8",
    )
    inc = run("open", str(book), "-s", "1", "-t", "t").stdout.strip()
    err = run("comms", inc, "staff-note", "--send", "--channel", "sms", expect=2).stderr
    assert "'sms' is not a channel of runbook" in err and "channels: website, app-push" in err
    run("comms", inc, "staff-note", "--send", "--channel", "app-push")
    assert _kinds(run, inc)[-1] == "comms.sent"


def test_a_walk_line_with_a_channel_the_template_does_not_list_records_nothing(
    run: Run, org: None
) -> None:
    inc = open_press_incident(run)
    inputs = " ".join(f"{k}='{v}'" for k, v in PRESS_INPUTS.items())
    line = f"comms press-statement channel=carrier-pigeon eta=11:30 {inputs}\n"
    result = run("walk", inc, input=line, expect=1)
    assert "line 1: Not recorded: template press-statement does not go out on" in result.stderr
    assert "its channels: weibo, website, wechat-official" in result.stderr
    assert _kinds(run, inc) == ["incident.opened"]  # not even the ETA it would commit to
