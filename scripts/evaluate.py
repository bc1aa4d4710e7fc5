"""``seigen eval RUN_DIR``: evaluate a trained agent under its env's evaluation protocol."""

from __future__ import annotations

import json
import sys

from seigen.scripts.configs import EvalConfig


def main(cfg: EvalConfig) -> int:
    """Load the run's latest checkpoint, play ``--episodes`` episodes, print mean, std and count."""
    import dataclasses

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
