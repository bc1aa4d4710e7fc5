"""Crash-safe files: write beside the target, flush to disk, then rename over it."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal


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


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one, never a part.

    For crash tests, the environment variable ``SEIGEN_TEST_CRASH_WRITE=TEXT`` makes a process
    kill itself with SIGKILL halfway through writing any file whose name contains TEXT
    (only the first time, when ``SEIGEN_TEST_CRASH_ONCE`` names a marker file to create).
    """
    path = os.fspath(path)
    directory, base = os.path.split(path)
    tmp = os.path.join(directory, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "wb") as f:
            if _crash_now(base):  # crash tests: die mid-write, as a power cut would
                f.write(data[: len(data) // 2])
                f.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
