"""The phrase library: the manual's own scripts, cited, listed by ``comms --phrases`` and
usable in templates as ``{phrase.ID}``."""

from __future__ import annotations

import json

from incidentctl.runbooks.phrases import library
from incidentctl.runbooks.placeholders import LIVE_FACTS, scan

from .conftest import Run


def test_every_phrase_is_cited_bilingual_and_promises_only_committed_times() -> None:
    phrases = library()
    assert {
        "opening",
        "calming",
        "confirming",
        "understand-complaint",
        "crisis-investigating",
    } <= set(phrases)
    for p in phrases.values():
        assert "§" in p.cite.zh and "§" in p.cite.en, p.id
        for lang in ("zh", "en"):
            found, errors = scan(p.text.get(lang))
            assert not errors, p.id
            assert all(ph.name in LIVE_FACTS for ph in found), p.id
    # the manual's "[时间]" and "24 小时内" became the committed time, never a made-up one
    assert "{eta}" in phrases["crisis-investigating"].text.zh
    assert "24" not in phrases["crisis-investigating"].text.zh


def test_comms_lists_the_phrases(run: Run) -> None:
    inc = run("open", "customer-complaint", "-s", "2", "-t", "t").stdout.strip()
    out = run("--lang", "zh", "comms", inc, "--phrases").stdout
    assert "{phrase.calming}" in out and "手册 §8.1" in out and "我理解您目前可能感到着急" in out
    data = json.loads(run("comms", inc, "--phrases", "--json").stdout)
    assert data["kind"] == "phrase-list"
    assert {p["id"] for p in data["phrases"]} == set(library())


def test_a_template_says_the_manuals_words(run: Run) -> None:
    inc = run("open", "customer-complaint", "-s", "2", "-t", "t").stdout.strip()
    zh = run("--lang", "zh", "comms", inc, "first-reply", "--draft").stdout
    assert "我们理解您的不满，我们正在处理您的问题。" in zh  # manual §2.1
    en = run("--lang", "en", "comms", inc, "first-reply", "--draft").stdout
    assert "We understand why you are unhappy" in en and "{phrase." not in en
