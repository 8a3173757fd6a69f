from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from incidentctl.documents import yamlsafe
from incidentctl.errors import DocumentError
from incidentctl.runbooks.validate import check_file


def problems(text: str) -> list[str]:
    with pytest.raises(DocumentError) as info:
        yamlsafe.load(text, "t.yaml")
    return [p.format() for p in info.value.problems]


def test_values_and_keys_keep_their_positions() -> None:
    loc = yamlsafe.load("a:\n  b: [1, 2]\n  c: x\n", "t.yaml")
    assert loc.data == {"a": {"b": [1, 2], "c": "x"}}
    assert loc.mark(("a", "b", 1)) == yamlsafe.Mark(2, 10)
    assert loc.mark(("a", "c"), key=True) == yamlsafe.Mark(3, 3)
    # an unknown path falls back to its nearest known ancestor
    assert loc.mark(("a", "b", 7)) == yamlsafe.Mark(2, 6)


def test_dates_stay_text_and_merge_keys_work() -> None:
    loc = yamlsafe.load("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nd: 2026-11-22\n", "t.yaml")
    assert loc.data["m"] == {"y": 3, "x": 1}
    assert loc.data["d"] == "2026-11-22"


def test_duplicate_keys_are_rejected_with_both_lines() -> None:
    assert problems("a: 1\nb: 2\na: 3\n") == [
        "t.yaml:3:1: a: duplicate key 'a' (first defined at line 1)"
    ]


def test_non_text_keys_are_rejected() -> None:
    assert problems("1: x\n") == ["t.yaml:1:1: mapping keys must be text; got '1' (quote it)"]


def test_multiple_documents_are_rejected() -> None:
    (msg,) = problems("a: 1\n---\nb: 2\n")
    assert msg.startswith("t.yaml:2:1: YAML syntax error:") and "single document" in msg


def test_deep_nesting_is_rejected_without_recursion_error() -> None:
    text = "a: " + "[" * 200 + "]" * 200 + "\n"
    (msg,) = problems(text)
    assert "nesting deeper than" in msg


def test_byte_order_mark_is_accepted() -> None:
    assert yamlsafe.decode("\ufeffa: 1\n".encode(), "t.yaml") == "a: 1\n"


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * (yamlsafe.MAX_BYTES + 10) + "\n", encoding="utf-8")
    checked = check_file(big, display="big.yaml")
    assert [p.format() for p in checked.problems] == [
        "big.yaml:1:1: file is larger than 1024 KiB; not a runbook"
    ]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert (
        check_file(tmp_path / "nope.yaml", display="nope.yaml").problems[0].message
        == "no such file"
    )
    assert "directory" in check_file(tmp_path, display="d").problems[0].message


def test_alias_bomb_fails_fast_in_bounded_memory() -> None:
    # 9 levels of 9 aliases each expand to 9**9 (387 million) strings.
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*l{i - 1}"] * 9)
        lines.append(f"l{i}: &l{i} [{refs}]")
    text = "\n".join(lines) + "\n"
    tracemalloc.start()
    try:
        with pytest.raises(DocumentError) as info:
            yamlsafe.load(text, "bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "alias bomb" in info.value.problems[0].message
    assert peak < 20 * 1024 * 1024


def test_shared_aliases_within_the_limit_are_fine() -> None:
    loc = yamlsafe.load("a: &a [1, 2]\nb: [*a, *a]\n", "t.yaml")
    assert loc.data["b"] == [[1, 2], [1, 2]]
    loc.data["b"][0].append(3)
    assert loc.data["b"][1] == [1, 2], "aliases are expanded into independent values"


def test_placeholder_problem_points_into_a_literal_block() -> None:
    loc = yamlsafe.load("t:\n  body: |\n    line one\n    and {here}\n", "t.yaml")
    value = loc.data["t"]["body"]
    p = loc.problem_in_text(("t", "body"), value, value.index("{"), "x")
    assert (p.line, p.column) == (4, 9)
