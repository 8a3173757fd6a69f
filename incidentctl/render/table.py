"""Plain-text tables that stay aligned with Chinese text in the cells."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from incidentctl.render.text import longest_word_of, pad_measured, truncate, width, wrap

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


def table(
    headers: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    *,
    align: str = "",
    max_width: int | None = None,
    shrink: int | Sequence[int | tuple[int, int]] | None = None,
    indent: str = "",
    wrap_shrunk: bool = False,
) -> str:
    """Render ``rows`` under ``headers``, columns two spaces apart, a rule under the header.

    ``align`` gives one letter per column (``l``, ``r``, ``c``; default ``l``).
    When the table is wider than ``max_width``, the columns ``shrink`` names
    (default: the widest), in that order, give up width until the table fits:
    first down to each one's floor (``(column, floor)``; a bare column index
    means 12), then down to 12 cells.  Their text is truncated, or wrapped onto
    several lines with ``wrap_shrunk`` (then never narrower than the longest word
    in them, so no word is cut).  A cell with newlines spans several lines of its row.
    ``headers=None`` leaves out the header and its rule.
    """
    shown = headers is not None
    if headers is None:
        headers = [""] * max((len(r) for r in rows), default=0)
    ncols = len(headers)
    cells = [[str(c) for c in row] + [""] * (ncols - len(row)) for row in rows]
    # each cell's lines with their widths, measured once: laying out and padding a table of
    # a few hundred Chinese cells measured every line three times.  Cells repeat (the same
    # step titles, owners and sources in every incident's rows): each text is measured once.
    lines_of: dict[str, list[tuple[str, int]]] = {}

    def measure(c: str) -> list[tuple[str, int]]:
        found = lines_of.get(c)
        if found is None:
            found = lines_of[c] = [(ln, width(ln)) for ln in c.split("\n")]
        return found

    every = [list(headers), *cells] if shown else cells
    widths = [
        max(
            [width(headers[i])]
            + [max(w for _, w in measure(text)) for text in {r[i] for r in every}]
        )
        for i in range(ncols)
    ]
    shrunk: list[int] = []
    if max_width is not None and ncols:
        over = sum(widths) + 2 * (ncols - 1) + width(indent) - max_width
        if shrink is None:
            order: list[int | tuple[int, int]] = [max(range(ncols), key=lambda i: widths[i])]
        else:
            order = [shrink] if isinstance(shrink, int) else list(shrink)
        # first down to each column's own floor, then, if need be, down to 12 cells; a
        # wrapped column never below its longest word, which would have to be cut
        for floors in (True, False):
            for item in order:
                col, floor = item if isinstance(item, tuple) else (item, 12)
                if over <= 0:
                    break
                least = floor if floors else 12
                if wrap_shrunk:  # wrapped: as narrow as its longest word, if need be
                    word = longest_word({headers[col], *(r[col] for r in cells)})
                    least = max(least, word) if floors else word
                narrower = max(widths[col] - over, min(widths[col], least))
                over -= widths[col] - narrower
                if narrower < widths[col] and col not in shrunk:
                    shrunk.append(col)
                widths[col] = narrower
    aligns = (align + "l" * ncols)[:ncols]
    # each distinct text of a column laid out once, as lines padded to the column's width
    # (cells repeat: the same step titles, owners and sources in every incident's rows)
    blocks: dict[tuple[str, int], list[str]] = {}

    def block(text: str, i: int) -> list[str]:
        found = blocks.get((text, i))
        if found is None:
            lines = lines_of[text]
            room = widths[i]
            if any(w > room for _, w in lines):
                lines = [(ln, width(ln)) for ln in _fit(text, room, i in shrunk, wrap_shrunk)]
            found = blocks[text, i] = [pad_measured(ln, w, room, aligns[i]) for ln, w in lines]
        return found

    blank = [" " * w for w in widths]
    out = []
    for n, row in enumerate(every):
        parts = [block(text, i) for i, text in enumerate(row)]
        height = max(map(len, parts))
        if height == 1:
            out.append(indent + "  ".join([p[0] for p in parts]).rstrip())
        else:
            for k in range(height):
                line = "  ".join([p[k] if k < len(p) else blank[i] for i, p in enumerate(parts)])
                out.append(indent + line.rstrip())
        if shown and n == 0:
            out.append(indent + "  ".join("-" * w for w in widths))
    return "\n".join(out)


def longest_word(texts: Iterable[str]) -> int:
    """The widest piece of ``texts`` that cannot be cut without cutting a word in two."""
    best = 0
    for text in texts:
        if width(text) > best:  # no piece of a text is wider than the whole of it
            best = max(best, longest_word_of(text))
    return best


_STYLED = re.compile(r"^(\x1b\[[0-9;]*m)(.*)(\x1b\[0m)$", re.S)


def _fit(cell: str, cells: int, shrunk: bool, wrap_it: bool) -> list[str]:
    """The lines of one cell: its own lines, wrapped or cut if its column was narrowed.
    A cell coloured as a whole is coloured again on each of its lines, so that no colour
    runs on into the cells beside it."""
    lines = cell.split("\n")
    if not shrunk or all(width(ln) <= cells for ln in lines):
        return lines
    styled = _STYLED.match(cell)
    if styled:
        start, inner, end = styled.groups()
        return [start + line + end for line in _fit(inner, cells, shrunk, wrap_it)]
    if wrap_it:
        return [part for ln in lines for part in wrap(ln, cells)]
    return [truncate(ln, cells) for ln in lines]
