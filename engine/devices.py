"""Which device ``--device auto`` means, and which precision ``--precision auto`` means: the
one place seigen turns ``auto`` into a torch device name or an inference dtype.

Importing this module loads no torch; ``resolve_device`` and ``resolve_precision`` do, and
only for ``auto``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PRECISIONS", "resolve_device", "resolve_precision"]

PRECISIONS = ("auto", "fp32", "bf16")
"""Inference precisions of the net players: ``auto`` is ``resolve_precision``'s choice."""


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


def resolve_precision(name: str | None, device: Any) -> str:
    """``fp32`` or ``bf16``: the precision a net's forward pass runs in on ``device``.

    ``bf16`` is ``torch.autocast`` to bfloat16 (weights and the batch-norm statistics stay in
    float32). ``auto`` (or None) is ``bf16`` where the hardware computes in bfloat16 natively,
    cuda and CPUs with AMX tiles, where it runs a small Go net about twice as fast
    (``seigen bench net``), and ``fp32`` elsewhere, where emulated bfloat16 is slower.
    """
    if name not in (None, *PRECISIONS):
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {name!r}")
    if name not in (None, "auto"):
        return name
    import torch

    kind = torch.device(resolve_device(device)).type
    if kind == "cuda":
        return "bf16"
    amx = getattr(torch.cpu, "_is_amx_tile_supported", None)
    return "bf16" if kind == "cpu" and amx is not None and amx() else "fp32"
