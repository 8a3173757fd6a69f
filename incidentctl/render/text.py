"""Display width for terminals, where a Chinese character takes two columns.

``unicodedata`` (standard library, already loaded by Python) gives the East
Asian Width of every character: Wide and Fullwidth take two cells, combining
marks and format characters none.  That is all the alignment needs for the
text incidentctl prints, without an extra import on every command.
"""

from __future__ import annotations

import re
import unicodedata

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CLOSING = set("，。、；：？！）」』》】〕,.;:?!)]}%")


def char_width(ch: str) -> int:
    o = ord(ch)
    if o < 0x7F:
        return 1 if o >= 0x20 else 0
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns ``text`` occupies on a terminal (ANSI colour codes take none)."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if text.isascii():
        return len(text)
    return sum(char_width(c) for c in text)


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
    gap = max(cells - width(text), 0)
    if align == "r":
        return " " * gap + text
    if align == "c":
        left = gap // 2
        return " " * left + text + " " * (gap - left)
    return text + " " * gap


def _tokens(paragraph: str) -> list[str]:
    # Latin words stay whole, except that a line may break after a hyphen;
    # every wide character is its own token, as CJK text may break between
    # any two characters.
    tokens: list[str] = []
    word: list[str] = []
    for ch in paragraph:
        if ch == " " or char_width(ch) == 2:
            if word:
                tokens.append("".join(word))
                word = []
            tokens.append(ch)
        else:
            word.append(ch)
            if ch == "-" and len(word) > 1:
                tokens.append("".join(word))
                word = []
    if word:
        tokens.append("".join(word))
    return tokens


def _pieces(word: str, limit: int) -> list[str]:
    """A word longer than a line, cut into pieces of at most ``limit`` columns."""
    pieces: list[str] = []
    start, used = 0, 0
    for i, ch in enumerate(word):
        w = char_width(ch)
        if used + w > limit and i > start:
            pieces.append(word[start:i])
            start, used = i, 0
        used += w
    pieces.append(word[start:])
    return pieces


def wrap(text: str, cells: int, indent: str = "") -> list[str]:
    """Wrap to ``cells`` columns, breaking Latin text at spaces and CJK text anywhere
    except before closing punctuation.  Linear in the length of the text: each token's
    width is measured once."""
    limit = max(cells - width(indent), 10)
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line: list[str] = []
        used = 0
        for tok in _tokens(paragraph):
            if tok == " " and not line:
                continue
            w = width(tok)
            if used + w <= limit or tok[0] in _CLOSING:
                line.append(tok)
                used += w
                continue
            if line:
                lines.append(indent + "".join(line).rstrip())
            line, used = ([], 0) if tok == " " else ([tok], w)
            if used > limit:  # a single word longer than the line
                *whole, rest = _pieces(tok, limit)
                lines.extend(indent + piece for piece in whole)
                line, used = [rest], width(rest)
        lines.append(indent + "".join(line).rstrip())
    return lines
