"""``seigen train dqn|ppo|a2c``: train a model-free agent, then evaluate it under the evaluation protocol."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from seigen.agents.dqn_config import DQNConfig
from seigen.agents.ppo_config import ACConfig


def _run(name: str, train: Callable[[Any], dict[str, Any]], cfg: Any) -> int:
    """Train (or resume) the run, print how it went and how the final agent does."""
    from gymnasium.error import Error as GymError

    from seigen.agents.runs import CheckpointError, RunError

    try:
        summary = train(cfg)
    except (RunError, CheckpointError, ValueError, GymError) as e:
        print(f"seigen train {name}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"seigen train {name}: interrupted; a checkpoint was saved: continue with --resume",
            file=sys.stderr,
        )
        return 130
    ev = summary["evaluation"]
    won = f", won {ev['win_rate']:.0%} against the random player" if "win_rate" in ev else ""
    print(
        f"{summary['steps']:,} steps, {summary['episodes']:,} episodes, {summary['steps_per_s']:,.0f} steps/s; "
        f"evaluation over {ev['episodes']} episodes: {ev['mean']:.2f} +- {ev['std']:.2f}{won}"
    )
    if summary.get("snapshots"):
        print_snapshots(summary["snapshots"])
    keep = {k: v for k, v in summary.items() if k not in ("evaluation", "snapshots")}
    print(json.dumps(keep | {"eval_mean": ev["mean"]}))
    return 0


def print_snapshots(rows: list[dict[str, Any]]) -> None:
    """The self-play snapshots' table: win rates against random and the previous snapshot, Elo."""
    from rich.table import Table

    from seigen.engine.ratings import format_result
    from seigen.scripts.bench_board import stdout_console

    table = Table(title="self-play snapshots (Elo: random = 0, 95% interval)")
    for c in ("snapshot", "vs random W-D-L", "vs previous W-D-L", "Elo"):
        table.add_column(c, justify="right")
    for row in rows:
        cells = [row["player"]]
        vs = list(row["vs"].items())
        for i in range(2):
            if i < len(vs):
                cells.append(format_result(vs[i][1]))
            else:
                cells.append("-")
        elo = row.get("elo")
        cells.append("-" if elo is None else f"{elo:.0f} [{row['elo_low']:.0f}, {row['elo_high']:.0f}]")
        table.add_row(*cells)
    stdout_console().print(table)


def main_dqn(cfg: DQNConfig) -> int:
    """``seigen train dqn``."""
    from seigen.agents.dqn import train

    return _run("dqn", train, cfg)


def main_ac(cfg: ACConfig) -> int:
    """``seigen train ppo`` and ``seigen train a2c``."""
    from seigen.agents.ppo import train

    return _run(cfg.algo, train, cfg)
