"""Trained agents behind one face: ``load_agent(path).act(observation) -> action``.

``act`` takes a PettingZoo classic observation (``{"observation": ..., "action_mask": ...}``)
of the game the agent knows: ``tictactoe_v3``, ``connect_four_v3``, or for Go
``pettingzoo.classic.go_v5`` (``board_size`` = the net's size) and ``seigen.envs.go_env``.
An AlphaZero agent rebuilds the native game from the observation alone (a legal move
order for tic-tac-toe and Connect Four; for Go the oldest position of the history planes
as setup stones and the moves between the planes after it, so ko and the feature history
are right), searches it, and never returns a move that the observation's mask forbids.

``select(games)`` is the batched form the evaluator and match harnesses use: one move
for each of many native games (``seigen.engine.games``), with one search over all;
``act_game(game)`` is the same for one game.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seigen.engine.arena import OPENING_PLIES, MatchOutcome, play_match
from seigen.engine.board import Board, IllegalMoveError
from seigen.engine.games import GAMES, ConnectFour, Game, GoGame, TicTacToe, game_spec, make_game
from seigen.engine.rules import Rules
from seigen.engine.search import BatchedSearch, NetEvaluator, SearchConfig, SearchResult


class RandomAgent:
    """Uniformly random legal moves (the anchor of every Elo ladder, rated 0)."""

    name = "random"

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def select(self, games: Sequence[Game]) -> list[int]:
        return [int(self.rng.choice(g.legal_actions())) for g in games]


class SearchAgent:
    """A search with an evaluator (a net, or rollouts for the MCTS anchor) that plays the
    most visited move (ties: higher prior) after ``visits`` simulations, no noise."""

    def __init__(
        self,
        evaluator: Any,
        visits: int = 100,
        *,
        c_puct: float = 1.25,
        fpu_reduction: float = 0.25,
        leaves_per_tree: int = 4,
        seed: int = 0,
        name: str = "search",
    ) -> None:
        self.evaluator = evaluator
        self.config = SearchConfig(
            visits=visits,
            leaves_per_tree=leaves_per_tree,
            c_puct=c_puct,
            fpu_reduction=fpu_reduction,
            reuse_tree=False,
            seed=seed,
        )
        self.name = name
        self._calls = 0

    def search(self, games: Sequence[Game]) -> list[SearchResult]:
        """A fresh search of each position (none may be over); the games are not changed."""
        self._calls += 1
        cfg = SearchConfig(**{**self.config.__dict__, "seed": self.config.seed + self._calls})
        return BatchedSearch([g.copy() for g in games], self.evaluator, cfg).run()

    def select(self, games: Sequence[Game]) -> list[int]:
        """One move per game (none may be over), from a fresh search of each position."""
        if not games:
            return []
        return [r.best_action for r in self.search(games)]

    def act_game(self, game: Game) -> int:
        """The move for one native game (not over)."""
        return self.select([game])[0]


def net_agent(
    net: Any, visits: int = 100, device: str | None = None, name: str = "net", **search: Any
) -> SearchAgent:
    """A ``SearchAgent`` over a policy-value net (``NetEvaluator`` on ``device``, default cuda when present)."""
    return SearchAgent(NetEvaluator(net, device=device), visits, name=name, **search)


# ---------------------------------------------------------------------- observations -> native games

GO_LAYOUTS = ("auto", "pettingzoo", "seigen")
HISTORY = 8  # positions in the Go feature planes


def _parts(
    observation: Any, shape: tuple[int, ...], actions: int, source: str
) -> tuple[np.ndarray, np.ndarray]:
    """The observation array and the action mask of a PettingZoo observation dict, checked."""
    if (
        not isinstance(observation, Mapping)
        or "observation" not in observation
        or "action_mask" not in observation
    ):
        raise ValueError(
            f"expected a {source} observation: a dict with 'observation' and 'action_mask', "
            f"got {type(observation).__name__}"
        )
    obs = np.asarray(observation["observation"])
    mask = np.asarray(observation["action_mask"])
    if obs.shape != shape:
        raise ValueError(f"expected a {source} observation of shape {shape}, got {obs.shape}")
    if mask.shape != (actions,):
        raise ValueError(f"expected a {source} action_mask of shape ({actions},), got {mask.shape}")
    return obs, mask.astype(bool)


def _first_player_planes(mine: np.ndarray, theirs: np.ndarray, game: str) -> tuple[np.ndarray, np.ndarray]:
    """(first player's cells, second player's) from the mover's view, by counting stones."""
    if np.any(mine & theirs):
        raise ValueError(f"not a {game} position: a cell holds both players' pieces")
    n_mine, n_theirs = int(mine.sum()), int(theirs.sum())
    if n_mine == n_theirs:
        return mine, theirs  # the first player is to move
    if n_theirs == n_mine + 1:
        return theirs, mine  # the second player is to move
    raise ValueError(
        f"not a {game} position with the observer to move: {n_mine} pieces of the observer's, {n_theirs} of the other's"
    )


def _find_order(
    game: Game,
    start: Any,
    options: Callable[[Any, int], list[tuple[int, Any]]],
    moves: int,
    what: str,
) -> list[int]:
    """A legal move order of ``moves`` moves from ``game`` (depth-first, failed states memoised).

    ``options(state, player)`` lists ``(action, next_state)``; no position before the
    last may end the game."""
    failed: set[Any] = set()
    path: list[int] = []

    def dfs(g: Game, state: Any) -> bool:
        if len(path) == moves:
            return True
        if state in failed:
            return False
        for action, nxt in options(state, len(path) % 2):
            h = g.copy()
            h.play(action)
            if h.is_terminal() and len(path) + 1 < moves:
                continue
            path.append(action)
            if dfs(h, nxt):
                return True
            path.pop()
        failed.add(state)
        return False

    if not dfs(game.copy(), start):
        raise ValueError(f"no legal sequence of moves reaches this {what} position")
    return path


def tictactoe_from_observation(observation: Any) -> TicTacToe:
    """The tic-tac-toe game (a legal move order) whose position is a ``tictactoe_v3`` observation
    for the player to move."""
    obs, _ = _parts(observation, (3, 3, 2), 9, "tictactoe_v3")
    first, second = _first_player_planes(obs[..., 0] != 0, obs[..., 1] != 0, "tic-tac-toe")
    squares = (
        frozenset(int(a) for a in np.flatnonzero(first.reshape(-1))),
        frozenset(int(a) for a in np.flatnonzero(second.reshape(-1))),
    )

    def options(placed: frozenset[int], player: int) -> list[tuple[int, frozenset[int]]]:
        return [(a, placed | {a}) for a in sorted(squares[player] - placed)]

    order = _find_order(TicTacToe(), frozenset(), options, len(squares[0]) + len(squares[1]), "tic-tac-toe")
    return TicTacToe(order)


def connect4_from_observation(observation: Any) -> ConnectFour:
    """The Connect Four game (a legal move order) whose position is a ``connect_four_v3``
    observation for the player to move: each column fills bottom-up, colours alternate."""
    obs, _ = _parts(observation, (6, 7, 2), 7, "connect_four_v3")
    first, second = _first_player_planes(obs[..., 0] != 0, obs[..., 1] != 0, "Connect Four")
    rows, cols = first.shape
    stacks: list[tuple[int, ...]] = []  # per column, bottom-up: 0 first player, 1 second
    for c in range(cols):
        filled = first[:, c] | second[:, c]
        height = int(filled.sum())
        if not filled[rows - height :].all():
            raise ValueError(f"not a Connect Four position: column {c} has a gap under a piece")
        stacks.append(tuple(0 if first[r, c] else 1 for r in range(rows - 1, rows - 1 - height, -1)))

    def options(heights: tuple[int, ...], player: int) -> list[tuple[int, tuple[int, ...]]]:
        out = []
        for c, h in enumerate(heights):
            if h < len(stacks[c]) and stacks[c][h] == player:
                out.append((c, (*heights[:c], h + 1, *heights[c + 1 :])))
        return out

    total = sum(len(s) for s in stacks)
    order = _find_order(ConnectFour(), (0,) * cols, options, total, "Connect Four")
    return ConnectFour(order)


def go_layout(observation: Any, layout: str = "auto") -> str:
    """Which plane layout a Go observation uses: ``pettingzoo`` (go_v5: bool planes) or
    ``seigen`` (``seigen.envs.go_env``: float32, ``Board.features``); ``auto`` goes by the dtype."""
    if layout not in GO_LAYOUTS:
        raise ValueError(f"unknown Go observation layout {layout!r}; expected one of {', '.join(GO_LAYOUTS)}")
    if layout != "auto":
        return layout
    obs = observation["observation"] if isinstance(observation, Mapping) else observation
    return "pettingzoo" if np.asarray(obs).dtype == bool else "seigen"


def go_history(planes: np.ndarray, layout: str) -> tuple[str, list[tuple[np.ndarray, np.ndarray]]]:
    """The colour to move and the ``(black, white)`` stones of the 8 positions, newest first,
    from observation planes ``[N, N, 17]``.

    go_v5 stacks, for each position back in time, first the stones of the player who made
    that position's last move and then the other's (so the order alternates with the
    side to move), and its last plane is all ones when *white* is to move. seigen's go_env
    has ``Board.features``: planes 0-7 the mover's, 8-15 the opponent's, plane 16 all ones
    when *black* is to move.
    """
    p = np.moveaxis(np.asarray(planes), -1, 0) != 0
    colour = p[2 * HISTORY]
    ones = bool(colour.all())
    if ones != bool(colour.any()):
        raise ValueError("not a Go observation: the colour plane is neither all zeros nor all ones")
    to_play = ("white" if ones else "black") if layout == "pettingzoo" else ("black" if ones else "white")
    positions = []
    for i in range(HISTORY):
        if layout == "pettingzoo":
            a, b = p[2 * i], p[2 * i + 1]
            mine, theirs = (b, a) if i % 2 == 0 else (a, b)
        else:
            mine, theirs = p[i], p[HISTORY + i]
        if np.any(mine & theirs):
            raise ValueError("not a Go observation: a point holds stones of both colours")
        positions.append((mine, theirs) if to_play == "black" else (theirs, mine))
    return to_play, positions


def go_observation_features(observation: Any, layout: str = "auto") -> np.ndarray:
    """A Go observation's planes in ``Board.features`` order, float32 ``[17, N, N]``: what the
    native game rebuilt from it must give."""
    layout = go_layout(observation, layout)
    obs = observation["observation"] if isinstance(observation, Mapping) else observation
    to_play, positions = go_history(np.asarray(obs), layout)
    n = np.asarray(obs).shape[0]
    out = np.zeros((2 * HISTORY + 1, n, n), dtype=np.float32)
    for i, (black, white) in enumerate(positions):
        mine, theirs = (black, white) if to_play == "black" else (white, black)
        out[i], out[HISTORY + i] = mine, theirs
    out[2 * HISTORY] = 1.0 if to_play == "black" else 0.0
    return out


def go_from_observation(
    observation: Any,
    *,
    rules: Rules | str = "chinese",
    komi: float | None = None,
    max_moves: int | None = None,
    layout: str = "auto",
) -> GoGame:
    """The Go game whose position, history and side to move are a Go observation's.

    The game starts at the newest empty position with black to move when the history
    reaches back to the start, else at the oldest position of the planes, set up as
    stones; each later position adds the move that leads to it (a pass when nothing
    changed). go_v5 plays simple ko without suicide, so its observations are replayed
    under ``rules`` with that ko rule and suicide off; ``komi`` and the scoring stay.
    """
    layout = go_layout(observation, layout)
    obs = observation["observation"] if isinstance(observation, Mapping) else observation
    obs = np.asarray(obs)
    if obs.ndim != 3 or obs.shape[0] != obs.shape[1] or obs.shape[2] != 2 * HISTORY + 1:
        raise ValueError(f"expected a Go observation of shape (N, N, {2 * HISTORY + 1}), got {obs.shape}")
    n = obs.shape[0]
    to_play, positions = go_history(obs, layout)
    rules = Rules.preset(rules) if isinstance(rules, str) else rules
    if komi is not None:
        rules = rules.with_komi(komi)
    if layout == "pettingzoo":
        rules = Rules(ko="simple", suicide=False, scoring=rules.scoring, komi=rules.komi)
    other = {"black": "white", "white": "black"}

    def mover(i: int) -> str:  # the colour to move at position i (0: now)
        return to_play if i % 2 == 0 else other[to_play]

    empty = [not (b.any() or w.any()) for b, w in positions]
    start = next((i for i in range(HISTORY) if empty[i] and mover(i) == "black"), HISTORY - 1)
    board = Board(n, rules=rules)
    if not (empty[start] and mover(start) == "black"):
        black, white = positions[start]
        try:
            board.setup(np.flatnonzero(black).tolist(), np.flatnonzero(white).tolist(), to_play=mover(start))
        except ValueError as e:
            raise ValueError(f"not a Go observation: the oldest position cannot be set up ({e})") from None
    for i in range(start, 0, -1):
        color = mover(i)
        (b0, w0), (b1, w1) = positions[i], positions[i - 1]
        before, after = (b0, b1) if color == "black" else (w0, w1)
        new = np.flatnonzero(after & ~before)
        if new.size > 1:
            raise ValueError(f"not a Go observation: {new.size} {color} stones appear in one move")
        move = int(new[0]) if new.size else n * n
        try:
            board.play(move, color)
        except IllegalMoveError as e:
            raise ValueError(
                f"not a Go observation: {color} {board.vertex(move)} is illegal ({e.reason})"
            ) from None
        colors = board.colors()
        if not (np.array_equal(colors == 1, b1) and np.array_equal(colors == 2, w1)):
            raise ValueError(
                f"not a Go observation: {color} {board.vertex(move)} does not give the next position"
            )
    if board.to_play != to_play:
        raise ValueError("not a Go observation: the side to move does not follow from the history")
    return GoGame(board, max_moves=max_moves)


# ---------------------------------------------------------------------- AlphaZero


class AlphaZeroAgent(SearchAgent):
    """A policy-value net with a search, for one game (``game``: the checkpoint's ``game`` dict).

    ``act(observation)`` plays in the matching PettingZoo env; ``select(games)`` and
    ``act_game(game)`` in native games. The agent is callable as ``agent(observation)``,
    so it can be an opponent of ``seigen.envs.classic.SingleAgentEnv``.
    """

    def __init__(
        self,
        net: Any,
        game: Mapping[str, Any],
        visits: int = 200,
        device: str | None = None,
        *,
        go_layout: str = "auto",
        name: str = "alphazero",
        **search: Any,
    ) -> None:
        super().__init__(NetEvaluator(net, device=device), visits, name=name, **search)
        self.net = net
        self.game = dict(game)
        self.meta: dict[str, Any] = {}  # the checkpoint's entries (step, path, ...) when loaded from a file
        if self.game.get("name") not in GAMES:
            raise ValueError(f"unknown game {self.game.get('name')!r}; expected one of {', '.join(GAMES)}")
        if go_layout not in GO_LAYOUTS:
            raise ValueError(
                f"unknown Go observation layout {go_layout!r}; expected one of {', '.join(GO_LAYOUTS)}"
            )
        self.go_layout = go_layout
        fresh = self.new_game()
        shape = tuple(fresh.feature_shape)
        self.num_actions = int(fresh.num_actions)
        c, h, w = shape
        self.observation_shape = (h, w, c)  # the PettingZoo observation it reads (channels last)
        self.source = {"tictactoe": "tictactoe_v3", "connect4": "connect_four_v3"}.get(
            self.game_name, f"Go {h}x{w} (go_v5 board_size={h})"
        )
        spec = getattr(getattr(net, "_orig_mod", net), "spec", None)
        if spec is not None and (spec.in_channels, spec.height, spec.width) != tuple(shape):
            raise ValueError(
                f"the net reads {spec.in_channels}x{spec.height}x{spec.width}, {self.game_name} has {shape}"
            )

    @property
    def game_name(self) -> str:
        return str(self.game["name"])

    @property
    def size(self) -> int | None:
        """The board size of a game played on several (Go; None for the other games)."""
        return int(self.game.get("size", 9)) if game_spec(self.game_name).sized else None

    def new_game(self) -> Game:
        """A fresh native game of the agent's kind (Go: its size, rules, komi and move cap)."""
        g = self.game
        return make_game(
            self.game_name,
            size=int(g.get("size", 9)),
            komi=g.get("komi"),
            rules=g.get("rules") or "chinese",
            max_moves=g.get("max_moves"),
        )

    def game_from_observation(self, observation: Any) -> Game:
        """The native game that an observation of the agent's game shows (``ValueError`` if none)."""
        if self.game_name == "tictactoe":
            return tictactoe_from_observation(observation)
        if self.game_name == "connect4":
            return connect4_from_observation(observation)
        _parts(observation, self.observation_shape, self.num_actions, self.source)
        return go_from_observation(
            observation,
            rules=self.game.get("rules") or "chinese",
            komi=self.game.get("komi"),
            max_moves=self.game.get("max_moves"),
            layout=self.go_layout,
        )

    def act(self, observation: Any) -> int:
        """The move for a PettingZoo observation of the player to move; always one its mask allows."""
        _, mask = _parts(observation, self.observation_shape, self.num_actions, self.source)
        if not mask.any():
            raise ValueError("the action_mask allows no move: the observation is not for the player to move")
        game = self.game_from_observation(observation)
        return self._choose(game, mask)

    __call__ = act

    def act_game(self, game: Game) -> int:
        return self._choose(game, game.legal_mask().astype(bool))

    def _choose(self, game: Game, allowed: np.ndarray) -> int:
        """The most visited root move (ties: higher prior) that ``allowed`` and the game both permit."""
        if game.is_terminal():
            raise ValueError("the game is over: there is no move to choose")
        legal = game.legal_mask().astype(bool) & allowed
        choices = np.flatnonzero(legal)
        if choices.size == 0:
            raise ValueError("no move is legal both in the game and in the action mask")
        if choices.size == 1:
            return int(choices[0])
        result = self.search([game])[0]
        actions, visits, _, prior, valid = result.root
        ok = valid & legal[actions]
        if not ok.any():
            return int(choices[0])
        order = np.lexsort((-prior, -visits))
        return int(actions[order[np.flatnonzero(ok[order])[0]]])


# ---------------------------------------------------------------------- model-free agents

DQN_GAMES = {spec.gym_id: spec.name for spec in GAMES.values() if spec.gym_id is not None}
"""The registry's games by the Gymnasium id of their single-agent env (``seigen/Go-v0``: ``go``)."""


def split_observation(
    observation: Any, obs_shape: tuple[int, ...], num_actions: int | None, env: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """A model-free agent's input: ``(observation array, boolean action mask or None)``.

    ``observation`` is a PettingZoo dict (``observation`` and ``action_mask``) or a bare array;
    a wrong shape, or a mask that allows nothing (not this player's turn), is a ``ValueError``."""
    mask = None
    if isinstance(observation, Mapping):
        if "observation" not in observation:
            raise ValueError("expected an observation dict with 'observation' (and 'action_mask')")
        mask = observation.get("action_mask")
        observation = observation["observation"]
    obs = np.asarray(observation)
    if obs.shape != obs_shape:
        raise ValueError(f"this agent reads observations of shape {obs_shape} ({env}), got {obs.shape}")
    if mask is None:
        return obs, None
    mask = np.asarray(mask)
    if mask.shape != (num_actions,):
        raise ValueError(f"expected an action_mask of shape ({num_actions},), got {mask.shape}")
    if not mask.any():
        raise ValueError("the action_mask allows no move: the observation is not for the player to move")
    return obs, mask.astype(bool)


class ModelFreeAgent:
    """A trained model-free policy (DQN, PPO, A2C): ``act(observation)`` for its env's
    observations (a PettingZoo dict with ``action_mask``, or a bare array), and for the board
    game it was trained on ``select(games)``, ``act_game(game)`` and ``new_game()`` on native
    games, whose features (channels last) are the env's observations. So it plays in the match
    harness, ``seigen play`` and ``seigen bench agents`` like an AlphaZero agent. Subclasses
    give ``policy(obs [B, ...], masks [B, A] or None) -> actions [B]``."""

    def __init__(self, config: Any, obs_shape: Sequence[int], num_actions: int | None, name: str) -> None:
        self.config = config
        self.name = name
        self.obs_shape = tuple(int(x) for x in obs_shape)
        self.num_actions = num_actions
        game = DQN_GAMES.get(config.env)
        self.game: dict[str, Any] | None = None
        if game is not None and game_spec(game).sized:  # observations are [N, N, C]
            self.game = {"name": game, "size": self.obs_shape[0], "komi": None, "rules": "chinese"}
        elif game is not None:
            self.game = {"name": game}

    def policy(self, obs: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def act(self, observation: Any) -> Any:
        obs, mask = split_observation(observation, self.obs_shape, self.num_actions, self.config.env)
        action = self.policy(obs[None], None if mask is None else mask[None])[0]
        return int(action) if self.num_actions is not None else action

    __call__ = act

    def select(self, games: Sequence[Game]) -> list[int]:
        """Moves in native games: their features, channels last, are the env's observations."""
        if not games:
            return []
        obs = np.stack([np.moveaxis(g.features(), 0, -1) for g in games])
        if obs.shape[1:] != self.obs_shape:
            raise ValueError(
                f"this agent reads observations of shape {self.obs_shape}, the games give {obs.shape[1:]}"
            )
        masks = np.stack([g.legal_mask() for g in games]).astype(bool)
        return [int(a) for a in self.policy(obs, masks)]

    def act_game(self, game: Game) -> int:
        return self.select([game])[0]

    def new_game(self) -> Game:
        if self.game is None:
            raise ValueError(f"this agent plays {self.config.env}, not a board game")
        return make_game(self.game["name"], size=self.game.get("size", 9))


class DQNAgent(ModelFreeAgent):
    """A trained DQN, greedy within the legal moves (see ``ModelFreeAgent``)."""

    def __init__(self, dqn: Any, config: Any, name: str = "dqn") -> None:
        super().__init__(config, dqn.obs_shape, int(dqn.num_actions), name)
        self.dqn = dqn

    def policy(self, obs: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
        return self.dqn.greedy(obs, masks)


class ActorCriticAgent(ModelFreeAgent):
    """A trained PPO or A2C policy (see ``ModelFreeAgent``): the most likely action (the
    Gaussian's mean for continuous actions, which ``act`` returns as an array) unless
    ``deterministic`` is False."""

    def __init__(self, learner: Any, name: str = "ppo", deterministic: bool = True) -> None:
        super().__init__(learner.cfg, learner.obs_shape, learner.action.get("n"), name)
        self.learner = learner
        self.deterministic = deterministic

    def policy(self, obs: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
        return self.learner.predict(obs, masks, self.deterministic)

    def match(self, opponent: Any, games: int, seed: int = 0) -> MatchOutcome:
        """A match against ``opponent`` (anything with ``select(games)``) in the arena's lock-step harness."""
        if self.game is None:
            raise ValueError(f"{self.config.env} is not a board game")
        name = self.game["name"]
        return play_match(
            self,
            opponent,
            name,
            games,
            size=self.game.get("size", 9),
            opening_moves=OPENING_PLIES.get(name, 2),
            seed=seed,
        )


def _load_dqn(checkpoint: Path, state: dict[str, Any], device: str | None) -> DQNAgent:
    from seigen.agents.dqn import DQN
    from seigen.agents.dqn_config import DQNConfig
    from seigen.agents.runs import CheckpointError, pick_device, read_run_config

    run_dir = checkpoint.parent.parent if checkpoint.parent.name == "checkpoints" else checkpoint.parent
    cfg = read_run_config(run_dir, DQNConfig, "DQN", "env")
    try:
        dqn = DQN(cfg, tuple(state["obs_shape"]), int(state["num_actions"]), pick_device(device))
        dqn.load_state_dict(state)
    except (KeyError, TypeError, RuntimeError, ValueError) as e:
        raise CheckpointError(f"{checkpoint}: does not match the run's network ({e})") from None
    dqn.q.eval()
    return DQNAgent(dqn, cfg)


def load_agent(
    path: str | Path, visits: int = 200, device: str | None = None, **search: Any
) -> AlphaZeroAgent | ModelFreeAgent:
    """The agent of a run directory (its latest checkpoint) or of a checkpoint file.

    An AlphaZero checkpoint gives an ``AlphaZeroAgent`` searching ``visits`` simulations
    per move (``search``: ``c_puct``, ``fpu_reduction``, ``leaves_per_tree``, ``seed``,
    ``go_layout``, ``name``); a DQN checkpoint (its run's ``config.json`` beside it) a
    greedy ``DQNAgent``; a PPO or A2C checkpoint an ``ActorCriticAgent`` (the most likely action). ``device``: default cuda when present. Anything else is a
    ``CheckpointError`` naming the file.
    """
    from seigen.agents.runs import CheckpointError, checkpoint_file, load_checkpoint

    path = checkpoint_file(path)
    state = load_checkpoint(path)
    kind = state.get("kind")
    if kind == "alphazero":
        from seigen.agents.pvnet import net_from_state

        net, meta = net_from_state(state, path)
        try:
            agent = AlphaZeroAgent(net, meta.get("game") or {}, visits, device, **search)
        except ValueError as e:
            raise CheckpointError(f"{path}: {e}") from None
        agent.meta = {k: v for k, v in meta.items() if k != "model"}
        return agent
    if kind in (None, "dqn") and "q" in state and "obs_shape" in state:
        return _load_dqn(path, state, device)
    if kind == "actor_critic":
        from seigen.agents.ppo import config_from_run, learner_from_state

        run_dir = path.parent.parent if path.parent.name == "checkpoints" else path.parent
        cfg = config_from_run(run_dir)
        return ActorCriticAgent(learner_from_state(state, cfg, path, device), name=cfg.algo)
    raise CheckpointError(
        f"{path}: not an agent checkpoint (kind {kind!r}; expected alphazero or a DQN run's)"
    )
