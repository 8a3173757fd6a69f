"""Display width for terminals, where a Chinese character takes two columns.

``unicodedata`` (standard library, already loaded by Python) gives the East
Asian Width of every character: Wide and Fullwidth take two cells, combining
marks and format characters none.  That is all the alignment needs for the
text incidentctl prints, without an extra import on every command.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CLOSING = set("，。、；：？！）」』》】〕,.;:?!)]}%")


def char_width(ch: str) -> int:
    o = ord(ch)
    if o < 0x7F:
        return 1 if o >= 0x20 else 0
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


#: Widths of the non-ASCII characters met so far: a table of Chinese text measures the
#: same few hundred characters again and again.
_WIDTHS: dict[str, int] = {}


def width(text: str) -> int:
    """Columns ``text`` occupies on a terminal (ANSI colour codes take none)."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if text.isascii():
        return len(text)
    known = _WIDTHS
    total = 0
    for c in text:
        w = known.get(c)
        if w is None:
            w = known[c] = char_width(c)
        total += w
    return total


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` columns, marking the cut with ``...``."""
    if width(text) <= limit:
        return text
    if limit <= 3:
        return "." * max(limit, 0)
    out = []
    used = 0
    for ch in text:
        w = char_width(ch)
        if used + w > limit - 3:
            break
        out.append(ch)
        used += w
    return "".join(out) + "..."


def pad(text: str, cells: int, align: str = "l") -> str:
    """``text`` filled out with spaces to ``cells`` columns."""
    return pad_measured(text, width(text), cells, align)


def pad_measured(text: str, used: int, cells: int, align: str = "l") -> str:
    """:func:`pad` for a text already known to take ``used`` columns."""
    gap = max(cells - used, 0)
    if align == "r":
        return " " * gap + text
    if align == "c":
        left = gap // 2
        return " " * left + text + " " * (gap - left)
    return text + " " * gap


#: A short group in brackets, kept on one line: a name ``(王伟)``, a time ``(03:39)``.
_GROUP = re.compile(r"[(（\[][^\s()（）\[\]]{1,16}[)）\]]")
_GROUP_WIDTH = 12  # (王伟), (Alipay), (03:39); longer bracketed text wraps as text
_OPENING = set("（「『《【〔“‘")
_UNITS = set("年月日号天小时分钟秒个工作周")
_SPECIAL = re.compile(r"[(\[\x1b]")  # what only the full tokenizer handles
_RUN = re.compile(r"[!-'*-Z\\\]-~)]+")  # printable ASCII but for space, ( and [


@lru_cache(maxsize=2048)  # a table measures its wrapped cells, then wraps them
def _tokens(paragraph: str) -> tuple[str, ...]:
    """The unbreakable pieces of a paragraph, and the spaces between them.

    A Latin word stays whole (an identifier such as ``confirm-and-grade`` too); a short
    bracketed group stays whole; each wide (CJK) character is a piece of its own, as CJK
    text may break between any two characters, except that closing punctuation holds on
    to the piece before it and opening punctuation to the piece after it, so that no line
    starts with ``，`` or ends with ``（``.  Colour codes stick to the text they colour.
    """
    if paragraph.isascii() and not _SPECIAL.search(paragraph):
        # Plain ASCII (most step ids, names and English text): words between spaces.
        tokens: list[str] = []
        for n, word_ in enumerate(paragraph.split(" ")):
            if n:
                tokens.append(" ")
            if word_:
                tokens.append(word_)
        return tuple(tokens)
    tokens = []
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
            if word and ch in _UNITS and (word[-1][-1].isdecimal() or word[-1][-1] in _UNITS):
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
        elif run := _RUN.match(paragraph, i - 1):
            word.append(run.group())  # a run of plain ASCII at once, not char by char
            i = run.end()
        else:
            word.append(ch)
    flush()
    if held:
        tokens.append(held)
    return tuple(tokens)


def longest_word_of(text: str) -> int:
    """The widest piece ``text`` can be wrapped into without cutting a word (words may
    break after their hyphens)."""
    best = 0
    for paragraph in text.splitlines():
        for tok in _tokens(paragraph):
            if 2 * len(tok) <= best:  # no character is wider than two columns
                continue
            for part in re.findall(r"[^-]+-?|-", tok) if "-" in tok else [tok]:
                best = max(best, width(part))
    return best


def _pieces(word: str, limit: int) -> list[str]:
    """A word longer than a line, cut into pieces of at most ``limit`` columns: after its
    hyphens where that is enough, anywhere otherwise."""
    parts = re.findall(r"[^-]+-?|-", word) if "-" in word else [word]
    pieces: list[str] = []
    line, used = "", 0
    for part in parts:
        w = width(part)
        if used + w <= limit:
            line, used = line + part, used + w
            continue
        if line:
            pieces.append(line)
        line, used = "", 0
        start = 0
        for i, ch in enumerate(part):  # a part longer than the line: cut it anywhere
            cw = char_width(ch)
            if used + cw > limit and i > start:
                pieces.append(part[start:i])
                start, used = i, 0
            used += cw
        line = part[start:]
    pieces.append(line)
    return pieces


def wrap(text: str, cells: int, indent: str = "") -> list[str]:
    """Wrap to ``cells`` columns: Latin words and bracketed groups whole, CJK text between
    any two characters (see :func:`_tokens`); a word longer than a line is cut after its
    hyphens, or anywhere if it must.  No line is ever wider than ``cells``.  Linear in
    the length of the text: each piece's width is measured once."""
    limit = max(cells - width(indent), 2)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line: list[str] = []
        used = 0
        for tok in _tokens(paragraph):
            if tok == " ":
                if line:
                    line.append(tok)
                    used += 1
                continue
            w = width(tok)
            if used + w <= limit:
                line.append(tok)
                used += w
                continue
            if line:
                lines.append(indent + "".join(line).rstrip())
            if w <= limit:
                line, used = [tok], w
                continue
            *whole, rest = _pieces(tok, limit)
            lines.extend(indent + piece for piece in whole)
            line, used = [rest], width(rest)
        lines.append(indent + "".join(line).rstrip())
    return lines
