"""Notices that reach a person: @-mentions of the step's owner per platform (names only in
the log), the team's language and zone, the card and text shapes of every format (golden
files, both languages), escalation on a fake clock, ``ack``, and ``watch``'s order."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from incidentctl.cli.app import App
from incidentctl.cli.watch import Watch
from incidentctl.clock import ManualClock
from incidentctl.deadlines.monitor import collect, notice_for
from incidentctl.deadlines.notice import Notice
from incidentctl.deadlines.notify import payload
from incidentctl.deadlines.people import Directory
from incidentctl.incidents.service import Incidents
from tests.conftest import write_config as config

from .conftest import DATA, T0, Run, runbook
from .test_notify_check import Hook

ENGINE = str(DATA / "runbooks" / "valid" / "engine.yaml")
GOLDEN = DATA / "notices"
FORMATS = [
    "json",
    "dingtalk",
    "dingtalk-text",
    "wecom",
    "wecom-text",
    "feishu",
    "feishu-text",
    "slack",
    "slack-text",
]
MOBILE = "13800000001"
PEOPLE = {
    "王伟": {
        "mobile": MOBILE,
        "dingtalk_user_id": "wangwei01",
        "feishu_open_id": "ou_5f2c9e",
        "wecom_userid": "WangWei",
        "slack": "U024BE7LH",
    },
    "李娜": {"mobile": "13800000002", "feishu_open_id": "ou_9a1b77", "slack": "U0LINA"},
    "张总": {"mobile": "13800000003", "dingtalk_user_id": "zhangzong"},
}
PEOPLE_YAML = """people:
  王伟: {mobile: "13800000001", dingtalk_user_id: wangwei01, feishu_open_id: ou_5f2c9e, wecom_userid: WangWei, slack: U024BE7LH}
  李娜: {mobile: "13800000002", feishu_open_id: ou_9a1b77, slack: U0LINA}
  张总: {mobile: 13800000003, dingtalk_user_id: zhangzong}
"""
M = timedelta(minutes=1)


# --- golden payloads --------------------------------------------------------------------
def golden_notices(svc: Incidents, clock: ManualClock, lang: str) -> dict[str, Notice]:
    """A breach of ``ack`` owned by 王伟, and its first escalation to everyone."""
    inc = svc.open(runbook("engine"), severity="1", title="支付接口超时 <b>*").state.id
    svc.assign(inc, "commander", "王伟")
    clock.set(T0 + 12 * M)
    item = next(i for i in collect(svc) if i.deadline.key == "ack")
    zone = ZoneInfo("Asia/Shanghai")
    directory = Directory(PEOPLE, {"*": "@all"})
    breach = notice_for(item, "breach", item.now, zone, lang, directory)
    escalation = notice_for(
        item, "escalation", item.now, zone, lang, directory, level=1, target="@all"
    )
    return {"breach": breach, "escalation": escalation}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_payload_shapes_match_the_golden_files(
    svc: Incidents, clock: ManualClock, lang: str
) -> None:
    notices = golden_notices(svc, clock, lang)
    got = {name: {fmt: payload(n, fmt) for fmt in FORMATS} for name, n in notices.items()}
    path = GOLDEN / f"{lang}.json"
    if os.environ.get("INCIDENTCTL_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def test_golden_payloads_say_what_the_platforms_need(svc: Incidents, clock: ManualClock) -> None:
    notices = golden_notices(svc, clock, "zh")
    breach, escalation = notices["breach"], notices["escalation"]
    ding = payload(breach, "dingtalk")
    assert ding["msgtype"] == "markdown" and ding["at"]["atMobiles"] == [MOBILE]
    assert f"@{MOBILE}" in ding["markdown"]["text"]  # DingTalk shows a mention only if in text
    assert "`incidentctl walk INC-20261122-001`" in ding["markdown"]["text"]
    assert "已逾期 2分钟" in ding["markdown"]["text"] and "+08:00" in ding["markdown"]["text"]
    text = payload(breach, "dingtalk-text")
    assert text["msgtype"] == "text" and text["at"]["atMobiles"] == [MOBILE]
    assert payload(breach, "wecom-text")["text"]["mentioned_mobile_list"] == [MOBILE]
    assert payload(breach, "wecom")["msgtype"] == "markdown"
    feishu = payload(breach, "feishu-text")["content"]["text"]
    assert '<at user_id="ou_5f2c9e">王伟</at>' in feishu
    assert "<b>" not in feishu  # the title cannot mark anything up, nor mention anybody
    card = payload(breach, "feishu")
    assert card["msg_type"] == "interactive"
    assert "<at id=ou_5f2c9e></at>" in card["card"]["elements"][0]["text"]["content"]
    slack = payload(breach, "slack")
    assert "<@U024BE7LH>" in slack["text"] and slack["blocks"][0]["type"] == "section"
    # everyone, per platform
    assert payload(escalation, "dingtalk")["at"]["isAtAll"] is True
    assert payload(escalation, "wecom-text")["text"]["mentioned_list"] == ["@all"]
    assert '<at user_id="all">' in payload(escalation, "feishu-text")["content"]["text"]
    assert "<!channel>" in payload(escalation, "slack-text")["text"]
    assert "incidentctl ack INC-20261122-001" in escalation.text
    assert payload(escalation, "json")["mentioned"] == ["@all"]
    assert MOBILE not in json.dumps(payload(breach, "json"))


# --- mentions through check ---------------------------------------------------------------
@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook("/robot/send?access_token=TOKENz")
    yield h
    h.release.set()
    h.server.shutdown()
    h.server.server_close()


def hooks_yaml(hook: Hook, formats: list[str]) -> str:
    base = hook.url.split("?")[0]
    lines = "".join(
        f"    - {{name: {fmt}, url: '{base}?f={fmt}', format: {fmt}}}\n" for fmt in formats
    )
    return f"  webhooks:\n{lines}"


def by_format(hook: Hook) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in hook.requests:
        out.setdefault(r["path"].split("f=")[1], []).append(r["json"])
    return out


def events(run: Run, inc: str, kind: str) -> list[dict[str, Any]]:
    timeline = json.loads(run("timeline", inc, "--json").stdout)["events"]
    return [e for e in timeline if e["type"] == kind]


def test_the_owner_is_mentioned_on_every_platform_and_the_log_keeps_only_the_name(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path
) -> None:
    formats = ["dingtalk-text", "wecom-text", "feishu-text", "slack-text", "json"]
    config(isolated, PEOPLE_YAML + "notify:\n  kinds: [breach]\n" + hooks_yaml(hook, formats))
    inc = run("open", ENGINE, "-s", "2", "-t", "支付异常").stdout.strip()
    run("assign", inc, "commander", "王伟")
    clock.advance(minutes=31)  # ack and update#1 (both the commander's) are overdue
    run("check", expect=5)
    sent = by_format(hook)
    assert all(len(sent[f]) == 2 for f in formats)
    assert sent["dingtalk-text"][0]["at"]["atMobiles"] == [MOBILE]
    assert sent["dingtalk-text"][0]["text"]["content"].endswith(f"@{MOBILE}")
    assert sent["wecom-text"][0]["text"]["mentioned_mobile_list"] == [MOBILE]
    assert '<at user_id="ou_5f2c9e">王伟</at>' in sent["feishu-text"][0]["content"]["text"]
    assert "<@U024BE7LH>" in sent["slack-text"][0]["text"]
    assert sent["json"][0]["mentioned"] == ["王伟"]
    notified = events(run, inc, "deadline.notified")
    assert [e["payload"]["mentioned"] for e in notified] == [["王伟"], ["王伟"]]
    everything = run("timeline", inc, "--json").stdout + run("timeline", inc).stdout
    everything += run("show", inc).stdout + run("show", inc, "--json").stdout
    for number in ("13800000001", "13800000002", "13800000003", "U024BE7LH", "ou_5f2c9e"):
        assert number not in everything
    assert "王伟" in run("timeline", inc).stdout


def test_nobody_holding_the_role_mentions_its_fallback(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        PEOPLE_YAML
        + "notify:\n  kinds: [breach]\n  fallback: {commander: 李娜, '*': '@all'}\n"
        + hooks_yaml(hook, ["dingtalk", "json"]),
    )
    inc = run("open", ENGINE, "-s", "2", "-t", "t").stdout.strip()
    clock.advance(minutes=31)
    run("check", expect=5)
    sent = by_format(hook)
    assert sent["dingtalk"][0]["at"]["atMobiles"] == ["13800000002"]
    assert sent["json"][0]["mentioned"] == ["李娜"]
    config(
        isolated,
        PEOPLE_YAML
        + "notify:\n  kinds: [breach]\n  fallback: {'*': '@all'}\n"
        + hooks_yaml(hook, ["dingtalk2"]).replace("format: dingtalk2", "format: dingtalk"),
    )
    clock.advance(minutes=60)  # update#2
    run("check", expect=5)
    last = hook.requests[-1]["json"]
    assert last["at"]["isAtAll"] is True and last["markdown"]["text"].endswith("@all")
    assert events(run, inc, "deadline.notified")[-1]["payload"]["mentioned"] == ["@all"]


@pytest.mark.no_store("a config error, found before the store is opened")
def test_an_unknown_person_in_the_config_is_a_clear_error(run: Run, isolated: Path) -> None:
    config(isolated, PEOPLE_YAML + "notify:\n  fallback:\n    commander: 赵六\n")
    err = run("list", expect=1).stderr
    assert "config.yaml:7:16: notify.fallback.commander: '赵六' is not in people" in err


@pytest.mark.no_store("a config error, found before the store is opened")
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("notify:\n  tz: Mars/Olympus\n", "notify.tz: unknown time zone 'Mars/Olympus'"),
        ("notify:\n  lang: fr\n", "notify.lang: 'fr' is not one of: zh, en"),
        ("people:\n  王伟: {slack: wangwei}\n", "people.王伟.slack: 'wangwei' is not a Slack"),
        (
            "notify:\n  escalation:\n    sev1: [{after: soon, notify: x}]\n",
            "notify.escalation.sev1[0].after: 'soon' is not a duration",
        ),
        (
            PEOPLE_YAML + "notify:\n  escalation:\n    sev1: [{after: 10m, notify: 赵六}]\n",
            "config.yaml:7:33: notify.escalation.sev1[0].notify: '赵六' is neither a name in "
            "people (王伟, 李娜, 张总), a role id, nor @all",
        ),
    ],
)
def test_bad_notify_settings_point_at_the_line(
    run: Run, isolated: Path, text: str, message: str
) -> None:
    config(isolated, text)
    assert message in run("list", expect=1).stderr


def test_notices_speak_the_teams_language_and_zone_whatever_the_sender_uses(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        "notify:\n  lang: zh\n  tz: UTC\n  kinds: [breach]\n" + hooks_yaml(hook, ["dingtalk-text"]),
    )
    run("open", ENGINE, "-s", "2", "-t", "t")
    clock.advance(minutes=31)
    run("--lang", "en", "--tz", "America/New_York", "check", expect=5)
    content = hook.requests[0]["json"]["text"]["content"]
    assert content.startswith("【已逾期】") and "已逾期 1分钟" in content
    assert "2026-11-22 02:30 +00:00" in content  # 10:00 in Shanghai + 30m, shown in UTC


# --- escalation on the fake clock --------------------------------------------------------
ESCALATION = """notify:
  kinds: [breach]
  webhooks:
    - {name: ops, url: 'URL', format: json}
  escalation:
    sev1:
      - {after: 10m, notify: tech}
      - {after: 20m, notify: 张总}
    sev2:
      - {after: 60m, notify: 张总}
"""


def escalated(hook: Hook, step: str = "ack") -> list[tuple[int, list[str]]]:
    return [
        (r["json"]["level"], r["json"]["mentioned"])
        for r in hook.requests
        if r["json"]["type"] == "deadline.escalation" and r["json"]["deadline"] == step
    ]


@pytest.fixture
def escalating(run: Run, hook: Hook, isolated: Path) -> str:
    config(isolated, PEOPLE_YAML + ESCALATION.replace("URL", hook.url))
    inc = run("open", ENGINE, "-s", "1", "-t", "宕机").stdout.strip()  # ack due in 10m
    run("assign", inc, "tech", "李娜")
    return inc


def test_an_unacknowledged_breach_escalates_level_by_level_once_each(
    run: Run, clock: ManualClock, hook: Hook, escalating: str
) -> None:
    clock.advance(minutes=11)
    run("check", expect=5)
    assert escalated(hook) == []  # paged, not yet escalated
    clock.advance(minutes=8)  # 9m overdue
    run("check", expect=5)
    assert escalated(hook) == []
    clock.advance(minutes=1)  # 10m overdue: level 1, the holder of `tech`
    run("check", expect=5)
    assert escalated(hook) == [(1, ["李娜"])]
    clock.advance(minutes=5)
    run("check", expect=5)
    assert escalated(hook) == [(1, ["李娜"])]  # once
    clock.advance(minutes=5)  # 20m overdue: level 2
    run("check", expect=5)
    run("check", expect=5)
    assert escalated(hook) == [(1, ["李娜"]), (2, ["张总"])]
    records = [
        e["payload"]
        for e in events(run, escalating, "deadline.notified")
        if e["payload"]["kind"] == "escalation" and e["payload"]["deadline"] == "ack"
    ]
    assert [(p["level"], p["notify"], p["mentioned"]) for p in records] == [
        (1, "tech", ["李娜"]),
        (2, "张总", ["张总"]),
    ]
    timeline = run("timeline", escalating).stdout
    assert "escalated (level 2, 张总) ack -> ops" in timeline
    assert "13800000003" not in run("timeline", escalating, "--json").stdout


def test_an_ack_stops_the_escalation(
    run: Run, clock: ManualClock, hook: Hook, escalating: str
) -> None:
    clock.advance(minutes=20)
    run("check", expect=5)
    assert escalated(hook) == [(1, ["李娜"])]
    clock.advance(minutes=1)
    out = run("ack", escalating, "ack", "--by", "李娜").stdout
    assert "acknowledged the page for ack" in out
    clock.advance(minutes=15)
    run("check", expect=5)  # still overdue, but acknowledged: no level 2
    assert escalated(hook) == [(1, ["李娜"])]
    ack = events(run, escalating, "notice.acked")
    assert [(e["actor"], e["payload"]) for e in ack] == [("李娜", {"step": "ack"})]


def test_an_ack_before_the_breach_does_not_cover_it(
    run: Run, clock: ManualClock, hook: Hook, escalating: str
) -> None:
    clock.advance(minutes=5)
    run("ack", escalating)  # nothing was overdue yet
    clock.advance(minutes=15)  # ack is 10m overdue
    run("check", expect=5)
    assert escalated(hook) == [(1, ["李娜"])]
    run("ack", escalating)  # the whole incident: covers ack
    clock.advance(minutes=15)
    run("check", expect=5)
    assert escalated(hook) == [(1, ["李娜"])]


def test_doing_the_step_stops_the_escalation(
    run: Run, clock: ManualClock, hook: Hook, escalating: str
) -> None:
    clock.advance(minutes=20)
    run("check", expect=5)
    run("step", "done", escalating, "ack")
    clock.advance(minutes=15)
    run("check", expect=5)  # update#1 is still overdue
    assert escalated(hook) == [(1, ["李娜"])]


def test_a_change_of_tier_changes_the_policy(
    run: Run, clock: ManualClock, hook: Hook, escalating: str
) -> None:
    clock.advance(minutes=12)
    run("check", expect=5)
    run("severity", escalating, "2", "--reason", "only one channel")  # ack now due at 30m
    clock.advance(minutes=38)  # 50m: 20m overdue, which sev1 would have escalated twice
    run("check", expect=5)
    assert escalated(hook) == []
    clock.advance(minutes=40)  # 90m: 60m overdue, sev2's only level
    run("check", expect=5)
    assert escalated(hook) == [(1, ["张总"])]


def test_ack_refuses_an_unknown_step_and_a_closed_incident(run: Run) -> None:
    inc = run("open", ENGINE, "-s", "2", "-t", "t").stdout.strip()
    assert "nope" in run("ack", inc, "nope", expect=1).stderr
    run("resolve", inc)
    run("close", inc, "--force", "--reason", "drill over")
    assert "closed" in run("ack", inc, expect=1).stderr
    assert events(run, inc, "notice.acked") == []


# --- watch --------------------------------------------------------------------------------
def test_watch_lists_unacknowledged_breaches_first(
    svc: Incidents, clock: ManualClock, isolated: Path
) -> None:
    first = svc.open(runbook("engine"), severity="1", title="first").state.id
    svc.open(runbook("engine"), severity="1", title="second")
    clock.set(T0 + 12 * M)
    app = App(home=str(isolated), clock=clock, lang="en", tz="Asia/Shanghai")
    w = Watch(app, [], bell=False, notifier=None, out=io.StringIO())

    def overdue_rows() -> list[str]:
        frame, _ = w.tick(T0 + 12 * M)
        return [line for line in frame.splitlines() if line.startswith("overdue")]

    rows = overdue_rows()
    assert rows[0].split()[2] == first  # both unacknowledged: in the usual order
    svc.ack(first)
    rows = overdue_rows()
    assert rows[0].split()[2] != first and rows[-1].split()[2] == first


def test_the_postmortem_lists_every_page_escalation_and_acknowledgment(
    run: Run, clock: ManualClock, hook: Hook, escalating: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jsonschema import Draft202012Validator

    from incidentctl.paths import schemas_dir

    from .contract import registry
    from .test_postmortem import Structure

    clock.advance(minutes=20)  # ack 10m overdue: the breach, then level 1
    run("check", expect=5)
    run("check", expect=5)
    clock.advance(minutes=3)
    run("ack", escalating, "ack", "--by", "李娜")

    def pm(*args: str) -> str:
        return str(run("--tz", "Asia/Shanghai", "postmortem", escalating, *args).stdout)

    doc = json.loads(pm("--format", "json"))
    schema = json.loads((schemas_dir() / "postmortem.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema, registry=registry(schemas_dir())).validate(doc)
    pages = [p for p in doc["paging"]["pages"] if p["deadline"] == "ack"]
    assert [(p["kind"], p["level"], p["notify"], p["channels"]) for p in pages] == [
        ("breach", None, None, ["ops"]),
        ("escalation", 1, "tech", ["ops"]),
    ]
    assert pages[1]["mentioned"] == ["李娜"]
    acked = pages[1]["acknowledged"]
    assert (acked["actor"], acked["after_seconds"]) == ("李娜", 180)
    assert [(a["actor"], a["step"]) for a in doc["paging"]["acknowledgments"]] == [("李娜", "ack")]
    md = pm()
    assert "## Pages, escalations and acknowledgments" in md
    assert "escalation level 1 (tech)" in md and "李娜 at 2026-11-22 10:23 (3m later)" in md
    zh = run("--lang", "zh", "--tz", "Asia/Shanghai", "postmortem", escalating).stdout
    assert "## 提醒、升级与确认收到" in zh and "升级第1级（tech）" in zh
    html = pm("--format", "html")

    page = Structure()
    page.feed(html)
    assert "paging" in page.ids and "李娜" in html
    for text in (md, zh, html, json.dumps(doc, ensure_ascii=False)):
        assert MOBILE not in text and "13800000002" not in text and "13800000003" not in text
    # deterministic: the same bytes again, and whatever the machine's zone
    for fmt in ("md", "json", "html"):
        first = pm("--format", fmt)
        monkeypatch.setenv("TZ", "America/New_York")
        assert pm("--format", fmt) == first, fmt
        monkeypatch.setenv("TZ", "Asia/Shanghai")
