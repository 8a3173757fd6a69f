"""Plain-text tables that stay aligned with Chinese text in the cells."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.render.text import pad, truncate, width, wrap

if TYPE_CHECKING:
    from collections.abc import Sequence


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
    several lines with ``wrap_shrunk``.  A cell with newlines spans several lines of its row.
    ``headers=None`` leaves out the header and its rule.
    """
    shown = headers is not None
    if headers is None:
        headers = [""] * max((len(r) for r in rows), default=0)
    ncols = len(headers)
    cells = [[str(c) for c in row] + [""] * (ncols - len(row)) for row in rows]
    widths = [
        max([width(headers[i])] + [width(ln) for r in cells for ln in r[i].split("\n")])
        for i in range(ncols)
    ]
    shrunk: list[int] = []
    if max_width is not None and ncols:
        over = sum(widths) + 2 * (ncols - 1) + width(indent) - max_width
        if shrink is None:
            order: list[int | tuple[int, int]] = [max(range(ncols), key=lambda i: widths[i])]
        else:
            order = [shrink] if isinstance(shrink, int) else list(shrink)
        # first down to each column's own floor, then, if need be, down to 12 cells
        for floors in (True, False):
            for item in order:
                col, floor = item if isinstance(item, tuple) else (item, 12)
                if over <= 0:
                    break
                narrower = max(widths[col] - over, min(widths[col], floor if floors else 12))
                over -= widths[col] - narrower
                if narrower < widths[col] and col not in shrunk:
                    shrunk.append(col)
                widths[col] = narrower
    aligns = (align + "l" * ncols)[:ncols]
    out = []
    if shown:
        out.append(
            indent + "  ".join(pad(h, widths[i], aligns[i]) for i, h in enumerate(headers)).rstrip()
        )
        out.append(indent + "  ".join("-" * w for w in widths))
    for r in cells:
        parts = [_fit(c, widths[i], i in shrunk, wrap_shrunk) for i, c in enumerate(r)]
        for n in range(max(len(p) for p in parts)):
            line = "  ".join(
                pad(p[n] if n < len(p) else "", widths[i], aligns[i]) for i, p in enumerate(parts)
            )
            out.append(indent + line.rstrip())
    return "\n".join(out)


def _fit(cell: str, cells: int, shrunk: bool, wrap_it: bool) -> list[str]:
    """The lines of one cell: its own lines, wrapped or cut if its column was narrowed."""
    lines = cell.split("\n")
    if not shrunk or all(width(ln) <= cells for ln in lines):
        return lines
    if wrap_it:
        return [part for ln in lines for part in wrap(ln, cells)]
    return [truncate(ln, cells) for ln in lines]
