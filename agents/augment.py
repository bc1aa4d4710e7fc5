"""DrQ's augmentation of image batches (Kostrikov et al. 2021, as Dopamine's Atari 100k agents run it):
a random shift, a stand-alone Numba kernel, then a random intensity scale per image.

Each image of a batch ``[B, C, H, W]`` is padded by ``pad`` pixels on every side, repeating its
edge pixels (PyTorch's ``ReplicationPad2d``, NumPy's ``mode="edge"``), and an ``H x W`` window is
cut from it at a random offset ``(dy, dx)`` in ``[0, 2 pad]`` per image (the same for all its
channels, so a frame stack moves as one). With ``pad = 4`` on 84x84 Atari frames that is a
shift of up to 4 pixels in each direction. The padded image is never built: output pixel
``(i, j)`` is input pixel ``(clip(i + dy - pad), clip(j + dx - pad))``.

The intensity scale (SPR, Schwarzer et al. 2021) multiplies each image by
``1 + 0.05 * clip(z, -2, 2)`` with ``z`` standard normal, one draw per image.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["INTENSITY_SCALE", "PAD", "intensity_factors", "random_shift", "shift_crop"]

PAD = 4
"""Pixels of padding on each side (DrQ's 4 for 84x84 frames)."""
INTENSITY_SCALE = 0.05
"""The spread of the per-image intensity factor (Dopamine's ``_intensity_aug``)."""


@numba.njit(cache=True, nogil=True)
def shift_crop(x: np.ndarray, shifts: np.ndarray, pad: int) -> np.ndarray:
    """``out[b, c, i, j] = padded[b, c, i + shifts[b, 0], j + shifts[b, 1]]`` where ``padded`` is ``x``
    ``[B, C, H, W]`` edge-padded by ``pad`` on every side; ``shifts`` ``int [B, 2]`` in ``[0, 2 pad]``."""
    B, C, H, W = x.shape
    out = np.empty_like(x)
    for b in range(B):
        dy = min(max(shifts[b, 0], 0), 2 * pad) - pad
        dx = min(max(shifts[b, 1], 0), 2 * pad) - pad
        j0 = min(max(-dx, 0), W)  # columns j < j0 repeat the left edge (j + dx < 0)
        j1 = max(min(W - dx, W), j0)  # columns j >= j1 repeat the right edge (j + dx > W - 1)
        for c in range(C):
            for i in range(H):
                src = x[b, c, min(max(i + dy, 0), H - 1)]
                dst = out[b, c, i]
                for j in range(j0):
                    dst[j] = src[0]
                dst[j0:j1] = src[j0 + dx : j1 + dx]
                for j in range(j1, W):
                    dst[j] = src[W - 1]
    return out


def random_shift(x: np.ndarray, rng: np.random.Generator, pad: int = PAD) -> np.ndarray:
    """A new batch: each image of ``x`` ``[B, C, H, W]`` shifted by its own random offset (see the module docstring)."""
    shifts = rng.integers(0, 2 * pad + 1, size=(x.shape[0], 2))
    return shift_crop(np.ascontiguousarray(x), shifts, pad)


def intensity_factors(n: int, rng: np.random.Generator, scale: float = INTENSITY_SCALE) -> np.ndarray:
    """``float32 [n]``: the factor ``1 + scale * clip(z, -2, 2)`` of each image, ``z`` standard normal."""
    return (1.0 + scale * np.clip(rng.standard_normal(n), -2.0, 2.0)).astype(np.float32)
