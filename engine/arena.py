"""The arena: matches between agents on the registry's games, all games in lock-step.

::

    outcome = play_match(net, RandomPlayer(), "connect4", games=20, opening_moves=2)
    outcome.wins, outcome.draws, outcome.losses, outcome.summary()

An agent is anything with a ``name`` and ``select(games) -> moves`` (:class:`Agent`): one
move for each of many games of the registry (``seigen.engine.games.GAMES``, by name).
Every player is one: ``RandomPlayer`` (the Elo anchor) and ``SearchPlayer`` (any evaluator:
rollouts, a net; ``MCTSPlayer`` and ``NetPlayer`` on Go) play every game, ``RolloutPlayer``
plays Go (``seigen.engine.players``); ``GTPAgent`` wraps any GTP engine for Go
(``seigen.engine.gtp_client``); the trained agents of ``seigen.agents.agent`` (AlphaZero
nets, and DQN, PPO and A2C policies through their board observations) play their game.
:func:`play_match` plays all its games in lock-step: at each ply every agent gets one
batched ``select`` call over all the games where it is to move, so a net is evaluated in
batches and a search runs many trees at once. Colours alternate (agent A moves first in
even games). With ``opening_moves=k`` each pair of games (2i, 2i+1) starts from the same
``k`` uniformly random plies (Go: no passes), played once with each colour, so that
deterministic agents do not replay one game over and over; evaluations use each game's
``GameSpec.opening_plies`` (:data:`OPENING_PLIES`): 2 for tic-tac-toe and Connect Four,
4 for Go. The result (:class:`MatchOutcome`) is counted from A's view; its ``summary``
has the keys of ``seigen.engine.ratings.head_to_head``.
No torch here: the agents bring their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from seigen.engine.games import GAMES, GoGame, make_game
from seigen.engine.ratings import head_to_head

__all__ = ["OPENING_PLIES", "Agent", "MatchOutcome", "new_game", "play_match"]


class _OpeningPlies(Mapping[str, int]):
    """The registry's ``opening_plies`` by game name, as a read-only mapping (games
    registered later included)."""

    def __getitem__(self, name: str) -> int:
        if name not in GAMES:
            raise KeyError(name)
        return GAMES[name].opening_plies

    def __iter__(self) -> Iterator[str]:
        return iter(GAMES)

    def __len__(self) -> int:
        return len(GAMES)

    def __repr__(self) -> str:
        return repr(dict(self))


OPENING_PLIES: Mapping[str, int] = _OpeningPlies()
"""Random plies at the start of each evaluation game pair, by game (``GameSpec.opening_plies``)."""


class Agent(Protocol):
    """A player of native games: one move for each game it is given, all at once."""

    name: str

    def select(self, games: Sequence[Any]) -> list[int]: ...


@dataclass
class MatchOutcome:
    """The games of agent A (``player``) against B (``opponent``), counted from A's view.

    Per game ``i``: ``a_first[i]`` (A moved first), ``moves[i]`` (the whole game, opening
    included), ``results[i]`` (+1, 0, -1 for A; None when the match stopped before the
    game ended). Only finished games count in ``wins``, ``draws``, ``losses``.
    """

    player: str
    opponent: str
    game: str
    opening_moves: int = 0
    a_first: list[bool] = field(default_factory=list)
    moves: list[list[int]] = field(default_factory=list)
    results: list[float | None] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def wins(self) -> int:
        return sum(1 for r in self.results if r is not None and r > 0)

    @property
    def draws(self) -> int:
        return sum(1 for r in self.results if r is not None and r == 0)

    @property
    def losses(self) -> int:
        return sum(1 for r in self.results if r is not None and r < 0)

    @property
    def games(self) -> int:
        """Finished games."""
        return self.wins + self.draws + self.losses

    @property
    def points(self) -> float:
        """Wins plus half the draws."""
        return self.wins + 0.5 * self.draws

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dict: ``seigen.engine.ratings.head_to_head`` of the finished games (W-D-L,
        the win rate with its 95% Wilson interval, the Elo difference from this match alone with
        its interval), ``wdl_first`` (the W-D-L of the games A moved first in) and ``seconds``."""
        first = [r for r, f in zip(self.results, self.a_first, strict=True) if f and r is not None]
        out = head_to_head(self.wins, self.draws, self.losses)
        won, drawn, lost = sum(r > 0 for r in first), sum(r == 0 for r in first), sum(r < 0 for r in first)
        out["wdl_first"] = f"{won}-{drawn}-{lost}"
        out["seconds"] = round(self.seconds, 3)
        if self.interrupted:
            out["interrupted"] = True
        return out

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per game: players, who moved first, moves and result (A's view)."""
        return [
            {
                "game": i,
                "player": self.player,
                "opponent": self.opponent,
                "player_first": first,
                "opening_moves": self.opening_moves,
                "moves": moves,
                "result": result,
            }
            for i, (first, moves, result) in enumerate(
                zip(self.a_first, self.moves, self.results, strict=True)
            )
        ]


def new_game(
    game_name: str,
    *,
    size: int = 9,
    komi: float | None = None,
    rules: str = "chinese",
    max_moves: int | None = None,
) -> Any:
    """A fresh game of the registry (``max_moves`` caps Go games; None keeps ``GoGame``'s default)."""
    return make_game(game_name, size=size, komi=komi, rules=rules, max_moves=max_moves)


def _opening(make: Callable[[], Any], plies: int, rng: np.random.Generator) -> list[int]:
    """``plies`` uniformly random moves that do not end the game (Go: no passes)."""
    for _ in range(100):
        game = make()
        moves: list[int] = []
        while len(moves) < plies and not game.is_terminal():
            legal = game.legal_actions()
            if isinstance(game, GoGame) and len(legal) > 1:
                legal = legal[legal != game.size * game.size]
            move = int(rng.choice(legal))
            game.play(move)
            moves.append(move)
        if not game.is_terminal():
            return moves
    raise ValueError(f"no opening of {plies} plies that leaves the game running")


def play_match(
    agent_a: Agent,
    agent_b: Agent,
    game_name: str,
    games: int,
    *,
    size: int = 9,
    komi: float | None = None,
    rules: str = "chinese",
    max_moves: int | None = None,
    opening_moves: int = 0,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> MatchOutcome:
    """Play ``games`` games of ``game_name`` between two agents, all in lock-step.

    A moves first in even games, B in odd ones. At each ply each agent gets one batched
    ``select`` call over the games where it is to move. With ``opening_moves`` > 0 games
    2i and 2i+1 start from the same random opening (seeded by ``seed``). ``should_stop``
    is polled before every batched call; once it returns True the match stops and the
    unfinished games are left out of the counts (``interrupted``).
    """
    if games < 1:
        raise ValueError(f"games must be at least 1, got {games}")
    if opening_moves < 0:
        raise ValueError(f"opening_moves must be at least 0, got {opening_moves}")
    started = time.monotonic()

    def make() -> Any:
        return new_game(game_name, size=size, komi=komi, rules=rules, max_moves=max_moves)

    outcome = MatchOutcome(
        getattr(agent_a, "name", "A"), getattr(agent_b, "name", "B"), game_name, opening_moves=opening_moves
    )
    boards = []
    for i in range(games):
        if i % 2 == 0:
            opening = (
                _opening(make, opening_moves, np.random.default_rng([seed, i // 2])) if opening_moves else []
            )
        g = make()
        for move in opening:
            g.play(move)
        boards.append(g)
    outcome.a_first = [i % 2 == 0 for i in range(games)]
    live = list(range(games))
    while live:
        # one round: every live game gets one move, from whichever agent is to move in it
        a_turn = [i for i in live if (boards[i].to_play == 0) == outcome.a_first[i]]
        b_turn = [i for i in live if (boards[i].to_play == 0) != outcome.a_first[i]]
        for agent, mine in ((agent_a, a_turn), (agent_b, b_turn)):
            if not mine:
                continue
            if should_stop is not None and should_stop():
                outcome.interrupted = True
                break
            actions = agent.select([boards[i] for i in mine])
            if len(actions) != len(mine):
                raise ValueError(
                    f"{getattr(agent, 'name', agent)} gave {len(actions)} moves for {len(mine)} games"
                )
            for i, action in zip(mine, actions, strict=True):
                try:
                    boards[i].play(int(action))
                except ValueError as e:
                    raise ValueError(
                        f"{getattr(agent, 'name', agent)} played an illegal move in game {i} "
                        f"({game_name}, moves {boards[i].history}): {e}"
                    ) from None
        if outcome.interrupted:
            break
        live = [i for i in live if not boards[i].is_terminal()]
    outcome.moves = [list(g.history) for g in boards]
    outcome.results = [
        (float(g.returns()) * (1 if first else -1)) + 0.0 if g.is_terminal() else None
        for g, first in zip(boards, outcome.a_first, strict=True)
    ]
    outcome.seconds = time.monotonic() - started
    return outcome
