"""Anchors: the head of every incident's chain, written down outside the database.

A hash chain shows any change to the events it covers, but not a chain cut short at
its end, an incident removed whole, or a chain recomputed from scratch by someone who
knows the algorithm: each of those leaves a chain that verifies.  An anchor records,
at one moment, where every chain ended (its last event's number and hash), with one
digest over them all that fits in a chat message or a ticket.  Kept where the database's
writers cannot reach, it lets ``audit verify --anchors`` show that since then events
were removed from a chain's end, an incident was removed, or a chain was rewritten.

An anchor file is JSON Lines, one anchor a line, appended to and never rewritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidentctl.errors import InvalidInput
from incidentctl.i18n import msg
from incidentctl.incidents.audit import AuditProblem
from incidentctl.records import sha256_of

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from incidentctl.records import Event
    from incidentctl.store.base import Store

KIND = "incidentctl-anchor"


def heads_of(store: Store) -> dict[str, dict[str, Any]]:
    """Where every incident's chain ends now: ``{id: {seq, hash}}``, from the events."""
    out: dict[str, dict[str, Any]] = {}
    for incident in store.incident_ids():
        events = store.events(incident, after=0)
        if events:
            out[incident] = {"seq": events[-1].seq, "hash": events[-1].hash}
    return out


def digest(heads: dict[str, dict[str, Any]]) -> str:
    """One SHA-256 over every head (the canonical encoding of the ``heads`` mapping)."""
    return sha256_of(heads)


def anchor(heads: dict[str, dict[str, Any]], at: datetime) -> dict[str, Any]:
    from incidentctl.times import iso

    return {
        "kind": KIND,
        "version": 1,
        "at": iso(at),
        "incidents": len(heads),
        "digest": digest(heads),
        "heads": heads,
    }


def read_anchors(text: str, name: str) -> list[dict[str, Any]]:
    """The anchors of an anchor file (JSON Lines), each checked for its shape; a line
    that is not an anchor is refused, naming the file and the line."""
    import json

    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            heads = data["heads"]
            ok = (
                data.get("kind") == KIND
                and isinstance(data["at"], str)
                and isinstance(data["digest"], str)
                and isinstance(heads, dict)
                and all(
                    isinstance(h, dict) and isinstance(h["seq"], int) and isinstance(h["hash"], str)
                    for h in heads.values()
                )
            )
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise InvalidInput(msg("err.anchor.line", file=name, line=n))
        out.append(data)
    if not out:
        raise InvalidInput(msg("err.anchor.empty", file=name))
    return out


def check(
    anchors: list[dict[str, Any]], events_of: Callable[[str], list[Event]]
) -> dict[str, list[AuditProblem]]:
    """What each anchor shows about each incident it names, by incident: the anchor
    itself altered, the incident gone, its chain cut short, or rewritten."""
    found: dict[str, list[AuditProblem]] = {}
    cache: dict[str, list[Event]] = {}
    for a in anchors:
        heads = a["heads"]
        if digest(heads) != a["digest"]:
            for incident in heads:
                found.setdefault(incident, []).append(
                    AuditProblem(None, "anchor-digest", "the anchor does not match its own digest")
                )
            continue
        for incident, head in sorted(heads.items()):
            if incident not in cache:
                cache[incident] = events_of(incident)
            events = cache[incident]
            problems = found.setdefault(incident, [])
            at = a["at"]
            if not events:
                problem = AuditProblem(
                    None, "anchor-removed", "the incident was removed", detail=at
                )
            elif len(events) < head["seq"] or events[-1].seq < head["seq"]:
                problem = AuditProblem(
                    None,
                    "anchor-truncated",
                    "events were removed from the end of the chain",
                    expected=head["seq"],
                    detail=at,
                )
            else:
                event = next((e for e in events if e.seq == head["seq"]), None)
                if event is not None and event.hash == head["hash"]:
                    continue
                problem = AuditProblem(
                    head["seq"],
                    "anchor-rewritten",
                    "the chain was rewritten: this event no longer has the anchored hash",
                    detail=at,
                )
            if problem not in problems:
                problems.append(problem)
    return found


# --- taking an anchor -------------------------------------------------------------------
#: The anchor file ``audit anchor`` and ``check`` append to by default, in the home.
DEFAULT_FILE = "anchors.jsonl"


def append(path: str, record: dict[str, Any]) -> None:
    """Append ``record`` to the anchor file at ``path`` as one line (created private), in
    one write, so overlapping writers never interleave a line."""
    import os

    from incidentctl.records import canonical

    line = canonical(record) + b"\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as exc:
        raise InvalidInput(
            msg("err.output.write", path=path, problem=exc.strerror or str(exc))
        ) from None


def take(
    store: Store,
    now: datetime,
    path: str,
    *,
    url: str | None = None,
    fmt: str = "json",
) -> dict[str, Any]:
    """Anchor every incident's head now: append the anchor to ``path``, then post it to
    ``url`` if given (the file is written first; a webhook that does not take it raises
    :class:`InvalidInput`).  What ``audit anchor`` and a scheduled ``check`` both run."""
    record = anchor(heads_of(store), now)
    append(path, record)
    if url:
        post(url, record, fmt)
    return record


def last_at(path: str) -> datetime | None:
    """When the newest anchor of the anchor file at ``path`` was taken: its last line's
    ``at`` (``None`` when there is no file, or no line yet).  Read from the end, so a file
    of years of anchors costs no more than its last line; a last line that is not an
    anchor raises :class:`InvalidInput` naming the file."""
    import os

    from incidentctl.times import from_iso

    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            end = fh.tell()
            tail = b""
            while end > 0:
                start = max(0, end - 65536)
                fh.seek(start)
                tail = fh.read(end - start) + tail
                end = start
                if tail.rstrip(b"\n").count(b"\n") >= 1:
                    break
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InvalidInput(
            msg("err.review.unreadable", path=path, problem=exc.strerror or str(exc))
        ) from None
    last = tail.rstrip(b"\n").rpartition(b"\n")[2]
    if not last.strip():
        return None
    try:
        (record,) = read_anchors(last.decode("utf-8"), path)
        return from_iso(record["at"])
    except (InvalidInput, UnicodeDecodeError, ValueError):
        raise InvalidInput(msg("err.anchor.last_line", file=path)) from None


def due(path: str, every: float, now: datetime) -> bool:
    """Whether the anchor file at ``path`` wants a new anchor: it has none, or its newest
    is ``every`` seconds old or older."""
    last = last_at(path)
    return last is None or (now - last).total_seconds() >= every


def scheduled(
    store: Store,
    now: datetime,
    path: str,
    *,
    every: float,
    url: str | None = None,
    fmt: str = "json",
) -> tuple[dict[str, Any] | None, InvalidInput | None]:
    """What ``check`` does with ``audit.anchor``: when the anchor file's newest anchor is
    ``every`` seconds old or more (or there is none), :func:`take` one.  Returns the anchor
    taken (``None``: not due) and what went wrong (an anchor written to the file but not
    taken by the webhook is both)."""
    try:
        if not due(path, every, now):
            return None, None
        record = anchor(heads_of(store), now)
        append(path, record)
    except InvalidInput as exc:
        return None, exc
    if url:
        try:
            post(url, record, fmt)
        except InvalidInput as exc:
            return record, exc
    return record, None


#: What a webhook is sent: the whole anchor (``json``), or one line for a chat robot.
WEBHOOK_FORMATS = ("json", "wecom", "dingtalk", "feishu", "slack")


def message(record: dict[str, Any]) -> str:
    """The anchor in one line, to paste or post where the database's writers cannot edit."""
    return (
        f"incidentctl anchor {record['at']}: {record['incidents']} incident(s), "
        f"sha256 {record['digest']}"
    )


def post(url: str, record: dict[str, Any], fmt: str = "json", timeout: float = 10.0) -> None:
    """Post the anchor to a webhook (a chat group's robot, a ticket system); raise
    :class:`InvalidInput` saying why when it is not taken.  The URL is never printed
    whole: its path and query carry tokens."""
    import json
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    text = message(record)
    body: dict[str, Any]
    if fmt in ("wecom", "dingtalk"):
        body = {"msgtype": "text", "text": {"content": text}}
    elif fmt == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
    elif fmt == "slack":
        body = {"text": text}
    else:
        body = {**record, "text": text}
    try:
        where = f"{urlsplit(url).scheme}://{urlsplit(url).hostname or '?'}"
    except ValueError:
        where = "(an invalid URL)"
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(4096)
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the connection open
        raise InvalidInput(
            msg("err.anchor.post", where=where, problem=f"HTTP {exc.code}")
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        problem = str(getattr(exc, "reason", exc))
        raise InvalidInput(msg("err.anchor.post", where=where, problem=problem)) from None
