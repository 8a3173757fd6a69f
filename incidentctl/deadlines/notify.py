"""Due-soon and breach notices: a command (argument list, JSON on stdin) and webhooks
(plain JSON, DingTalk, WeCom 企业微信, Feishu/Lark, Slack).

A notice is sent at least once per deadline and kind: the caller records a
``deadline.notified`` event only after a channel accepted it, so a failure
is retried on the next run and never costs an event.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.durations import parse_duration

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from incidentctl.incidents.service import Incidents

DUE_SOON = "due-soon"
BREACH = "breach"


class Notice(NamedTuple):
    kind: str  # due-soon | breach
    incident: str
    title: str
    severity: str
    step: str
    step_title: str
    key: str
    due: str  # ISO 8601
    seconds_left: int
    role: str
    owner: str | None
    text: str  # one human line, in the configured language

    @property
    def dedupe_key(self) -> str:
        return f"{self.kind}:{self.key}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": f"deadline.{self.kind}",
            "incident": self.incident,
            "title": self.title,
            "severity": self.severity,
            "step": self.step,
            "step_title": self.step_title,
            "deadline": self.key,
            "due": self.due,
            "seconds_left": self.seconds_left,
            "role": self.role,
            "owner": self.owner,
            "text": self.text,
        }


def payload(notice: Notice, fmt: str) -> dict[str, Any]:
    """The request body each webhook flavour expects."""
    if fmt in ("dingtalk", "wecom"):
        return {"msgtype": "text", "text": {"content": notice.text}}
    if fmt == "feishu":
        return {"msg_type": "text", "content": {"text": notice.text}}
    if fmt == "slack":
        return {"text": notice.text}
    return notice.as_dict()


@dataclass
class Outcome:
    channel: str
    ok: bool
    detail: str = ""
    attempts: int = 1


@dataclass
class Notifier:
    """Sends notices through the channels of the ``notify`` config section."""

    command: list[str] | None = None
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    kinds: tuple[str, ...] = (DUE_SOON, BREACH)
    retries: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_config(
        cls, section: Mapping[str, Any], sleep: Callable[[float], None] = time.sleep
    ) -> Notifier:
        return cls(
            command=list(section["command"]) if section.get("command") else None,
            webhooks=list(section.get("webhooks", [])),
            kinds=tuple(section.get("kinds", (DUE_SOON, BREACH))),
            retries=int(section.get("retries", 3)),
            backoff=float(parse_duration(section["backoff"]).seconds)
            if "backoff" in section
            else 1.0,
            sleep=sleep,
        )

    @property
    def configured(self) -> bool:
        return bool(self.command or self.webhooks)

    def wants(self, kind: str) -> bool:
        return self.configured and kind in self.kinds

    def send(self, notice: Notice) -> list[Outcome]:
        outcomes: list[Outcome] = []
        if self.command:
            outcomes.append(self._retry("command", lambda: self._run_command(notice)))
        for hook in self.webhooks:
            url = str(hook["url"])
            fmt = str(hook.get("format", "json"))
            timeout = parse_duration(hook["timeout"]).seconds if "timeout" in hook else 10
            body = payload(notice, fmt)

            def post(
                url: str = url,
                body: dict[str, Any] = body,
                timeout: float = timeout,
                fmt: str = fmt,
            ) -> str:
                return _post(url, body, timeout, fmt)

            outcomes.append(self._retry(f"{fmt}:{_redact(url)}", post))
        return outcomes

    def _retry(self, channel: str, attempt: Callable[[], str]) -> Outcome:
        delay = self.backoff
        detail = ""
        for n in range(1, self.retries + 2):
            try:
                detail = attempt()
            except _Failed as exc:
                detail = str(exc)
                if n <= self.retries:
                    self.sleep(delay)
                    delay *= 2
                continue
            return Outcome(channel, True, detail, n)
        return Outcome(channel, False, detail, self.retries + 1)

    def _run_command(self, notice: Notice) -> str:
        assert self.command is not None
        data = json.dumps(notice.as_dict(), ensure_ascii=False).encode("utf-8")
        try:
            done = subprocess.run(
                self.command, input=data, capture_output=True, timeout=30, check=False
            )
        except FileNotFoundError:
            raise _Failed(f"command not found: {self.command[0]}") from None
        except subprocess.TimeoutExpired:
            raise _Failed("command timed out after 30s") from None
        except OSError as exc:
            raise _Failed(f"cannot run {self.command[0]}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise _Failed(f"command exited {done.returncode}" + (f": {err[-1]}" if err else ""))
        return "exit 0"


class _Failed(Exception):
    pass


def deliver(svc: Incidents, notices: list[Notice], notifier: Notifier, via: str) -> list[str]:
    """Send each notice, and record it on its incident once a channel has accepted it, so
    it goes out once per deadline.  Returns a line for each channel that failed."""
    problems = []
    for notice in notices:
        outcomes = notifier.send(notice)
        delivered = [o.channel for o in outcomes if o.ok]
        problems += [
            f"{notice.incident} {notice.dedupe_key}: {o.channel}: {o.detail} "
            f"(after {o.attempts} attempts)"
            for o in outcomes
            if not o.ok
        ]
        if delivered:
            svc.record_notice(notice.incident, notice.dedupe_key, delivered, via)
    return problems


def _redact(url: str) -> str:
    """Webhook URLs carry secrets in their query string; keep them out of logs."""
    return url.split("?", 1)[0]


def _post(url: str, body: dict[str, Any], timeout: float, fmt: str) -> str:
    import urllib.error
    import urllib.request

    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
            text = response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise _Failed(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _Failed(f"cannot reach {_redact(url)}: {reason}") from None
    # DingTalk, WeCom and Feishu answer 200 with an error code in the body.
    if fmt in ("dingtalk", "wecom", "feishu") and text:
        try:
            answer = json.loads(text)
        except ValueError:
            answer = {}
        code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
        if code not in (0, None):
            message = answer.get("errmsg") or answer.get("msg") or ""
            raise _Failed(f"{fmt} refused the message: {code} {message}".strip())
    return f"HTTP {status}"
