"""Plain-text tables that stay aligned with Chinese text in the cells."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incidentctl.render.text import pad, truncate, width, wrap

if TYPE_CHECKING:
    from collections.abc import Sequence


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    align: str = "",
    max_width: int | None = None,
    shrink: int | None = None,
    indent: str = "",
    wrap_shrunk: bool = False,
) -> str:
    """Render ``rows`` under ``headers``, columns two spaces apart, a rule under the header.

    ``align`` gives one letter per column (``l``, ``r``, ``c``; default ``l``).
    When the table is wider than ``max_width``, column ``shrink`` (default:
    the widest) is truncated so the table fits, or wrapped onto several lines
    with ``wrap_shrunk``.
    """
    ncols = len(headers)
    cells = [[str(c) for c in row] + [""] * (ncols - len(row)) for row in rows]
    widths = [max([width(headers[i])] + [width(r[i]) for r in cells]) for i in range(ncols)]
    if max_width is not None and ncols:
        total = sum(widths) + 2 * (ncols - 1) + width(indent)
        if total > max_width:
            col = shrink if shrink is not None else max(range(ncols), key=lambda i: widths[i])
            widths[col] = max(widths[col] - (total - max_width), min(widths[col], 12))
            if wrap_shrunk:
                cells = [line for r in cells for line in _wrap_row(r, col, widths[col])]
            else:
                for r in cells:
                    r[col] = truncate(r[col], widths[col])
    aligns = (align + "l" * ncols)[:ncols]
    out = [indent + "  ".join(pad(h, widths[i], aligns[i]) for i, h in enumerate(headers)).rstrip()]
    out.append(indent + "  ".join("-" * w for w in widths))
    for r in cells:
        out.append(
            indent + "  ".join(pad(c, widths[i], aligns[i]) for i, c in enumerate(r)).rstrip()
        )
    return "\n".join(out)


def _wrap_row(row: list[str], col: int, cells: int) -> list[list[str]]:
    """One row per wrapped line of column ``col``; the other columns only on the first."""
    parts = wrap(row[col], cells)
    blank = [""] * len(row)
    return [
        [*(row if n == 0 else blank)[:col], part, *(row if n == 0 else blank)[col + 1 :]]
        for n, part in enumerate(parts)
    ]
