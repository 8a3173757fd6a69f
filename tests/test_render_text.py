from __future__ import annotations

import re

from incidentctl.render.table import table
from incidentctl.render.text import truncate, width, wrap


def test_width_counts_cjk_as_two_columns() -> None:
    assert width("abc") == 3
    assert width("交易异常") == 8
    assert width("一级（重大）") == 12
    assert width("e\u0301") == 1  # combining accent takes no column
    assert width("\x1b[31mred\x1b[0m") == 3


def test_table_columns_line_up_in_display_columns() -> None:
    out = table(["ID", "标题"], [["payment-failure", "交易异常与支付失败"], ["x", "Outage"]])
    header, rule, row1, row2 = out.splitlines()
    col = width("payment-failure  ")  # the second column starts here on every line
    assert width(header[: header.index("标题")]) == col
    assert width(rule[: rule.index("  -") + 2]) == col
    assert width(row1[: row1.index("交易")]) == col
    assert width(row2[: row2.index("Outage")]) == col
    assert rule.split("  ")[1] == "-" * width("交易异常与支付失败")


def test_table_shrinks_to_fit() -> None:
    out = table(["a", "b"], [["x" * 10, "长" * 30]], max_width=40)
    assert max(width(line) for line in out.splitlines()) <= 40
    assert out.splitlines()[2].endswith("...")


def test_truncate_never_splits_a_wide_character() -> None:
    assert truncate("交易异常与支付失败", 8) == "交易..."
    assert width(truncate("交易异常与支付失败", 9)) <= 9


def test_wrap_breaks_cjk_anywhere_but_not_before_closing_punctuation() -> None:
    lines = wrap("一二三四五六七八九十，十一", 10)
    assert all(width(line) <= 12 for line in lines)
    assert not any(line.startswith("，") for line in lines)
    assert "".join(lines) == "一二三四五六七八九十，十一"


def test_wrap_keeps_latin_words_whole() -> None:
    lines = wrap("the quick brown fox jumps over the lazy dog", 12)
    assert lines == ["the quick", "brown fox", "jumps over", "the lazy dog"]


def test_wrap_may_break_after_a_hyphen_and_splits_overlong_words() -> None:
    assert wrap("Customer-service lead", 12) == ["Customer-", "service lead"]
    assert all(width(ln) <= 10 for ln in wrap("x" * 25, 10))
    assert "".join(wrap("x" * 25, 10)) == "x" * 25


def test_table_wraps_the_named_columns_in_order_and_keeps_cell_lines_together() -> None:
    rows = [
        ["1", "confirm-and-grade\n确认异常并定级并记录在事件中", "Customer-service lead", "10m"]
    ]
    out = table(["#", "Step", "Owner", "Due"], rows, max_width=40, shrink=(2, 1), wrap_shrunk=True)
    lines = out.splitlines()
    assert all(width(ln) <= 40 for ln in lines), out
    body = lines[2:]
    assert body[0].split()[:2] == ["1", "confirm-and-grade"]
    assert body[0].rstrip().endswith("10m")
    # the title stays directly under its id; the owner wraps beside it
    assert body[1].lstrip().startswith("确认异常")
    assert "Customer-" in body[0] and "service lead" in body[1]
    assert "..." not in out


def test_table_without_headers_has_no_header_or_rule() -> None:
    out = table(None, [["overdue", "assemble", "启动应急响应"], ["pending", "fix", "修复"]])
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("overdue  assemble  启动应急响应")
    assert width(lines[1][: lines[1].index("修复")]) == width(lines[0][: lines[0].index("启动")])


def test_plain_ascii_takes_the_short_way_to_the_same_pieces() -> None:
    """ASCII text without brackets or colour codes is split on spaces directly; the pieces
    must be exactly the ones the full tokenizer finds (a space is a piece of its own)."""
    import random

    from incidentctl.render import text

    rng = random.Random(7)
    alphabet = "ab-_.:,x9 "
    for _ in range(2000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert list(text._tokens(line)) == re.findall(r" |[^ ]+", line), line
        # the same text with one wide character takes the full tokenizer: its ASCII
        # words must come out the same
        wide = list(text._tokens(line + " 中"))
        assert wide[:-1] == re.findall(r" |[^ ]+", line + " ")[: len(wide) - 1], line


def test_width_of_wide_text_is_the_same_measured_twice() -> None:
    """Character widths are remembered; a second measure must agree with the first."""
    sample = "应急指挥 (张敏)：支付成功率骤降\u0301 e\u200b"
    first = width(sample)
    assert (
        first == width(sample) == 2 * 14 + 5
    )  # the combining mark and the zero-width space take none


def _reference_tokens(paragraph: str) -> list[str]:
    """The tokenizer written character by character, as first specified: the fast one in
    :mod:`incidentctl.render.text` must cut every text into exactly the same pieces."""
    from incidentctl.render.text import (
        _ANSI,
        _CLOSING,
        _GROUP,
        _GROUP_WIDTH,
        _OPENING,
        _UNITS,
        char_width,
    )

    tokens: list[str] = []
    word: list[str] = []
    held = ""  # opening punctuation or colour codes waiting for the next piece

    def flush() -> None:
        nonlocal held
        if word:
            tokens.append(held + "".join(word))
            word.clear()
            held = ""

    i, n = 0, len(paragraph)
    while i < n:
        ch = paragraph[i]
        if ch == "\x1b" and (m := _ANSI.match(paragraph, i)):
            if word:
                word.append(m.group())
            else:
                held += m.group()
            i = m.end()
            continue
        if (
            ch in "(（["
            and not word
            and (m := _GROUP.match(paragraph, i))
            and width(m.group()) <= _GROUP_WIDTH
        ):
            tokens.append(held + m.group())
            held = ""
            i = m.end()
            continue
        i += 1
        if ch == " ":
            flush()
            tokens.append(" ")
        elif char_width(ch) == 2:
            if word and ch in _UNITS and (word[-1].isdecimal() or word[-1] in _UNITS):
                word.append(ch)  # 10分钟, 41分14秒, 2个工作日: a number stays with its unit
                continue
            flush()
            if ch in _OPENING:
                held += ch
            elif ch in _CLOSING and tokens and tokens[-1] != " ":
                tokens[-1] += ch
            else:
                tokens.append(held + ch)
                held = ""
        else:
            word.append(ch)
    flush()
    if held:
        tokens.append(held)
    return tokens


def test_the_tokenizer_cuts_any_text_as_the_character_by_character_one_does() -> None:
    import random

    from incidentctl.render import text

    rng = random.Random(11)
    pieces = [
        *"ab9-_.:,x ()[]（）【】，。：中文分钟个工作日é\u0301",
        "\x1b[31m",
        "\x1b[0m",
        "10",
        "王伟",
    ]
    for _ in range(5000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
        assert list(text._tokens(line)) == _reference_tokens(line), repr(line)
