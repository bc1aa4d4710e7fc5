"""Plain-Python Go helpers for the cross-check tests: written apart from seigen's core,
so the tests compare against something that shares none of its code."""

from __future__ import annotations

import numpy as np

Point = tuple[int, int]  # (row, col), row 0 at the top


def tromp_taylor_area(size: int, black: set[Point], white: set[Point]) -> tuple[int, int]:
    """(black area, white area): stones plus empty regions that reach only that colour."""
    area = {"b": len(black), "w": len(white)}
    seen: set[Point] = set()
    for r in range(size):
        for c in range(size):
            if (r, c) in black or (r, c) in white or (r, c) in seen:
                continue
            region, borders, stack = 0, set(), [(r, c)]
            seen.add((r, c))
            while stack:
                pr, pc = stack.pop()
                region += 1
                for nb in ((pr - 1, pc), (pr + 1, pc), (pr, pc - 1), (pr, pc + 1)):
                    if not (0 <= nb[0] < size and 0 <= nb[1] < size):
                        continue
                    if nb in black:
                        borders.add("b")
                    elif nb in white:
                        borders.add("w")
                    elif nb not in seen:
                        seen.add(nb)
                        stack.append(nb)
            if len(borders) == 1:
                area[borders.pop()] += region
    return area["b"], area["w"]


def is_own_eye(colors: np.ndarray, size: int, point: Point, me: int) -> bool:
    """Every on-board neighbour of ``point`` is one of ``me``'s stones."""
    r, c = point
    for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
        if 0 <= nr < size and 0 <= nc < size and colors[nr, nc] != me:
            return False
    return True
