"""Safe, bounded YAML loading that remembers where every value came from.

PyYAML's loaders accept things a runbook must not contain: duplicate keys
(the last one silently wins), aliases that expand without bound ("billion
laughs"), arbitrary tags, and documents of any size.  Here the stream is
*composed* into nodes by the safe (C when available) parser, the node graph
is checked, and plain Python data is built from it by hand, recording the
line and column of every key and value so that any later problem (schema or
semantic) can point at the exact spot in the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from incidentctl.documents.files import MAX_BYTES
from incidentctl.errors import DocumentError, Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Largest number of nodes a document may expand to once aliases are followed.
MAX_NODES = 100_000
#: Deepest nesting accepted.
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SCALARS = {_STR, _INT, _FLOAT, _BOOL, _NULL}

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.constructor.SafeConstructor()


class Mark(NamedTuple):
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class Located:
    """A loaded document plus the position of each value and of each mapping key."""

    file: str
    data: Any
    values: dict[Path_, Mark] = field(default_factory=dict)
    keys: dict[Path_, Mark] = field(default_factory=dict)
    styles: dict[Path_, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list, repr=False)

    def mark(self, path: Path_, *, key: bool = False) -> Mark:
        """Position of the node at ``path`` (its key when ``key``), or of its nearest ancestor."""
        table = self.keys if key else self.values
        p = tuple(path)
        if p in table:
            return table[p]
        while p:
            p = p[:-1]
            if p in self.values:
                return self.values[p]
        return Mark(1, 1)

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        m = self.mark(path, key=key)
        return Problem(self.file, m.line, m.column, format_path(path), message)

    def problem_in_text(self, path: Path_, value: str, offset: int, message: str) -> Problem:
        """A problem at character ``offset`` inside the string scalar at ``path``.

        Exact for literal blocks (``|``) and single-line plain scalars; other
        styles point at the scalar's start.
        """
        m = self.mark(path)
        style = self.styles.get(tuple(path))
        before = value[:offset]
        if style == "|":
            line = m.line + 1 + before.count("\n")
            src = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            indent = len(src) - len(src.lstrip(" "))
            column = indent + len(before) - (before.rfind("\n") + 1) + 1
            m = Mark(line, column)
        elif style == "" and "\n" not in before:
            m = Mark(m.line, m.column + offset)
        return Problem(self.file, m.line, m.column, format_path(path), message)


def format_path(path: Path_) -> str:
    """``("phases", 1, "steps", 3, "due")`` -> ``phases[1].steps[3].due``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _mark_of(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _fail(file: str, line: int, column: int, message: str, path: str = "") -> DocumentError:
    return DocumentError([Problem(file, line, column, path, message)])


def read_text(path: str | os.PathLike[str], *, display: str | None = None) -> str:
    """Read a UTF-8 text file with a size limit, reporting bad bytes by line and column."""
    from incidentctl.documents.files import read_bytes

    name = display or os.fspath(path)
    return decode(read_bytes(path, display=name, limit=MAX_BYTES), name)


def decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:
        raise _fail(name, 1, 1, f"file is larger than {MAX_BYTES // 1024} KiB; not a runbook")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise _fail(
            name,
            line,
            column,
            f"not valid UTF-8 (byte 0x{bad} at offset {exc.start}); save the file as UTF-8",
        ) from None


def load(text: str, file: str) -> Located:
    """Parse one YAML document into :class:`Located` data, or raise :class:`DocumentError`."""
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise _fail(file, 1, 1, "file is empty; expected a runbook mapping")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.context}, {exc.problem}"
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem = "a tab character; YAML indents with spaces only"
        raise _fail(file, line, col, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors without a mark
        raise _fail(file, 1, 1, f"YAML error: {exc}") from None
    if node is None:
        raise _fail(file, 1, 1, "file is empty; expected a runbook mapping")
    _check_size(node, file)
    located = Located(file, None, lines=text.split("\n"))
    located.data = _build(node, (), located)
    return located


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def load_file(path: str | os.PathLike[str], *, display: str | None = None) -> Located:
    name = display or os.fspath(path)
    return load(read_text(path, display=name), name)


def _check_size(root: yaml.Node, file: str) -> None:
    """Reject alias expansion bombs and recursive aliases before building anything.

    Aliases make the composed graph a DAG (or worse, cyclic); its *expanded*
    size is computed bottom-up with memoisation, so the check is linear in
    the number of distinct nodes no matter how many times they are shared.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def children(n: yaml.Node) -> Iterator[yaml.Node]:
        if isinstance(n, yaml.SequenceNode):
            yield from n.value
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                yield k
                yield v

    # Iterative post-order walk: deep documents must not hit Python's recursion limit.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        n, done = stack.pop()
        key = id(n)
        if done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(c)] for c in children(n))
            if total > MAX_NODES:
                m = _mark_of(n)
                raise _fail(
                    file,
                    m.line,
                    m.column,
                    f"document expands to more than {MAX_NODES} values once aliases are "
                    "followed (an alias bomb?); write the values out or use fewer aliases",
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            m = _mark_of(n)
            raise _fail(file, m.line, m.column, "recursive alias: a node contains itself")
        on_path.add(key)
        if len(on_path) > MAX_DEPTH:
            m = _mark_of(n)
            raise _fail(file, m.line, m.column, f"nesting deeper than {MAX_DEPTH} levels")
        stack.append((n, True))
        for c in children(n):
            if id(c) in on_path:
                m = _mark_of(c)
                raise _fail(file, m.line, m.column, "recursive alias: a node contains itself")
            if id(c) not in sizes:
                stack.append((c, False))


def _build(node: yaml.Node, path: Path_, loc: Located) -> Any:
    loc.values.setdefault(path, _mark_of(node))
    if isinstance(node, yaml.ScalarNode):
        loc.styles.setdefault(path, node.style or "")
        return _scalar(node, path, loc)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _tag_error(node, path, loc)
        return [_build(item, (*path, i), loc) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _tag_error(node, path, loc)
        return _mapping(node, path, loc)
    raise _tag_error(node, path, loc)  # pragma: no cover - composer yields only these


def _mapping(node: yaml.MappingNode, path: Path_, loc: Located) -> dict[str, Any]:
    out: dict[str, Any] = {}
    first_seen: dict[str, Mark] = {}
    merged: list[yaml.MappingNode] = []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            sources = (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
            for src in sources:
                if not isinstance(src, yaml.MappingNode):
                    m = _mark_of(src)
                    raise _fail(loc.file, m.line, m.column, "'<<' merges only mappings")
                merged.append(src)
            continue
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            m = _mark_of(key_node)
            shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "(a collection)"
            raise _fail(
                loc.file,
                m.line,
                m.column,
                f"mapping keys must be text; got {shown!r} (quote it)",
                format_path(path),
            )
        key = str(key_node.value)
        km = _mark_of(key_node)
        if key in first_seen:
            raise _fail(
                loc.file,
                km.line,
                km.column,
                f"duplicate key '{key}' (first defined at line {first_seen[key].line})",
                format_path((*path, key)),
            )
        first_seen[key] = km
        child = (*path, key)
        loc.keys[child] = km
        out[key] = _build(value_node, child, loc)
    for src in merged:
        for key_node, value_node in src.value:
            key = str(key_node.value)
            if key not in out:
                child = (*path, key)
                loc.keys.setdefault(child, _mark_of(key_node))
                out[key] = _build(value_node, child, loc)
    return out


def _scalar(node: yaml.ScalarNode, path: Path_, loc: Located) -> Any:
    if node.tag == _TIMESTAMP:
        return str(node.value)  # keep dates as written; the schema says what it wants
    if node.tag not in _SCALARS:
        raise _tag_error(node, path, loc)
    try:
        return _constructor.construct_object(node)
    except yaml.constructor.ConstructorError as exc:  # pragma: no cover - defensive
        m = _mark_of(node)
        raise _fail(loc.file, m.line, m.column, str(exc.problem), format_path(path)) from None


def _tag_error(node: yaml.Node, path: Path_, loc: Located) -> DocumentError:
    m = _mark_of(node)
    return _fail(
        loc.file,
        m.line,
        m.column,
        f"unsupported YAML tag {node.tag!r}; runbooks use plain mappings, lists and scalars",
        format_path(path),
    )
