"""The user-facing Go board over the C core (``seigen.ext.board``).

Moves are accepted as GTP vertices (``"D4"``, case-insensitive, no ``I`` column),
``(row, col)`` tuples with row 0 at the top, point indices ``row * N + col``,
or ``"pass"`` (index ``N * N``). Colours are ``"black"``/``"white"`` (``"b"``/``"w"`` too).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Union

import numpy as np

from seigen.engine.rules import Rules
from seigen.ext import board as _c

COLUMNS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # GTP columns: no I
BLACK, WHITE = 1, 2
COLOR_NAMES = {BLACK: "black", WHITE: "white"}
KO_CODES = {"simple": 0, "positional": 1, "situational": 2}
N_PLANES = _c.N_PLANES

Move = Union[str, int, tuple[int, int]]  # noqa: UP007 -- keeps the alias readable on 3.10
PlayoutPolicy = _c.PlayoutPolicy
PlayoutKind = Union[str, _c.PlayoutPolicy]  # noqa: UP007 -- "light", "heavy" or a PlayoutPolicy


class IllegalMoveError(ValueError):
    """A well-formed move that the rules forbid; ``reason`` says why."""

    def __init__(self, move: object, reason: str, color: str | None = None) -> None:
        self.move = move
        self.reason = reason
        self.color = color
        who = f"{color} " if color else ""
        super().__init__(f"illegal move {who}{move!r}: {reason}")


def parse_color(color: str | int) -> int:
    """``"black"``/``"b"``/``1`` -> 1, ``"white"``/``"w"``/``2`` -> 2."""
    if isinstance(color, str):
        key = color.strip().lower()
        if key in ("b", "black"):
            return BLACK
        if key in ("w", "white"):
            return WHITE
    elif color in (BLACK, WHITE) and not isinstance(color, bool):
        return int(color)
    raise ValueError(f"unknown colour {color!r}; expected 'black' or 'white'")


def result_string(score: float) -> str:
    """Black minus white -> the SGF/GTP result: ``"B+3.5"``, ``"W+0.5"``, ``"0"``."""
    if score == 0:
        return "0"
    return f"B+{score:g}" if score > 0 else f"W+{-score:g}"


def fixed_handicap_points(size: int, stones: int) -> list[tuple[int, int]]:
    """The GTP fixed handicap placement as ``(row, col)`` points.

    Boards of 7x7 and larger; up to 9 stones on odd sizes from 9x9, else up to 4.
    """
    max_stones = 9 if size % 2 == 1 and size >= 9 else 4
    if size < 7:
        raise ValueError(f"no fixed handicap on a {size}x{size} board (7x7 or larger)")
    if not 2 <= stones <= max_stones:
        raise ValueError(f"fixed handicap on {size}x{size} takes 2 to {max_stones} stones, not {stones}")
    lo = 2 if size <= 11 else 3  # the third line on small boards, else the fourth (as GNU Go)
    hi = size - 1 - lo
    mid = size // 2
    # rows from the top: lower left, upper right, upper left, lower right
    corners = [(hi, lo), (lo, hi), (lo, lo), (hi, hi)]
    points = corners[: min(stones, 4)]
    if stones >= 5 and stones % 2 == 1:
        points.append((mid, mid))
    if stones >= 6:
        points += [(mid, lo), (mid, hi)]
    if stones >= 8:
        points += [(lo, mid), (hi, mid)]
    return points


class Board:
    """A Go game in progress: the position, its history (for undo and superko) and rules.

    >>> b = Board(9, rules="chinese")
    >>> b.play("E5"); b.play("pass")
    >>> b.to_play
    'black'
    """

    def __init__(self, size: int = 19, rules: Rules | str = "chinese", komi: float | None = None) -> None:
        if isinstance(size, bool) or not isinstance(size, int | np.integer):
            raise ValueError(f"board size must be an integer, got {size!r}")
        if not 2 <= size <= 25:
            raise ValueError(f"board size {size} is not supported (2..25)")
        if isinstance(rules, str):
            rules = Rules.preset(rules)
        if komi is not None:
            rules = rules.with_komi(komi)
        self.size = int(size)
        self.rules = rules
        self._c = _c.CBoard(self.size, KO_CODES[rules.ko], rules.suicide)
        self.moves: list[tuple[str, int]] = []  # (colour, point index) played, for SGF and undo
        self.setup_black: list[int] = []  # stones placed before the first move (handicap, AB)
        self.setup_white: list[int] = []
        self.handicap = 0

    # ------------------------------------------------------------------ coordinates
    @property
    def pass_move(self) -> int:
        return self.size * self.size

    def parse_move(self, move: Move) -> int:
        """Any accepted move form -> point index (``N * N`` for pass).

        Raises ``ValueError`` for malformed input and ``IllegalMoveError`` for a
        well-formed point off this board.
        """
        n = self.size
        if isinstance(move, str):
            text = move.strip().upper()
            if text == "PASS":
                return n * n
            if len(text) < 2 or not text[0].isalpha() or not text[1:].isdigit():
                raise ValueError(f"malformed move {move!r}; expected a vertex like 'D4' or 'pass'")
            if text[0] not in COLUMNS:
                raise ValueError(f"malformed move {move!r}: there is no column {text[0]!r}")
            col = COLUMNS.index(text[0])
            row = n - int(text[1:])
            if col >= n or not 0 <= row < n:
                raise IllegalMoveError(move, "off the board")
            return row * n + col
        if isinstance(move, tuple):
            if len(move) != 2 or not all(isinstance(v, int | np.integer) for v in move):
                raise ValueError(f"malformed move {move!r}; expected (row, col)")
            row, col = int(move[0]), int(move[1])
            if not (0 <= row < n and 0 <= col < n):
                raise IllegalMoveError(move, "off the board")
            return row * n + col
        if isinstance(move, int | np.integer) and not isinstance(move, bool):
            if not 0 <= move <= n * n:
                raise IllegalMoveError(move, "off the board")
            return int(move)
        raise ValueError(f"malformed move {move!r}; expected a vertex, (row, col), an index or 'pass'")

    def vertex(self, index: int) -> str:
        """Point index -> GTP vertex (``"pass"`` for ``N * N``)."""
        if index == self.pass_move:
            return "pass"
        row, col = divmod(index, self.size)
        return f"{COLUMNS[col]}{self.size - row}"

    def point(self, index: int) -> tuple[int, int]:
        """Point index -> ``(row, col)``."""
        return divmod(index, self.size)

    def _loc(self, index: int) -> int:
        if index == self.pass_move:
            return 1  # PASS_LOC
        row, col = divmod(index, self.size)
        return (row + 1) * (self.size + 2) + col + 1

    # ------------------------------------------------------------------ state
    @property
    def to_play(self) -> str:
        return COLOR_NAMES[self._c.to_play]

    @to_play.setter
    def to_play(self, color: str | int) -> None:
        self._c.to_play = parse_color(color)

    @property
    def komi(self) -> float:
        return self.rules.komi

    @komi.setter
    def komi(self, value: float) -> None:
        self.rules = self.rules.with_komi(value)

    @property
    def is_over(self) -> bool:
        """Two passes in a row end the game."""
        return self._c.passes >= 2

    @property
    def hash(self) -> int:
        """Zobrist hash of the stones on the board."""
        return self._c.hash

    @property
    def move_number(self) -> int:
        return len(self.moves)

    @property
    def last_move(self) -> tuple[str, int] | None:
        return self.moves[-1] if self.moves else None

    @property
    def captures(self) -> dict[str, int]:
        """Stones captured by each colour so far."""
        return {"black": self._c.captures(BLACK), "white": self._c.captures(WHITE)}

    def stones(self, color: str | int) -> set[tuple[int, int]]:
        """The ``(row, col)`` points that hold ``color``'s stones."""
        rows, cols = np.nonzero(self._c.colors() == parse_color(color))
        return set(zip(rows.tolist(), cols.tolist(), strict=True))

    def colors(self) -> np.ndarray:
        """``N`` x ``N`` uint8 array: 0 empty, 1 black, 2 white."""
        return self._c.colors()

    # ------------------------------------------------------------------ moves
    def _why_illegal(self, index: int, color: int) -> str | None:
        code = self._c.reason(self._loc(index), color)
        return None if code == _c.LEGAL else _c.REASONS[code]

    def is_legal(self, move: Move, color: str | int | None = None) -> bool:
        """Whether ``move`` is legal for ``color`` (default: the side to move)."""
        pla = self._c.to_play if color is None else parse_color(color)
        try:
            index = self.parse_move(move)
        except IllegalMoveError:
            return False
        return self._why_illegal(index, pla) is None

    def play(self, move: Move, color: str | int | None = None) -> None:
        """Play ``move`` for ``color`` (default: the side to move).

        Raises ``IllegalMoveError`` (occupied, suicide, ko, superko, off the board) or
        ``ValueError`` (malformed) and leaves the board unchanged.
        """
        pla = self._c.to_play if color is None else parse_color(color)
        try:
            index = self.parse_move(move)
        except IllegalMoveError as e:
            raise IllegalMoveError(move, e.reason, COLOR_NAMES[pla]) from None
        code = self._c.play(self._loc(index), pla)
        if code != _c.LEGAL:
            raise IllegalMoveError(move, _c.REASONS[code], COLOR_NAMES[pla])
        self.moves.append((COLOR_NAMES[pla], index))

    def undo(self) -> None:
        """Take back the last move, restoring the exact earlier state."""
        if not self.moves or not self._c.undo():
            raise ValueError("there is no move to undo")
        self.moves.pop()

    def legal_moves(self, color: str | int | None = None) -> np.ndarray:
        """Point indices of the legal moves for ``color``, pass (``N * N``) included."""
        return np.flatnonzero(self.legal_mask(color))

    def legal_mask(self, color: str | int | None = None) -> np.ndarray:
        """uint8 mask over the ``N * N + 1`` moves (pass last)."""
        mask = np.empty(self.size * self.size + 1, dtype=np.uint8)
        self._c.legal_mask(mask, 0 if color is None else parse_color(color))
        return mask

    def sensible_moves(self, color: str | int | None = None) -> np.ndarray:
        """Legal point indices that do not fill the player's own single-point eye.

        The moves a light playout or a random player chooses from; pass is not
        included, so an empty result means passing is the only sensible move.
        """
        pla = self._c.to_play if color is None else parse_color(color)
        mask = self.legal_mask(pla)
        eyes = np.zeros_like(mask)
        self._c.eye_mask(eyes, pla)
        mask[-1] = 0
        return np.flatnonzero(mask & (eyes ^ 1))

    def copy(self) -> Board:
        other = Board.__new__(Board)
        other.size = self.size
        other.rules = self.rules
        other._c = self._c.copy()
        other.moves = list(self.moves)
        other.setup_black = list(self.setup_black)
        other.setup_white = list(self.setup_white)
        other.handicap = self.handicap
        return other

    # ------------------------------------------------------------------ setup
    def setup(
        self, black: Iterable[Move] = (), white: Iterable[Move] = (), to_play: str | int = "black"
    ) -> None:
        """Place stones on a board with no moves yet (SGF AB/AW, diagrams, free handicap)."""
        if self.moves:
            raise ValueError("stones can be set up only before the first move")
        b = sorted({self.parse_move(m) for m in black})
        w = sorted({self.parse_move(m) for m in white})
        if self.pass_move in b or self.pass_move in w:
            raise ValueError("'pass' cannot be a setup stone")
        if set(b) & set(w):
            raise ValueError("a point cannot hold both colours")
        old_b, old_w = set(self.setup_black), set(self.setup_white)
        all_b, all_w = sorted(old_b | set(b)), sorted(old_w | set(w))
        if set(all_b) & set(all_w):
            raise ValueError("a point cannot hold both colours")
        self._c.setup([self._loc(i) for i in all_b], [self._loc(i) for i in all_w], parse_color(to_play))
        self.setup_black, self.setup_white = all_b, all_w

    def place_handicap(self, stones: int, free: bool = False) -> list[int]:
        """Put ``stones`` handicap stones on an empty board; white moves next.

        Fixed placement follows GTP; ``free`` lets the engine choose (the same points
        up to 9 stones, then further points spread over the board). Returns the points.
        """
        if self.moves or self.setup_black or self.setup_white:
            raise ValueError("handicap stones go on an empty board")
        if free:
            if not 2 <= stones < self.size * self.size:
                raise ValueError(f"free handicap takes 2 to {self.size * self.size - 1} stones, not {stones}")
            points = self._free_handicap_points(stones)
        else:
            points = [r * self.size + c for r, c in fixed_handicap_points(self.size, stones)]
        self.setup(black=points, to_play="white")
        self.handicap = stones
        return points

    def set_handicap(self, points: Iterable[Move]) -> None:
        """Free handicap chosen by the user (GTP ``set_free_handicap``); white moves next."""
        pts = [self.parse_move(p) for p in points]
        if len(pts) < 2 or len(set(pts)) != len(pts):
            raise ValueError("a free handicap needs at least two distinct points")
        if self.moves or self.setup_black or self.setup_white:
            raise ValueError("handicap stones go on an empty board")
        self.setup(black=pts, to_play="white")
        self.handicap = len(pts)

    def _free_handicap_points(self, stones: int) -> list[int]:
        n = self.size
        try:
            base = [r * n + c for r, c in fixed_handicap_points(n, min(stones, 9 if n % 2 else 4))]
        except ValueError:
            base = []
        chosen = base[:stones]
        # further stones: on a lattice of third-line-ish points, then anywhere
        step = max(2, n // 4)
        candidates = [r * n + c for r in range(step // 2, n, step) for c in range(step // 2, n, step)]
        candidates += list(range(n * n))
        for p in candidates:
            if len(chosen) >= stones:
                break
            if p not in chosen:
                chosen.append(p)
        return chosen

    # ------------------------------------------------------------------ scoring
    def _komi_total(self) -> float:
        return self.rules.komi + self.rules.compensation(self.handicap)

    def score(self, dead: Iterable[Move] | None = None) -> float:
        """Black's score minus white's, komi included, under the board's rules.

        Area scoring counts stones and surrounded points (Tromp-Taylor); territory
        scoring counts surrounded points and prisoners. ``dead`` lists dead stones to
        remove first; under territory scoring, when it is None, they are estimated
        from light playouts (see ``dead_stones``).
        """
        if dead is None and self.rules.scoring == "territory":
            dead = self.dead_stones()
        dead_idx = {self.parse_move(m) for m in (dead or ())}
        colors = self._c.colors().reshape(-1)
        if any(colors[i] == 0 for i in dead_idx if i < self.pass_move):
            raise ValueError("a dead stone listed on an empty point")
        if self.pass_move in dead_idx:
            raise ValueError("'pass' cannot be a dead stone")
        alive_b = [self._loc(i) for i in np.flatnonzero(colors == BLACK) if i not in dead_idx]
        alive_w = [self._loc(i) for i in np.flatnonzero(colors == WHITE) if i not in dead_idx]
        if dead_idx:
            scratch = _c.CBoard(self.size, 0, True)
            scratch.setup(alive_b, alive_w)
        else:
            scratch = self._c
        area_b, area_w = scratch.area()
        if self.rules.scoring == "area":
            return float(area_b - area_w) - self._komi_total()
        dead_b = sum(1 for i in dead_idx if colors[i] == BLACK)
        dead_w = len(dead_idx) - dead_b
        terr_b = area_b - len(alive_b)
        terr_w = area_w - len(alive_w)
        prisoners_b = self._c.captures(BLACK) + dead_w
        prisoners_w = self._c.captures(WHITE) + dead_b
        return float((terr_b + prisoners_b) - (terr_w + prisoners_w)) - self.rules.komi

    def result(self, dead: Iterable[Move] | None = None) -> str:
        """The score as an SGF/GTP result string, e.g. ``"B+3.5"``, ``"W+0.5"``, ``"0"``."""
        return result_string(self.score(dead))

    def playouts(self, n: int, seed: int = 0, kind: PlayoutKind = "light") -> np.ndarray:
        """Final scores (komi included, area) of ``n`` playouts from here, run in C.

        ``kind``: ``"light"`` (uniform random moves that fill no own eye), ``"heavy"``
        (the default ``PlayoutPolicy``: save, capture, 3x3 shapes, self-atari filter) or
        a ``PlayoutPolicy`` of one's own.
        """
        if n < 0:
            raise ValueError("the number of playouts must be >= 0")
        scores = np.empty(n, dtype=np.float64)
        self._c.playouts(scores, seed & 0xFFFFFFFFFFFFFFFF, kind=kind)
        return scores - self._komi_total()

    def random_playout(self, seed: int = 0, kind: PlayoutKind = "light") -> float:
        """One playout (``kind`` as in ``playouts``) to the end on a scratch copy; its final
        score. The board is unchanged."""
        return float(self.playouts(1, seed, kind)[0])

    def ownership(self, n: int = 200, seed: int = 0, kind: PlayoutKind = "light") -> np.ndarray:
        """Mean final owner of each point over ``n`` playouts: +1 black ... -1 white.

        The playouts (``kind`` as in ``playouts``) refuse to put chains of two or more
        stones in atari, so seki survives them, and a finished game (two passes) is
        played on.
        """
        if n <= 0:
            raise ValueError("ownership needs at least one playout")
        own = np.zeros((self.size, self.size), dtype=np.float64)
        self._c.playouts(
            np.empty(n, dtype=np.float64), seed & 0xFFFFFFFFFFFFFFFF, 0, own, True, True, kind=kind
        )
        return own / n

    def dead_stones(self, n: int = 200, seed: int = 0, kind: PlayoutKind = "light") -> list[tuple[int, int]]:
        """Stones that playouts (``kind`` as in ``playouts``) mostly lose to the opponent:
        an estimate, not a proof."""
        own = self.ownership(n, seed, kind)
        colors = self._c.colors()
        dead = (colors == BLACK) & (own < 0) | (colors == WHITE) & (own > 0)
        rows, cols = np.nonzero(dead)
        return list(zip(rows.tolist(), cols.tolist(), strict=True))

    # ------------------------------------------------------------------ features
    def features(self, out: np.ndarray | None = None, dtype: type = np.float32) -> np.ndarray:
        """AlphaGo Zero input planes ``[17, N, N]`` written by C into ``out`` (float32 or uint8).

        Planes 0-7: the side to move's stones now and at the 7 previous positions;
        planes 8-15: the opponent's stones at the same times; plane 16: all 1 when
        black is to move. Positions before the first move are all zero.
        """
        if out is None:
            out = np.empty((N_PLANES, self.size, self.size), dtype=dtype)
        self._c.features(out)
        return out

    def check_consistency(self) -> None:
        """Recompute every invariant from scratch; ``AssertionError`` if one is broken."""
        self._c.check_consistency()
        if self._c.depth != len(self.moves):
            raise AssertionError(f"{len(self.moves)} moves recorded, {self._c.depth} undo states")

    # ------------------------------------------------------------------ text
    @classmethod
    def from_diagram(
        cls, diagram: str, rules: Rules | str = "chinese", komi: float | None = None, to_play: str = "black"
    ) -> Board:
        """A board from rows of ``X`` (black), ``O`` (white) and ``.``/``+`` (empty).

        Whitespace between points and coordinate labels around the rows are ignored.
        """
        rows = []
        for line in diagram.strip("\n").splitlines():
            cells = [ch for ch in line if ch in "XO.+"]
            if cells:
                rows.append(cells)
        size = len(rows)
        if size == 0 or any(len(r) != size for r in rows):
            raise ValueError(f"a diagram must be square; got rows of lengths {[len(r) for r in rows]}")
        board = cls(size, rules=rules, komi=komi)
        black = [r * size + c for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "X"]
        white = [r * size + c for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "O"]
        board.setup(black, white, to_play=to_play)
        return board

    def diagram(self) -> str:
        """Rows of ``X``/``O``/``.`` separated by spaces, no coordinates (for tests)."""
        sym = ".XO"
        return "\n".join(" ".join(sym[v] for v in row) for row in self._c.colors())

    def __str__(self) -> str:
        n = self.size
        sym = ".XO"
        colors = self._c.colors()
        last = self.moves[-1][1] if self.moves else None
        header = "    " + " ".join(COLUMNS[:n])
        lines = [header]
        for r in range(n):
            cells = [sym[v] for v in colors[r]]
            if last is not None and last < n * n and last // n == r:
                cells[last % n] = cells[last % n].lower()  # the last move in lower case
            lines.append(f"{n - r:>3} {' '.join(cells)} {n - r}")
        lines.append(header)
        caps = self.captures
        lines.append(
            f"{self.to_play} to play, move {self.move_number}, captures B {caps['black']} W {caps['white']}, "
            f"komi {self.rules.komi:g}"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Board(size={self.size}, moves={self.move_number}, to_play={self.to_play!r})"
