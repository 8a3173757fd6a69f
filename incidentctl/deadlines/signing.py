"""Signatures of chat robots that refuse unsigned requests.

The two platforms that sign differ, and the difference matters:

- **DingTalk 加签**: ``timestamp`` in *milliseconds* and ``sign`` on the query
  string; ``sign`` is the URL-encoded Base64 of HMAC-SHA256 whose **key is the
  secret**, over the message ``"{timestamp}\\n{secret}"``.
- **Feishu/Lark signature verification**: ``timestamp`` in *seconds* and
  ``sign`` in the JSON body; ``sign`` is the Base64 of HMAC-SHA256 whose **key
  is** ``"{timestamp}\\n{secret}"``, over an **empty** message.

WeCom has no signing: its key stays in the webhook URL.  A secret never leaves
this module except inside a signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def platform(fmt: str) -> str:
    """The platform of a webhook format: ``dingtalk-text`` -> ``dingtalk``."""
    return fmt.split("-", 1)[0]


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` before URL encoding: Base64(HMAC-SHA256(key=secret,
    msg="{timestamp}\\n{secret}"))."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_url(url: str, secret: str, timestamp_ms: int) -> str:
    """``url`` with DingTalk's ``timestamp`` and URL-encoded ``sign`` added to its query."""
    from urllib.parse import quote_plus

    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's ``sign``: Base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def sign_request(
    fmt: str, url: str, body: dict[str, object], secret: str, now: float
) -> tuple[str, dict[str, object]]:
    """The URL and body of a request to a ``fmt`` robot signed with ``secret`` at ``now``
    (seconds since the epoch); unchanged for a platform that does not sign."""
    which = platform(fmt)
    if which == "dingtalk":
        return dingtalk_url(url, secret, int(now * 1000)), body
    if which == "feishu":
        seconds = int(now)
        return url, {"timestamp": str(seconds), "sign": feishu_sign(secret, seconds), **body}
    return url, body
