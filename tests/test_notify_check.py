"""`check` for cron, and breach notices through a real local HTTP server and a real command."""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from incidentctl.clock import ManualClock
from incidentctl.deadlines.notify import Notice, Notifier, payload

from .conftest import DATA, Run


class Hook:
    """A webhook receiver: records every POST, answers with the next scripted status."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.body: bytes = b'{"errcode": 0, "errmsg": "ok"}'
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.requests.append(
                    {
                        "path": self.path,
                        "type": self.headers["Content-Type"],
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                status = hook.statuses.pop(0) if hook.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(hook.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = (
            f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token=secret"
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.server.shutdown()
    h.server.server_close()


def config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(text, encoding="utf-8")


ENGINE = str(DATA / "runbooks" / "valid" / "engine.yaml")


def test_check_is_silent_and_zero_when_all_is_well(run: Run) -> None:
    result = run("check")
    assert (result.stdout, result.stderr) == ("", "")
    run("open", ENGINE, "-s", "2", "-t", "fine")
    result = run("check")
    assert (result.exit_code, result.stdout) == (0, "")


def test_check_exit_codes(run: Run, clock: ManualClock) -> None:
    run("open", ENGINE, "-s", "2", "-t", "t")  # ack due in 30m, due soon from 24m
    assert run("check", "--warn-before", "31m", expect=4).stdout.count("ack") == 1
    clock.advance(minutes=25)
    assert "due soon" in run("check", expect=4).stdout
    clock.advance(minutes=10)
    out = run("check", expect=5).stdout
    assert "overdue" in out and "ack" in out
    data = json.loads(run("check", "--json", expect=5).stdout)
    assert data["status"] == "overdue"
    assert {d["key"]: d["flag"] for d in data["deadlines"]}["ack"] == "breach"


def paged_step(request: dict[str, Any]) -> str:
    match = re.search(r" step (\S+) ", request["json"]["text"]["content"])
    assert match, request
    return match.group(1)


def test_each_breach_pages_the_webhook_once(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        f"notify:\n  kinds: [breach]\n  webhooks:\n    - {{url: '{hook.url}', format: dingtalk}}\n",
    )
    inc = run("open", ENGINE, "-s", "2", "-t", "支付异常").stdout.strip()
    clock.advance(minutes=31)
    for _ in range(3):  # cron runs every minute
        run("check", expect=5)
        clock.advance(minutes=1)
    # ack (30m) and the first update (30m) are overdue: one page each, however often cron runs
    assert sorted(paged_step(r) for r in hook.requests) == ["ack", "update#1"]
    body = hook.requests[0]["json"]
    assert body["msgtype"] == "text"
    assert body["text"]["content"].startswith(f"[BREACH] {inc}")
    assert hook.requests[0]["type"].startswith("application/json")
    events = json.loads(run("timeline", inc, "--json").stdout)
    notified = [e for e in events if e["type"] == "deadline.notified"]
    assert sorted(n["payload"]["key"] for n in notified) == ["breach:ack", "breach:update#1"]
    assert notified[0]["payload"]["channels"] == [f"dingtalk:{hook.url.split('?')[0]}"]
    # an hour later the second update is overdue too: one more page
    clock.advance(minutes=60)
    run("check", expect=5)
    run("check", expect=5)
    assert [paged_step(r) for r in hook.requests[2:]] == ["update#2"]


def test_failing_webhook_is_retried_with_backoff_and_loses_nothing(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path, sleeps: list[float]
) -> None:
    config(
        isolated, f"notify:\n  retries: 2\n  backoff: 2s\n  webhooks:\n    - url: '{hook.url}'\n"
    )
    inc = run("open", ENGINE, "-s", "2", "-t", "t").stdout.strip()
    clock.advance(minutes=31)
    hook.statuses = [500] * 6  # ack and the first update are both overdue: two notices
    result = run("check", expect=5)
    assert (
        "notify failed" in result.stderr
        and "HTTP 500" in result.stderr
        and "secret" not in result.stderr
    )
    assert sleeps == [2.0, 4.0, 2.0, 4.0]
    assert len(hook.requests) == 6
    assert not [
        e
        for e in json.loads(run("timeline", inc, "--json").stdout)
        if e["type"] == "deadline.notified"
    ]
    hook.statuses = [503]
    run("check", expect=5)  # retried on the next run: one 503 then accepted, and the other at once
    assert len(hook.requests) == 9
    assert {r["json"]["deadline"] for r in hook.requests[6:]} == {"ack", "update#1"}
    keys = [
        e["payload"]["key"]
        for e in json.loads(run("timeline", inc, "--json").stdout)
        if e["type"] == "deadline.notified"
    ]
    assert sorted(keys) == ["breach:ack", "breach:update#1"]
    run("check", expect=5)
    assert len(hook.requests) == 9


def test_dingtalk_error_code_counts_as_failure(hook: Hook) -> None:
    hook.body = b'{"errcode": 310000, "errmsg": "keywords not in content"}'
    notifier = Notifier(
        webhooks=[{"url": hook.url, "format": "dingtalk"}], retries=0, sleep=lambda s: None
    )
    (outcome,) = notifier.send(NOTICE)
    assert not outcome.ok and "310000" in outcome.detail


NOTICE = Notice(
    "breach",
    "INC-20261122-001",
    "t",
    "sev1",
    "ack",
    "确认",
    "ack",
    "2026-11-22T02:10:00Z",
    -60,
    "commander",
    "王伟",
    "【已逾期】…",
)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("dingtalk", {"msgtype": "text", "text": {"content": NOTICE.text}}),
        ("wecom", {"msgtype": "text", "text": {"content": NOTICE.text}}),
        ("feishu", {"msg_type": "text", "content": {"text": NOTICE.text}}),
        ("slack", {"text": NOTICE.text}),
    ],
)
def test_webhook_payload_formats(fmt: str, expected: dict[str, Any], hook: Hook) -> None:
    assert payload(NOTICE, fmt) == expected
    (outcome,) = Notifier(webhooks=[{"url": hook.url, "format": fmt}], sleep=lambda s: None).send(
        NOTICE
    )
    assert outcome.ok
    assert hook.requests[-1]["json"] == expected


def test_command_gets_the_notice_on_stdin_without_a_shell(tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    script = tmp_path / "page.py"
    script.write_text(
        f"import sys; open({str(out)!r}, 'w').write(sys.stdin.read())", encoding="utf-8"
    )
    notifier = Notifier(command=[sys.executable, str(script), "; rm -rf /"], sleep=lambda s: None)
    (outcome,) = notifier.send(NOTICE)
    assert outcome.ok
    assert json.loads(out.read_text(encoding="utf-8"))["incident"] == "INC-20261122-001"


def test_failing_command_is_reported(tmp_path: Path) -> None:
    notifier = Notifier(
        command=[sys.executable, "-c", "import sys; sys.exit('no pager')"],
        retries=1,
        sleep=lambda s: None,
    )
    (outcome,) = notifier.send(NOTICE)
    assert not outcome.ok and outcome.attempts == 2 and "no pager" in outcome.detail
    missing = Notifier(command=["/nonexistent/pager"], retries=0, sleep=lambda s: None)
    assert "command not found" in missing.send(NOTICE)[0].detail


def test_bad_config_points_at_the_line(run: Run, isolated: Path) -> None:
    config(isolated, "notify:\n  webhooks:\n    - url: ftp://x\n      formt: slack\n")
    run("open", ENGINE, "-s", "2", "-t", "t")
    err = run("check", expect=1).stderr
    assert "config.yaml:3:12: notify.webhooks[0].url: 'ftp://x' is not an http(s) URL" in err
