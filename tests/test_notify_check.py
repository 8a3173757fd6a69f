"""`check` for cron, and notices through a real local HTTP server and a real command:
once per deadline and channel, within a budget, retried across runs, never a secret."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from incidentctl.clock import ManualClock
from incidentctl.deadlines.notice import Notice
from incidentctl.deadlines.notify import Channel, Notifier, mask_url, payload
from tests.conftest import write_config as config

from .conftest import DATA, REPO, Run, checks_at_once

#: Every test here runs on the embedded store and on a team store (PostgreSQL).
pytestmark = pytest.mark.usefixtures("backend")


class Hook:
    """A webhook receiver: records every POST; answers with the next scripted status, or
    hangs, or trickles its answer a byte at a time, until released."""

    def __init__(self, path: str = "/robot/send?access_token=TOKEN9f3a") -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.body: bytes = b'{"errcode": 0, "errmsg": "ok"}'
        self.mode = "answer"  # or "hang", "trickle"
        self.delay = 0.0
        self.release = threading.Event()
        self.finished = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                hook.requests.append(
                    {
                        "path": self.path,
                        "type": self.headers["Content-Type"],
                        "key": self.headers["Idempotency-Key"],
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                if hook.mode == "hang":
                    hook.release.wait(60)
                time.sleep(hook.delay)
                status = hook.statuses.pop(0) if hook.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", str(len(hook.body)))
                self.end_headers()
                if hook.mode == "trickle":
                    for byte in hook.body:
                        if hook.release.wait(0.2):
                            break
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                else:
                    self.wfile.write(hook.body)
                hook.finished += 1

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.release.set()
    h.server.shutdown()
    h.server.server_close()


@pytest.fixture
def second_hook() -> Iterator[Hook]:
    h = Hook("/services/T000/B000/XOXBSECRET")
    yield h
    h.release.set()
    h.server.shutdown()
    h.server.server_close()


ENGINE = str(DATA / "runbooks" / "valid" / "engine.yaml")


def notices(run: Run, inc: str) -> list[dict[str, Any]]:
    return [
        e["payload"]
        for e in json.loads(run("timeline", inc, "--json").stdout)["events"]
        if e["type"] == "deadline.notified"
    ]


def test_check_is_silent_and_zero_when_all_is_well(run: Run) -> None:
    result = run("check")
    assert (result.stdout, result.stderr) == ("", "")
    run("open", ENGINE, "-s", "2", "-t", "fine")
    result = run("check")
    assert (result.exit_code, result.stdout) == (0, "")


def test_a_deadline_flagged_by_warn_before_is_labelled_due_soon(run: Run) -> None:
    run("open", ENGINE, "-s", "2", "-t", "t")  # ack due in 30m, due soon only from 24m
    assert "pending" in run("deadlines").stdout
    out = run("check", "--warn-before", "31m", expect=4).stdout
    row = next(line for line in out.splitlines() if "ack" in line)
    assert row.startswith("due soon") and "pending" not in out
    data = json.loads(run("check", "--warn-before", "31m", "--json", expect=4).stdout)
    assert data["status"] == "due-soon"
    flags = {d["key"]: d["flag"] for d in data["deadlines"]}
    assert flags["ack"] == "due-soon" and set(flags.values()) == {"due-soon"}
    zh = run("--lang", "zh", "check", "--warn-before", "31m", expect=4).stdout
    assert "即将到期" in zh and "待办" not in zh


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


def test_each_breach_pages_the_webhook_once_and_the_log_keeps_no_secret(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        f"notify:\n  kinds: [breach]\n  webhooks:\n    - {{name: oncall, url: '{hook.url}', format: dingtalk-text}}\n",
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
    assert {r["key"] for r in hook.requests} == {f"{inc}/breach/ack", f"{inc}/breach/update#1"}
    notified = notices(run, inc)
    assert sorted(n["key"] for n in notified) == ["breach:ack", "breach:update#1"]
    assert [n["channels"] for n in notified] == [["oncall"], ["oncall"]]
    # an hour later the second update is overdue too: one more page
    clock.advance(minutes=60)
    run("check", expect=5)
    run("check", expect=5)
    assert [paged_step(r) for r in hook.requests[2:]] == ["update#2"]
    everything = run("timeline", inc, "--json").stdout + run("timeline", inc).stdout
    assert "TOKEN9f3a" not in everything and "127.0.0.1" not in everything


def test_transient_failures_are_retried_on_later_runs_with_backoff_never_by_sleeping(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        f"notify:\n  retries: 2\n  backoff: 2m\n  webhooks:\n    - {{name: ops, url: '{hook.url}'}}\n",
    )
    inc = run("open", ENGINE, "-s", "2", "-t", "t").stdout.strip()
    clock.advance(minutes=31)
    hook.statuses = [500, 500]  # ack and the first update are both overdue: two notices
    result = run("check", expect=6)  # 6: a notice could not be delivered
    assert result.stderr.count("HTTP 500") == 2 and "will retry" in result.stderr
    assert "TOKEN9f3a" not in result.stderr
    assert len(hook.requests) == 2  # one attempt each: nothing slept and tried again
    assert [n["channels"] for n in notices(run, inc)] == [[], []]
    clock.advance(minutes=1)
    run("check", expect=5)  # within the backoff: nothing is sent, nothing failed
    assert len(hook.requests) == 2
    clock.advance(minutes=1, seconds=1)
    hook.statuses = [503]
    result = run("check", expect=6)  # one more 503 (the other notice gets through)
    assert len(hook.requests) == 4
    clock.advance(minutes=4, seconds=1)  # the backoff doubled
    run("check", expect=5)
    assert len(hook.requests) == 5
    keys = sorted(n["key"] for n in notices(run, inc) if n["channels"])
    assert keys == ["breach:ack", "breach:update#1"]
    clock.advance(minutes=60)
    run("check", expect=5)
    assert len(hook.requests) == 5 + 1  # only update#2, now overdue, is new


def test_retries_run_out_and_are_reported_once(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        f"notify:\n  kinds: [breach]\n  retries: 1\n  backoff: 1m\n  webhooks:\n    - {{url: '{hook.url}'}}\n",
    )
    run("open", ENGINE, "-s", "2", "-t", "t")
    clock.advance(minutes=31)
    hook.statuses = [500] * 10
    assert "will retry" in run("check", expect=6).stderr
    clock.advance(minutes=2)
    assert "giving up" in run("check", expect=6).stderr
    clock.advance(minutes=10)
    result = run("check", expect=5)  # nothing more is tried, and nothing more is said
    assert result.stderr == ""
    assert len(hook.requests) == 4


def test_a_permanent_failure_is_reported_once_and_never_retried(
    run: Run, clock: ManualClock, hook: Hook, second_hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        "notify:\n  kinds: [breach]\n  webhooks:\n"
        f"    - {{name: wrong-token, url: '{hook.url}'}}\n"
        f"    - {{name: good, url: '{second_hook.url}', format: slack}}\n",
    )
    inc = run("open", ENGINE, "-s", "2", "-t", "t").stdout.strip()
    clock.advance(minutes=31)
    hook.statuses = [404, 404]
    err = run("check", expect=6).stderr
    assert err.count("HTTP 404") == 2 and "giving up" in err
    clock.advance(minutes=30)
    assert run("check", expect=5).stderr == ""
    assert len(hook.requests) == 2
    # the other channel took both notices at once, and only once
    assert len(second_hook.requests) == 2
    assert all(n["channels"] == ["good"] for n in notices(run, inc))


def test_one_channel_failing_never_makes_another_send_twice(
    run: Run, clock: ManualClock, hook: Hook, second_hook: Hook, isolated: Path
) -> None:
    config(
        isolated,
        "notify:\n  kinds: [breach]\n  backoff: 1m\n  webhooks:\n"
        f"    - {{name: flaky, url: '{hook.url}'}}\n"
        f"    - {{name: steady, url: '{second_hook.url}'}}\n",
    )
    run("open", ENGINE, "-s", "2", "-t", "t")
    clock.advance(minutes=31)
    hook.statuses = [502, 502]
    run("check", expect=6)
    clock.advance(minutes=2)
    run("check", expect=5)
    assert (len(hook.requests), len(second_hook.requests)) == (4, 2)


@pytest.mark.parametrize("mode", ["hang", "trickle"])
def test_a_webhook_that_hangs_or_trickles_is_abandoned_at_the_budget(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path, mode: str
) -> None:
    config(
        isolated,
        f"notify:\n  kinds: [breach]\n  budget: 1s\n  webhooks:\n    - {{url: '{hook.url}', timeout: 30s}}\n",
    )
    hook.mode = mode
    hook.body = b'{"errcode": 0, "errmsg": "ok", "padding": "' + b"x" * 200 + b'"}'
    run("open", ENGINE, "-s", "2", "-t", "t")
    clock.advance(minutes=31)
    err = run("check", expect=6).stderr
    # check returned while the server was still busy with both requests: it did not wait
    assert hook.finished == 0 and len(hook.requests) == 2
    assert err.count("no answer within 1s; abandoned") == 2


def test_a_hanging_command_is_killed_at_its_limit(
    run: Run, clock: ManualClock, isolated: Path, tmp_path: Path
) -> None:
    script = tmp_path / "pager.py"
    script.write_text("import time; time.sleep(60)", encoding="utf-8")
    config(
        isolated,
        f"notify:\n  kinds: [breach]\n  command_timeout: 1s\n  command: ['{sys.executable}', '{script}']\n",
    )
    run("open", ENGINE, "-s", "2", "-t", "t")
    clock.advance(minutes=31)
    err = run("check", expect=6).stderr
    assert "killed after" in err
    still_running = [  # the pager, found by its script in any process's command line
        proc.name
        for proc in Path("/proc").iterdir()
        if proc.name.isdecimal() and str(script).encode() in _cmdline(proc)
    ]
    assert still_running == []


def _cmdline(proc: Path) -> bytes:
    try:
        return (proc / "cmdline").read_bytes()
    except OSError:  # gone meanwhile
        return b""


def test_a_missing_command_is_a_permanent_failure(
    run: Run, clock: ManualClock, isolated: Path
) -> None:
    config(isolated, "notify:\n  kinds: [breach]\n  command: [/nonexistent/pager]\n")
    run("open", ENGINE, "-s", "2", "-t", "t")
    clock.advance(minutes=31)
    err = run("check", expect=6).stderr
    assert "command not found: /nonexistent/pager" in err and "giving up" in err
    clock.advance(minutes=10)
    assert run("check", expect=5).stderr == ""


def test_a_live_claim_keeps_others_away_and_an_expired_one_is_taken_over(
    run: Run, clock: ManualClock, hook: Hook, isolated: Path, svc: Any
) -> None:
    """A run that died after claiming (and perhaps sending) leaves a claim: other runs
    stay away until it expires, then send again (at least once)."""
    config(isolated, f"notify:\n  kinds: [breach]\n  webhooks:\n    - {{url: '{hook.url}'}}\n")
    inc = run("open", ENGINE, "-s", "2", "-t", "t").stdout.strip()
    clock.advance(minutes=31)
    svc.clock = clock
    for key in ("breach:ack", "breach:update#1"):
        svc.claim_notice(inc, key, run="crashed", due=lambda state, now: ["json-x"], hold=40)
    run("check", expect=5)
    assert hook.requests == []
    clock.advance(seconds=41)
    run("check", expect=5)
    assert len(hook.requests) == 2


def test_two_checks_racing_send_each_notice_once(hook: Hook, isolated: Path) -> None:
    """Two real `check` processes at once, against a slow receiver."""
    config(isolated, f"notify:\n  kinds: [breach]\n  webhooks:\n    - {{url: '{hook.url}'}}\n")
    hook.delay = 0.3
    env = {**os.environ, "INCIDENTCTL_HOME": str(isolated)}
    cli = [sys.executable, "-m", "incidentctl"]
    subprocess.run(
        [*cli, "open", ENGINE, "-s", "2", "-t", "race", "--at", "-40m"],
        env=env,
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    checks_at_once(env, rounds=3)
    assert sorted(r["key"].rsplit("/", 1)[1] for r in hook.requests) == ["ack", "update#1"]


@pytest.mark.no_store("notices sent, not the store")
def test_urls_are_masked_wherever_they_are_printed() -> None:
    assert mask_url("https://hooks.slack.com/services/T0/B0/SECRET") == (
        "https://hooks.slack.com/***"
    )
    assert mask_url("https://user:pw@open.feishu.cn/open-apis/bot/v2/hook/abc") == (
        "https://open.feishu.cn/***"
    )
    assert mask_url("https://oapi.dingtalk.com/robot/send?access_token=t") == (
        "https://oapi.dingtalk.com/***"
    )
    refused = Channel("x", timeout=2, url="http://user:pw@127.0.0.1:9/hook/TOKEN").send(NOTICE, 2)
    assert not refused.ok and not refused.permanent
    assert "TOKEN" not in refused.detail and "pw" not in refused.detail


@pytest.mark.no_store("notices sent, not the store")
def test_dingtalk_error_code_counts_as_failure(hook: Hook) -> None:
    hook.body = b'{"errcode": 310000, "errmsg": "keywords not in content"}'
    outcome = Channel("ding", timeout=5, url=hook.url, fmt="dingtalk").send(NOTICE, 5)
    assert not outcome.ok and outcome.permanent and "310000" in outcome.detail
    hook.body = b'{"errcode": 130101, "errmsg": "send too fast"}'
    outcome = Channel("ding", timeout=5, url=hook.url, fmt="dingtalk").send(NOTICE, 5)
    assert not outcome.ok and not outcome.permanent


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


@pytest.mark.no_store("notices sent, not the store")
@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("dingtalk-text", {"msgtype": "text", "text": {"content": NOTICE.text}}),
        ("wecom-text", {"msgtype": "text", "text": {"content": NOTICE.text}}),
        ("feishu-text", {"msg_type": "text", "content": {"text": NOTICE.text}}),
        ("slack-text", {"text": NOTICE.text}),
    ],
)
def test_webhook_payload_formats(fmt: str, expected: dict[str, Any], hook: Hook) -> None:
    assert payload(NOTICE, fmt) == expected
    outcome = Channel("c", timeout=5, url=hook.url, fmt=fmt).send(NOTICE, 5)
    assert outcome.ok
    assert hook.requests[-1]["json"] == expected
    assert hook.requests[-1]["key"] == "INC-20261122-001/breach/ack"


@pytest.mark.no_store("notices sent, not the store")
def test_command_gets_the_notice_on_stdin_without_a_shell(tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    script = tmp_path / "page.py"
    script.write_text(
        f"import sys; open({str(out)!r}, 'w').write(sys.stdin.read())", encoding="utf-8"
    )
    notifier = Notifier.from_config({"command": [sys.executable, str(script), "; rm -rf /"]})
    (outcome,) = notifier.send_all([(NOTICE, ["command"])]).values()
    assert outcome.ok
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["incident"] == "INC-20261122-001"
    assert got["idempotency_key"] == "INC-20261122-001/breach/ack"


@pytest.mark.no_store("notices sent, not the store")
def test_failing_command_is_a_transient_failure(tmp_path: Path) -> None:
    channel = Channel(
        "pager", timeout=10, argv=[sys.executable, "-c", "import sys; sys.exit('no pager')"]
    )
    outcome = channel.send(NOTICE, 10)
    assert not outcome.ok and not outcome.permanent and "no pager" in outcome.detail


def test_bad_config_points_at_the_line(run: Run, isolated: Path) -> None:
    run("open", ENGINE, "-s", "2", "-t", "t")
    config(isolated, "notify:\n  webhooks:\n    - url: ftp://x\n      formt: slack\n")
    err = run("check", expect=1).stderr
    assert "config.yaml:3:12: notify.webhooks[0].url: 'ftp://x' is not an http(s) URL" in err


@pytest.mark.no_store("notices sent, not the store")
def test_a_refused_webhook_leaves_no_connection_open(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import urllib.error
    import urllib.request

    body = io.BytesIO(b"bad request")
    raised: list[Exception] = []  # kept alive, so only an explicit close() closes the body

    def refuse(*args: Any, **kwargs: Any) -> Any:
        from email.message import Message

        raised.append(urllib.error.HTTPError("http://127.0.0.1/x", 400, "Bad", Message(), body))
        raise raised[-1]

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    outcome = Channel("c", timeout=5, url="http://127.0.0.1/x", fmt="slack-text").send(NOTICE, 5)
    assert not outcome.ok and outcome.permanent and "HTTP 400" in outcome.detail
    assert body.closed
