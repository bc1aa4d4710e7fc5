"""The 3x3 shapes of the heavy playouts, as named data, and their expansion into codes.

Each shape is the 3x3 neighbourhood of an empty centre point (the move), three rows
of three characters, top row first:

* ``X`` a stone of one colour, ``O`` a stone of the other colour (a shape and its
  colour swap are the same shape: either side may play the centre),
* ``.`` an empty point, ``#`` off the board (the edge),
* ``?`` anything (empty, a stone, off the board), ``x`` anything but ``X``,
  ``o`` anything but ``O``.

The shapes are the classic MoGo set (Gelly, Wang, Munos, Teytaud 2006, "Modification
of UCT with patterns in Monte-Carlo Go", figures 2-5: hane, cut1, cut2 and the edge
shapes) in the form later engines (michi, Pachi) play them. ``pattern_codes`` expands
every shape over its wildcards, the 8 symmetries of the square and the colour swap
into the set of *neighbourhood codes* it matches; ``seigen.ext.board`` turns that set
into a bit table once at import, so matching in C is one lookup.

A neighbourhood code packs the 8 neighbours in reading order (NW, N, NE, W, E, SW, S,
SE), two bits each, with the board's colour values: 0 empty, 1 black, 2 white,
3 off the board; neighbour ``k`` sits at bits ``2k, 2k+1``. As the set is closed
under the colour swap, one table serves both colours.
"""

from __future__ import annotations

from itertools import product

import numpy as np

EMPTY, BLACK, WHITE, OFF = 0, 1, 2, 3

# name -> rows (top, middle, bottom); the centre is always "." (the move)
PATTERNS: dict[str, tuple[str, str, str]] = {
    # hane: answer a contact play by going round the stone's head
    "hane_enclosing": ("XOX", "...", "???"),
    "hane_non_cutting": ("XO.", "...", "?.?"),
    "hane_magari": ("XO?", "X..", "x.?"),
    "katatsuke": (".O.", "X..", "..."),  # diagonal attachment, like magari
    # cut1: cut through a diagonal (kiri)
    "cut1_unprotected": ("XO?", "O.o", "?o?"),
    "cut1_peeped": ("XO?", "O.X", "???"),
    # cut2: push between two stones (de)
    "cut2_de": ("?X?", "O.O", "ooo"),
    "cut_keima": ("OX?", "o.O", "???"),
    # edge shapes: the bottom row is off the board
    "edge_chase": ("X.?", "O.?", "###"),
    "edge_block_cut": ("OX?", "X.O", "###"),
    "edge_block_connection": ("?X?", "x.O", "###"),
    "edge_sagari": ("?XO", "x.x", "###"),
    "edge_cut": ("?OX", "X.O", "###"),
}

# what each character of a shape may stand for, before the colour swap
_CELLS: dict[str, tuple[int, ...]] = {
    "X": (BLACK,),
    "O": (WHITE,),
    ".": (EMPTY,),
    "#": (OFF,),
    "?": (EMPTY, BLACK, WHITE, OFF),
    "x": (EMPTY, WHITE, OFF),
    "o": (EMPTY, BLACK, OFF),
}

# (row, col) offsets of the 8 neighbours in code order
NEIGHBOURS: tuple[tuple[int, int], ...] = tuple(
    (dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)
)


def _symmetry_maps() -> list[tuple[int, ...]]:
    """For each of the 8 symmetries of the square, where neighbour k goes."""
    maps = []
    for transpose, flip_r, flip_c in product((False, True), repeat=3):
        m = []
        for dr, dc in NEIGHBOURS:
            r, c = (dc, dr) if transpose else (dr, dc)
            r, c = (-r if flip_r else r), (-c if flip_c else c)
            m.append(NEIGHBOURS.index((r, c)))
        maps.append(tuple(m))
    return maps


SYMMETRIES: list[tuple[int, ...]] = _symmetry_maps()


def encode(cells: tuple[int, ...] | list[int]) -> int:
    """The code of 8 neighbour values (code order)."""
    return sum(v << (2 * k) for k, v in enumerate(cells))


def decode(code: int) -> tuple[int, ...]:
    """The 8 neighbour values of a code."""
    return tuple((code >> (2 * k)) & 3 for k in range(8))


def swap_colours(code: int) -> int:
    return encode([3 - v if v in (BLACK, WHITE) else v for v in decode(code)])


def transform(code: int, symmetry: int) -> int:
    """The code of the neighbourhood turned by one of the 8 symmetries (0 = identity)."""
    cells = decode(code)
    out = [0] * 8
    for k, to in enumerate(SYMMETRIES[symmetry]):
        out[to] = cells[k]
    return encode(out)


def variants(code: int) -> set[int]:
    """The code under all 8 symmetries, with and without the colour swap (16 at most)."""
    return {transform(c, s) for c in (code, swap_colours(code)) for s in range(8)}


def shape_cells(rows: tuple[str, str, str]) -> list[str]:
    """The 8 neighbour characters of a shape in code order (checks the shape's form)."""
    if len(rows) != 3 or any(len(r) != 3 for r in rows) or rows[1][1] != ".":
        raise ValueError(f"a shape is 3 rows of 3 with an empty centre, got {rows}")
    chars = [rows[1 + dr][1 + dc] for dr, dc in NEIGHBOURS]
    if unknown := set(chars) - set(_CELLS):
        raise ValueError(f"unknown shape characters {sorted(unknown)} in {rows}")
    return chars


def _expand(rows: tuple[str, str, str]) -> np.ndarray:
    """All neighbour arrays ``[M, 8]`` of one shape as written (wildcards expanded)."""
    return np.array(list(product(*(_CELLS[ch] for ch in shape_cells(rows)))), dtype=np.int64).reshape(-1, 8)


_WEIGHTS = 4 ** np.arange(8, dtype=np.int64)


def shape_codes(rows: tuple[str, str, str]) -> set[int]:
    """Codes of one shape as written: its wildcards expanded, no symmetry, no swap."""
    return set((_expand(rows) @ _WEIGHTS).tolist())


def pattern_codes(names: list[str] | None = None) -> set[int]:
    """Every code matched by the named shapes (all by default) in any symmetry and colouring."""
    out: set[int] = set()
    swap = np.array([EMPTY, WHITE, BLACK, OFF], dtype=np.int64)
    for name in PATTERNS if names is None else names:
        cells = _expand(PATTERNS[name])
        for colours in (cells, swap[cells]):
            for sym in SYMMETRIES:
                moved = np.empty_like(colours)
                moved[:, list(sym)] = colours  # neighbour k goes to sym[k], as in ``transform``
                out.update((moved @ _WEIGHTS).tolist())
    return out
