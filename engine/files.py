"""Crash-safe files: write beside the target, flush to disk, then rename over it; JSON-lines
files that a crash can leave with a torn last line (``read_jsonl`` skips it, ``append_jsonl``
starts a fresh line after it)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
from collections.abc import Iterator
from typing import Any, BinaryIO


def _crash_now(base: str) -> bool:
    text = os.environ.get("SEIGEN_TEST_CRASH_WRITE")
    if not text or text not in base:
        return False
    once = os.environ.get("SEIGEN_TEST_CRASH_ONCE")
    if once:
        try:
            os.close(os.open(once, os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return False
    return True


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through, for data too large to hold as bytes: it is
    written beside the target, flushed to disk and renamed over it when the block ends, and
    removed if the block raises, so a crash leaves the old file or the new one, never a part."""
    path = os.fspath(path)
    directory, base = os.path.split(path)
    tmp = os.path.join(directory, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one, never a part.

    For crash tests, the environment variable ``SEIGEN_TEST_CRASH_WRITE=TEXT`` makes a process
    kill itself with SIGKILL halfway through writing any file whose name contains TEXT
    (only the first time, when ``SEIGEN_TEST_CRASH_ONCE`` names a marker file to create).
    """
    with atomic_file(path) as f:
        if _crash_now(os.path.basename(os.fspath(path))):  # crash tests: die mid-write, as a power cut would
            f.write(data[: len(data) // 2])
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        f.write(data)


def read_jsonl(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines file, one per line. A line that does not parse (a torn
    last line from a crash) or holds no object is skipped; no file, no rows."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return []
    rows = []
    for line in text.splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            row = json.loads(line)
            if isinstance(row, dict):
                rows.append(row)
    return rows


def append_jsonl(path: str | os.PathLike, *rows: dict[str, Any]) -> None:
    """Append ``rows`` to a JSON-lines file (created if missing, not its folder), one line each,
    in one write; after a newline if the file ends in a torn line, so the torn part stays a line
    of its own."""
    text = "".join(json.dumps(row) + "\n" for row in rows)
    if not text:
        return
    with open(path, "a+b", buffering=0) as f:
        if f.seek(0, os.SEEK_END) > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                text = "\n" + text
        f.write(text.encode("utf-8"))
