"""Under --lang zh, incidentctl says everything in Chinese.

The README's commands are run in order, with their usual mistakes, and every
line they print (stdout and stderr) is checked: once the ids, commands, zone
names, paths, hashes, runbook data and what the user typed are taken out, no
English word may be left.  The catalogue itself is checked too: every key has
both languages, with the same placeholders.
"""

from __future__ import annotations

import json
import re
import string
from typing import TYPE_CHECKING, Any

import pytest

from incidentctl.clock import ManualClock
from incidentctl.errors import InvalidAction, InvalidInput
from incidentctl.i18n import _MESSAGES

from .conftest import Run, runbook

if TYPE_CHECKING:
    from incidentctl.incidents.service import Incidents

SHIPPED = [
    "customer-complaint",
    "customer-data-error",
    "logistics-anomaly",
    "marketing-anomaly",
    "public-opinion",
    "system-outage",
    "fraudulent-orders",
    "phishing",
]

#: What the script below types, and who it acts as, that is not Chinese.
TYPED = {"channel", "sms", "App", "tester", "payment-failur", "asemble", "nobody", "nite"}
#: Words that are names, not English: zones, algorithms, the program.
NAMES = {"UTC", "Asia/Shanghai", "sha256", "incidentctl", "README"}

_TOKEN = re.compile(r"[A-Za-z0-9_.\-/$§'{}]+")


def _runbook_tokens(doc: Any, under_en: bool = False) -> set[str]:
    """Every id, and every token of every text, of a runbook document except its English."""
    out: set[str] = set()
    if isinstance(doc, dict):
        for k, v in doc.items():
            out |= _runbook_tokens(v, under_en or k == "en")
    elif isinstance(doc, list):
        for v in doc:
            out |= _runbook_tokens(v, under_en)
    elif isinstance(doc, str) and not under_en:
        out.add(doc)
        out.update(m.strip("{}.") for m in _TOKEN.findall(doc))
    return out


def english_left(text: str, allowed: set[str]) -> list[str]:
    """The English words in ``text`` once everything that may stay is taken out."""
    text = re.sub(r"`[^`]*`", " ", text)  # commands and code
    text = re.sub(r"incidentctl(?:\s+[-\w.=/$]+)*", " ", text)  # a command to run
    for phrase in sorted((a for a in allowed if " " in a), key=len, reverse=True):
        text = text.replace(phrase, " ")  # runbook data that is more than one word
    left = []
    for token in _TOKEN.findall(text):
        word = token.strip("{}.'-")
        if not re.search("[A-Za-z]{2}", word) or word in allowed or word in NAMES:
            continue
        if "/" in word or re.fullmatch(r"INC-\d{8}-\d+|sev\d|[0-9a-f]{12,64}", word):
            continue  # paths, incident ids, tier ids, hashes
        left.append(word)
    return left


def test_no_catalogue_key_is_written_twice() -> None:
    """A dict literal keeps the last of two equal keys without a word: look at the source."""
    import ast
    import collections

    from .conftest import REPO

    tree = ast.parse((REPO / "incidentctl" / "i18n.py").read_text(encoding="utf-8"))
    (catalogue,) = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_MESSAGES"
    ]
    assert isinstance(catalogue, ast.Dict)
    keys = [k.value for k in catalogue.keys if isinstance(k, ast.Constant)]
    assert len(keys) == len(catalogue.keys) > 300
    assert [k for k, n in collections.Counter(keys).items() if n > 1] == []


def test_catalogue_has_both_languages_with_the_same_placeholders() -> None:
    fields = string.Formatter()
    for key, (en, zh) in _MESSAGES.items():
        assert en and zh, key
        names_en = {f for _, f, _, _ in fields.parse(en) if f}
        names_zh = {f for _, f, _, _ in fields.parse(zh) if f}
        assert names_en == names_zh, key


def test_readme_commands_say_nothing_in_english_under_lang_zh(
    run: Run, clock: ManualClock, org: None
) -> None:
    zh = ("--lang", "zh")
    outputs: list[tuple[str, str]] = []

    def say(*args: str, expect: int = 0, input: str | None = None) -> str:
        result = run(*zh, *args, expect=expect, input=input)
        outputs.append((" ".join(args), result.stdout + result.stderr))
        return result.stdout

    # runbooks
    say("runbook", "list")
    say("runbook", "show", "data-breach", "-s", "1")
    say("runbook", "show", "payment-failure", "--format", "md", "-s", "2")
    say("runbook", "validate")
    say("runbook", "show", "payment-failur", expect=1)
    say("runbook", "show", "payment-failure", "-s", "9", expect=1)
    # an incident, as "A first look" runs it
    say("list")
    inc = say(
        "open", "payment-failure", "-s", "1", "-t", "支付成功率骤降", "--commander", "王伟"
    ).strip()
    clock.advance(minutes=12)
    say(
        "step", "done", inc, "confirm-and-grade",
        "--evidence", "failure-type=channel", "--evidence", "affected-orders=3000",
    )  # fmt: skip
    say("step", "done", inc, "assemble")
    say("step", "done", inc, "assemble", expect=1)  # already done
    say("step", "done", inc, "asemble", expect=1)  # a typo
    say("step", "skip", inc, "notify-card-brands", "--reason", "不涉及卡数据")
    say("note", inc, "客服已统一口径", "--at", "-5m")
    say("note", inc, "太早了", "--at", "-50m", expect=1)  # before the incident opened
    say("note", inc, "时间不对", "--at", "昨天", expect=1)  # not a time
    say("severity", inc, "2", "--reason", "仅一个通道受影响")
    say("severity", inc, "2", "--reason", "再来一次", expect=1)
    say("assign", inc, "tech", "李娜")
    say("assign", inc, "nobody", "李娜", expect=1)
    say("set", inc, "scope", "华东地区 App 用户")
    say("deadlines")
    say("show", inc)
    say("comms", inc, "--list")
    say("comms", inc, "customer-notice")
    say("comms", inc, "customer-notice", "--send", "--channel", "sms")
    say("mitigate", inc)
    say("close", inc, expect=1)  # not resolved yet
    clock.advance(minutes=30)
    say("resolve", inc, "--summary", "通道已恢复")
    say("timeline", inc)
    say("close", inc, expect=1)  # required steps still open: named
    say("retract", inc, "2", "--reason", "记错了")
    say("reopen", inc, "--reason", "再次出现")
    say("show", "99", expect=1)
    say("list", "--status", "all")
    say("audit", "verify", "--all")
    say("check", expect=5)
    say("walk", inc, input="quit\n")
    say("walk", inc, input="q\nnite 客服\nskip assemble\ndone 99\nmitigate 现在\nquit\n", expect=1)

    allowed = set(TYPED)
    for name in ("payment-failure", "data-breach", *SHIPPED):
        allowed |= _runbook_tokens(runbook(name).doc)
    leaks = [
        f"{command}: {' '.join(left)}"
        for command, text in outputs
        if (left := english_left(text, allowed))
    ]
    assert not leaks, "English under --lang zh:\n" + "\n".join(leaks)


def test_errors_and_hints_are_said_in_the_readers_language(run: Run) -> None:
    inc = run("open", "payment-failure", "-s", "1", "-t", "t").stdout.strip()
    run("step", "done", inc, "assemble")
    tiers_en = (
        "sev1 (一级(重大) / Level 1 (major)), sev2 (二级(较大) / Level 2 (relatively major)), "
        "sev3 (三级(一般) / Level 3 (general))"
    )
    cases = [
        (
            ["show", "INC-1999"],
            "Error: no incident matches 'INC-1999'\n"
            "Hint: `incidentctl list --status all --drills` shows every incident, drills included\n",
            "错误：没有与 'INC-1999' 匹配的事件\n"
            "提示：`incidentctl list --status all --drills` 可列出全部事件（含演练）\n",
        ),
        (
            ["step", "done", inc, "assemble"],
            "Error: step assemble is already done (2026-11-22 10:00 +08:00, by tester)\n"
            f"Hint: to correct it, `incidentctl retract {inc} 2 --reason ...`\n",
            "错误：步骤 assemble 已标记为完成（2026-11-22 10:00 +08:00，操作人 tester）\n"
            f"提示：如需更正，请运行 `incidentctl retract {inc} 2 --reason ...`\n",
        ),
        (
            ["note", inc, "x", "--at", "10:30"],
            "Error: '10:30' is 30m in the future (2026-11-22 10:30 +08:00); "
            "events can only be recorded for the past\n",
            "错误：'10:30' 比现在晚 30分钟（2026-11-22 10:30 +08:00）；只能记录已经发生的事\n",
        ),
        (
            ["severity", inc, "9", "--reason", "x"],
            f"Error: unknown severity '9' for runbook payment-failure; expected one of {tiers_en}\n",
            "错误：预案 payment-failure 没有级别 '9'；"
            "可选级别：sev1（一级(重大)）、sev2（二级(较大)）、sev3（三级(一般)）\n",
        ),
    ]
    for args, en, zh in cases:
        assert run(*args, expect=1).stderr == en
        said = run("--lang", "zh", *args, expect=1).stderr
        assert said == zh
        assert not english_left(said, {"INC-1999", "payment-failure", "assemble", "tester"}), said


def test_an_errors_message_stays_english_whatever_the_reader_reads(svc: Incidents) -> None:
    with pytest.raises(InvalidInput) as raised:
        svc.open(runbook("payment-failure"), severity="9", title="t")
    error = raised.value
    assert error.message.startswith("unknown severity '9' for runbook payment-failure; ")
    assert str(error) == error.message == error.text("en")
    assert error.text("zh").startswith("预案 payment-failure 没有级别 '9'；")
    inc = svc.open(runbook("payment-failure"), severity="1", title="t").state.id
    with pytest.raises(InvalidAction) as closed:
        svc.close(inc)
    assert closed.value.message == f"{inc} is open; resolve it before closing"
    assert closed.value.text("zh") == f"{inc} 的状态为“处理中”；请先标记解决，再关闭"
    with pytest.raises(InvalidInput) as missing:
        svc.step(inc, "done", "confirm-and-grade")
    assert missing.value.hint == "give it as --evidence ID=VALUE"
    assert missing.value.hint_text("zh") == "请用 `--evidence ID=VALUE` 给出"


@pytest.mark.no_store("the language chosen, not the store")
def test_an_unsupported_incidentctl_lang_is_said_once_and_english_is_used(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCIDENTCTL_LANG", "fr")
    result = run("list")
    assert result.stderr == (
        "warning: $INCIDENTCTL_LANG is 'fr', which incidentctl does not speak "
        "(it speaks zh, en); going on in English\n"
    )
    assert "No incidents yet" in result.stdout
    result = run("list", "--json")  # a note for people, before any JSON
    assert result.stderr.startswith("warning: $INCIDENTCTL_LANG is 'fr'")
    assert json.loads(result.stdout)["kind"] == "incident-list"
    # --lang says which language to use, so the variable is not used at all
    assert run("--lang", "zh", "list").stderr == ""
    for fine in ("zh", "zh_CN.UTF-8", "en", "EN"):
        monkeypatch.setenv("INCIDENTCTL_LANG", fine)
        assert run("list").stderr == "", fine


@pytest.mark.no_store("the language chosen, not the store")
def test_the_system_locale_is_never_warned_about(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.setenv("LC_ALL", "C")
    result = run("list")
    assert result.stderr == "" and "No incidents yet" in result.stdout


@pytest.mark.no_store("the language chosen, not the store")
def test_an_unsupported_lang_option_is_a_usage_error(run: Run) -> None:
    err = run("--lang", "fr", "list", expect=2).stderr
    assert "'fr' is not one of 'zh', 'en'" in err
