"""Self-play throughput by backend and actor count: what Ray costs against local processes.

Each setting is a real ``seigen selfplay`` run (``run_selfplay``) in a scratch directory,
with the game's preset net and search, and training held off (``min_positions`` above
the window), so that the figure is what the actors deliver to the trainer's directory.
The rate is read from the shards on disk: their names carry the time each was written, so
positions/s is counted over the steady state (from ``--warmup`` seconds after the first
shard to the last one), without the start of the processes or of the Ray cluster. That
start is its own column: seconds from the call to the first shard on disk.

The peer is the ``local`` backend with the same number of actors, in the same run; the
ratio column is ``ray / local``. A shared machine drifts by tens of percent from one
minute to the next, so each setting runs ``--repeats`` times, local and ray in turn, and
the table shows the medians with the range.

Usage: ``seigen bench scaling [--game connect4] [--actors 1 2 4] [--seconds 20] [--repeats 3] [--json]``.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from seigen.scripts.bench_board import cpu_model, stdout_console
from seigen.scripts.configs import BenchScalingConfig

UNIT = "one self-play position (one search and the move it chooses), delivered to the run directory"


def steady_rate(run_dir: Path, warmup: float) -> tuple[float, float, int]:
    """``(positions/s, seconds measured, positions)`` of a run's shards, from ``warmup`` s
    after the first shard to the last (shard names begin with their write time in ns)."""
    from seigen.selfplay.shards import list_shards, read_shard

    shards = [
        (int(p.name.split("-")[0]) / 1e9, read_shard(p).positions) for p in list_shards(run_dir / "games")
    ]
    shards.sort()
    if len(shards) < 2:
        return 0.0, 0.0, 0
    start = shards[0][0] + warmup
    before = [t for t, _ in shards if t <= start]
    t0 = before[-1] if before else shards[0][0]
    counted = [(t, n) for t, n in shards if t > t0]
    if not counted:
        return 0.0, 0.0, 0
    seconds = counted[-1][0] - t0
    positions = sum(n for _, n in counted)
    return positions / max(seconds, 1e-9), seconds, positions


def measure(backend: str, actors: int, cfg: BenchScalingConfig, root: Path) -> dict[str, Any]:
    """One run of ``backend`` with ``actors`` actors; its steady positions/s and start time."""
    from seigen.selfplay.config import SelfPlayConfig
    from seigen.selfplay.run import run_selfplay
    from seigen.selfplay.shards import list_shards

    run_dir = root / f"{backend}-{actors}"
    root.mkdir(parents=True, exist_ok=True)
    spc = SelfPlayConfig(
        game=cfg.game,
        backend=backend,
        actors=actors,
        run_dir=str(run_dir),
        device="cpu",
        actor_device="cpu",
        games_in_flight=cfg.games_in_flight,
        shard_seconds=cfg.shard_seconds,
        min_positions=10**9,  # no training: the trainer only takes in the shards
        window=1_000,
        threads=1,
        eval_every=0,
        final_eval=False,
        progress=False,
        max_minutes=(cfg.startup + cfg.warmup + cfg.seconds) / 60,
    )
    started = time.time()
    summary = run_selfplay(spc)
    shards = list_shards(run_dir / "games")
    first = int(shards[0].name.split("-")[0]) / 1e9 - started if shards else float("nan")
    rate, seconds, positions = steady_rate(run_dir, cfg.warmup)
    return {
        "game": cfg.game,
        "backend": backend,
        "actors": actors,
        "games_in_flight": cfg.games_in_flight,
        "positions_per_s": rate,
        "seconds": seconds,
        "positions": positions,
        "games": summary["games"],
        "first_shard_s": first,
        "failure": summary.get("failure"),
    }


def main(cfg: BenchScalingConfig) -> int:
    """Measure local and ray for each actor count, ``--repeats`` times in turn; print the
    table of medians (or JSON lines, one per run and one median row per setting)."""
    import logging
    import os
    import statistics

    logging.getLogger("seigen.selfplay").setLevel(logging.ERROR)
    medians = []
    with tempfile.TemporaryDirectory(prefix="seigen-bench-scaling-") as tmp:
        for actors in cfg.actors:
            runs: dict[str, list[dict[str, Any]]] = {"local": [], "ray": []}
            for repeat in range(cfg.repeats):  # in turn, so that drift on a shared machine hits both
                for backend in ("local", "ray"):
                    row = measure(backend, actors, cfg, Path(tmp) / str(repeat))
                    runs[backend].append(row)
                    if cfg.json:
                        print(json.dumps({**row, "repeat": repeat, "cpu": cpu_model()}), flush=True)
            base = statistics.median(r["positions_per_s"] for r in runs["local"])
            for backend, rows in runs.items():
                rates = [r["positions_per_s"] for r in rows]
                row = {
                    "game": cfg.game,
                    "backend": backend,
                    "actors": actors,
                    "median": True,
                    "positions_per_s": statistics.median(rates),
                    "min": min(rates),
                    "max": max(rates),
                    "first_shard_s": statistics.median(r["first_shard_s"] for r in rows),
                    "repeats": len(rows),
                    "failures": [r["failure"] for r in rows if r["failure"]],
                }
                row["ratio_to_local"] = row["positions_per_s"] / base if base else None
                medians.append(row)
                if cfg.json:
                    print(json.dumps(row), flush=True)
    if not cfg.json:
        from rich.table import Table

        table = Table(
            title=(
                f"self-play throughput by backend, {cfg.game}, {cfg.games_in_flight} games in flight per actor, "
                f"{os.cpu_count()} cores ({cpu_model()}); median of {cfg.repeats} runs each; unit: {UNIT}"
            )
        )
        for col in ("actors", "backend", "positions/s", "min - max", "ray / local", "first shard after s"):
            table.add_column(col, justify="right")
        for r in medians:
            ratio = r["ratio_to_local"]
            table.add_row(
                str(r["actors"]), r["backend"], f"{r['positions_per_s']:,.0f}",
                f"{r['min']:,.0f} - {r['max']:,.0f}",
                f"{ratio:.2f}" if r["backend"] == "ray" and ratio else "-",
                f"{r['first_shard_s']:.1f}",
            )  # fmt: skip
        stdout_console().print(table)
    return 0
