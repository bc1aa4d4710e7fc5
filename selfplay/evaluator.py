"""The evaluator: matches between agents, an Elo ladder, and the loop that rates every new net.

::

    outcome = play_match(net, RandomAgent(), "connect4", games=20, opening_moves=2)
    outcome.wins, outcome.draws, outcome.losses, outcome.summary()

    row = evaluate_checkpoint("runs/c4/checkpoints/step-000001000.pt", previous=older, games=20)
    row["vs"]["random"]["win_rate"], row["elo"], row["elo_low"], row["elo_high"]

    run_evaluator("runs/c4", every_minutes=5, games=20, visits=100, device="cpu", stop=event)

**Matches** (:func:`play_match`) play all their games in lock-step: at each ply every
agent gets one batched ``select`` call over all the games where it is to move, so a net
is evaluated in batches and a search runs many trees at once. Colours alternate (agent A
moves first in even games). With ``opening_moves=k`` each pair of games (2i, 2i+1)
starts from the same ``k`` uniformly random plies (Go: no passes), played once with each
colour, so that deterministic agents do not replay one game over and over; evaluations
use 2 plies for tic-tac-toe and Connect Four and 4 for Go (:data:`OPENING_PLIES`).

**Ratings** (:class:`EloLadder`) are the maximum a posteriori Bradley-Terry (logistic,
400-point scale) ratings from all games played between any players, with ``random`` (the
uniformly random agent) fixed at 0. Draws are half points. Each pair of players that
met gets ``prior_draws`` virtual draws (one by default, as BayesElo does), so a clean
sweep still gives a finite rating; the 95% interval comes from the curvature of the
log-likelihood (the inverse Hessian), relative to ``random``.

**Evaluation** (:func:`evaluate_checkpoint`) of a net: matches against ``random``, the
rollout MCTS anchor (a search with random-playout values at the same visits,
``mcts-rollout-<visits>``; for Go the playouts fill no own eye and the prior discourages
eye-filling and passing) and the previous evaluated net; optionally (Go) against GNU Go
through ``seigen gtp --player net``. The net plays as ``step-<N>``.

**The loop** (:func:`run_evaluator`) watches ``RUN_DIR/checkpoints/latest``, evaluates a
new checkpoint once ``every_minutes`` have passed since the last evaluation, and appends
one JSON row per evaluation to ``RUN_DIR/eval.jsonl`` (:func:`read_eval` skips a torn
last line). On restart the ladder is rebuilt from ``eval.jsonl``, so ratings survive a
resume; a checkpoint that does not load becomes a row with ``error`` and is skipped.
The games themselves go to ``RUN_DIR/eval_games/step-<N>.jsonl`` (one line per game:
opponent, colour, moves, result).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from seigen.engine.games import GoGame, make_game
from seigen.engine.match import elo_interval, wilson_interval

__all__ = [
    "OPENING_PLIES",
    "EloLadder",
    "MatchOutcome",
    "anchor_agent",
    "append_eval",
    "evaluate_checkpoint",
    "find_gnugo",
    "ladder_from_rows",
    "new_game",
    "play_match",
    "player_name",
    "read_eval",
    "resolve_device",
    "run_evaluator",
]

log = logging.getLogger(__name__)

OPENING_PLIES = {"tictactoe": 2, "connect4": 2, "go": 4}
"""Random plies at the start of each evaluation game pair, by game."""

ANCHOR = "random"
ELO_PER_NAT = 400.0 / math.log(10.0)
Z95 = 1.959963984540054


class Agent(Protocol):
    name: str

    def select(self, games: Sequence[Any]) -> list[int]: ...


# ============================================================================ matches


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
        """A JSON-ready dict: W-D-L (all, and with A moving first), the win rate with its
        95% Wilson interval, and the Elo difference from this match alone with its interval."""
        first = [r for r, f in zip(self.results, self.a_first, strict=True) if f and r is not None]
        out: dict[str, Any] = {
            "games": self.games,
            "wins": self.wins,
            "draws": self.draws,
            "losses": self.losses,
            "wdl": f"{self.wins}-{self.draws}-{self.losses}",
            "wdl_first": f"{sum(r > 0 for r in first)}-{sum(r == 0 for r in first)}-{sum(r < 0 for r in first)}",
            "points": self.points,
        }
        if self.games:
            low, high = wilson_interval(self.points, self.games)
            elo, elo_low, elo_high = elo_interval(self.points, self.games)
            out.update(
                win_rate=round(self.points / self.games, 4),
                wilson_low=round(low, 4),
                wilson_high=round(high, 4),
                elo_diff=round(elo, 1),
                elo_diff_low=round(elo_low, 1),
                elo_diff_high=round(elo_high, 1),
            )
        else:
            out.update(
                dict.fromkeys(
                    ("win_rate", "wilson_low", "wilson_high", "elo_diff", "elo_diff_low", "elo_diff_high")
                )
            )
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
    """A fresh native game (``max_moves`` caps Go games; None keeps ``GoGame``'s default)."""
    if game_name == "go":
        return GoGame(size=size, rules=rules, komi=komi, max_moves=max_moves)
    return make_game(game_name, size=size, komi=komi, rules=rules)


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


# ============================================================================ the ladder


class EloLadder:
    """Bradley-Terry ratings on the Elo scale from all games between any players.

    ``anchor`` (``random``) is rated 0; players with no chain of games to it have no
    rating (None). Each pair of players that met gets ``prior_draws`` virtual draws.
    """

    def __init__(self, anchor: str = ANCHOR, prior_draws: float = 1.0) -> None:
        if prior_draws < 0:
            raise ValueError(f"prior_draws must be at least 0, got {prior_draws}")
        self.anchor = anchor
        self.prior_draws = prior_draws
        self.pairs: dict[tuple[str, str], list[int]] = {}  # (a, b), a < b: [a's wins, draws, b's wins]

    def add(self, a: str, b: str, wins: int, draws: int, losses: int) -> None:
        """Record games of ``a`` against ``b``: ``wins``/``draws``/``losses`` from ``a``'s view."""
        if a == b:
            raise ValueError(f"a player cannot play itself in the ladder: {a!r}")
        if min(wins, draws, losses) < 0:
            raise ValueError("game counts must not be negative")
        if a > b:
            a, b, wins, losses = b, a, losses, wins
        tally = self.pairs.setdefault((a, b), [0, 0, 0])
        tally[0] += int(wins)
        tally[1] += int(draws)
        tally[2] += int(losses)

    def add_outcome(self, outcome: MatchOutcome) -> None:
        if outcome.games:
            self.add(outcome.player, outcome.opponent, outcome.wins, outcome.draws, outcome.losses)

    @property
    def players(self) -> list[str]:
        names = {self.anchor}
        for a, b in self.pairs:
            names.update((a, b))
        return sorted(names)

    def ratings(self) -> dict[str, dict[str, Any]]:
        """Every player's ``elo``, ``elo_low``, ``elo_high`` (95%, relative to the anchor),
        ``games`` and ``points``; the ratings are None for players not linked to the anchor."""
        names = self.players
        index = {n: i for i, n in enumerate(names)}
        k = len(names)
        s = np.zeros((k, k))  # s[i, j]: i's points against j, virtual draws included
        n = np.zeros((k, k))
        for (a, b), (w, d, lo) in self.pairs.items():
            games = w + d + lo
            if games == 0:
                continue
            i, j = index[a], index[b]
            v = self.prior_draws
            s[i, j] += w + 0.5 * d + 0.5 * v
            s[j, i] += lo + 0.5 * d + 0.5 * v
            n[i, j] += games + v
            n[j, i] += games + v
        linked = _component(n, index[self.anchor])
        free = [i for i in linked if i != index[self.anchor]]
        r = np.zeros(k)
        cov = np.zeros((0, 0))
        if free:
            r, cov = _fit(s, n, free)
        out: dict[str, dict[str, Any]] = {}
        for name, i in index.items():
            games = points = 0.0
            for pair, (w, d, lo) in self.pairs.items():
                if name in pair:
                    games += w + d + lo
                    points += (w if name == pair[0] else lo) + 0.5 * d
            row: dict[str, Any] = {"games": int(games), "points": points}
            if i not in linked:
                row.update(elo=None, elo_low=None, elo_high=None)
            elif i == index[self.anchor]:
                row.update(elo=0.0, elo_low=0.0, elo_high=0.0)
            else:
                f = free.index(i)
                elo = r[i] * ELO_PER_NAT
                half = Z95 * math.sqrt(max(cov[f, f], 0.0)) * ELO_PER_NAT
                row.update(
                    elo=round(float(elo), 1),
                    elo_low=round(float(elo - half), 1),
                    elo_high=round(float(elo + half), 1),
                )
            out[name] = row
        return out

    def rating(self, name: str) -> float | None:
        return self.ratings().get(name, {}).get("elo")

    def to_rows(self) -> list[dict[str, Any]]:
        """The ladder as plain rows ``{"a", "b", "wins", "draws", "losses"}`` (``a``'s view)."""
        return [
            {"a": a, "b": b, "wins": w, "draws": d, "losses": lo}
            for (a, b), (w, d, lo) in sorted(self.pairs.items())
        ]

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, Any]], **kwargs: Any) -> EloLadder:
        ladder = cls(**kwargs)
        for row in rows:
            ladder.add(row["a"], row["b"], row["wins"], row["draws"], row["losses"])
        return ladder


def _component(n: np.ndarray, start: int) -> list[int]:
    """The players linked to ``start`` by games (sorted indices)."""
    seen = {start}
    stack = [start]
    while stack:
        i = stack.pop()
        for j in np.flatnonzero(n[i] > 0):
            if int(j) not in seen:
                seen.add(int(j))
                stack.append(int(j))
    return sorted(seen)


def _fit(s: np.ndarray, n: np.ndarray, free: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Newton's method on the log-likelihood (natural units), the others fixed at 0.

    ``s[i, j]``: i's points against j, ``n[i, j]``: their games. Returns all ratings and
    the covariance of the free ones (the inverse of the negated Hessian). The
    log-likelihood is concave, and strictly so over ``free`` when every free player is
    linked to a fixed one, so a damped Newton step converges -- to a finite point as
    long as no player's score is all or nothing (the virtual draws see to that).
    """
    r = np.zeros(s.shape[0])
    f = np.array(free)

    def loglik(r: np.ndarray) -> float:
        return float(np.sum(s * -np.logaddexp(0.0, -(r[:, None] - r[None, :]))))

    def curvature(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The gradient over ``free`` and the negated Hessian over ``free``."""
        p = 1.0 / (1.0 + np.exp(-(r[:, None] - r[None, :])))
        w = n * p * (1.0 - p)
        neg_hess = -w
        np.fill_diagonal(neg_hess, w.sum(axis=1))
        return (s - n * p).sum(axis=1)[f], neg_hess[np.ix_(f, f)]

    for _ in range(100):
        grad, neg_hess = curvature(r)
        step = np.linalg.lstsq(neg_hess, grad, rcond=None)[0]
        base, t = loglik(r), 1.0
        while True:
            trial = r.copy()
            trial[f] += t * step
            if loglik(trial) >= base - 1e-12 or t < 1e-6:
                break
            t *= 0.5
        r = trial
        if np.max(np.abs(t * step)) < 1e-9:
            break
    return r, np.linalg.pinv(curvature(r)[1])


def ladder_from_rows(rows: Iterable[dict[str, Any]], **kwargs: Any) -> EloLadder:
    """The ladder of a run, rebuilt from its evaluation rows (``eval.jsonl``)."""
    ladder = EloLadder(**kwargs)
    for row in rows:
        if row.get("error") or "player" not in row:
            continue
        for opponent, result in row.get("vs", {}).items():
            if isinstance(result, dict) and "wins" in result and result.get("games"):
                ladder.add(row["player"], opponent, result["wins"], result["draws"], result["losses"])
    return ladder


# ============================================================================ evaluation


def anchor_agent(game_name: str, visits: int, *, seed: int = 0, rollouts: int = 1) -> Any:
    """The rollout MCTS anchor: a search over random-playout values (Go: eye-aware)."""
    from seigen.agents.agent import SearchAgent
    from seigen.engine.search import RolloutEvaluator

    if game_name == "go":
        from seigen.engine.players import EyeAwareRollouts

        evaluator: Any = EyeAwareRollouts(rollouts)
    else:
        evaluator = RolloutEvaluator(rollouts)
    return SearchAgent(evaluator, visits, seed=seed, name=f"mcts-rollout-{visits}")


def player_name(meta: dict[str, Any]) -> str:
    """A net's name in the ladder: ``step-<N>``."""
    return f"step-{int(meta.get('step', 0))}"


def _game_settings(meta: dict[str, Any]) -> dict[str, Any]:
    game = dict(meta.get("game") or {})
    name = game.get("name")
    if name not in ("tictactoe", "connect4", "go"):
        raise ValueError(f"{meta.get('path', 'the checkpoint')}: unknown game {name!r} in its metadata")
    return {
        "game_name": name,
        "size": int(game.get("size") or 9),
        "komi": game.get("komi"),
        "rules": game.get("rules") or "chinese",
        "max_moves": game.get("max_moves"),
    }


def evaluate_checkpoint(
    path: str | os.PathLike,
    *,
    previous: str | os.PathLike | tuple[Any, dict[str, Any]] | None = None,
    games: int = 20,
    visits: int = 50,
    device: str = "cpu",
    opening_moves: int | None = None,
    seed: int = 0,
    ladder: EloLadder | None = None,
    should_stop: Callable[[], bool] | None = None,
    gnugo: bool = False,
    gnugo_games: int = 4,
    gnugo_level: int = 1,
    games_file: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Rate one checkpoint (or a run directory's latest) against the anchors; a JSON-ready row.

    Matches of ``games`` games (colours alternating, ``opening_moves`` random plies per
    pair, default :data:`OPENING_PLIES`) against ``random``, ``mcts-rollout-<visits>`` and
    ``previous`` (a checkpoint path, or a ``(net, meta)`` pair from ``load_net``); with
    ``gnugo`` (Go only) also ``gnugo_games`` games against GNU Go at ``gnugo_level``
    through ``seigen gtp --player net``. The results go into ``ladder`` (a fresh one when
    None) and the row gives the net's rating from the whole ladder.

    The row: ``step``, ``player`` (``step-<N>``), ``checkpoint``, ``game``, ``visits``,
    ``games``, ``opening_moves``, ``time`` (start, seconds since the epoch), ``seconds``;
    ``vs``: per opponent the W-D-L, win rate with Wilson interval and the match's own Elo
    difference (see :meth:`MatchOutcome.summary`), or ``{"error": ...}``; ``elo``,
    ``elo_low``, ``elo_high`` (the ladder's, relative to random); ``ladder``: every rated
    player's ``elo`` and interval; ``interrupted`` when ``should_stop`` cut it short
    (then the ladder is left unchanged). ``CheckpointError`` when ``path`` does not load.
    """
    from seigen.agents.pvnet import load_net

    device = resolve_device(device)
    net, meta = load_net(path, device)
    return _evaluate(
        net,
        meta,
        previous=previous,
        games=games,
        visits=visits,
        device=device,
        opening_moves=opening_moves,
        seed=seed,
        ladder=ladder,
        should_stop=should_stop,
        gnugo=gnugo,
        gnugo_games=gnugo_games,
        gnugo_level=gnugo_level,
        games_file=games_file,
    )


def _evaluate(
    net: Any,
    meta: dict[str, Any],
    *,
    previous: str | os.PathLike | tuple[Any, dict[str, Any]] | None,
    games: int,
    visits: int,
    device: str,
    opening_moves: int | None,
    seed: int,
    ladder: EloLadder | None,
    should_stop: Callable[[], bool] | None,
    gnugo: bool,
    gnugo_games: int,
    gnugo_level: int,
    games_file: str | os.PathLike | None,
) -> dict[str, Any]:
    from seigen.agents.agent import RandomAgent, net_agent
    from seigen.agents.pvnet import load_net
    from seigen.agents.runs import CheckpointError

    started_wall, started = time.time(), time.monotonic()
    settings = _game_settings(meta)
    game_name = settings["game_name"]
    if opening_moves is None:
        opening_moves = OPENING_PLIES[game_name]
    name = player_name(meta)
    me = net_agent(net, visits, device, name=name, seed=seed)
    opponents: list[Any] = [RandomAgent(seed), anchor_agent(game_name, visits, seed=seed + 1)]
    vs: dict[str, Any] = {}
    if previous is not None:
        try:
            prev_net, prev_meta = (
                load_net(previous, device) if isinstance(previous, (str, os.PathLike)) else previous
            )
            prev_name = player_name(prev_meta)
            if prev_name == name:
                prev_name = f"{prev_name}-previous"
            if _game_settings(prev_meta)["game_name"] != game_name:
                raise CheckpointError(
                    f"{prev_meta.get('path')}: a net for {_game_settings(prev_meta)['game_name']}"
                )
            opponents.append(net_agent(prev_net, visits, device, name=prev_name, seed=seed + 2))
        except (CheckpointError, ValueError) as e:
            vs["previous"] = {"error": str(e)}
            log.warning("previous net not played: %s", e)
    row: dict[str, Any] = {
        "step": int(meta.get("step", 0)),
        "player": name,
        "checkpoint": str(meta.get("path", "")),
        "game": {"name": game_name}
        | ({k: v for k, v in settings.items() if k != "game_name"} if game_name == "go" else {}),
        "visits": visits,
        "games": games,
        "opening_moves": opening_moves,
        "time": round(started_wall, 3),
    }
    outcomes = []
    for k, opponent in enumerate(opponents):
        outcome = play_match(
            me,
            opponent,
            game_name,
            games,
            size=settings["size"],
            komi=settings["komi"],
            rules=settings["rules"],
            max_moves=settings["max_moves"],
            opening_moves=opening_moves,
            seed=seed * 1000 + k,
            should_stop=should_stop,
        )
        vs[outcome.opponent] = outcome.summary()
        outcomes.append(outcome)
        if outcome.interrupted:
            break
        log.info("%s vs %s: %s", name, outcome.opponent, vs[outcome.opponent]["wdl"])
    interrupted = any(o.interrupted for o in outcomes)
    if gnugo and not interrupted:
        if game_name != "go":
            vs["gnugo"] = {"error": f"GNU Go plays Go only, not {game_name}"}
        else:
            key, result = _gnugo_match(meta, settings, gnugo_games, visits, gnugo_level, should_stop, device)
            vs[key] = result
    row["vs"] = vs
    if interrupted:
        row["interrupted"] = True
    else:
        ladder = ladder if ladder is not None else EloLadder()
        for outcome in outcomes:
            ladder.add_outcome(outcome)
        for key, result in vs.items():
            if key.startswith("gnugo") and result.get("games"):
                ladder.add(name, key, result["wins"], result["draws"], result["losses"])
        ratings = ladder.ratings()
        mine = ratings.get(name, {})
        row.update(elo=mine.get("elo"), elo_low=mine.get("elo_low"), elo_high=mine.get("elo_high"))
        row["ladder"] = {
            p: {k: r[k] for k in ("elo", "elo_low", "elo_high", "games")} for p, r in ratings.items()
        }
        if games_file is not None:
            path = Path(games_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as f:
                for outcome in outcomes:
                    for record in outcome.records():
                        f.write(json.dumps(record) + "\n")
    row["seconds"] = round(time.monotonic() - started, 3)
    return row


def resolve_device(device: str | None) -> str:
    """``auto`` (or None): ``cuda`` when torch sees a GPU, else ``cpu``; anything else as given."""
    if device in (None, "auto"):
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def find_gnugo() -> str | None:
    """GNU Go's path (``GNUGO``, then ``gnugo`` on PATH, then ``/usr/games/gnugo``), or None."""
    for candidate in (os.environ.get("GNUGO"), shutil.which("gnugo"), "/usr/games/gnugo"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _gnugo_match(
    meta: dict[str, Any],
    settings: dict[str, Any],
    games: int,
    visits: int,
    level: int,
    should_stop: Callable[[], bool] | None,
    device: str = "cpu",
) -> tuple[str, dict[str, Any]]:
    """A short match against GNU Go through ``seigen gtp --player net`` (never raises).

    GNU Go plays the same moves for the same position, and so does a net at a fixed
    seed: expect few distinct games. The match can only stop between games.
    """
    import tempfile

    from seigen.engine.match import MatchError, MatchSettings, run_match

    key = f"gnugo-{level}"
    gnugo = find_gnugo()
    if gnugo is None:
        return key, {"error": "GNU Go not found (gnugo on PATH, /usr/games/gnugo or GNUGO=...)"}
    komi = settings["komi"]
    net_cmd = [
        sys.executable, "-m", "seigen.scripts.cli", "gtp", "--player", "net", "--model", str(meta["path"]),
        "--visits", str(visits), "--size", str(settings["size"]), "--rules", settings["rules"],
        "--device", device if device in ("cpu", "cuda") else "auto",
    ]  # fmt: skip
    if device == "cpu":
        # one torch thread: a small net on one position at a time runs many times faster
        # that way on a busy machine (and GNU Go and the evaluator need the other cores)
        net_cmd = ["env", "OMP_NUM_THREADS=1", *net_cmd]
    if komi is not None:
        net_cmd += ["--komi", str(komi)]
    gnugo_cmd = [
        gnugo,
        "--mode",
        "gtp",
        "--level",
        str(level),
        "--chinese-rules",
        "--positional-superko",
        "--capture-all-dead",
    ]

    def on_game(record: Any, result: Any) -> None:
        if should_stop is not None and should_stop():
            raise KeyboardInterrupt  # run_match's own way to stop early, keeping the games so far

    sgf_dir = tempfile.mkdtemp(prefix="seigen-eval-gnugo-")
    try:
        match = run_match(
            MatchSettings(
                black=net_cmd,
                white=gnugo_cmd,
                games=games,
                size=settings["size"],
                komi=komi,
                rules=settings["rules"],
                alternate=True,
                max_moves=settings["max_moves"],
                sgf_dir=sgf_dir,
                move_timeout=120.0,
            ),
            on_game=on_game,
        )
        summary = match.summary()
    except (MatchError, OSError, ValueError) as e:
        return key, {"error": f"{type(e).__name__}: {e}"}
    finally:
        shutil.rmtree(sgf_dir, ignore_errors=True)
    a = summary["engines"]["A"]
    out: dict[str, Any] = {
        "games": a["games"],
        "wins": a["wins"],
        "draws": a["draws"],
        "losses": a["losses"],
        "wdl": f"{a['wins']}-{a['draws']}-{a['losses']}",
        "points": a["wins"] + 0.5 * a["draws"],
        "forfeits": summary["forfeits"],
    }
    if a["games"]:
        out.update(
            win_rate=round(a["win_rate"], 4),
            wilson_low=round(a["wilson_low"], 4),
            wilson_high=round(a["wilson_high"], 4),
            elo_diff=round(a["elo"], 1),
            elo_diff_low=round(a["elo_low"], 1),
            elo_diff_high=round(a["elo_high"], 1),
        )
    if summary["forfeit_games"]:
        out["forfeit_games"] = summary["forfeit_games"][:4]
    if match.interrupted:
        out["interrupted"] = True
    return key, out


# ============================================================================ the loop


def read_eval(run_dir: str | os.PathLike) -> list[dict[str, Any]]:
    """The rows of ``RUN_DIR/eval.jsonl`` (or of that file), skipping any line that does not
    parse (a torn last line from a crash); no file, no rows."""
    path = Path(run_dir)
    if path.is_dir():
        path = path / "eval.jsonl"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    rows = []
    for line in text.splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            row = json.loads(line)
            if isinstance(row, dict):
                rows.append(row)
    return rows


def append_eval(run_dir: str | os.PathLike, row: dict[str, Any]) -> None:
    """Append one row to ``RUN_DIR/eval.jsonl`` (or to the ``.jsonl`` file given) as one line
    (after a newline if the file ends in a torn line, so the torn part stays a line of its own)."""
    path = Path(run_dir)
    if path.suffix != ".jsonl":
        path = path / "eval.jsonl"
    line = json.dumps(row) + "\n"
    with open(path, "a+b", buffering=0) as f:
        if f.seek(0, os.SEEK_END) > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                line = "\n" + line
        f.write(line.encode("utf-8"))


def _pause(stop: Any, seconds: float) -> None:
    """Sleep ``seconds`` or until ``stop.is_set()`` (any object with ``is_set``, e.g. a watch on an event)."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.05))


def run_evaluator(
    run_dir: str | os.PathLike,
    *,
    every_minutes: float = 0.0,
    games: int = 20,
    visits: int = 50,
    device: str = "cpu",
    stop: Any = None,
    poll_seconds: float = 2.0,
    opening_moves: int | None = None,
    seed: int = 0,
    gnugo: bool = False,
    gnugo_games: int = 4,
    gnugo_level: int = 1,
    threads: int | None = 1,
    max_evaluations: int | None = None,
) -> int:
    """The evaluator's loop: rate each new checkpoint of a run; returns the evaluations made.

    Polls ``latest_checkpoint(run_dir)`` every ``poll_seconds``. A checkpoint not yet
    evaluated is evaluated when ``every_minutes`` have passed since the start of the last
    evaluation (the first one always), against the previous evaluated net; one row per
    evaluation is appended to ``eval.jsonl``. A checkpoint that does not load gives a row
    with ``error`` and is skipped. On (re)start the ladder, the last evaluated
    checkpoint and the time of the last evaluation come from ``eval.jsonl``. ``stop`` (a
    ``threading.Event``, ``multiprocessing.Event`` or anything with ``is_set()``) ends the
    loop within about one batched search of being set (a GNU Go match only between its
    games); an evaluation cut short writes no row and is redone on restart.
    Any other failure of an evaluation is logged and written as an ``error`` row too.
    ``threads`` sets torch's threads (None leaves them); ``device`` ``auto`` means cuda when present.
    """
    from seigen.agents.pvnet import load_net
    from seigen.agents.runs import CheckpointError, latest_checkpoint

    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    run_dir = Path(run_dir)
    device = resolve_device(device)
    stop = stop if stop is not None else threading.Event()
    rows = read_eval(run_dir)
    ladder = ladder_from_rows(rows)
    last_seen = Path(rows[-1].get("checkpoint", "")).name if rows else None
    done = [r for r in rows if not r.get("error") and "player" in r]
    last_time: float | None = done[-1].get("time") if done else None
    previous: Any = done[-1].get("checkpoint") if done else None  # a path until loaded
    count = 0
    while not stop.is_set():
        latest = latest_checkpoint(run_dir)
        due = last_time is None or time.time() - last_time >= 60.0 * every_minutes
        if latest is None or latest.name == last_seen or not due:
            _pause(stop, poll_seconds)
            continue
        try:
            net, meta = load_net(latest, device)
            _game_settings(meta)
        except (CheckpointError, ValueError) as e:
            if not latest.exists():
                _pause(stop, poll_seconds)
                continue  # removed under us (an old checkpoint dropped): look again
            log.warning("skipping checkpoint %s: %s", latest.name, e)
            append_eval(run_dir, {"checkpoint": str(latest), "time": round(time.time(), 3), "error": str(e)})
            last_seen = latest.name
            continue
        if isinstance(previous, str) and not Path(previous).exists():
            previous = None  # deleted since (old checkpoints are dropped): no match against it
        step = int(meta.get("step", 0))
        try:
            row = _evaluate(
                net,
                meta,
                previous=previous,
                games=games,
                visits=visits,
                device=device,
                opening_moves=opening_moves,
                seed=seed + len(done) + count,  # fresh openings for every evaluation of the run
                ladder=ladder,
                should_stop=stop.is_set,
                gnugo=gnugo,
                gnugo_games=gnugo_games,
                gnugo_level=gnugo_level,
                games_file=run_dir / "eval_games" / f"step-{step:09d}.jsonl",
            )
        except Exception as e:  # the loop outlives a bad net or a bug: the row says what happened
            log.exception("evaluating %s failed", latest.name)
            append_eval(
                run_dir,
                {
                    "checkpoint": str(latest),
                    "time": round(time.time(), 3),
                    "error": f"{type(e).__name__}: {e}",
                },
            )
            last_seen = latest.name
            continue
        if row.get("interrupted"):
            break
        append_eval(run_dir, row)
        log.info(
            "evaluated %s: elo %s [%s, %s]; %s",
            row["player"],
            row.get("elo"),
            row.get("elo_low"),
            row.get("elo_high"),
            ", ".join(f"{k} {v.get('wdl', v.get('error'))}" for k, v in row["vs"].items()),
        )
        last_seen, last_time = latest.name, row["time"]
        previous = (net, meta)
        count += 1
        if max_evaluations is not None and count >= max_evaluations:
            break
    return count
