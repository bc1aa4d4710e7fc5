"""Games the search plays: native C games (Go, Connect Four, tic-tac-toe) and any PettingZoo AEC game.

Every game has the same small interface, which ``BatchedSearch`` drives:

* ``num_actions``, ``feature_shape`` ``(C, H, W)``, ``to_play`` (0: first player, 1: second),
* ``legal_mask()`` (uint8 ``[A]``), ``play(action)`` (``ValueError`` when illegal),
* ``is_terminal()``, ``returns()`` (result from the first player's view: +1, 0, -1),
* ``features()`` (float32 ``[C, H, W]`` for the side to move), ``copy()``, ``history``.

Actions: tic-tac-toe squares in PettingZoo's numbering (square ``a`` is feature cell
``(a // 3, a % 3)``), Connect Four columns 0-6 (feature row 0 is the top), Go points
``row * n + col`` (row 0 at the top, as ``Board`` indexes them) and pass ``n * n``.
The tic-tac-toe and Connect Four features are PettingZoo's observations transposed to
``(C, H, W)``: a net trained on one plays the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from seigen.engine.board import Board
from seigen.engine.rules import Rules
from seigen.ext.tree import NativeGame


class Game:
    """A native game: a ``NativeGame`` in C plus the list of actions played."""

    name = "game"

    def __init__(self, native: NativeGame) -> None:
        self.native = native
        self.history: list[int] = []

    @property
    def num_actions(self) -> int:
        return self.native.num_actions

    @property
    def feature_shape(self) -> tuple[int, int, int]:
        return self.native.feature_shape

    @property
    def to_play(self) -> int:
        return self.native.to_play

    def legal_mask(self) -> np.ndarray:
        return self.native.legal_mask()

    def legal_actions(self) -> np.ndarray:
        return np.flatnonzero(self.native.legal_mask())

    def play(self, action: int) -> None:
        self.native.play(int(action))
        self.history.append(int(action))

    def is_terminal(self) -> bool:
        return self.native.is_terminal()

    def returns(self) -> float:
        return self.native.returns()

    def features(self) -> np.ndarray:
        return self.native.features()

    def hash(self) -> int:
        return self.native.hash()

    def rollout(self, seed: int) -> float:
        """Result of one random playout for the side to move (the game is unchanged)."""
        return self.native.rollout(seed)

    def copy(self) -> Game:
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        other.native = self.native.copy()
        other.history = list(self.history)
        return other

    def __repr__(self) -> str:
        return f"{type(self).__name__}(history={self.history})"


class TicTacToe(Game):
    """Tic-tac-toe on bitboards; the first player is PettingZoo's ``player_1``."""

    name = "tictactoe"

    def __init__(self, moves: list[int] | tuple[int, ...] = ()) -> None:
        super().__init__(NativeGame.tictactoe())
        for a in moves:
            self.play(a)

    def __str__(self) -> str:
        return _diagram(self)


class ConnectFour(Game):
    """Connect Four (7 columns, 6 rows) on bitboards; actions are columns."""

    name = "connect4"

    def __init__(self, moves: list[int] | tuple[int, ...] = ()) -> None:
        super().__init__(NativeGame.connect4())
        for a in moves:
            self.play(a)

    def __str__(self) -> str:
        return _diagram(self) + "\n0 1 2 3 4 5 6"


def _diagram(game: Game) -> str:
    """Rows of X (first player), O (second) and . from the feature planes."""
    f = game.features()
    me, them = ("X", "O") if game.to_play == 0 else ("O", "X")
    _, h, w = f.shape
    return "\n".join(
        " ".join(me if f[0, r, c] else them if f[1, r, c] else "." for c in range(w)) for r in range(h)
    )


class GoGame(Game):
    """Go for the search, from a ``Board`` (its position, rules, komi and history).

    The search scores finished games by Tromp-Taylor area with the board's komi (plus
    handicap compensation); ``max_moves`` caps a game's length (default ``3 * n * n``).
    """

    name = "go"

    def __init__(
        self,
        board: Board | None = None,
        *,
        size: int = 9,
        rules: Rules | str = "chinese",
        komi: float | None = None,
        max_moves: int | None = None,
    ) -> None:
        if board is None:
            board = Board(size, rules=rules, komi=komi)
        self.board = board
        n = board.size
        self.max_moves = max_moves if max_moves is not None else 3 * n * n
        super().__init__(NativeGame.go(board._c, float(board._komi_total()), int(self.max_moves)))

    @property
    def size(self) -> int:
        return self.board.size

    def play(self, action: int) -> None:
        """Play on the native game and on ``board`` (so SGF and GTP see the game)."""
        self.native.play(int(action))
        self.board.play(int(action))
        self.history.append(int(action))

    def copy(self) -> GoGame:
        other = super().copy()
        other.board = self.board.copy()
        return other

    def __str__(self) -> str:
        return str(self.board)


class PettingZooGame:
    """Any two-player, alternating PettingZoo AEC classic game, at Python speed.

    ``env_fn`` makes the AEC env (e.g. ``tictactoe_v3.env``). The features are the
    env's observation for the agent to move, transposed to ``(C, H, W)``; legality
    comes from its ``action_mask``. A copy is a fresh env with the moves replayed
    (deep copies of PettingZoo envs do not keep their state), so search with this
    adapter is much slower than with the native games.
    """

    name = "pettingzoo"

    def __init__(self, env_fn: Callable[[], Any], seed: int | None = None) -> None:
        if not callable(env_fn):
            raise TypeError("PettingZooGame needs a function that makes the env, e.g. tictactoe_v3.env")
        self.env_fn = env_fn
        self.seed = seed
        env = env_fn()
        env.reset(seed=seed)
        if len(env.possible_agents) != 2:
            raise ValueError(f"PettingZooGame needs a two-player game, {env} has {len(env.possible_agents)}")
        self.env = env
        self.history: list[int] = []
        self._returns: float | None = None
        obs = self._observe()
        if not isinstance(obs, dict) or "action_mask" not in obs:
            raise ValueError(f"{env} gives no action_mask in its observations")
        self.num_actions = int(obs["action_mask"].shape[0])
        self.feature_shape = tuple(np.moveaxis(np.asarray(obs["observation"]), -1, 0).shape)

    def _observe(self) -> dict:
        return self.env.observe(self.env.agent_selection)

    @property
    def to_play(self) -> int:
        return self.env.possible_agents.index(self.env.agent_selection)

    def legal_mask(self) -> np.ndarray:
        if self.is_terminal():
            return np.zeros(self.num_actions, dtype=np.uint8)
        return np.asarray(self._observe()["action_mask"], dtype=np.uint8)

    def legal_actions(self) -> np.ndarray:
        return np.flatnonzero(self.legal_mask())

    def play(self, action: int) -> None:
        action = int(action)
        if not (0 <= action < self.num_actions) or not self.legal_mask()[action]:
            raise ValueError(f"illegal action {action}")
        self.env.step(action)
        self.history.append(action)
        if self.is_terminal():
            self._returns = float(self.env.rewards[self.env.possible_agents[0]])

    def is_terminal(self) -> bool:
        env = self.env
        return not env.agents or any(env.terminations[a] or env.truncations[a] for a in env.agents)

    def returns(self) -> float:
        if self._returns is None:
            raise ValueError("the game is not over")
        return self._returns

    def features(self) -> np.ndarray:
        obs = np.asarray(self._observe()["observation"], dtype=np.float32)
        return np.ascontiguousarray(np.moveaxis(obs, -1, 0))

    def rollout(self, seed: int) -> float:
        """Result of one uniformly random playout for the side to move (the game is unchanged)."""
        rng = np.random.default_rng(seed)
        g = self.copy()
        me = g.to_play
        while not g.is_terminal():
            g.play(int(rng.choice(g.legal_actions())))
        r = g.returns()
        return r if me == 0 else -r

    def copy(self) -> PettingZooGame:
        other = object.__new__(PettingZooGame)
        other.__dict__.update(self.__dict__)
        other.env = self.env_fn()
        other.env.reset(seed=self.seed)
        for a in self.history:
            other.env.step(a)
        other.history = list(self.history)
        return other

    def __repr__(self) -> str:
        return f"PettingZooGame({self.env}, history={self.history})"


GAMES = ("tictactoe", "connect4", "go")


def make_game(name: str, size: int = 9, komi: float | None = None, rules: str = "chinese") -> Game:
    """A fresh native game by name: ``tictactoe``, ``connect4`` or ``go`` (``size``, ``komi``, ``rules``)."""
    if name == "tictactoe":
        return TicTacToe()
    if name == "connect4":
        return ConnectFour()
    if name == "go":
        if not 2 <= size <= 25:
            raise ValueError(f"Go board size must be 2 to 25, got {size}")
        return GoGame(size=size, rules=rules, komi=komi)
    raise ValueError(f"unknown game {name!r}; expected one of {', '.join(GAMES)}")


def symmetries(name: str, size: int = 9) -> list[tuple[int, bool, np.ndarray]]:
    """The board symmetries a game's rules do not see, as ``(rotations, flip, action_perm)``.

    Transform ``t`` maps feature planes by ``np.rot90(np.flip(x, -1) if flip else x, k, (-2, -1))``
    and action ``a`` to ``action_perm[a]``. Go and tic-tac-toe have the 8 of the square;
    Connect Four only the mirror (gravity fixes up and down). The identity comes first.
    """
    if name == "connect4":
        return [(0, False, np.arange(7)), (0, True, np.arange(7)[::-1].copy())]
    if name == "tictactoe":
        n, extra = 3, 0
    elif name == "go":
        n, extra = size, 1
    else:
        raise ValueError(f"unknown game {name!r}; expected one of {', '.join(GAMES)}")
    cells = np.arange(n * n).reshape(n, n)  # action r * n + c sits on feature cell (r, c)
    out = []
    for flip in (False, True):
        for k in range(4):
            moved = np.rot90(np.flip(cells, -1) if flip else cells, k, (-2, -1))
            perm = np.empty(n * n + extra, dtype=np.int64)
            perm[moved.reshape(-1)] = np.arange(n * n)  # the stone at cell moved[i] ends up at i
            if extra:
                perm[n * n] = n * n
            out.append((k, flip, perm))
    return out
