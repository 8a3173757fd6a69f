"""The HTML post-mortem in a real browser: headless Chromium draws something (the
screenshot is not blank) and prints it on A4 on the pages expected.

Outside CI these skip when Chromium is not installed; under ``CI=true`` they never skip
(``.ci/run`` installs it)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from typing import TYPE_CHECKING

import pytest

from .conftest import runbook
from .test_postmortem import breach

if TYPE_CHECKING:
    from pathlib import Path

    from incidentctl.clock import ManualClock
    from incidentctl.incidents.service import Incidents

    from .conftest import Run


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is not installed, and CI must run the browser tests")
    pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")


def headless(tmp_path: Path, page: Path, *args: str) -> None:
    profile = tmp_path / "chromium-profile"
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        *args,
        page.as_uri(),
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(command, capture_output=True, timeout=120, check=True, env=env)


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the decompressed (still filtered) scanlines of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def pdf_pages(data: bytes) -> int:
    assert data.startswith(b"%PDF-")
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def _html(run: Run, inc: str, tmp_path: Path) -> Path:
    page = tmp_path / "postmortem.html"
    run("--tz", "Asia/Shanghai", "postmortem", inc, "--format", "html", "-o", str(page))
    return page


def test_the_screenshot_is_not_blank(
    svc: Incidents, clock: ManualClock, run: Run, tmp_path: Path
) -> None:
    page = _html(run, breach(svc, clock), tmp_path)
    shot = tmp_path / "shot.png"
    headless(tmp_path, page, f"--screenshot={shot}", "--window-size=1200,1600")
    width, height, pixels = png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    # a blank page compresses to a handful of distinct byte values; text and tables to many
    assert len(set(pixels)) > 40
    assert pixels.count(255) < len(pixels) * 0.98


def test_it_prints_on_the_expected_pages(
    svc: Incidents, clock: ManualClock, run: Run, tmp_path: Path
) -> None:
    small = svc.open(runbook("minimal"), severity="1", title="small").state.id
    pdf = tmp_path / "small.pdf"
    headless(
        tmp_path, _html(run, small, tmp_path), f"--print-to-pdf={pdf}", "--no-pdf-header-footer"
    )
    # each part starts a page: the summary, the compliance tables, the chart (with messages,
    # review and actions), the timeline; a small incident's parts each fit on one
    assert pdf_pages(pdf.read_bytes()) == 4
    big = breach(svc, clock)
    for n in range(60):
        svc.note(big, f"progress note {n}: " + "checked the export job and the bucket policy " * 3)
    pdf = tmp_path / "big.pdf"
    headless(tmp_path, _html(run, big, tmp_path), f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf_pages(pdf.read_bytes()) > 6


def test_the_report_page_is_not_blank(
    svc: Incidents, clock: ManualClock, run: Run, tmp_path: Path
) -> None:
    breach(svc, clock)
    page = tmp_path / "report.html"
    run(
        "--tz",
        "Asia/Shanghai",
        "report",
        "--until",
        "2026-12-31",
        "--format",
        "html",
        "-o",
        str(page),
    )
    shot = tmp_path / "report.png"
    headless(tmp_path, page, f"--screenshot={shot}", "--window-size=1200,1600")
    width, height, pixels = png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    assert len(set(pixels)) > 40
    assert pixels.count(255) < len(pixels) * 0.98
