"""Perfect-play yardsticks for the small games: is an agent's move optimal by game-theoretic value?

* **Tic-tac-toe.** :func:`tictactoe_perfect_check` lets an agent play both sides against
  *every* legal reply of its opponent (the whole tree of opponent choices; the agent's own
  choice is whatever ``agent.select`` returns, batched over all positions of a depth) and
  counts the games it loses. A perfect agent loses none. The same games restricted to
  replies that keep the opponent's minimax value show how the agent fares against a
  perfect opponent (all draws for a perfect agent).
* **Connect Four.** :class:`Connect4Solver` solves positions exactly (win, draw or loss
  for the side to move) with a bitboard negamax in Numba: alpha-beta over the three
  values, a transposition table keyed by the position, only moves that do not hand the
  opponent an immediate win, and moves ordered by the threats they make (Pascal Pons'
  solver, reduced to win/draw/loss). :func:`connect4_positions` samples positions by random
  play whose moves do not all have the same value, and :func:`connect4_move_accuracy`
  scores an agent on them.

  Speed (one core of a shared 2-core AMD EPYC; ``python -m seigen.selfplay.solvers 16 20
  24 28 30 32 34`` measures it): the value of every legal move of 40 random positions
  with each number of empty squares, the transposition table emptied before each:

  =============  ========  ========
  empty squares  median    slowest
  =============  ========  ========
  16             0.07 ms   0.5 ms
  20             0.14 ms   1.4 ms
  24             0.5 ms    11 ms
  28             7 ms      93 ms
  30             38 ms     0.7 s
  32             0.11 s    1.6 s
  34             0.6 s     6.4 s
  =============  ========  ========

  So positions with up to 28 empty squares (14 plies played) take milliseconds each
  (:func:`connect4_positions` starts there by default), 32 about a tenth of a second;
  the empty board is out of reach (Pons' full solver needs far more tricks).

Positions are move lists from the empty board in seigen's (PettingZoo's) numbering:
tic-tac-toe squares 0-8, Connect Four columns 0-6. Values are from the view of the side
to move: +1 win, 0 draw, -1 loss.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import cache
from typing import Any

import numba
import numpy as np

from seigen.engine.arena import Agent
from seigen.engine.games import ConnectFour, TicTacToe

__all__ = [
    "Connect4Solver",
    "connect4_move_accuracy",
    "connect4_move_values",
    "connect4_positions",
    "connect4_value",
    "tictactoe_move_values",
    "tictactoe_perfect_check",
    "tictactoe_solve",
]


# ============================================================================ tic-tac-toe

_TTT_LINES = (
    0b000000111,
    0b000111000,
    0b111000000,
    0b001001001,
    0b010010010,
    0b100100100,
    0b100010001,
    0b001010100,
)


def _ttt_won(bits: int) -> bool:
    return any(bits & line == line for line in _TTT_LINES)


@cache
def _ttt_value(mover: int, other: int) -> int:
    """Minimax value for the side to move, whose marks are ``mover`` (bit ``a`` = square ``a``)."""
    if _ttt_won(other):
        return -1
    empty = ~(mover | other) & 0x1FF
    if not empty:
        return 0
    best = -1
    for a in range(9):
        if empty >> a & 1:
            best = max(best, -_ttt_value(other, mover | 1 << a))
            if best == 1:
                break
    return best


def _ttt_bits(moves: Sequence[int]) -> tuple[int, int]:
    """(marks of the side to move, marks of the other side); ValueError for an illegal list."""
    bits = [0, 0]
    for ply, a in enumerate(moves):
        a = int(a)
        if not 0 <= a < 9 or (bits[0] | bits[1]) >> a & 1 or _ttt_won(bits[0]) or _ttt_won(bits[1]):
            raise ValueError(f"illegal tic-tac-toe move {a} at ply {ply} of {list(moves)}")
        bits[ply % 2] |= 1 << a
    n = len(moves)
    return bits[n % 2], bits[1 - n % 2]


def tictactoe_move_values(moves: Sequence[int]) -> dict[int, int]:
    """The minimax value of every legal move (side to move's view); empty when the game is over."""
    mover, other = _ttt_bits(moves)
    if _ttt_won(other) or (mover | other) == 0x1FF:
        return {}
    return {a: -_ttt_value(other, mover | 1 << a) for a in range(9) if not (mover | other) >> a & 1}


def tictactoe_solve(moves: Sequence[int]) -> tuple[int, frozenset[int]]:
    """``(value, optimal moves)`` of a position for the side to move (no moves when it is over)."""
    mover, other = _ttt_bits(moves)
    values = tictactoe_move_values(moves)
    if not values:
        return _ttt_value(mover, other), frozenset()
    best = max(values.values())
    return best, frozenset(a for a, v in values.items() if v == best)


def _tally() -> dict[str, int]:
    return {"games": 0, "wins": 0, "draws": 0, "losses": 0}


def _count(tally: dict[str, int], result: float) -> None:
    tally["games"] += 1
    tally["wins" if result > 0 else "losses" if result < 0 else "draws"] += 1


def tictactoe_perfect_check(agent: Agent, *, examples: int = 10) -> dict[str, Any]:
    """Play ``agent`` from both sides against every legal reply of its opponent.

    The agent's moves come from ``agent.select`` (one batched call per depth over every
    position the tree has reached there); the opponent tries every legal move, so each
    leaf of the tree is one game. Returns a JSON-ready dict:

    * ``games``, ``wins``, ``draws``, ``losses`` over all those games (the agent's view),
      and the same under ``as_first`` and ``as_second``;
    * ``vs_perfect``: the games in which every opponent move kept the opponent's minimax
      value (a perfect opponent's choices): all draws for a perfect agent;
    * ``decisions`` (agent moves made in the tree), ``optimal_decisions`` (those that kept
      the agent's minimax value) and ``move_accuracy``;
    * ``perfect``: True when no game was lost; ``lost_games``: up to ``examples`` move lists
      of lost games.
    """
    sides = {0: _tally(), 1: _tally()}
    vs_perfect = _tally()
    decisions = optimal = 0
    lost: list[list[int]] = []
    for side in (0, 1):
        # frontier: (moves so far, every opponent move was minimax-optimal), the agent to move
        if side == 0:
            frontier: list[tuple[tuple[int, ...], bool]] = [((), True)]
        else:
            best = tictactoe_solve(())[1]
            frontier = [((a,), a in best) for a in range(9)]
        while frontier:
            games = [TicTacToe(list(moves)) for moves, _ in frontier]
            actions = agent.select(games)
            if len(actions) != len(games):
                raise ValueError(f"the agent gave {len(actions)} moves for {len(games)} games")
            following: list[tuple[tuple[int, ...], bool]] = []
            for (moves, perfect_opponent), game, action in zip(frontier, games, actions, strict=True):
                action = int(action)
                decisions += 1
                optimal += action in tictactoe_solve(moves)[1]
                game.play(action)
                mine = (*moves, action)
                if game.is_terminal():
                    leaves = [(mine, perfect_opponent, game)]
                else:
                    best = tictactoe_solve(mine)[1]
                    leaves = []
                    for reply in game.legal_actions():
                        child = game.copy()
                        child.play(int(reply))
                        entry = ((*mine, int(reply)), perfect_opponent and int(reply) in best)
                        if child.is_terminal():
                            leaves.append((*entry, child))
                        else:
                            following.append(entry)
                for path, perfect_path, done in leaves:
                    result = done.returns() * (1 if side == 0 else -1)
                    _count(sides[side], result)
                    if perfect_path:
                        _count(vs_perfect, result)
                    if result < 0 and len(lost) < examples:
                        lost.append(list(path))
            frontier = following
    total = {k: sides[0][k] + sides[1][k] for k in sides[0]}
    return {
        **total,
        "perfect": total["losses"] == 0,
        "as_first": sides[0],
        "as_second": sides[1],
        "vs_perfect": vs_perfect,
        "decisions": decisions,
        "optimal_decisions": optimal,
        "move_accuracy": optimal / decisions if decisions else None,
        "lost_games": lost,
    }


# ============================================================================ Connect Four
#
# Bitboards as in Pascal Pons' solver: bit ``col * 7 + row`` (row 0 at the bottom; the 7th
# bit of each column is a sentinel that stays empty). ``pos`` holds the stones of the
# side to move, ``mask`` all stones; ``pos + mask`` identifies a position uniquely.

C4_WIDTH, C4_HEIGHT = 7, 6
C4_CELLS = C4_WIDTH * C4_HEIGHT
_H1 = C4_HEIGHT + 1
_BOTTOM = sum(1 << (c * _H1) for c in range(C4_WIDTH))
_BOARD = _BOTTOM * ((1 << C4_HEIGHT) - 1)
_ORDER = np.array([3, 2, 4, 1, 5, 0, 6], dtype=np.int64)  # centre first
_EXACT, _LOWER, _UPPER = 1, 2, 3
_DEFAULT_TABLE = 4194301  # a prime near 2**22: keys spread over the whole table


@numba.njit(cache=True, nogil=True, inline="always")
def _winning_cells(pos: np.uint64, mask: np.uint64) -> np.uint64:
    """Empty cells (reachable or not) where a stone of ``pos`` would complete four."""
    h = np.uint64(C4_HEIGHT)
    # vertical
    r = (pos << np.uint64(1)) & (pos << np.uint64(2)) & (pos << np.uint64(3))
    # horizontal (shift H+1), then the two diagonals (H and H+2)
    for s in (h + np.uint64(1), h, h + np.uint64(2)):
        p = (pos << s) & (pos << (s + s))
        r |= p & (pos << (s + s + s))
        r |= p & (pos >> s)
        p = (pos >> s) & (pos >> (s + s))
        r |= p & (pos << s)
        r |= p & (pos >> (s + s + s))
    return r & (np.uint64(_BOARD) ^ mask)


@numba.njit(cache=True, nogil=True, inline="always")
def _popcount(x: np.uint64) -> int:
    n = 0
    while x:
        x &= x - np.uint64(1)
        n += 1
    return n


@numba.njit(cache=True, nogil=True)
def _store(keys: np.ndarray, values: np.ndarray, key: np.uint64, best: int, alpha0: int, beta: int) -> None:
    kind = _EXACT
    if best <= alpha0:
        kind = _UPPER
    elif best >= beta:
        kind = _LOWER
    slot = key % np.uint64(keys.shape[0])
    keys[slot] = key
    values[slot] = np.int8(((best + 1) << 2) | kind)


@numba.njit(cache=True, nogil=True)
def _negamax(
    pos0: np.uint64, mask0: np.uint64, moves0: int, keys: np.ndarray, values: np.ndarray, order: np.ndarray
) -> int:
    """Win/draw/loss (+1/0/-1) of a position whose side to move cannot win at once.

    Alpha-beta (fail-hard) over the three values with an explicit stack (Numba cannot
    cache recursive functions). Each node only tries moves that do not let the opponent
    win at once, so every child keeps the precondition. The table stores each value with
    its kind (exact, lower or upper bound) under the key ``pos + mask``.
    """
    depth = C4_CELLS + 1
    P = np.empty(depth, dtype=np.uint64)  # side to move's stones
    M = np.empty(depth, dtype=np.uint64)  # all stones
    A = np.empty(depth, dtype=np.int64)  # alpha
    B = np.empty(depth, dtype=np.int64)  # beta
    A0 = np.empty(depth, dtype=np.int64)  # alpha after the table lookup (for the stored kind)
    BEST = np.empty(depth, dtype=np.int64)
    CAND = np.empty((depth, C4_WIDTH), dtype=np.uint64)  # moves to try, best first
    SCORE = np.empty(C4_WIDTH, dtype=np.int64)
    NC = np.empty(depth, dtype=np.int64)
    IDX = np.empty(depth, dtype=np.int64)
    board = np.uint64(_BOARD)
    column = np.uint64((1 << C4_HEIGHT) - 1)
    ENTER, NEXT, RETURN = 0, 1, 2
    d = 0
    P[0], M[0], A[0], B[0] = pos0, mask0, -1, 1
    phase = ENTER
    value = 0
    while True:
        if phase == ENTER:
            pos, mask = P[d], M[d]
            phase = RETURN
            possible = (mask + np.uint64(_BOTTOM)) & board
            opp_win = _winning_cells(pos ^ mask, mask)
            forced = possible & opp_win
            if forced:
                if forced & (forced - np.uint64(1)):
                    value = -1  # two threats to stop at once: lost
                    continue
                possible = forced
            playable = possible & ~(opp_win >> np.uint64(1))  # never play under the opponent's threat
            if playable == 0:
                value = -1
                continue
            if moves0 + d >= C4_CELLS - 2:
                value = 0  # we cannot win now, the opponent cannot win with the last square
                continue
            key = pos + mask
            slot = key % np.uint64(keys.shape[0])
            if keys[slot] == key:
                entry = np.int64(values[slot])
                v = (entry >> 2) - 1
                kind = entry & 3
                if kind == _EXACT:
                    value = v
                    continue
                if kind == _LOWER:
                    if v >= B[d]:
                        value = v
                        continue
                    A[d] = max(A[d], v)
                elif kind == _UPPER:
                    if v <= A[d]:
                        value = v
                        continue
                    B[d] = min(B[d], v)
            A0[d] = A[d]
            # the playable moves, most threats made first, centre first among equals
            n = 0
            for i in range(C4_WIDTH):
                move = playable & (column << np.uint64(order[i] * (C4_HEIGHT + 1)))
                if move:
                    s = _popcount(_winning_cells(pos | move, mask | move))
                    j = n
                    while j > 0 and SCORE[j - 1] < s:
                        CAND[d, j] = CAND[d, j - 1]
                        SCORE[j] = SCORE[j - 1]
                        j -= 1
                    CAND[d, j] = move
                    SCORE[j] = s
                    n += 1
            NC[d] = n
            IDX[d] = 0
            BEST[d] = -1
            phase = NEXT
        elif phase == NEXT:
            if IDX[d] < NC[d]:
                move = CAND[d, IDX[d]]
                IDX[d] += 1
                P[d + 1] = P[d] ^ M[d]
                M[d + 1] = M[d] | move
                A[d + 1] = -B[d]
                B[d + 1] = -A[d]
                d += 1
                phase = ENTER
            else:
                _store(keys, values, P[d] + M[d], BEST[d], A0[d], B[d])
                value = BEST[d]
                phase = RETURN
        else:  # RETURN: node d has the value `value`
            if d == 0:
                return value
            d -= 1
            v = -value
            if v > BEST[d]:
                BEST[d] = v
                if v > A[d]:
                    A[d] = v
            if A[d] >= B[d]:
                _store(keys, values, P[d] + M[d], BEST[d], A0[d], B[d])
                value = BEST[d]
            else:
                phase = NEXT


@numba.njit(cache=True, nogil=True)
def _solve(
    pos: np.uint64, mask: np.uint64, moves: int, keys: np.ndarray, values: np.ndarray, order: np.ndarray
) -> int:
    """Value of a position that is not over, for the side to move."""
    possible = (mask + np.uint64(_BOTTOM)) & np.uint64(_BOARD)
    if _winning_cells(pos, mask) & possible:
        return 1
    return _negamax(pos, mask, moves, keys, values, order)


def _c4_bits(moves: Sequence[int]) -> tuple[int, int, bool]:
    """``(pos, mask, over)`` after ``moves``; ValueError for a full column or a move after a win."""
    pos = mask = 0
    over = False
    for ply, col in enumerate(moves):
        col = int(col)
        if over or not 0 <= col < C4_WIDTH or mask >> (col * _H1 + C4_HEIGHT - 1) & 1:
            raise ValueError(f"illegal Connect Four move {col} at ply {ply} of {list(moves)}")
        pos ^= mask  # the other side's stones: they are to move after this one
        mask |= mask + (1 << (col * _H1))
        mover = pos ^ mask  # the stones of the side that just played
        over = _four(mover)
    return pos, mask, over or len(moves) == C4_CELLS


def _four(bits: int) -> bool:
    for s in (1, _H1, C4_HEIGHT, C4_HEIGHT + 2):
        m = bits & (bits >> s)
        if m & (m >> (2 * s)):
            return True
    return False


class Connect4Solver:
    """Exact win/draw/loss of Connect Four positions (see the module docstring for its speed).

    Keeps one transposition table (``table_size`` entries, 9 bytes each) across calls:
    entries hold true bounds on a position's value, so they stay valid for every later
    position; ``clear()`` empties it (for timing).
    """

    def __init__(self, table_size: int = _DEFAULT_TABLE) -> None:
        self.keys = np.zeros(table_size, dtype=np.uint64)
        self.values = np.zeros(table_size, dtype=np.int8)

    def clear(self) -> None:
        self.keys[:] = 0
        self.values[:] = 0

    def _value_bits(self, pos: int, mask: int, moves: int) -> int:
        return int(_solve(np.uint64(pos), np.uint64(mask), moves, self.keys, self.values, _ORDER))

    def value(self, moves: Sequence[int]) -> int:
        """The value for the side to move of an unfinished position; ValueError if it is over."""
        pos, mask, over = _c4_bits(moves)
        if over:
            raise ValueError(f"the game is over after {list(moves)}")
        return self._value_bits(pos, mask, len(moves))

    def move_values(self, moves: Sequence[int]) -> dict[int, int]:
        """The value of every legal move, for the side to move (the move itself may win: +1)."""
        pos, mask, over = _c4_bits(moves)
        if over:
            raise ValueError(f"the game is over after {list(moves)}")
        out = {}
        n = len(moves)
        for col in range(C4_WIDTH):
            if mask >> (col * _H1 + C4_HEIGHT - 1) & 1:
                continue
            new_mask = mask | (mask + (1 << (col * _H1)))
            mine = pos | (new_mask ^ mask)
            if _four(mine):
                out[col] = 1
            elif n + 1 == C4_CELLS:
                out[col] = 0
            else:
                out[col] = -self._value_bits(mine ^ new_mask, new_mask, n + 1)
        return out


_SOLVER: Connect4Solver | None = None


def _solver() -> Connect4Solver:
    global _SOLVER
    if _SOLVER is None:
        _SOLVER = Connect4Solver()
    return _SOLVER


def connect4_value(moves: Sequence[int]) -> int:
    """Win/draw/loss (+1/0/-1) of an unfinished position for the side to move (shared solver)."""
    return _solver().value(moves)


def connect4_move_values(moves: Sequence[int]) -> dict[int, int]:
    """The value of every legal move of an unfinished position (shared solver)."""
    return _solver().move_values(moves)


def connect4_positions(
    n: int,
    seed: int = 0,
    *,
    min_moves: int = 14,
    max_moves: int = 36,
    mixed: bool = True,
    solver: Connect4Solver | None = None,
) -> list[tuple[int, ...]]:
    """``n`` distinct unfinished positions (move lists) reached by random play.

    Each position has a number of plies drawn uniformly from ``[min_moves, max_moves]``;
    the random play never takes an immediate win and avoids moves that let the opponent
    win at once when it can (so games last long enough, and the positions look less
    like blunder-fests). With ``mixed`` only positions whose legal moves do not all have
    the same value are kept, so that picking a move matters. Deterministic in ``seed``.
    """
    if not 0 <= min_moves <= max_moves < C4_CELLS:
        raise ValueError(f"need 0 <= min_moves <= max_moves < {C4_CELLS}, got {min_moves}, {max_moves}")
    solver = solver or _solver()
    rng = np.random.default_rng(seed)
    found: dict[tuple[int, int], tuple[int, ...]] = {}
    tries = 0
    while len(found) < n:
        tries += 1
        if tries > 200 * n + 1000:
            raise RuntimeError(f"found only {len(found)} of {n} positions in {tries} random games")
        target = int(rng.integers(min_moves, max_moves + 1))
        moves: list[int] = []
        pos = mask = 0
        while len(moves) < target:
            legal = [c for c in range(C4_WIDTH) if not mask >> (c * _H1 + C4_HEIGHT - 1) & 1]
            safe = []
            for c in legal:
                new_mask = mask | (mask + (1 << (c * _H1)))
                mine = pos | (new_mask ^ mask)
                if _four(mine):
                    continue  # never end the game
                theirs = mine ^ new_mask
                if not (_winning_cells_py(theirs, new_mask) & ((new_mask + _BOTTOM) & _BOARD)):
                    safe.append(c)
            choices = safe or [
                c
                for c in legal
                if not _four(pos | ((mask | (mask + (1 << (c * _H1)))) ^ mask))  # not a win
            ]
            if not choices:
                break
            c = int(rng.choice(choices))
            new_mask = mask | (mask + (1 << (c * _H1)))
            pos = (pos | (new_mask ^ mask)) ^ new_mask
            mask = new_mask
            moves.append(c)
        if len(moves) < target:
            continue
        key = (pos, mask)
        if key in found:
            continue
        if mixed and len(set(solver.move_values(moves).values())) < 2:
            continue
        found[key] = tuple(moves)
    return list(found.values())


def _winning_cells_py(pos: int, mask: int) -> int:
    r = (pos << 1) & (pos << 2) & (pos << 3)
    for s in (_H1, C4_HEIGHT, C4_HEIGHT + 2):
        p = (pos << s) & (pos << 2 * s)
        r |= p & (pos << 3 * s)
        r |= p & (pos >> s)
        p = (pos >> s) & (pos >> 2 * s)
        r |= p & (pos << s)
        r |= p & (pos >> 3 * s)
    return r & (_BOARD ^ mask)


def connect4_move_accuracy(
    agent: Agent, positions: Sequence[Sequence[int]], *, solver: Connect4Solver | None = None
) -> dict[str, Any]:
    """How often ``agent`` picks a move that keeps the position's game-theoretic value.

    One batched ``agent.select`` over all positions. Returns a JSON-ready dict:
    ``positions``, ``optimal`` (count), ``accuracy``; ``by_value``: the same split by the
    position's value for the side to move (``win``, ``draw``, ``loss``; a lost position
    has every move optimal, since a slower loss is no better by value alone);
    ``blunders``: the moves that gave value away (``win_to_draw``, ``draw_to_loss``,
    ``win_to_loss``); ``by_empty``: accuracy by empty squares in buckets of 6 (``"6-11"``, ...).
    """
    solver = solver or _solver()
    games = [ConnectFour(list(moves)) for moves in positions]
    actions = agent.select(games) if games else []
    if len(actions) != len(games):
        raise ValueError(f"the agent gave {len(actions)} moves for {len(games)} positions")
    names = {1: "win", 0: "draw", -1: "loss"}
    by_value = {k: {"positions": 0, "optimal": 0} for k in names.values()}
    by_empty: dict[str, dict[str, int]] = {}
    blunders = {"win_to_draw": 0, "draw_to_loss": 0, "win_to_loss": 0}
    optimal = 0
    for moves, action in zip(positions, actions, strict=True):
        values = solver.move_values(moves)
        action = int(action)
        if action not in values:
            raise ValueError(f"the agent played the illegal move {action} after {list(moves)}")
        best = max(values.values())
        got = values[action]
        ok = got == best
        optimal += ok
        bucket = by_value[names[best]]
        bucket["positions"] += 1
        bucket["optimal"] += ok
        empty = C4_CELLS - len(moves)
        label = f"{empty // 6 * 6}-{empty // 6 * 6 + 5}"
        e = by_empty.setdefault(label, {"positions": 0, "optimal": 0})
        e["positions"] += 1
        e["optimal"] += ok
        if not ok:
            blunders[
                {(1, 0): "win_to_draw", (0, -1): "draw_to_loss", (1, -1): "win_to_loss"}[(best, got)]
            ] += 1
    for d in (*by_value.values(), *by_empty.values()):
        d["accuracy"] = d["optimal"] / d["positions"] if d["positions"] else None
    return {
        "positions": len(positions),
        "optimal": optimal,
        "accuracy": optimal / len(positions) if positions else None,
        "by_value": by_value,
        "blunders": blunders,
        "by_empty": dict(sorted(by_empty.items(), key=lambda kv: int(kv[0].split("-")[0]))),
    }


# ============================================================================ speed


def measure_connect4(
    empties: Sequence[int] = (16, 20, 24, 28, 32), count: int = 40, seed: int = 0
) -> list[dict]:
    """Solver time per position (the value of every legal move, a fresh table each time),
    median and slowest over ``count`` random positions with each number of empty squares."""
    solver = Connect4Solver()
    solver.move_values(connect4_positions(1, seed, min_moves=34, max_moves=34, mixed=False)[0])  # compile
    rows = []
    for empty in empties:
        plies = C4_CELLS - empty
        positions = connect4_positions(
            count, seed, min_moves=plies, max_moves=plies, mixed=False, solver=solver
        )
        times = []
        for moves in positions:
            solver.clear()
            t = time.perf_counter()
            solver.move_values(moves)
            times.append(time.perf_counter() - t)
        rows.append(
            {
                "empty": empty,
                "positions": len(positions),
                "median_ms": round(1000 * float(np.median(times)), 3),
                "max_ms": round(1000 * float(np.max(times)), 3),
            }
        )
    return rows


if __name__ == "__main__":
    import json
    import sys

    empties = [int(x) for x in sys.argv[1:]] or [16, 20, 24, 28, 32]
    for row in measure_connect4(empties):
        print(json.dumps(row))
