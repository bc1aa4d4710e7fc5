"""Search benchmark: MCTS simulations per second on one core, seigen against OpenSpiel's MCTSBot.

One unit of work is one **simulation**: one leaf selected, evaluated and backed up.
Every implementation runs on one pinned core (``OMP_NUM_THREADS=1``, one torch thread
where torch runs) and searches the same kind of positions with the same visits per
move: the start position and the next few positions of random games (``PLIES`` per
game: 8 on go9, 6 on connect4, 4 on tictactoe, so that no searched position is over).

* ``seigen``: ``BatchedSearch`` over ``--batch`` games in lock-step, each search
  ``SearchConfig(visits, leaves_per_tree, c_puct=c)``: ``run()`` (one full search per
  game), then ``advance`` with one random legal move per game (tree reuse), until the
  last ply; then fresh games. The time counts ``run()`` and ``advance``, not building
  the search or drawing the random moves; the simulations are the search's own count
  (``search.timings["simulations"]``).
* ``openspiel-py``: ``open_spiel.python.algorithms.mcts.MCTSBot`` and
  ``openspiel-cpp``: ``pyspiel.MCTSBot``, both with ``RandomRolloutEvaluator``
  (``n_rollouts=1``), ``uct_c=c``, ``max_simulations=visits``, ``solve=False`` (no
  early stop, so every search does exactly ``visits`` simulations). Each search is
  timed as ``bot.mcts_search(state)`` (``bot.step`` is that plus picking the most
  visited child) and counted by the root's ``explore_count``. They run for the
  rollout evaluator on connect4 (``connect_four``) and tictactoe (``tic_tac_toe``).

A second table shows how the time per network batch splits between select,
evaluate and backup (``search.timings``) on go9 with a tiny policy-value conv net
(``TinyNet``) on the CPU, for network batches of 64, 256 and 1024 leaves.

Usage: ``seigen bench search [--game go9|connect4|tictactoe|all] [--evaluator uniform|rollout]
[--batch 64] [--seconds 3] [--repeats 3] [--json] [--no-peer] [--no-split]``.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from seigen.scripts.bench_board import _progress, cpu_model, single_core, stdout_console
from seigen.scripts.configs import BenchSearchConfig

UNIT = "one simulation (one leaf selected, evaluated and backed up)"
SEIGEN, PEER_PY, PEER_CPP = "seigen", "openspiel-py", "openspiel-cpp"
PEERS = (PEER_PY, PEER_CPP)
NET = "net"  # the evaluator of the split table
PEER_MAX_MEMORY_MB = 1000  # pyspiel.MCTSBot's tree memory cap; 800 simulations stay far below it
TIMINGS = ("select", "evaluate", "backup")


@dataclass(frozen=True)
class GameSpec:
    """A benchmark game: which game of the registry (``seigen.engine.games.GAMES``) it is and
    what OpenSpiel calls it."""

    name: str
    """The --game name."""
    openspiel: str | None
    """``pyspiel.load_game`` name of the same game; None: no OpenSpiel peer."""
    plies: int
    """Positions searched per game: the start and the next ``plies - 1`` along a random game (none is over)."""
    evaluator: str
    """Default evaluator (the issue's goal figure for this game)."""
    pass_action: int | None = None
    """An action the random games never play while another is legal (Go's pass: two would end the game)."""
    game: str | None = None
    """The registry name of the game (None: ``name``)."""
    size: int = 9
    """The board size (games with one board ignore it)."""


GAMES = {
    "go9": GameSpec("go9", None, 8, "uniform", pass_action=81, game="go", size=9),
    "connect4": GameSpec("connect4", "connect_four", 6, "rollout"),  # a win needs 7 moves
    "tictactoe": GameSpec("tictactoe", "tic_tac_toe", 4, "rollout"),  # a win needs 5 moves
}

# (game, evaluator, what, target): the goal figures, checked in the caption and the JSON lines
GOALS = (
    ("go9", "uniform", SEIGEN, 100_000.0),  # seigen sims/s
    ("connect4", "rollout", PEER_PY, 30.0),  # seigen / openspiel-py
    ("connect4", "rollout", PEER_CPP, 1.0),  # seigen / openspiel-cpp, strictly ahead
)


def make_game(name: str) -> Any:
    """A fresh seigen game object for a --game name."""
    from seigen.engine.games import make_game as new_game

    if name not in GAMES:
        raise ValueError(f"unknown game {name!r}; expected one of {', '.join(GAMES)}")
    spec = GAMES[name]
    return new_game(spec.game or spec.name, size=spec.size)


def make_evaluator(name: str) -> Any:
    """seigen's evaluator for a --evaluator name (``uniform`` or ``rollout``, one rollout).

    The rollouts run in C inside the search's select step, seeded by ``SearchConfig.seed``.
    """
    from seigen.engine.search import RolloutEvaluator, UniformEvaluator

    if name == "uniform":
        return UniformEvaluator()
    if name == "rollout":
        return RolloutEvaluator(rollouts=1)
    raise ValueError(f"unknown evaluator {name!r}; expected uniform or rollout")


# ---------------------------------------------------------------------------- the tiny net
def tiny_net(in_channels: int, height: int, width: int, num_actions: int, channels: int = 32) -> Any:
    """A small policy-value conv net for the split table: ``[B,C,H,W] -> (logits [B,A], value [B])``.

    A 3x3 conv stem and two more 3x3 conv layers of ``channels`` (ReLU); a policy head
    (1x1 conv to 2 planes, then linear to ``num_actions`` logits) and a value head
    (1x1 conv to 1 plane, linear to 32, ReLU, linear to 1, tanh).
    """
    import torch
    from torch import nn

    class TinyNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.trunk = nn.Sequential(
                nn.Conv2d(in_channels, channels, 3, padding=1),
                nn.ReLU(),
                nn.Conv2d(channels, channels, 3, padding=1),
                nn.ReLU(),
                nn.Conv2d(channels, channels, 3, padding=1),
                nn.ReLU(),
            )
            self.policy_conv = nn.Conv2d(channels, 2, 1)
            self.policy_fc = nn.Linear(2 * height * width, num_actions)
            self.value_conv = nn.Conv2d(channels, 1, 1)
            self.value_fc = nn.Sequential(nn.Linear(height * width, 32), nn.ReLU(), nn.Linear(32, 1))

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            h = self.trunk(x)
            logits = self.policy_fc(torch.relu(self.policy_conv(h)).flatten(1))
            value = torch.tanh(self.value_fc(torch.relu(self.value_conv(h)).flatten(1))).squeeze(1)
            return logits, value

    return TinyNet().eval()


@contextmanager
def torch_single_thread() -> Iterator[None]:
    """``torch.set_num_threads(1)``; the old number is restored after."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(old)


# ---------------------------------------------------------------------------- timing
Progress = Callable[[float], None]  # called with seconds just spent


def _random_actions(games: list[Any], rng: np.random.Generator, avoid: int | None) -> list[int]:
    """One uniform random legal action per game (``avoid`` only where nothing else is legal)."""
    actions = []
    for g in games:
        legal = np.flatnonzero(g.legal_mask())
        if avoid is not None and len(legal) > 1:
            legal = legal[legal != avoid]
        actions.append(int(rng.choice(legal)))
    return actions


def search_loop(
    game: str,
    evaluator: Any,
    games: int,
    visits: int,
    leaves_per_tree: int,
    c: float,
    seconds: float,
    seed: int,
    advance: Progress,
) -> dict:
    """seigen's batched search until ``seconds`` of search time pass (at least one ``run()``).

    Returns totals: ``simulations``, ``elapsed`` (seconds in ``run()`` and ``advance``),
    ``searches`` (``run()`` calls, each one search per game), ``batches`` (evaluator
    calls) and the ``select`` / ``evaluate`` / ``backup`` seconds of ``search.timings``.
    """
    from seigen.engine.search import BatchedSearch, SearchConfig

    spec = GAMES[game]
    rng = np.random.default_rng(seed)
    cfg = SearchConfig(visits=visits, leaves_per_tree=leaves_per_tree, c_puct=c, seed=seed)
    totals = dict.fromkeys(("simulations", "elapsed", "searches", "batches", *TIMINGS), 0.0)
    while totals["elapsed"] < seconds or totals["searches"] == 0:
        boards = [make_game(game) for _ in range(games)]
        search = BatchedSearch(boards, evaluator, cfg)
        for ply in range(spec.plies):
            last = ply == spec.plies - 1
            actions = None if last else _random_actions(boards, rng, spec.pass_action)
            before = dict(search.timings)
            t0 = time.perf_counter()
            search.run()
            if actions is not None:
                search.advance(actions)
            dt = time.perf_counter() - t0
            after = search.timings
            totals["simulations"] += after["simulations"] - before["simulations"]
            totals["batches"] += after["batches"] - before["batches"]
            for key in TIMINGS:
                totals[key] += after[key] - before[key]
            totals["elapsed"] += dt
            totals["searches"] += 1
            advance(dt)
            if totals["elapsed"] >= seconds or any(g.is_terminal() for g in boards):
                break
    return totals


def make_peer_bot(impl: str, openspiel_game: str, visits: int, c: float, seed: int) -> tuple[Any, Any]:
    """``(pyspiel game, bot)``: OpenSpiel's Python or C++ MCTSBot with one random rollout per leaf."""
    import pyspiel

    game = pyspiel.load_game(openspiel_game)
    if impl == PEER_PY:
        from open_spiel.python.algorithms import mcts

        evaluator = mcts.RandomRolloutEvaluator(n_rollouts=1, random_state=np.random.RandomState(seed))
        bot = mcts.MCTSBot(
            game,
            uct_c=c,
            max_simulations=visits,
            evaluator=evaluator,
            solve=False,
            random_state=np.random.RandomState(seed + 1),
        )
    elif impl == PEER_CPP:
        evaluator = pyspiel.RandomRolloutEvaluator(1, seed)
        bot = pyspiel.MCTSBot(game, evaluator, c, visits, PEER_MAX_MEMORY_MB, False, seed + 1, False)
    else:
        raise ValueError(f"unknown peer {impl!r}; expected one of {', '.join(PEERS)}")
    return game, bot


def peer_loop(
    impl: str, game: str, visits: int, c: float, seconds: float, seed: int, advance: Progress
) -> dict:
    """OpenSpiel's bot on the start and the next positions of random games, until ``seconds`` pass.

    Returns totals ``simulations`` (sum of the roots' ``explore_count``), ``elapsed``
    (seconds in ``mcts_search``) and ``searches``.
    """
    spec = GAMES[game]
    if spec.openspiel is None:
        raise ValueError(f"no OpenSpiel peer for {game}")
    os_game, bot = make_peer_bot(impl, spec.openspiel, visits, c, seed)
    rng = random.Random(seed)
    totals = {"simulations": 0, "elapsed": 0.0, "searches": 0}
    while totals["elapsed"] < seconds or totals["searches"] == 0:
        state = os_game.new_initial_state()
        for _ in range(spec.plies):
            if state.is_terminal():
                break
            t0 = time.perf_counter()
            root = bot.mcts_search(state)
            dt = time.perf_counter() - t0
            totals["simulations"] += root.explore_count
            totals["elapsed"] += dt
            totals["searches"] += 1
            advance(dt)
            if totals["elapsed"] >= seconds:
                break
            state.apply_action(rng.choice(state.legal_actions()))
    return totals


def _measure(
    impl: str,
    game: str,
    evaluator: str,
    cfg: BenchSearchConfig,
    machine: dict,
    advance: Callable[[str, float], None],
) -> dict:
    sps = []
    simulations = searches = 0
    seigen_evaluator = make_evaluator(evaluator) if impl == SEIGEN else None
    for r in range(cfg.repeats):
        seed = (cfg.seed << 20) + (r << 8) + 1

        def progress(dt: float, r: int = r) -> None:
            advance(f"{impl} {game} {r + 1}/{cfg.repeats}", dt)

        if impl == SEIGEN:
            totals = search_loop(
                game,
                seigen_evaluator,
                cfg.batch,
                cfg.visits,
                cfg.leaves_per_tree,
                cfg.c,
                cfg.seconds,
                seed,
                progress,
            )
        else:
            totals = peer_loop(impl, game, cfg.visits, cfg.c, cfg.seconds, seed, progress)
        sps.append(totals["simulations"] / totals["elapsed"])
        simulations += int(totals["simulations"])
        searches += int(totals["searches"])
    return {
        "kind": "sims",
        "impl": impl,
        "game": game,
        "evaluator": evaluator,
        "batch": cfg.batch if impl == SEIGEN else 1,
        "leaves_per_tree": cfg.leaves_per_tree if impl == SEIGEN else 1,
        "visits": cfg.visits,
        "c": cfg.c,
        "sims_per_s": statistics.median(sps),
        "sims_per_s_runs": sps,
        "simulations": simulations,
        "searches": searches,
        "seconds": cfg.seconds,
        "repeats": cfg.repeats,
        "unit": UNIT,
        **machine,
    }


def _measure_split(
    net_batch: int, cfg: BenchSearchConfig, model: Any, machine: dict, advance: Callable[[str, float], None]
) -> dict:
    from seigen.engine.search import NetEvaluator

    leaves = min(cfg.leaves_per_tree, net_batch)
    games = max(1, net_batch // leaves)
    evaluator = NetEvaluator(model, device=cfg.device)
    sps = []
    totals = dict.fromkeys(("simulations", "elapsed", "searches", "batches", *TIMINGS), 0.0)
    for r in range(cfg.repeats):

        def progress(dt: float, r: int = r) -> None:
            advance(f"split {net_batch} {r + 1}/{cfg.repeats}", dt)

        seed = (cfg.seed << 20) + (r << 8) + 2
        t = search_loop("go9", evaluator, games, cfg.split_visits, leaves, cfg.c, cfg.seconds, seed, progress)
        sps.append(t["simulations"] / t["elapsed"])
        for key in totals:
            totals[key] += t[key]
    batches = max(totals["batches"], 1)
    elapsed = totals["elapsed"]
    row = {
        "kind": "split",
        "impl": SEIGEN,
        "game": "go9",
        "evaluator": NET,
        "batch": net_batch,
        "games": games,
        "leaves_per_tree": leaves,
        "visits": cfg.split_visits,
        "net_batch_measured": totals["simulations"] / batches,
        "sims_per_s": statistics.median(sps),
        "sims_per_s_runs": sps,
        "simulations": int(totals["simulations"]),
        "batches": int(totals["batches"]),
        "batch_ms": 1000 * elapsed / batches,
    }
    for key in TIMINGS:
        row[f"{key}_s"] = totals[key] / batches  # seconds per network batch
    for key in TIMINGS:
        row[f"{key}_frac"] = totals[key] / elapsed  # share of the wall time in run() and advance
    row["other_frac"] = max(0.0, 1.0 - sum(row[f"{key}_frac"] for key in TIMINGS))
    row.update(
        seconds=cfg.seconds,
        repeats=cfg.repeats,
        unit=UNIT,
        net=f"tiny conv net: 3 x conv3x3, {cfg.split_channels} channels",
        device=cfg.device,
    )
    row.update(machine)
    return row


def _plan(cfg: BenchSearchConfig) -> list[tuple[str, str, str]]:
    """``(impl, game, evaluator)`` to measure, in order: seigen, then its peers, per game."""
    names = list(GAMES) if cfg.game == "all" else [cfg.game]
    plan = []
    for name in names:
        evaluator = cfg.evaluator or GAMES[name].evaluator
        plan.append((SEIGEN, name, evaluator))
        if cfg.peer and evaluator == "rollout" and GAMES[name].openspiel is not None:
            plan += [(peer, name, evaluator) for peer in PEERS]
    return plan


def run_search_benchmark(cfg: BenchSearchConfig | None = None, show_progress: bool = True) -> list[dict]:
    """Measure simulations per second (and the split table), seigen then its peers, on one pinned core.

    Returns one dict per measurement: ``kind`` ``"sims"`` rows (``impl`` ``"seigen"``,
    ``"openspiel-py"``, ``"openspiel-cpp"``; ``game``, ``evaluator``, ``batch``,
    ``visits``, ``sims_per_s`` (median over ``repeats``), ``sims_per_s_runs``,
    ``simulations``, ``searches``, ``seconds``, ``cpu``, ``cores``, ``cpu_pinned``), then
    ``kind`` ``"split"`` rows (``batch`` = leaves per network call; ``select_s``,
    ``evaluate_s``, ``backup_s``: seconds per network batch; ``select_frac``,
    ``evaluate_frac``, ``backup_frac``, ``other_frac``: shares of the search's wall
    time). Ratios and goals are derived by ``ratios`` and ``goals``. Progress goes to stderr.
    """
    cfg = cfg or BenchSearchConfig()
    plan = _plan(cfg)
    split = list(cfg.split_batches) if cfg.split else []
    rows = []
    with single_core() as pinned, _progress(show_progress) as progress:
        machine = {"cpu": cpu_model(), "cores": 1, "cpu_pinned": pinned}
        for impl, game, evaluator in plan:
            task = progress.add_task(f"{impl} {game}", total=cfg.seconds * cfg.repeats)

            def advance(desc: str, dt: float, task: Any = task) -> None:
                progress.update(task, advance=dt, description=desc)

            rows.append(_measure(impl, game, evaluator, cfg, machine, advance))
            progress.update(task, completed=cfg.seconds * cfg.repeats)
        if split:
            import torch

            with torch_single_thread():
                torch.manual_seed(cfg.seed)
                probe = make_game("go9")
                model = tiny_net(*probe.feature_shape, probe.num_actions, channels=cfg.split_channels)
                for net_batch in split:
                    task = progress.add_task(f"split {net_batch}", total=cfg.seconds * cfg.repeats)

                    def advance(desc: str, dt: float, task: Any = task) -> None:
                        progress.update(task, advance=dt, description=desc)

                    row = _measure_split(net_batch, cfg, model, machine, advance)
                    row["torch_threads"] = torch.get_num_threads()
                    rows.append(row)
                    progress.update(task, completed=cfg.seconds * cfg.repeats)
    return rows


def ratios(rows: list[dict]) -> list[dict]:
    """seigen / peer ``sims_per_s`` for each game and evaluator where both were measured."""
    sims = [row for row in rows if row["kind"] == "sims"]
    ours = {(row["game"], row["evaluator"]): row for row in sims if row["impl"] == SEIGEN}
    out = []
    for row in sims:
        mine = ours.get((row["game"], row["evaluator"]))
        if row["impl"] == SEIGEN or mine is None:
            continue
        out.append(
            {
                "kind": "ratio",
                "ratio": f"{SEIGEN}/{row['impl']}",
                "game": row["game"],
                "evaluator": row["evaluator"],
                "sims_per_s": mine["sims_per_s"] / row["sims_per_s"],
            }
        )
    return out


def goals(rows: list[dict]) -> list[dict]:
    """The issue's goal figures that this run measured: value, target and whether it is met."""
    sims = {(row["game"], row["evaluator"], row["impl"]): row for row in rows if row["kind"] == "sims"}
    by_ratio = {(r["game"], r["evaluator"], r["ratio"]): r for r in ratios(rows)}
    out = []
    for game, evaluator, what, target in GOALS:
        if what == SEIGEN:
            row = sims.get((game, evaluator, SEIGEN))
            if row is None:
                continue
            text, value = f"{game} {evaluator}: seigen sims/s >= {target:,.0f}", row["sims_per_s"]
            met = value >= target
        else:
            r = by_ratio.get((game, evaluator, f"{SEIGEN}/{what}"))
            if r is None:
                continue
            value = r["sims_per_s"]
            if target == 1.0:
                text, met = f"{game} {evaluator}: ahead of {what}", value > target
            else:
                text, met = f"{game} {evaluator}: seigen/{what} >= {target:g}x", value >= target
        out.append({"kind": "goal", "goal": text, "value": value, "target": target, "met": met})
    return out


# ---------------------------------------------------------------------------- output
def _num(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def _where(row: dict) -> str:
    pinned = row.get("cpu_pinned")
    where = f"pinned to CPU {pinned}" if pinned is not None else "not pinned"
    return f"CPU: {row['cpu']}, cores used: 1 ({where})"


def render_tables(rows: list[dict]) -> list[Any]:
    """The results as rich Tables: simulations per second (with ratios and goals), then the split."""
    from rich.table import Table

    tables = []
    sims = [row for row in rows if row["kind"] == "sims"]
    if sims:
        first = sims[0]
        by_ratio = {(r["game"], r["evaluator"], r["ratio"]): r["sims_per_s"] for r in ratios(rows)}
        caption = f"{_where(first)}; median of {first['repeats']} x {first['seconds']:g} s"
        caption += "\npositions: the start and the next moves of random games; peers: uct_c = seigen's c_puct"
        for goal in goals(rows):
            value = f"{goal['value']:,.0f}" if goal["target"] > 100 else f"{goal['value']:,.1f}x"
            caption += f"\ngoal {goal['goal']}: {value}, {'met' if goal['met'] else 'NOT met'}"
        table = Table(title=f"MCTS: {UNIT}", caption=caption)
        for name in ("game", "evaluator", "impl"):
            table.add_column(name)
        for name in ("games x leaves", "visits/move", "sims/s", "seigen/impl"):
            table.add_column(name, justify="right")
        for row in sims:
            if row["impl"] == SEIGEN:
                lock_step = f"{row['batch']} x {row['leaves_per_tree']}"
                vs = "1.0x" if any(k[:2] == (row["game"], row["evaluator"]) for k in by_ratio) else "-"
            else:
                lock_step = "1"
                r = by_ratio.get((row["game"], row["evaluator"], f"{SEIGEN}/{row['impl']}"))
                vs = "-" if r is None else f"{r:,.1f}x"
            table.add_row(
                row["game"],
                row["evaluator"],
                row["impl"],
                lock_step,
                str(row["visits"]),
                _num(row["sims_per_s"]),
                vs,
            )
        tables.append(table)
    split = [row for row in rows if row["kind"] == "split"]
    if split:
        first = split[0]
        caption = (
            f"{_where(first)}, torch threads: {first.get('torch_threads', 1)}; "
            f"{first['seconds']:g} s x {first['repeats']} per batch size\n"
            "shares of the search's wall time (run and advance); other: Python, features, tree upkeep"
        )
        where = first.get("device", "cpu").upper() if first.get("device", "cpu") == "cpu" else first["device"]
        table = Table(title=f"go9, {first['net']}, {where}: time per network batch", caption=caption)
        for name in (
            "net batch",
            "games x leaves",
            "visits/move",
            "sims/s",
            "ms/batch",
            "select",
            "evaluate",
            "backup",
            "other",
        ):
            table.add_column(name, justify="right")
        for row in split:
            table.add_row(
                f"{row['batch']} ({row['net_batch_measured']:.0f})",
                f"{row['games']} x {row['leaves_per_tree']}",
                str(row["visits"]),
                _num(row["sims_per_s"]),
                f"{row['batch_ms']:.1f}",
                *(f"{100 * row[f'{key}_frac']:.0f}%" for key in (*TIMINGS, "other")),
            )
        tables.append(table)
    return tables


def print_results(rows: list[dict], as_json: bool = False) -> None:
    """JSON lines (measurements, then ratios, then goals) or the tables, on stdout."""
    if as_json:
        for line in [*rows, *ratios(rows), *goals(rows)]:
            print(json.dumps(line), flush=True)
        return
    console = stdout_console()
    for table in render_tables(rows):
        console.print(table)


def plot_panels(rows: list[dict]) -> list[Any]:
    """The simulations table as bars for ``seigen.scripts.plots.save_bench_plot``: sims/s per
    implementation for each game and evaluator, seigen/peer under each (the split table is not drawn)."""
    from seigen.scripts.plots import Bar, BarPanel, ratio_text

    def group(row: dict) -> str:
        return f"{row['game']}, {row['evaluator']}"

    notes: dict[str, str] = {}
    for r in ratios(rows):
        g = group(r)
        notes[g] = "\n".join(filter(None, [notes.get(g), ratio_text(r["sims_per_s"], r["ratio"])]))
    bars = [Bar(group(row), row["impl"], row["sims_per_s"]) for row in rows if row["kind"] == "sims"]
    return [BarPanel(f"unit: {UNIT}", "simulations per second", bars, notes)]


def main(cfg: BenchSearchConfig) -> int:
    """``seigen bench search``."""
    rows = run_search_benchmark(cfg)
    print_results(rows, as_json=cfg.json)
    if cfg.plot:
        from seigen.scripts.plots import save_bench_plot

        title = f"seigen bench search: MCTS on one core ({rows[0]['cpu']})"
        save_bench_plot(cfg.plot, title, plot_panels(rows))
    return 0


if __name__ == "__main__":
    import sys

    from seigen.scripts.cli import main as cli_main

    raise SystemExit(cli_main(["bench", "search", *sys.argv[1:]]))
