"""UCT-RAVE benchmark: simulations per second on 9x9, root against shared-tree threads, and
short strength matches.

One unit of work is one **simulation**: one descent of the tree, one light playout to the
end of the game, area scoring and the backup (RAVE included). Speed: each setting searches
the empty 9x9 board, ``--sims`` simulations per search from a fresh tree, for ``--seconds``,
``--repeats`` times; the median is reported. The peers in the same run: seigen's
``RolloutPlayer`` (flat Monte Carlo, one playout per simulation) and ``MCTSPlayer`` (the
Python-driven batched PUCT search with one light playout per leaf). ``cpu_s_per_s`` is
the process's CPU seconds per wall second (the cores the threads really got: on a shared
machine two threads may get one core) and ``sims_per_cpu_s`` the work per CPU second.

Agreement: on ``--positions`` random 9x9 positions (10 random sensible moves each), the
move of each two-thread setting against a one-thread search of ``--ref-sims``.

The clock (``--move-time`` > 0): the match player (heavy playouts, as ``seigen gtp --player
mcts``) on 1 and 2 threads, root and shared, searching ``--move-time`` seconds a move as one
side of ``--clock-games`` games (the tree kept between its moves, as in a match), on the
positions of games that a one-thread search of 1,000 simulations plays against itself:
the simulations each setting runs per move and the seconds it takes (the early stop and
the search on while in doubt included).

Strength (``--games`` > 0): ``UctPlayer`` (``--match-sims`` per move, one thread) against
``MCTSPlayer`` and ``RolloutPlayer`` at the same playouts, and against GNU Go level 1
(where found), on 9x9 with komi 7, Chinese rules, colours alternated
(``seigen.engine.arena.play_match``).

Usage: ``python -m seigen.scripts.bench_uct [--seconds 3] [--repeats 3] [--sims 10000]
[--move-time 0] [--clock-games 3] [--games 0] [--json]``.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from seigen.agents.players import make_player
from seigen.engine.board import Board
from seigen.engine.players import MCTSPlayer, RolloutPlayer, SearchLimits
from seigen.engine.uct import UctPlayer
from seigen.scripts.bench_board import cpu_model, stdout_console

UNIT = "simulations/s (one descent + one light playout + backup)"


@dataclass
class BenchUctConfig:
    """Simulations per second of the UCT-RAVE player on 9x9 (1 and 2 threads), against
    seigen's flat Monte Carlo and PUCT players; move agreement; optional matches."""

    seconds: float = 3.0
    """Seconds each setting runs per repeat."""
    repeats: int = 3
    """Timed repeats per setting; the median is reported (0: no speed runs)."""
    sims: int = 10_000
    """Simulations per search in the speed and agreement runs."""
    positions: int = 10
    """Random positions for the agreement check (0: none)."""
    ref_sims: int = 40_000
    """Simulations of the one-thread reference search of the agreement check."""
    move_time: float = 0.0
    """Seconds a move of the clock check (0: no clock check)."""
    clock_games: int = 3
    """Games whose positions the clock check searches (30 moves of each, one side's)."""
    games: int = 0
    """Games per opponent in the strength check (0: none)."""
    match_sims: int = 2_000
    """Simulations (playouts, visits) per move of both players in the strength check."""
    gnugo: str = "/usr/games/gnugo"
    """GNU Go's path for the strength check (skipped where it is missing)."""
    json: bool = False
    """Print one JSON object per line instead of tables."""
    seed: int = 0


def _speed(make: Any, seconds: float, sims: int) -> tuple[float, float]:
    """(simulations per second, process CPU seconds per second) of fresh searches of the
    empty 9x9 board by ``make()``; the second says how many cores the threads really got."""
    player = make()
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        if hasattr(player, "forget"):
            player.forget()
        done += player.search(Board(9, komi=7.0), SearchLimits(playouts=sims)).playouts
    wall = time.perf_counter() - start
    used = time.process_time() - cpu
    if hasattr(player, "close"):
        player.close()
    return done / wall, used / wall


def speed_rows(cfg: BenchUctConfig) -> list[dict[str, Any]]:
    settings = {
        "uct, 1 thread": (1, lambda: UctPlayer(threads=1, seed=cfg.seed)),
        "uct, 2 threads, root parallel": (2, lambda: UctPlayer(threads=2, parallel="root", seed=cfg.seed)),
        "uct, 2 threads, shared tree": (2, lambda: UctPlayer(threads=2, parallel="shared", seed=cfg.seed)),
        "rollout (flat MC), 1 thread": (1, lambda: RolloutPlayer(threads=1, seed=cfg.seed)),
        "mcts (PUCT, Python-driven), 1 thread": (1, lambda: MCTSPlayer(visits=cfg.sims, seed=cfg.seed)),
    }
    rows = []
    for name, (threads, make) in settings.items():
        sims = min(cfg.sims, 2_000) if name.startswith("mcts") else cfg.sims
        runs = [_speed(make, cfg.seconds, sims) for _ in range(cfg.repeats)]
        rate = statistics.median(r for r, _ in runs)
        cores = statistics.median(c for _, c in runs)
        rows.append(
            {
                "setting": name,
                "threads": threads,
                "sims_per_s": round(rate, 1),
                "cpu_s_per_s": round(cores, 2),
                "sims_per_cpu_s": round(rate / cores, 1),
            }
        )
    base = rows[0]["sims_per_s"]
    for row in rows:
        row["vs_uct_1_thread"] = round(row["sims_per_s"] / base, 3)
    return rows


def agreement_rows(cfg: BenchUctConfig) -> list[dict[str, Any]]:
    """Each two-thread setting's move against a long one-thread search, on random positions."""
    rng = np.random.default_rng(cfg.seed)
    boards = []
    for _ in range(cfg.positions):
        board = Board(9, komi=7.0)
        for _ in range(10):
            board.play(int(rng.choice(board.sensible_moves())))
        boards.append(board)
    ref = UctPlayer(threads=1, seed=cfg.seed + 1)
    reference = []
    for board in boards:
        ref.forget()
        reference.append(ref.genmove(board, board.to_play, SearchLimits(playouts=cfg.ref_sims)).move)
    rows = []
    for parallel in ("root", "shared"):
        player = UctPlayer(threads=2, parallel=parallel, seed=cfg.seed)
        same, rate = 0, []
        for board, want in zip(boards, reference, strict=True):
            player.forget()
            t0 = time.perf_counter()
            d = player.genmove(board, board.to_play, SearchLimits(playouts=cfg.sims))
            rate.append(cfg.sims / (time.perf_counter() - t0))
            same += d.move == want
        player.close()
        rows.append(
            {
                "setting": f"2 threads, {parallel}",
                "agree_with_reference": f"{same}/{len(boards)}",
                "sims_per_s": round(statistics.median(rate), 1),
            }
        )
    return rows


def _clock_games(cfg: BenchUctConfig) -> list[list[int]]:
    """The moves of ``clock_games`` games of a one-thread 1,000-simulation search against
    itself, 30 moves each (fewer where a game ended sooner)."""
    games = []
    for g in range(cfg.clock_games):
        player = make_player("mcts", threads=1, seed=cfg.seed + 100 + g)
        board = Board(9, komi=7.0)
        while len(board.moves) < 30 and not board.is_over:
            decision = player.genmove(board, board.to_play, SearchLimits(playouts=1_000))
            if decision.resign:
                break
            board.play(decision.move)
        player.close()
        games.append([index for _, index in board.moves])
    return games


def clock_rows(cfg: BenchUctConfig) -> list[dict[str, Any]]:
    """Simulations per move at ``move_time`` seconds a move, as the match player runs them
    (``make_player("mcts")``, the player of ``seigen gtp --player mcts``)."""
    games = _clock_games(cfg)
    settings = {
        "1 thread": dict(threads=1),
        "2 threads, root parallel": dict(threads=2, parallel="root"),
        "2 threads, shared tree": dict(threads=2, parallel="shared"),
    }
    rows = []
    for name, kw in settings.items():
        sims, seconds = [], []
        for g, moves in enumerate(games):
            player = make_player("mcts", seed=cfg.seed + g, **kw)
            board = Board(9, komi=7.0)
            for i, move in enumerate(moves):
                if i % 2 == 0:  # one side's moves, the tree kept in between
                    t0 = time.perf_counter()
                    sims.append(player.search(board, SearchLimits(seconds=cfg.move_time)).playouts)
                    seconds.append(time.perf_counter() - t0)
                board.play(move)
            player.close()
        rows.append(
            {
                "setting": name,
                "moves": len(sims),
                "sims_per_move": round(statistics.mean(sims)),
                "seconds_per_move": round(statistics.mean(seconds), 2),
                "sims_per_s": round(sum(sims) / sum(seconds), 1),
            }
        )
    for row in rows:
        row["vs_1_thread"] = round(row["sims_per_move"] / rows[0]["sims_per_move"], 3)
    return rows


def strength_rows(cfg: BenchUctConfig) -> list[dict[str, Any]]:
    from seigen.engine.arena import play_match
    from seigen.engine.gtp_client import GTPAgent
    from seigen.engine.ratings import format_result

    n = cfg.match_sims
    opponents: dict[str, Any] = {
        f"mcts-{n}": lambda: MCTSPlayer(visits=n, seed=cfg.seed),
        f"rollout-{n}": lambda: RolloutPlayer(playouts=n, seed=cfg.seed),
    }
    if os.access(cfg.gnugo, os.X_OK):
        argv = [cfg.gnugo, "--mode", "gtp", "--level", "1", "--chinese-rules", "--capture-all-dead"]
        opponents["gnugo-level-1"] = lambda: GTPAgent(argv, name="gnugo-1")
    rows = []
    for name, make in opponents.items():
        uct, opp = UctPlayer(playouts=n, seed=cfg.seed), make()
        t0 = time.perf_counter()
        outcome = play_match(uct, opp, "go", cfg.games, size=9, komi=7, seed=cfg.seed)
        for agent in (uct, opp):
            if hasattr(agent, "close"):
                agent.close()
        summary = outcome.summary()
        rows.append(
            {
                "match": f"uct-{n} vs {name}",
                "result": format_result(summary),
                "wdl_first": summary["wdl_first"],
                "seconds": round(time.perf_counter() - t0, 1),
            }
        )
    return rows


def _table(title: str, rows: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title=title)
    for key in rows[0]:
        table.add_column(key)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    return table


def main(cfg: BenchUctConfig) -> int:
    machine = f"{os.cpu_count()} cores ({cpu_model()})"
    parts = []
    if cfg.repeats > 0:
        parts.append(
            ("speed", speed_rows(cfg), f"9x9 speed on {machine}; median of {cfg.repeats}; unit: {UNIT}")
        )
    if cfg.positions > 0:
        title = f"move agreement with a 1-thread search of {cfg.ref_sims} ({cfg.sims} per search)"
        parts.append(("agreement", agreement_rows(cfg), title))
    if cfg.move_time > 0:
        title = f"the clock: {cfg.move_time} s a move, heavy playouts, the tree kept between moves"
        parts.append(("clock", clock_rows(cfg), title))
    if cfg.games > 0:
        title = f"strength: {cfg.games} games each, 9x9, komi 7, colours alternated"
        parts.append(("strength", strength_rows(cfg), title))
    console = None if cfg.json else stdout_console()
    for part, rows, title in parts:
        for row in rows:
            if cfg.json:
                print(json.dumps({"part": part, **row, "machine": machine}), flush=True)
        if console is not None:
            console.print(_table(title, rows))
    return 0


if __name__ == "__main__":
    import tyro

    raise SystemExit(main(tyro.cli(BenchUctConfig)))
