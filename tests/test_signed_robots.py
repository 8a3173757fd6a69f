"""Signed chat robots: DingTalk 加签 and Feishu signature verification, by known answers
and end to end through a local receiver that checks signatures as the platforms do;
and the secret never reaches the log or any output."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest

from incidentctl.clock import ManualClock
from incidentctl.deadlines.signing import dingtalk_sign, dingtalk_url, feishu_sign, sign_request
from tests.conftest import write_config as config

from .conftest import DATA, Run

ENGINE = str(DATA / "runbooks" / "valid" / "engine.yaml")
SECRET = "SEC1f2e3d4c5b6a"
TS_MS = 1764115200000  # 2025-11-26 00:00:00 UTC
TS_S = 1764115200


# --- the documented algorithms, written out here independently -------------------------
def ding_expected(secret: str, ts_ms: int) -> str:
    """DingTalk: key = secret, message = "{timestamp}\\n{secret}", URL-encoded Base64."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{ts_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest))


def feishu_expected(secret: str, ts_s: int) -> str:
    """Feishu: key = "{timestamp}\\n{secret}", message empty, Base64."""
    digest = hmac.new(f"{ts_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("utf-8")


def test_dingtalk_signature_known_answer() -> None:
    assert ding_expected(SECRET, TS_MS) == "H453L1Ih7gUrnTKHBvgqM%2BBRXKdN7n%2BjIvGry2ADvLQ%3D"
    assert quote_plus(dingtalk_sign(SECRET, TS_MS)) == ding_expected(SECRET, TS_MS)
    url = dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=T", SECRET, TS_MS)
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=T"
        f"&timestamp={TS_MS}&sign={ding_expected(SECRET, TS_MS)}"
    )


def test_feishu_signature_known_answer_differs_from_dingtalks() -> None:
    assert feishu_expected(SECRET, TS_S) == "+tOAhtDSnoiSoP1YCqs1pi7nbgabSKR9UpunYwKt0As="
    assert feishu_sign(SECRET, TS_S) == feishu_expected(SECRET, TS_S)
    # the mistake code found online makes: DingTalk's formula used for Feishu
    wrong = base64.b64encode(
        hmac.new(SECRET.encode(), f"{TS_S}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert feishu_sign(SECRET, TS_S) != wrong


def test_sign_request_puts_each_platforms_signature_where_it_belongs() -> None:
    url, body = sign_request(
        "dingtalk-text", "https://x/send?access_token=T", {"a": 1}, SECRET, TS_S
    )
    query = parse_qs(urlsplit(url).query)
    assert query["timestamp"] == [str(TS_MS)] and body == {"a": 1}
    assert query["sign"] == [dingtalk_sign(SECRET, TS_MS)]
    url, body = sign_request("feishu", "https://x/hook/abc", {"msg_type": "text"}, SECRET, TS_S)
    assert url == "https://x/hook/abc"
    assert body == {
        "timestamp": str(TS_S),
        "sign": feishu_expected(SECRET, TS_S),
        "msg_type": "text",
    }
    assert sign_request("wecom", "https://x/?key=K", {"a": 1}, SECRET, TS_S) == (
        "https://x/?key=K",
        {"a": 1},
    )


# --- a receiver that checks signatures as the platforms do ------------------------------
class Robot:
    """A DingTalk or Feishu robot with signing on: refuses (with the platform's error code)
    a request whose signature is missing, wrong, or more than an hour off."""

    def __init__(self, platform: str, secret: str) -> None:
        self.platform = platform
        self.secret = secret
        self.accepted: list[dict[str, Any]] = []
        self.refused = 0
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                ok = robot.verify(self.path, body)
                if ok:
                    robot.accepted.append(body)
                    answer = {"errcode": 0, "errmsg": "ok"}
                else:
                    robot.refused += 1
                    answer = (
                        {"errcode": 310000, "errmsg": "sign not match"}
                        if robot.platform == "dingtalk"
                        else {"code": 19021, "msg": "sign match fail"}
                    )
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        port = self.server.server_address[1]
        self.url = (
            f"http://127.0.0.1:{port}/robot/send?access_token=TOKENab12"
            if platform == "dingtalk"
            else f"http://127.0.0.1:{port}/open-apis/bot/v2/hook/HOOKcd34"
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verify(self, path: str, body: dict[str, Any]) -> bool:
        if self.platform == "dingtalk":
            query = parse_qs(urlsplit(path).query)
            try:
                ts = int(query["timestamp"][0])
                sign = query["sign"][0]  # parse_qs has undone the URL encoding
            except (KeyError, ValueError):
                return False
            fresh = abs(ts / 1000 - time.time()) < 3600
            return fresh and quote_plus(sign) == ding_expected(self.secret, ts)
        try:
            ts = int(body["timestamp"])
        except (KeyError, ValueError):
            return False
        fresh = abs(ts - time.time()) < 3600
        return fresh and body.get("sign") == feishu_expected(self.secret, ts)


@pytest.fixture(params=["dingtalk", "feishu"])
def robot(request: pytest.FixtureRequest) -> Iterator[Robot]:
    r = Robot(request.param, SECRET)
    yield r
    r.server.shutdown()
    r.server.server_close()


def hook_config(robot: Robot, secret_line: str) -> str:
    return (
        "notify:\n  kinds: [breach]\n  webhooks:\n"
        f"    - name: robot\n      url: '{robot.url}'\n      format: {robot.platform}\n"
        f"      {secret_line}\n"
    )


def test_a_signing_robot_accepts_signed_notices_and_refuses_a_wrong_secret(
    run: Run, clock: ManualClock, robot: Robot, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROBOT_SECRET", SECRET)
    config(isolated, hook_config(robot, "secret_env: ROBOT_SECRET"))
    inc = run("open", ENGINE, "-s", "2", "-t", "支付异常").stdout.strip()
    clock.advance(minutes=31)
    run("check", expect=5)  # delivered: only the breaches to report
    assert len(robot.accepted) == 2 and robot.refused == 0
    # a robot whose secret does not match refuses, and check says so (exit 6), once
    monkeypatch.setenv("ROBOT_SECRET", "not-the-secret")
    clock.advance(minutes=60)  # update#2 is now overdue as well
    result = run("check", expect=6)
    assert robot.refused == 1 and "refused the message" in result.stderr
    assert "not-the-secret" not in result.stderr + result.stdout
    run("check", expect=5)  # a refusal is permanent: not tried again
    assert robot.refused == 1
    everything = "".join(
        run(*args).stdout
        for args in (("timeline", inc, "--json"), ("timeline", inc), ("show", inc))
    )
    assert SECRET not in everything and "not-the-secret" not in everything
    assert "TOKENab12" not in everything and "HOOKcd34" not in everything


def test_a_secret_in_the_config_file_signs_too(
    run: Run, clock: ManualClock, robot: Robot, isolated: Path
) -> None:
    config(isolated, hook_config(robot, f"secret: {SECRET}"))
    run("open", ENGINE, "-s", "2", "-t", "t")
    clock.advance(minutes=31)
    result = run("check", "--json", expect=5)
    assert len(robot.accepted) == 2 and robot.refused == 0
    assert SECRET not in result.stdout + result.stderr


def test_an_unsigned_request_is_refused_by_a_signing_robot(
    run: Run, clock: ManualClock, robot: Robot, isolated: Path
) -> None:
    config(isolated, hook_config(robot, "timeout: 5s"))  # no secret configured
    run("open", ENGINE, "-s", "2", "-t", "t")
    clock.advance(minutes=31)
    run("check", expect=6)
    assert robot.refused == 2 and not robot.accepted


def test_a_missing_secret_env_variable_is_a_clear_error(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_SECRET", raising=False)
    config(
        isolated,
        "notify:\n  webhooks:\n    - url: https://oapi.dingtalk.com/robot/send?access_token=x\n"
        "      format: dingtalk\n      secret_env: NO_SUCH_SECRET\n",
    )
    inc = run("open", ENGINE, "-s", "2", "-t", "t").stdout.strip()
    err = run("check", expect=1).stderr
    assert (
        "config.yaml:5:19: notify.webhooks[0].secret_env: the environment variable "
        "NO_SUCH_SECRET is not set" in err
    )
    assert "Traceback" not in err
    assert run("show", inc).stdout  # nothing recorded is lost; reading still works


@pytest.mark.no_store("a config error, found before the store is opened")
@pytest.mark.parametrize(
    ("hook", "message"),
    [
        (
            "format: wecom\n      secret: abcSECRETdef",
            "notify.webhooks[0].secret: a 'wecom' webhook does not sign its requests",
        ),
        (
            "format: feishu\n      secret: abcSECRETdef\n      secret_env: X",
            "notify.webhooks[0].secret_env: give the signing secret one way",
        ),
        (
            "format: feishu\n      secret: 12345678",
            "notify.webhooks[0].secret: must be the signing secret as a non-empty string",
        ),
    ],
)
def test_a_secret_where_none_belongs_is_refused_without_echoing_it(
    run: Run, isolated: Path, hook: str, message: str
) -> None:
    config(isolated, f"notify:\n  webhooks:\n    - url: https://example.com/x\n      {hook}\n")
    err = run("list", expect=1).stderr
    assert message in err
    assert "SECRET" not in err and "12345678" not in err
