"""Redaction, checked with generated personal data: every valid one is masked and
counted, and numbers that only look like one (a wrong check digit) are left alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from incidentctl.postmortem.redact import Redactor, id_number_valid, luhn_valid

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

filler = st.text(alphabet="支付失败用户订单客服 abcxyz，。：", max_size=20)
digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    number = "1" + draw(st.sampled_from("3456789")) + body
    style = draw(st.sampled_from(["plain", "dashed", "spaced", "+86"]))
    if style == "dashed":
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style == "spaced":
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    return ("+86 " if style == "+86" else "") + number


@st.composite
def id_numbers(draw: st.DrawFn, *, valid: bool = True) -> str:
    region = draw(st.integers(110000, 659999))
    year = draw(st.integers(1940, 2010))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    seq = draw(st.integers(0, 999))
    body = f"{region}{year}{month:02d}{day:02d}{seq:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]
    if not valid:
        check = draw(st.sampled_from([c for c in "0123456789X" if c != check]))
    return body + check


def luhn_digit(body: str) -> str:
    for d in "0123456789":
        if luhn_valid(body + d):
            return d
    raise AssertionError("no Luhn digit")  # pragma: no cover


@st.composite
def cards(draw: st.DrawFn, *, valid: bool = True) -> str:
    length = draw(st.sampled_from([16, 19]))
    body = draw(st.sampled_from(["62", "4", "5"]))
    body += draw(
        st.text(
            alphabet="0123456789", min_size=length - 1 - len(body), max_size=length - 1 - len(body)
        )
    )
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + draw(st.integers(1, 9))) % 10)
    number = body + check
    if draw(st.booleans()) and length == 16:
        return " ".join(number[i : i + 4] for i in range(0, 16, 4))
    return number


emails = st.builds(
    lambda user, host, tld: f"{user}@{host}.{tld}",
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=12).filter(
        lambda u: u[0].isalnum()
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10),
    st.sampled_from(["com", "cn", "com.cn", "org"]),
)
ipv4s = st.builds(lambda *o: ".".join(map(str, o)), *[st.integers(0, 255)] * 4)


def _masked(secret: str, kind: str, before: str, after: str) -> None:
    r = Redactor()
    out = r.text(f"{before} {secret} {after}")
    assert secret not in out
    assert f"[{kind}]" in out
    assert r.counts[kind] == 1
    assert sum(r.counts.values()) == 1


@settings(max_examples=150, deadline=None)
@given(mobiles(), filler, filler)
def test_mobile_numbers(secret: str, before: str, after: str) -> None:
    _masked(secret, "mobile", before, after)


@settings(max_examples=150, deadline=None)
@given(id_numbers(), filler, filler)
def test_resident_id_numbers(secret: str, before: str, after: str) -> None:
    assert id_number_valid(secret)
    _masked(secret, "id-number", before, after)


@settings(max_examples=150, deadline=None)
@given(id_numbers(valid=False))
def test_an_id_number_with_a_wrong_check_digit_is_not_one(secret: str) -> None:
    r = Redactor()
    r.text(f"编号 {secret} 。")
    assert r.counts["id-number"] == 0


@settings(max_examples=150, deadline=None)
@given(cards(), filler, filler)
def test_bank_cards(secret: str, before: str, after: str) -> None:
    _masked(secret, "card", before, after)


@settings(max_examples=150, deadline=None)
@given(cards(valid=False))
def test_a_card_number_that_fails_luhn_is_not_one(secret: str) -> None:
    r = Redactor()
    out = r.text(f"订单 {secret} 。")
    assert r.counts["card"] == 0 and secret in out


@settings(max_examples=150, deadline=None)
@given(emails, filler, filler)
def test_emails(secret: str, before: str, after: str) -> None:
    _masked(secret, "email", before, after)


@settings(max_examples=150, deadline=None)
@given(ipv4s, filler, filler)
def test_ipv4_addresses(secret: str, before: str, after: str) -> None:
    _masked(secret, "ip", before, after)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["王伟", "李娜", "张三丰", "Alice Chen"]), min_size=1, max_size=4))
def test_listed_names_longest_first(names: list[str]) -> None:
    r = Redactor(["张三", "张三丰", "王伟", "李娜", "Alice Chen"])
    out = r.text("，".join(names))
    assert all(n not in out for n in names) and "张三" not in out
    assert r.counts["name"] == len(names)


def test_everything_at_once_and_what_is_left_alone() -> None:
    r = Redactor(["王伟"])
    text = (
        "王伟 致电 13812345678，身份证 11010519491231002X，卡号 6222 0202 0000 0000 009 "
        "邮箱 a.b@example.com 来自 192.168.1.20；订单 20261122000123 于 2026-11-22 10:05"
    )
    out = r.text(text)
    assert out.startswith("[name] 致电 [mobile]，身份证 [id-number]，卡号 ")
    assert "[email]" in out and "[ip]" in out
    assert "订单 20261122000123 于 2026-11-22 10:05" in out  # fails Luhn; a date is no number
    event_ids = r.data(
        {"step": "13812345678", "note": "13812345678", "evidence": {"x": "13812345678"}}
    )
    assert event_ids == {"step": "13812345678", "note": "[mobile]", "evidence": {"x": "[mobile]"}}
