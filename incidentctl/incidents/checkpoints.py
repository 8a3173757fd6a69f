"""Checkpoints of long incidents' folds: recording on a log of thousands of events without
reading and folding all of it again.

A week-long breach with hourly updates and many notes reaches ten thousand events, and
every note, step or assignment recorded on it first decides on the incident's state: the
whole log read and folded, which took longer than everything else a recording command does.
A checkpoint is that state at one head (``seq``, ``hash``), kept in the user's cache
(``~/.cache/incidentctl/folds``; ``INCIDENTCTL_CACHE=off`` keeps none).
Recording reads it, checks that the store still holds at ``seq`` the event with that
hash (the hash chain then says the log up to there is the one folded), and reads and folds
on only the events after it (:func:`~incidentctl.incidents.state.fold_more`, which refuses
what only a full fold gets right: a retraction, an event back-dated before one already
applied; then the whole log is read, as without a checkpoint).

Only a log of at least :data:`LONG` events gets one, written again once the log has grown
:data:`EVERY` events past it.  A checkpoint is only a cache: one that cannot be read, was
written by another release, names another store or incident, or that anyone but the user
could have written (it is a pickle: loading it runs what it says) is ignored; one that
cannot be written is not written.
"""

from __future__ import annotations

import contextlib
import os
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from incidentctl.incidents.state import IncidentState

#: Logs shorter than this are read and folded whole (it takes a few milliseconds).
LONG = 1000
#: How far a log grows past its checkpoint before the checkpoint is written again.
EVERY = 500
#: Bumped when what a checkpoint holds changes shape.
FORMAT = 1


class Checkpoints:
    """The checkpoints of one store's incidents, in the directory ``locate`` gives (private
    to the user: see documents.memo.directory), or nowhere when it gives ``None``.  It is
    looked for only when a checkpoint is: a command that records nothing never makes it."""

    def __init__(
        self, locate: Callable[[], Path | None], store_location: str, release: str
    ) -> None:
        self._locate = locate
        self.location = store_location
        self.release = release

    @cached_property
    def directory(self) -> Path | None:
        return self._locate()

    def _path(self, incident_id: str) -> Path | None:
        from incidentctl.records import sha256

        if self.directory is None:
            return None
        name = sha256(f"{self.location}\0{incident_id}".encode()).hexdigest()[:32]
        return self.directory / f"{name}.fold"

    def _header(self, incident_id: str) -> tuple[object, ...]:
        return (FORMAT, self.release, self.location, incident_id)

    def load(self, incident_id: str) -> IncidentState | None:
        """The incident's last checkpoint, or ``None``."""
        path = self._path(incident_id)
        if path is None:
            return None
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if info.st_uid != os.geteuid() or info.st_mode & 0o077:
                return None  # not the user's own, private file: never unpickled
            import pickle

            with os.fdopen(fd, "rb") as fh:
                fd = -1
                header, state = pickle.load(fh)
        except Exception:  # a cache: anything wrong with it means no checkpoint
            return None
        finally:
            if fd >= 0:
                os.close(fd)
        if header != self._header(incident_id) or getattr(state, "id", None) != incident_id:
            return None
        return state  # type: ignore[no-any-return]

    def save(self, state: IncidentState) -> None:
        """Keep ``state`` as the incident's checkpoint (atomically; private to the user)."""
        import pickle

        path = self._path(state.id)
        if path is None:
            return
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((self._header(state.id), state), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except (OSError, pickle.PicklingError):
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def worth_keeping(state: IncidentState, since: int) -> bool:
    """Whether to write a checkpoint of ``state``, the last one being at ``since`` (0: none)."""
    return state.last_seq >= LONG and state.last_seq - since >= EVERY
