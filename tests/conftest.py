"""Shared fixtures: where GNU Go is, the independent oracle of several test files; one torch thread."""

from __future__ import annotations

import os
import shutil

import pytest


def find_gnugo() -> tuple[str | None, str]:
    """(path, "") for a usable GNU Go, else (None, why not). ``GNUGO`` wins when set."""

    def usable(path: str) -> bool:
        return os.path.isfile(path) and os.access(path, os.X_OK)

    explicit = os.environ.get("GNUGO")
    if explicit:
        return (explicit, "") if usable(explicit) else (None, f"GNUGO={explicit!r} is not an executable file")
    for candidate in (shutil.which("gnugo"), "/usr/games/gnugo"):
        if candidate and usable(candidate):
            return candidate, ""
    return None, "GNU Go not found on PATH or at /usr/games/gnugo"


@pytest.fixture(scope="session")
def gnugo_path() -> str:
    """GNU Go's path; the test is skipped without it, and fails when ``CI`` is set."""
    path, why = find_gnugo()
    if path is None:
        msg = f"{why}: install it (apt-get install gnugo) or set GNUGO=/path/to/gnugo"
        if os.environ.get("CI"):
            pytest.fail(f"{msg}. The GNU Go tests are required when CI is set.", pytrace=False)
        pytest.skip(msg)
    return path


@pytest.fixture
def one_torch_thread():
    """Torch on one thread for the test: tiny nets on small batches run far faster on one
    thread than on several on a busy machine (``pytestmark = pytest.mark.usefixtures(...)``)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
