"""Which device ``--device auto`` means: the one place seigen turns ``auto`` into a torch device name.

Importing this module loads no torch; ``resolve_device`` does, and only for ``auto``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["resolve_device"]


def resolve_device(name: Any = "auto", *, auto: str | None = None) -> str:
    """The device ``name`` stands for, as a string torch takes.

    ``auto`` (or None) is ``auto`` when that is given (a command that prefers the cpu
    says ``auto="cpu"``), else ``cuda`` when torch sees a GPU, else ``cpu``; anything
    else (``cpu``, ``cuda``, ``cuda:1``, a ``torch.device``) is returned as its name.
    """
    if name is None or name == "auto":
        if auto is not None:
            return auto
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return str(name)
