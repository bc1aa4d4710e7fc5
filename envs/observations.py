"""PettingZoo observations of the registry's games, turned back into native games.

A trained agent plays in PettingZoo envs (``tictactoe_v3``, ``connect_four_v3``,
``go_v5`` and ``seigen.envs.go_env``) but searches native games
(``seigen.engine.games``): these functions rebuild the game an observation shows, a legal
move order for tic-tac-toe and Connect Four, and for Go the oldest position of the history
planes as setup stones and the moves between the planes after it, so ko and the feature
history are right. ``split_observation`` checks a model-free agent's input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from seigen.engine.board import Board, IllegalMoveError
from seigen.engine.games import ConnectFour, Game, GoGame, TicTacToe
from seigen.engine.rules import Rules

GO_LAYOUTS = ("auto", "pettingzoo", "seigen")
HISTORY = 8  # positions in the Go feature planes


def observation_parts(
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
    obs, _ = observation_parts(observation, (3, 3, 2), 9, "tictactoe_v3")
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
    obs, _ = observation_parts(observation, (6, 7, 2), 7, "connect_four_v3")
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
