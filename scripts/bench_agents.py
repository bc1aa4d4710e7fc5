"""``seigen bench agents``: trained agents of any kind against each other, with intervals.

One harness for every agent: AlphaZero (a search over its net), PPO, A2C and DQN (their
most likely move within the legal ones), the random player, the rollout MCTS anchor, and
on Go seigen's GTP players (``mcts-N``, ``rollout-N``) and any GTP engine
(``gtp:COMMAND``) all answer ``select(games)``, so ``seigen.engine.arena.play_match`` plays any pair of them
in lock-step. One unit of work is one game; every pair plays ``--games`` games with
colours alternating and paired random openings; the table gives each pair's W-D-L from
the first player's side, the win rate (a draw is half) with its 95% Wilson interval and
the Elo difference with its interval, then the ratings of all players on one ladder
(random = 0).
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import sys
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

from seigen.scripts.configs import BenchAgentsConfig

ROLLOUT = re.compile(r"mcts-rollout-(\d+)")
GO_PLAYER = re.compile(r"(mcts|puct|rollout)(?:-(light|heavy))?-(\d+)")
GTP = "gtp:"


def _builtin(spec: str) -> bool:
    """A player given by name rather than by a run directory or checkpoint."""
    return (
        spec == "random" or bool(ROLLOUT.fullmatch(spec) or GO_PLAYER.fullmatch(spec)) or spec.startswith(GTP)
    )


def go_player(spec: str, seed: int) -> Any:
    """``mcts-N``, ``puct-N``, ``rollout-N`` (seigen gtp's players of those names with N
    simulations or playouts a move, their own playouts: ``mcts-light-N``, ``mcts-heavy-N``
    choose) or ``gtp:COMMAND`` (a GTP engine); None for anything else."""
    from seigen.agents.players import make_player
    from seigen.engine.gtp_client import GTPAgent

    if spec.startswith(GTP):
        argv = shlex.split(spec[len(GTP) :])
        if not argv:
            raise ValueError(f"{spec}: give the engine's command line after gtp:")
        return GTPAgent(argv, name=f"gtp:{Path(argv[0]).name}")
    m = GO_PLAYER.fullmatch(spec)
    if m is None:
        return None
    player = make_player(m.group(1), playouts=int(m.group(3)), seed=seed, playout=m.group(2))
    player.name = spec
    return player


def agent_game(agent: Any) -> tuple[str, int] | None:
    """(game name, Go size) of a trained agent, None for one that plays any game."""
    name = getattr(agent, "game_name", None)
    if name is not None:  # AlphaZero
        return name, agent.size or 9
    game = getattr(agent, "game", None)  # DQN, PPO, A2C: None unless trained on a board game
    return None if game is None else (game["name"], int(game.get("size") or 9))


def load_players(cfg: BenchAgentsConfig) -> tuple[list[Any], str, int]:
    """The players, the game and the Go size; a player that does not load is a ``ValueError``."""
    from seigen.agents import load_agent
    from seigen.agents.agent import RandomAgent
    from seigen.agents.runs import CheckpointError
    from seigen.selfplay.evaluator import anchor_agent

    trained: dict[int, Any] = {}
    for i, spec in enumerate(cfg.players):
        if _builtin(spec):
            continue
        if not Path(spec).exists():
            raise ValueError(
                f"{spec}: no such run directory or checkpoint "
                "(or: random, mcts-rollout-N, and on Go mcts-N, rollout-N, gtp:COMMAND)"
            )
        try:
            agent = load_agent(spec, visits=cfg.visits, device=cfg.device, seed=cfg.seed + i)
        except CheckpointError as e:
            raise ValueError(str(e)) from None
        if agent_game(agent) is None:
            raise ValueError(f"{spec}: a {type(agent).__name__} for {agent.config.env}, not a board game")
        trained[i] = agent
    games = {agent_game(a) for a in trained.values()}
    game, size = (cfg.game, cfg.size) if cfg.game != "auto" else (None, cfg.size)
    if game is None:
        if not games:
            raise ValueError("--game auto needs a trained agent among the players")
        game, size = sorted(games)[0]
    for i, a in trained.items():
        if agent_game(a) != (game, size if game == "go" else 9):
            raise ValueError(f"{cfg.players[i]} plays {agent_game(a)}, not {game}")
    for spec in cfg.players:
        if game != "go" and (GO_PLAYER.fullmatch(spec) or spec.startswith(GTP)):
            raise ValueError(f"{spec} plays Go only, not {game}")
    players = []
    names: set[str] = set()
    for i, spec in enumerate(cfg.players):
        if spec == "random":
            p = RandomAgent(cfg.seed + i)
        elif m := ROLLOUT.fullmatch(spec):
            p = anchor_agent(game, int(m.group(1)), seed=cfg.seed + i)
        elif spec.startswith(GTP) or GO_PLAYER.fullmatch(spec):
            p = go_player(spec, cfg.seed + i)
        else:
            p = trained[i]
            kind = {"AlphaZeroAgent": "alphazero", "DQNAgent": "dqn"}.get(
                type(p).__name__, getattr(p, "name", "agent")
            )
            p.name = f"{kind}:{Path(spec).name}"
        if p.name in names:
            p.name = f"{p.name}#{i}"
        names.add(p.name)
        players.append(p)
    return players, game, size


@contextlib.contextmanager
def _closing(players: list[Any]) -> Iterator[None]:
    """Close the players that hold a process or threads (GTP engines, rollout pools) at the end."""
    try:
        yield
    finally:
        for p in players:
            if callable(getattr(p, "close", None)):
                p.close()


def run_bench(cfg: BenchAgentsConfig, show_progress: bool = True) -> tuple[list[dict], list[dict]]:
    """Every pair's match row and every player's rating row."""
    from seigen.engine.arena import OPENING_PLIES, play_match
    from seigen.engine.ratings import EloLadder
    from seigen.scripts.bench_board import _progress

    players, game, size = load_players(cfg)
    ladder = EloLadder()
    rows = []
    pairs = list(combinations(players, 2))
    with _progress(show_progress) as progress, _closing(players):
        task = progress.add_task(f"{game}: {len(pairs)} pairs", total=len(pairs))
        for k, (a, b) in enumerate(pairs):
            outcome = play_match(
                a, b, game, cfg.games, size=size, opening_moves=OPENING_PLIES[game], seed=cfg.seed + 1000 * k
            )
            ladder.add_outcome(outcome)
            rows.append(
                {
                    "game": game,
                    "a": a.name,
                    "b": b.name,
                    "seconds": round(outcome.seconds, 2),
                    **outcome.summary(),
                }
            )
            progress.advance(task)
    ratings = [{"player": name, **r} for name, r in ladder.ratings().items()]
    ratings.sort(key=lambda r: -1e9 if r["elo"] is None else -r["elo"])
    return rows, ratings


def main(cfg: BenchAgentsConfig) -> int:
    from rich.table import Table

    from seigen.engine.ratings import format_result
    from seigen.scripts.bench_board import stdout_console

    try:
        rows, ratings = run_bench(cfg, show_progress=not cfg.json)
    except ValueError as e:
        print(f"seigen bench agents: error: {e}", file=sys.stderr)
        return 2
    if cfg.json:
        for row in [*rows, *ratings]:
            print(json.dumps(row))
        return 0
    table = Table(
        title=f"{rows[0]['game']}: {cfg.games} games per pair, colours alternating, paired openings"
    )
    for c in ("A", "B", "A's W-D-L", "A's win rate [95%]", "Elo A-B [95%]"):
        table.add_column(c, justify="right")
    for r in rows:
        table.add_row(
            r["a"],
            r["b"],
            r["wdl"],
            format_result(r, wdl=False),
            f"{r['elo']:+.0f} [{r['elo_low']:+.0f}, {r['elo_high']:+.0f}]",
        )
    console = stdout_console()
    console.print(table)
    ladder = Table(title="ratings (Elo, random = 0)")
    for c in ("player", "Elo [95%]", "games"):
        ladder.add_column(c, justify="right")
    for r in ratings:
        elo = "-" if r["elo"] is None else f"{r['elo']:.0f} [{r['elo_low']:.0f}, {r['elo_high']:.0f}]"
        ladder.add_row(r["player"], elo, str(r["games"]))
    console.print(ladder)
    return 0
