"""Self-play throughput: positions and net evaluations per second, by games in flight.

One unit of work is one **position** of self-play: one search of ``--visits`` simulations
(``visits`` net evaluations, plus the root's) and the move it chooses, recorded for
training. One actor (``seigen.selfplay.actor.SelfPlay``) plays ``games_in_flight``
games in lock-step with the game's preset (net size, visits, Gumbel root), an
untrained net of that size on one pinned core (one torch thread). The peer is the same
actor with one game in flight: the figure that batching multiplies. Each setting runs
one warm-up step, then steps until ``--seconds`` have passed; the table shows
positions/s, net evaluations/s, the share of time in the net, and the ratio to one
game in flight.

Usage: ``seigen bench selfplay [--game tictactoe|connect4|go|all] [--games-in-flight 1 32 128 512]
[--seconds 10] [--device cpu|cuda] [--json]``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from seigen.scripts.bench_board import cpu_model, single_core, stdout_console
from seigen.scripts.configs import BenchSelfPlayConfig

UNIT = "one self-play position (one search and the move it chooses)"


def measure(game: str, games_in_flight: int, seconds: float, device: str) -> dict[str, Any]:
    """Positions/s and net evaluations/s of one actor with ``games_in_flight`` games."""
    import torch

    from seigen.agents.pvnet import PolicyValueNet
    from seigen.selfplay.actor import SelfPlay, new_game
    from seigen.selfplay.config import SelfPlayConfig, resolve
    from seigen.selfplay.trainer import net_spec

    cfg = resolve(SelfPlayConfig(game=game, games_in_flight=games_in_flight, run_dir="-"))
    g = new_game(cfg)
    torch.manual_seed(0)
    net = PolicyValueNet(net_spec(cfg, tuple(g.feature_shape), g.num_actions))
    play = SelfPlay(cfg, net, device=device, seed=0)
    play.step()  # warm-up: root expansion, allocations
    t = play.search.timings
    sims0, eval0 = t["simulations"], t["evaluate"]
    positions, start = 0, time.perf_counter()
    while True:
        play.step()
        positions += games_in_flight
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    return {
        "game": game,
        "games_in_flight": games_in_flight,
        "visits": cfg.visits,
        "net": f"{cfg.blocks}x{cfg.channels}",
        "positions_per_s": positions / elapsed,
        "evals_per_s": (t["simulations"] - sims0) / elapsed,
        "net_share": (t["evaluate"] - eval0) / elapsed,
        "seconds": elapsed,
        "device": device,
    }


def main(cfg: BenchSelfPlayConfig) -> int:
    """Measure every game and setting; print the table (or JSON lines)."""
    import torch

    games = ["tictactoe", "connect4", "go"] if cfg.game == "all" else [cfg.game]
    rows = []
    with single_core():
        torch.set_num_threads(1)
        for game in games:
            base = None
            for n in cfg.games_in_flight:
                row = measure(game, n, cfg.seconds, cfg.device)
                base = base or (row if n == 1 else None)
                row["ratio_to_one_game"] = row["positions_per_s"] / base["positions_per_s"] if base else None
                row["cpu"] = cpu_model()
                rows.append(row)
                if cfg.json:
                    print(json.dumps(row), flush=True)
    if not cfg.json:
        from rich.table import Table

        table = Table(title=f"self-play throughput, one actor on one core ({cpu_model()}); unit: {UNIT}")
        for col in (
            "game",
            "net",
            "visits",
            "games in flight",
            "positions/s",
            "net evals/s",
            "time in net",
            "x one game",
        ):
            table.add_column(col, justify="right")
        for r in rows:
            ratio = r["ratio_to_one_game"]
            table.add_row(
                r["game"], r["net"], str(r["visits"]), str(r["games_in_flight"]),
                f"{r['positions_per_s']:,.0f}", f"{r['evals_per_s']:,.0f}", f"{r['net_share']:.0%}",
                f"{ratio:.1f}x" if ratio else "-",
            )  # fmt: skip
        stdout_console().print(table)
    if cfg.plot:
        from seigen.scripts.plots import save_bench_plot

        title = f"seigen bench selfplay: one actor on one core ({cpu_model()})"
        save_bench_plot(cfg.plot, title, plot_panels(rows))
    return 0


def plot_panels(rows: list[dict[str, Any]]) -> list[Any]:
    """The table as bars for ``seigen.scripts.plots.save_bench_plot``: positions/s per game by
    games in flight (the peer: one game in flight), the last setting's ratio to one game under each game."""
    from seigen.scripts.plots import Bar, BarPanel, ratio_text

    def group(r: dict[str, Any]) -> str:
        return f"{r['game']} ({r['net']} net, {r['visits']} visits)"

    notes = {
        group(r): ratio_text(r["ratio_to_one_game"], f"{r['games_in_flight']} vs 1 game in flight:")
        for r in rows
        if r["ratio_to_one_game"]
    }
    bars = [Bar(group(r), f"{r['games_in_flight']} in flight", r["positions_per_s"]) for r in rows]
    return [BarPanel(f"unit: {UNIT}", "positions per second", bars, notes)]
