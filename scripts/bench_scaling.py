"""Self-play throughput by backend and actor count: what Ray costs against local processes.

Each setting is a real ``seigen selfplay`` run (``run_selfplay``) in a scratch directory,
with the game's preset net and search, and training held off (``min_positions`` above
the window), so that the figure is what the actors deliver to the trainer's directory.
The rate is read from the shards on disk: their names carry the time each was written, so
positions/s is counted over the steady state (from ``--warmup`` seconds after the first
shard to the last one), without the start of the processes or of the Ray cluster. That
start is its own column: seconds from the call to the first shard on disk.

The peer is the ``local`` backend with the same number of actors, in the same run; the
ratio column is ``ray / local``.

Usage: ``seigen bench scaling [--game connect4] [--actors 1 2 4] [--seconds 40] [--json]``.
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
    """Measure local and ray for each actor count; print the table (or JSON lines)."""
    import logging

    logging.getLogger("seigen.selfplay").setLevel(logging.ERROR)
    rows = []
    with tempfile.TemporaryDirectory(prefix="seigen-bench-scaling-") as tmp:
        for actors in cfg.actors:
            base = None
            for backend in ("local", "ray"):
                row = measure(backend, actors, cfg, Path(tmp))
                base = base or row
                row["ratio_to_local"] = (
                    row["positions_per_s"] / base["positions_per_s"] if base["positions_per_s"] else None
                )
                row["cpu"] = cpu_model()
                rows.append(row)
                if cfg.json:
                    print(json.dumps(row), flush=True)
    if not cfg.json:
        import os

        from rich.table import Table

        table = Table(
            title=f"self-play throughput by backend, {cfg.game}, {os.cpu_count()} cores ({cpu_model()}); unit: {UNIT}"
        )
        for col in ("actors", "backend", "positions/s", "ray / local", "measured s", "first shard after s"):
            table.add_column(col, justify="right")
        for r in rows:
            ratio = r["ratio_to_local"]
            table.add_row(
                str(r["actors"]), r["backend"], f"{r['positions_per_s']:,.0f}",
                f"{ratio:.2f}" if r["backend"] == "ray" and ratio else "-",
                f"{r['seconds']:.0f}", f"{r['first_shard_s']:.1f}",
            )  # fmt: skip
        stdout_console().print(table)
    return 0
