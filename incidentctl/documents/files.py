"""Reading a document's bytes safely: a regular file only, of bounded size.

Kept apart from the YAML loader so that code which only needs the bytes (to
hash them, say) does not load YAML.
"""

from __future__ import annotations

import os
import stat

from incidentctl.errors import DocumentError, Problem

#: Largest document accepted, in bytes.  The biggest shipped runbook is about 40 KB.
MAX_BYTES = 1024 * 1024


def _fail(name: str, message: str) -> DocumentError:
    return DocumentError([Problem(name, 1, 1, "", message)])


def read_bytes(path: str | os.PathLike[str], *, display: str, limit: int) -> bytes:
    """The bytes of the file at ``path``, at most ``limit`` + 1 of them (the caller says
    what is too large).  A FIFO, a device or a directory is refused at once: opening
    never waits for a writer."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise _fail(display, "no such file") from None
    except IsADirectoryError:
        raise _fail(display, "is a directory, not a runbook file") from None
    except OSError as exc:
        raise _fail(display, f"cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise _fail(display, f"is {kind}, not a runbook file")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            return fh.read(limit + 1)
    except OSError as exc:
        raise _fail(display, f"cannot read: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)
