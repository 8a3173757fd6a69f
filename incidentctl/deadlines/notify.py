"""Due-soon and breach notices: a command (argument list, JSON on stdin) and webhooks
(plain JSON, DingTalk, WeCom 企业微信, Feishu/Lark, Slack).

Paging must never hold up the run that pages, never page twice, and never
leak a secret:

- **A budget.**  One delivery run sends every notice to every channel at once
  and waits at most ``budget`` (default 10 s) in all; a channel also has its own
  limit (``timeout`` for a webhook, ``command_timeout`` for the command), applied
  to the whole request, not to each read of it.  A command still running at its
  limit is killed.  Nothing ever sleeps.
- **Retries across runs.**  Only transient failures (no answer in time, HTTP
  5xx/408/429, a refused connection, a command that failed or timed out) are
  tried again, on a later run once ``backoff`` (doubled after each attempt) has
  passed since the last attempt, at most ``retries`` times.  A permanent failure
  (HTTP 4xx, a chat robot refusing the message, a command that cannot be run)
  is reported once and not tried again.
- **Per channel.**  A notice is done for a channel once that channel accepted it;
  one channel failing never makes another send twice.
- **A claim.**  Before sending, a run records on the incident that it claims the
  notice (``notice.claimed``, appended by compare-and-swap), so two overlapping
  runs never send the same notice.  A run that dies between sending and
  recording leaves a claim that expires after the budget; the next run then
  sends again.  So delivery is at least once; every notice carries an
  ``idempotency_key`` (incident, kind, deadline and occurrence) for receivers
  to drop a repeat.
- **No secrets.**  Channels are recorded by name (``name:`` in the config, or
  the webhook's format and a hash of its URL), never by URL, and every URL that
  appears in a message is masked.
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from incidentctl.deadlines.engine import BREACH, DUE_SOON
from incidentctl.deadlines.people import Directory
from incidentctl.durations import parse_duration

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime, tzinfo

    from incidentctl.deadlines.notice import Notice
    from incidentctl.incidents.service import Incidents
    from incidentctl.incidents.state import NoticeState


DEFAULT_BUDGET = 10.0
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 60.0
#: How many requests are in flight at once.
MAX_PARALLEL = 16
#: A claim outlives its run's budget by this much before another run may take it over.
CLAIM_GRACE = 30.0
#: How long past its limit a command is waited for while it is being killed.
KILL_GRACE = 1.0


def payload(notice: Notice, fmt: str) -> dict[str, Any]:
    """The request body each webhook flavour expects (see :mod:`.cards`)."""
    if fmt == "json":
        return notice.as_dict()
    from incidentctl.deadlines.cards import payload as card

    return card(notice, fmt)


def mask_url(url: str) -> str:
    """A webhook URL fit to print: scheme and host only (paths, queries and user
    information carry tokens: ``/services/T0/B0/SECRET``, ``?access_token=``)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an invalid URL)"
    tail = "/***" if parts.path not in ("", "/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{tail}"


def channel_name(hook: Mapping[str, Any]) -> str:
    """A webhook's name: its ``name``, else its format and a short hash of its URL."""
    if hook.get("name"):
        return str(hook["name"])
    from incidentctl.records import sha256

    digest = sha256(str(hook["url"]).encode("utf-8")).hexdigest()[:8]
    return f"{hook.get('format', 'json')}-{digest}"


class Outcome(NamedTuple):
    """What one channel did with one notice."""

    channel: str
    ok: bool
    detail: str = ""
    permanent: bool = False  # a failure that trying again will not mend


class _Failed(Exception):
    def __init__(self, detail: str, *, permanent: bool = False) -> None:
        super().__init__(detail)
        self.permanent = permanent


class Channel:
    """Somewhere a notice can go: the command, or one webhook."""

    __slots__ = ("argv", "format", "name", "secret", "timeout", "url", "wallclock")

    def __init__(
        self,
        name: str,
        *,
        timeout: float,
        argv: list[str] | None = None,
        url: str | None = None,
        fmt: str = "json",
        secret: str | None = None,
        wallclock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self.timeout = timeout
        self.argv = argv
        self.url = url
        self.format = fmt
        #: The robot's signing secret (DingTalk 加签, Feishu signature verification).
        self.secret = secret
        #: The real time a signature is made at: the robot checks it against its own clock,
        #: so it is never a drill's or a test's time.
        self.wallclock = wallclock

    def __repr__(self) -> str:  # never the URL or the secret
        return f"Channel({self.name!r}, format={self.format!r})"

    def send(self, notice: Notice, limit: float) -> Outcome:
        """Deliver ``notice``, taking at most ``limit`` seconds (the caller enforces it on
        the whole request as well)."""
        try:
            detail = self._command(notice, limit) if self.argv else self._post(notice, limit)
        except _Failed as exc:
            return Outcome(self.name, False, str(exc), exc.permanent)
        except Exception as exc:  # a request that cannot even be made: never try it again
            return Outcome(self.name, False, f"cannot send: {type(exc).__name__}", True)
        return Outcome(self.name, True, detail)

    def _command(self, notice: Notice, limit: float) -> str:
        import subprocess

        assert self.argv is not None
        data = json.dumps(notice.as_dict(), ensure_ascii=False).encode("utf-8")
        try:
            done = subprocess.run(
                self.argv, input=data, capture_output=True, timeout=limit, check=False
            )
        except FileNotFoundError:
            raise _Failed(f"command not found: {self.argv[0]}", permanent=True) from None
        except PermissionError:
            raise _Failed(f"command not executable: {self.argv[0]}", permanent=True) from None
        except subprocess.TimeoutExpired:
            raise _Failed(f"command killed after {limit:g}s without finishing") from None
        except OSError as exc:
            raise _Failed(f"cannot run {self.argv[0]}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise _Failed(f"command exited {done.returncode}" + (f": {err[-1]}" if err else ""))
        return "exit 0"

    def _post(self, notice: Notice, limit: float) -> str:
        import urllib.error
        import urllib.request
        from urllib.parse import quote

        assert self.url is not None
        url, body = self.url, payload(notice, self.format)
        if self.secret:
            from incidentctl.deadlines.signing import sign_request

            url, body = sign_request(self.format, url, body, self.secret, self.wallclock())
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": quote(notice.idempotency_key, safe="/:@#"),
            },
        )
        where = mask_url(self.url)
        try:
            with urllib.request.urlopen(request, timeout=max(limit, 0.001)) as response:
                status = response.status
                text = response.read(4096).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the connection open
            transient = exc.code >= 500 or exc.code in (408, 429)
            raise _Failed(f"HTTP {exc.code} from {where}", permanent=not transient) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Failed(f"cannot reach {where}: {reason}") from None
        # DingTalk, WeCom and Feishu answer 200 with an error code in the body.
        if self.format.split("-", 1)[0] in ("dingtalk", "wecom", "feishu") and text:
            try:
                answer = json.loads(text)
            except ValueError:
                answer = {}
            code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
            if code not in (0, None):
                message = answer.get("errmsg") or answer.get("msg") or ""
                raise _Failed(
                    f"{self.format} refused the message: {code} {message}".strip(),
                    permanent=code not in _RATE_LIMITED,
                )
        return f"HTTP {status}"


class SecretMissing(Exception):
    """A webhook's ``secret_env`` names an environment variable that is not set (or empty)."""

    def __init__(self, index: int, variable: str) -> None:
        super().__init__(variable)
        self.index = index
        self.variable = variable


def webhook_secret(
    hook: Mapping[str, Any], index: int, environ: Mapping[str, str] | None = None
) -> str | None:
    """The signing secret of webhook number ``index``: its ``secret``, or the value of the
    environment variable its ``secret_env`` names."""
    if hook.get("secret"):
        return str(hook["secret"])
    variable = hook.get("secret_env")
    if not variable:
        return None
    import os

    value = (os.environ if environ is None else environ).get(str(variable), "")
    if not value:
        raise SecretMissing(index, str(variable))
    return value


#: Chat-robot error codes that mean "too many messages, try later" rather than "never".
_RATE_LIMITED = {130101, 45009, 9499, 11232, 11233}


class Notifier:
    """The channels of the ``notify`` config section, and how often to try them."""

    def __init__(
        self,
        channels: list[Channel],
        *,
        kinds: tuple[str, ...] = (DUE_SOON, BREACH),
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        budget: float = DEFAULT_BUDGET,
        lang: str | None = None,
        zone: str | None = None,
        directory: Directory | None = None,
        escalation: Mapping[str, list[tuple[float, str]]] | None = None,
    ) -> None:
        self.channels = channels
        self.kinds = kinds
        self.retries = retries
        self.backoff = backoff
        self.budget = budget
        #: The team's language and zone for notices (``None``: the sending command's).
        self.lang = lang
        self.zone_name = zone
        self.directory = directory or Directory()
        #: Per tier id (or ``*``): each level's (seconds overdue, whom to notify).
        self.escalation = dict(escalation or {})

    def language(self, default: str) -> str:
        return self.lang or default

    def zone(self, default: tzinfo) -> tzinfo:
        if not self.zone_name:
            return default
        from incidentctl.times import resolve_zone

        return resolve_zone(self.zone_name)

    def levels(self, tier: str) -> list[tuple[float, str]]:
        """The escalation levels of ``tier`` (its own, else ``*``'s), earliest first."""
        return sorted(self.escalation.get(tier) or self.escalation.get("*") or [])

    @classmethod
    def from_config(
        cls,
        section: Mapping[str, Any],
        environ: Mapping[str, str] | None = None,
        *,
        people: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Notifier:
        """The notifier a ``notify`` section describes (``people``: the config's, whom
        notices mention); ``environ`` (default: the process's environment) is where
        ``secret_env`` names are looked up.  Raises :class:`SecretMissing` for a
        ``secret_env`` that names no variable."""

        def seconds(key: str, default: float) -> float:
            return float(parse_duration(section[key]).seconds) if key in section else default

        channels: list[Channel] = []
        if section.get("command"):
            channels.append(
                Channel(
                    str(section.get("command_name", "command")),
                    timeout=seconds("command_timeout", DEFAULT_TIMEOUT),
                    argv=[str(a) for a in section["command"]],
                )
            )
        for index, hook in enumerate(section.get("webhooks", [])):
            timeout = (
                float(parse_duration(hook["timeout"]).seconds)
                if "timeout" in hook
                else DEFAULT_TIMEOUT
            )
            channels.append(
                Channel(
                    channel_name(hook),
                    timeout=timeout,
                    url=str(hook["url"]),
                    fmt=str(hook.get("format", "json")),
                    secret=webhook_secret(hook, index, environ),
                )
            )
        return cls(
            channels,
            kinds=tuple(section.get("kinds", (DUE_SOON, BREACH))),
            retries=int(section.get("retries", DEFAULT_RETRIES)),
            backoff=seconds("backoff", DEFAULT_BACKOFF),
            budget=seconds("budget", DEFAULT_BUDGET),
            lang=section.get("lang"),
            zone=section.get("tz"),
            directory=Directory(people, section.get("fallback")),
            escalation={
                str(tier): [
                    (float(parse_duration(level["after"]).seconds), str(level["notify"]))
                    for level in levels
                ]
                for tier, levels in (section.get("escalation") or {}).items()
            },
        )

    @property
    def configured(self) -> bool:
        return bool(self.channels)

    def wants(self, kind: str) -> bool:
        return self.configured and kind in self.kinds

    def due(self, state: NoticeState | None, now: datetime) -> list[str]:
        """The channels a notice should be sent to now: not yet accepted, not given up on,
        and past the backoff since the last failed attempt."""
        out = []
        for channel in self.channels:
            name = channel.name
            if state is None:
                out.append(name)
                continue
            if state.done_for(name) or name in state.gave_up:
                continue
            failures = state.failures.get(name, 0)
            if failures > self.retries:
                continue
            last = state.last_attempt.get(name)
            wait = self.backoff * 2 ** (failures - 1) if failures else 0.0
            if last is not None and (now - last).total_seconds() < wait:
                continue
            out.append(name)
        return out

    def send_all(self, jobs: list[tuple[Notice, list[str]]]) -> dict[tuple[str, str, str], Outcome]:
        """Send every notice to its channels at once; return the outcome of each
        (incident, dedupe key, channel) within the budget.  A request still running at its
        limit is abandoned (a command is killed) and counts as a transient failure."""
        by_name = {c.name: c for c in self.channels}
        started = time.monotonic()
        overall = started + self.budget
        gate = threading.Semaphore(MAX_PARALLEL)
        results: dict[tuple[str, str, str], Outcome] = {}
        waits: list[tuple[float, threading.Thread, tuple[str, str, str]]] = []
        for notice, names in jobs:
            for name in names:
                channel = by_name[name]
                limit = min(overall, started + channel.timeout)
                slot = (notice.incident, notice.dedupe_key, name)

                def work(
                    channel: Channel = channel,
                    notice: Notice = notice,
                    limit: float = limit,
                    slot: tuple[str, str, str] = slot,
                ) -> None:
                    with gate:
                        results[slot] = channel.send(notice, limit - time.monotonic())

                thread = threading.Thread(target=work, name=f"notify-{name}", daemon=True)
                thread.start()
                waits.append((limit, thread, slot))
        for limit, thread, slot in sorted(waits, key=lambda w: w[0]):
            # a command is killed at its limit: give it a moment to be killed and reaped
            grace = KILL_GRACE if by_name[slot[2]].argv else 0.0
            thread.join(max(limit + grace - time.monotonic(), 0.0))
            if slot not in results:
                results[slot] = Outcome(
                    slot[2], False, f"no answer within {limit - started:.3g}s; abandoned"
                )
        return dict(results)  # a request abandoned above may still finish, into `results`


class Delivery(NamedTuple):
    """What one delivery run did: each notice's outcomes, and a line for each failure."""

    outcomes: list[tuple[Notice, list[Outcome]]]
    problems: list[str]

    @property
    def failed(self) -> bool:
        return any(not o.ok for _, outs in self.outcomes for o in outs)


def deliver(svc: Incidents, notices: list[Notice], notifier: Notifier, via: str) -> Delivery:
    """Claim, send and record ``notices``: each goes to the channels due for it (see
    :meth:`Notifier.due`), once, however many runs overlap."""
    import secrets

    run = secrets.token_hex(6)
    claimed: list[tuple[Notice, list[str]]] = []
    for notice in notices:
        names = svc.claim_notice(
            notice.incident,
            notice.dedupe_key,
            run=run,
            due=notifier.due,
            hold=notifier.budget + CLAIM_GRACE,
        )
        if names:
            claimed.append((notice, names))
    if not claimed:
        return Delivery([], [])
    results = notifier.send_all(claimed)
    outcomes: list[tuple[Notice, list[Outcome]]] = []
    problems: list[str] = []
    for notice, names in claimed:
        outs = [results[(notice.incident, notice.dedupe_key, n)] for n in names]
        attempts = svc.record_delivery(
            notice.incident,
            notice.dedupe_key,
            kind=notice.kind,
            deadline=notice.key,
            run=run,
            via=via,
            delivered=[o.channel for o in outs if o.ok],
            failed=[(o.channel, o.detail, o.permanent) for o in outs if not o.ok],
            mentioned=notice.mention.names,
            level=notice.level,
            target=notice.target,
        )
        outcomes.append((notice, outs))
        for o in outs:
            if o.ok:
                continue
            final = o.permanent or attempts.get(o.channel, 0) > notifier.retries
            problems.append(
                f"{notice.incident} {notice.dedupe_key}: {o.channel}: {o.detail}"
                + (" (giving up)" if final else " (will retry)")
            )
    return Delivery(outcomes, problems)
