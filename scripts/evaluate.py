"""``seigen eval RUN_DIR``: evaluate a trained agent under its env's evaluation protocol."""

from __future__ import annotations

import json
import sys

from seigen.scripts.configs import EvalConfig


def _is_selfplay(run_dir: str) -> bool:
    from pathlib import Path

    try:
        config = json.loads((Path(run_dir) / "config.json").read_text())
    except (OSError, json.JSONDecodeError):
        return Path(run_dir).is_file() and "nets" in Path(run_dir).parts
    return "game" in config and "env" not in config


def _wdl(row: dict, key: str) -> str:
    from seigen.engine.ratings import format_result

    for name, r in row["vs"].items():
        if name.startswith(key) and r.get("games"):
            return format_result(r)
    return "-"


def main_selfplay(cfg: EvalConfig) -> int:
    """A self-play run: its latest net (or every kept net with --curve) against the anchors and solvers."""
    from seigen.agents.runs import CheckpointError
    from seigen.engine.devices import resolve_device
    from seigen.selfplay.report import curve, measure

    # auto means cpu for a self-play run, as its evaluator's default device is
    device = resolve_device(cfg.device, auto="cpu")
    kwargs = dict(
        visits=cfg.visits, games=cfg.games, positions=cfg.positions, device=device, seed=cfg.seed or 0
    )
    try:
        rows = (
            curve(cfg.run_dir, every=cfg.every, **kwargs) if cfg.curve else [measure(cfg.run_dir, **kwargs)]
        )
    except (CheckpointError, FileNotFoundError) as e:
        print(f"seigen eval: error: {e}", file=sys.stderr)
        return 2
    if cfg.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    print_report(rows, f"{cfg.run_dir}: {rows[0]['game']}, {cfg.visits} visits per move", curve=cfg.curve)
    return 0


def print_report(rows: list[dict], title: str, curve: bool = False) -> None:
    """The table of ``seigen.selfplay.report`` rows: win rates and the solver checks."""
    from rich.table import Table

    from seigen.scripts.bench_board import stdout_console

    game = rows[0]["game"]
    table = Table(title=title)
    columns = ["step", *(["minutes", "games"] if curve else []), "vs random W-D-L", "vs rollout MCTS W-D-L"]
    columns += {
        "tictactoe": ["losses vs every reply"],
        "connect4": ["accuracy (search)", "accuracy (policy)"],
    }.get(game, [])
    for c in columns:
        table.add_column(c, justify="right")
    for row in rows:
        cells = [f"{row['step']:,}"]
        if curve:
            cells += [f"{row['minutes']:.1f}", f"{row['games_played']:,}"]
        cells += [_wdl(row, "random"), _wdl(row, "mcts-rollout")]
        if game == "tictactoe":
            t = row["tictactoe"]
            cells.append(f"{t['losses']} of {t['games']}")
        elif game == "connect4":
            c4 = row["connect4"]
            cells += [f"{c4['accuracy']:.3f}", f"{c4['policy_accuracy']:.3f}"]
        table.add_row(*cells)
    stdout_console().print(table)


def _is_actor_critic(run_dir: str) -> bool:
    from pathlib import Path

    try:
        return "algo" in json.loads((Path(run_dir) / "config.json").read_text())
    except (OSError, json.JSONDecodeError, TypeError):
        return False


def main_actor_critic(cfg: EvalConfig) -> int:
    """A PPO or A2C run: its latest checkpoint's policy over ``--episodes`` episodes."""
    import dataclasses
    from pathlib import Path

    from seigen.agents.ppo import config_from_run, evaluate, learner_from_state
    from seigen.agents.runs import CheckpointError, checkpoint_file, load_checkpoint

    try:
        path = checkpoint_file(cfg.run_dir)
        run_cfg = config_from_run(Path(cfg.run_dir))
        learner = learner_from_state(load_checkpoint(path), run_cfg, path, cfg.device)
    except CheckpointError as e:
        print(f"seigen eval: error: {e}", file=sys.stderr)
        return 2
    run_cfg = dataclasses.replace(run_cfg, eval_deterministic=not cfg.stochastic)
    result = evaluate(run_cfg, learner, cfg.episodes, seed=cfg.seed)
    if cfg.json:
        print(json.dumps({"run_dir": cfg.run_dir, "env": run_cfg.env, "step": learner.step, **result}))
        return 0
    won = f", won {result['win_rate']:.0%} against the random player" if "win_rate" in result else ""
    how = "sampled actions" if cfg.stochastic else "most likely actions"
    print(
        f"{run_cfg.env} ({run_cfg.algo}) at step {learner.step:,}: {result['mean']:.2f} +- {result['std']:.2f} "
        f"over {result['episodes']} episodes ({how}){won}"
    )
    return 0


def main(cfg: EvalConfig) -> int:
    """Load the run's latest checkpoint, play ``--episodes`` episodes, print mean, std and count."""
    import dataclasses

    if _is_selfplay(cfg.run_dir):
        return main_selfplay(cfg)
    if _is_actor_critic(cfg.run_dir):
        return main_actor_critic(cfg)

    from seigen.agents.dqn import evaluate, load_agent
    from seigen.agents.runs import CheckpointError

    try:
        run_cfg, agent = load_agent(cfg.run_dir, device=cfg.device)
    except CheckpointError as e:
        print(f"seigen eval: error: {e}", file=sys.stderr)
        return 2
    if cfg.epsilon is not None:
        run_cfg = dataclasses.replace(run_cfg, eval_epsilon=cfg.epsilon)
    result = evaluate(run_cfg, agent, cfg.episodes, seed=cfg.seed)
    if cfg.json:
        print(json.dumps({"run_dir": cfg.run_dir, "env": run_cfg.env, "step": agent.step, **result}))
    else:
        print(
            f"{run_cfg.env} at step {agent.step:,}: {result['mean']:.2f} +- {result['std']:.2f} "
            f"over {result['episodes']} episodes (epsilon {run_cfg.eval_epsilon})"
        )
    return 0
