"""Tables and text that fit the terminal, in both languages, at 60, 80 and 120 columns:
no line wider than the terminal, no Latin word or bracketed name cut in two, columns
aligned by display width.  Three outputs are kept as golden files too
(``tests/data/layout/``); after an intended change of layout, write them again with
``INCIDENTCTL_WRITE_GOLDEN=1 python -m pytest tests/test_layout.py``.
"""

from __future__ import annotations

import os
import re

import pytest

from incidentctl.clock import ManualClock
from incidentctl.render.text import width

from .conftest import DATA, Run

GOLDEN = DATA / "layout"
WIDTHS = (60, 80, 120)
LANGS = ("zh", "en")


@pytest.fixture
def scenario(run: Run, clock: ManualClock) -> str:
    """A sev1 payment failure, 50 minutes in, with long names, long titles, a note."""
    inc = run(
        "open", "payment-failure", "-s", "1",
        "-t", "支付成功率骤降，大量订单支付失败 / payment success collapsed",
        "--commander", "王伟", "--at", "-50m",
    ).stdout.strip()  # fmt: skip
    run("assign", inc, "cs-lead", "张敏")
    run("assign", inc, "tech", "Database administrator on call")
    run("step", "done", inc, "confirm-and-grade", "--evidence", "failure-type=channel",
        "--evidence", "affected-orders=3000", "--at", "-40m")  # fmt: skip
    run("note", inc, "第三方支付通道 Alipay gateway 连接池耗尽，已切换备用通道并观察成功率恢复情况")
    clock.advance(minutes=1)
    return inc


def outputs(
    run: Run, inc: str, lang: str, columns: int, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    commands = {
        "deadlines": ["deadlines"],
        "list": ["list"],
        "timeline": ["timeline", inc],
        "show": ["show", inc],
        "runbook-show": ["runbook", "show", "payment-failure", "-s", "1"],
        "comms-list": ["comms", inc, "--list"],
    }
    return {name: run("--lang", lang, *args).stdout for name, args in commands.items()}


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", text))


@pytest.mark.parametrize("lang", LANGS)
def test_every_line_fits_and_nothing_is_cut_in_two(
    run: Run, scenario: str, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = outputs(run, scenario, lang, 400, monkeypatch)
    for columns in WIDTHS:
        for name, text in outputs(run, scenario, lang, columns, monkeypatch).items():
            lines = text.splitlines()
            too_wide = [line for line in lines if width(line) > columns]
            assert too_wide == [], f"{name} at {columns}: {too_wide}"
            # a Latin word is only ever broken after a hyphen: every word piece is a word
            # of the unwrapped output, or a hyphenated part of one
            pieces = words(text) - words(wide[name])
            assert pieces == set(), f"{name} at {columns} cut words: {pieces}"
            # a name in brackets stays whole
            for name_ in ("(王伟)", "(张敏)"):
                if name_ in wide[name]:
                    assert name_ in text, f"{name} at {columns} split {name_}"
            assert not any(line.rstrip().endswith(("(王", "(张")) for line in lines)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("columns", WIDTHS)
def test_golden_layouts(
    run: Run, scenario: str, lang: str, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    got = outputs(run, scenario, lang, columns, monkeypatch)
    for name in ("deadlines", "list", "timeline"):
        path = GOLDEN / f"{name}-{lang}-{columns}.txt"
        text = got[name]  # the fake clock makes the id the same every time
        if os.environ.get("INCIDENTCTL_WRITE_GOLDEN"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), f"{path.name} changed"


def test_a_terminal_that_reports_no_width_gets_80_columns(
    run: Run, scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "0")
    out = run("deadlines").stdout
    assert max(width(line) for line in out.splitlines()) <= 80
    assert max(width(line) for line in out.splitlines()) > 60  # not squeezed into a strip


def test_columns_line_up_by_display_width(
    run: Run, scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    rows = [
        line for line in run("--lang", "zh", "deadlines").stdout.splitlines() if "sev1 " in line
    ]
    owners = {
        width(line[: line.index(owner)])
        for line in rows
        for owner in ("应急指挥", "客服主管")
        if owner in line
    }
    assert len(rows) > 3 and len(owners) == 1
