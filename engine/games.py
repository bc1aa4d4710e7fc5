"""Games the search plays: native C games (Go, Connect Four, tic-tac-toe) and any PettingZoo AEC game,
and the registry of games by name (:class:`GameSpec`, :data:`GAMES`, :func:`register_game`,
:func:`game_spec`, :func:`make_game`, :func:`symmetries`).

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

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from seigen.engine.board import N_PLANES, Board
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


# ---------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class GameSpec:
    """One game of the registry: everything the layers above need to know about it by name.

    A new game is one ``register_game(GameSpec(...))`` plus its rules: a class with the
    interface of the module docstring (a ``Game`` over a ``NativeGame`` in C, or a plain
    Python class like ``PettingZooGame``, which ``BatchedSearch`` drives at Python speed).
    Names of things in higher layers are ``"module:attr"`` strings, resolved by
    :func:`resolve` where they are used, so that this module imports nothing above it.
    """

    name: str
    """The name every command and config uses (``--game``, checkpoints' ``game["name"]``)."""
    make: Callable[..., Any]
    """``make(size=, komi=, rules=, max_moves=)``: a fresh game; a game with a fixed board ignores them."""
    feature_shape: tuple[int, int, int] | Callable[[int], tuple[int, int, int]]
    """``(C, H, W)`` of ``features()``, or a function of the board size (Go)."""
    num_actions: int | Callable[[int], int]
    """Length of ``legal_mask()``, or a function of the board size (Go: ``n * n + 1``)."""
    sizes: tuple[int, int] | None = None
    """The board sizes ``make`` takes, smallest and largest; None: one fixed board."""
    symmetries: Callable[[int], list[tuple[int, bool, np.ndarray]]] | None = None
    """``size -> [(rotations, flip, action_perm)]`` (see :func:`symmetries`); None: the identity only."""
    opening_plies: int = 2
    """Random plies at the start of each evaluation game pair (``seigen.engine.arena``)."""
    pettingzoo: str | None = None
    """``"module:attr"`` of the PettingZoo AEC env constructor of the same game; None: none."""
    gym_id: str | None = None
    """The Gymnasium id of the single-agent env against an opponent (``seigen.envs.classic``); None: none."""
    solver: str | None = None
    """``"module:function"``: ``f(moves) -> {action: exact value for the side to move}``; None: none."""
    title: str | None = None
    """How messages name the game (None: ``name``)."""

    @property
    def sized(self) -> bool:
        """Whether the board size is a parameter of the game (Go)."""
        return self.sizes is not None

    def shape(self, size: int = 9) -> tuple[int, int, int]:
        """The feature shape ``(C, H, W)`` on a ``size`` board (the size only matters when ``sized``)."""
        fs = self.feature_shape
        return tuple(fs(size)) if callable(fs) else tuple(fs)  # type: ignore[return-value]

    def actions(self, size: int = 9) -> int:
        """The number of actions on a ``size`` board (the size only matters when ``sized``)."""
        na = self.num_actions
        return int(na(size)) if callable(na) else int(na)


GAMES: dict[str, GameSpec] = {}
"""The registry, by name: tictactoe, connect4, go, and whatever ``register_game`` adds."""


def register_game(spec: GameSpec, *, replace: bool = False) -> GameSpec:
    """Add a game to :data:`GAMES` (``ValueError`` if the name is taken, unless ``replace``)."""
    if not isinstance(spec, GameSpec):
        raise TypeError(f"register_game takes a GameSpec, got {type(spec).__name__}")
    if spec.name in GAMES and not replace:
        raise ValueError(f"game {spec.name!r} is already registered")
    GAMES[spec.name] = spec
    return spec


def unregister_game(name: str) -> None:
    """Remove a game from :data:`GAMES` (tests that register a toy game clean up with it)."""
    game_spec(name)
    del GAMES[name]


def game_spec(name: str) -> GameSpec:
    """The registry entry of ``name``; ``ValueError`` naming the known games when there is none."""
    spec = GAMES.get(name) if isinstance(name, str) else None
    if spec is None:
        raise ValueError(f"unknown game {name!r}; expected one of {', '.join(GAMES)}")
    return spec


def resolve(ref: str) -> Any:
    """The object a ``"module:attr"`` string names (imported now, so the caller's layer decides)."""
    module, sep, attr = ref.partition(":")
    if not sep or not module or not attr:
        raise ValueError(f"expected 'module:attr', got {ref!r}")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def make_game(
    name: str,
    size: int = 9,
    komi: float | None = None,
    rules: str = "chinese",
    max_moves: int | None = None,
) -> Any:
    """A fresh game by registry name: ``tictactoe``, ``connect4``, ``go`` (``size``, ``komi``,
    ``rules``; ``max_moves`` caps Go games, None keeps ``GoGame``'s default) or a registered one."""
    spec = game_spec(name)
    if spec.sizes is not None:
        low, high = spec.sizes
        if not low <= size <= high:
            raise ValueError(f"{spec.title or name} board size must be {low} to {high}, got {size}")
    return spec.make(size=size, komi=komi, rules=rules, max_moves=max_moves)


def symmetries(name: str, size: int = 9) -> list[tuple[int, bool, np.ndarray]]:
    """The board symmetries a game's rules do not see, as ``(rotations, flip, action_perm)``.

    Transform ``t`` maps feature planes by ``np.rot90(np.flip(x, -1) if flip else x, k, (-2, -1))``
    and action ``a`` to ``action_perm[a]``. Go and tic-tac-toe have the 8 of the square;
    Connect Four only the mirror (gravity fixes up and down); a game registered without
    symmetries only the identity. The identity comes first.
    """
    spec = game_spec(name)
    if spec.symmetries is None:
        return [(0, False, np.arange(spec.actions(size)))]
    return spec.symmetries(size)


def square_symmetries(n: int, extra: int = 0) -> list[tuple[int, bool, np.ndarray]]:
    """The 8 symmetries of an ``n x n`` board whose action ``r * n + c`` sits on feature cell
    ``(r, c)``; the ``extra`` actions after the ``n * n`` cells (Go's pass) stay where they are."""
    cells = np.arange(n * n).reshape(n, n)
    out = []
    for flip in (False, True):
        for k in range(4):
            moved = np.rot90(np.flip(cells, -1) if flip else cells, k, (-2, -1))
            perm = np.empty(n * n + extra, dtype=np.int64)
            perm[moved.reshape(-1)] = np.arange(n * n)  # the stone at cell moved[i] ends up at i
            perm[n * n :] = np.arange(n * n, n * n + extra)
            out.append((k, flip, perm))
    return out


def mirror_symmetries(columns: int) -> list[tuple[int, bool, np.ndarray]]:
    """The identity and the left-right mirror of a game whose actions are its columns."""
    return [(0, False, np.arange(columns)), (0, True, np.arange(columns)[::-1].copy())]


def _new_go(
    size: int = 9, komi: float | None = None, rules: Rules | str = "chinese", max_moves: int | None = None
) -> GoGame:
    return GoGame(size=size, rules=rules, komi=komi, max_moves=max_moves)


register_game(
    GameSpec(
        "tictactoe",
        make=lambda **_: TicTacToe(),
        feature_shape=(2, 3, 3),
        num_actions=9,
        symmetries=lambda size: square_symmetries(3),
        opening_plies=2,
        pettingzoo="pettingzoo.classic.tictactoe_v3:env",
        gym_id="seigen/TicTacToe-v0",
        solver="seigen.selfplay.solvers:tictactoe_move_values",
    )
)
register_game(
    GameSpec(
        "connect4",
        make=lambda **_: ConnectFour(),
        feature_shape=(2, 6, 7),
        num_actions=7,
        symmetries=lambda size: mirror_symmetries(7),
        opening_plies=2,
        pettingzoo="pettingzoo.classic.connect_four_v3:env",
        gym_id="seigen/ConnectFour-v0",
        solver="seigen.selfplay.solvers:connect4_move_values",
    )
)
register_game(
    GameSpec(
        "go",
        make=_new_go,
        feature_shape=lambda n: (N_PLANES, n, n),
        num_actions=lambda n: n * n + 1,
        sizes=(2, 25),
        symmetries=lambda n: square_symmetries(n, extra=1),
        opening_plies=4,
        pettingzoo="seigen.envs.go_env:env",
        gym_id="seigen/Go-v0",
        title="Go",
    )
)
