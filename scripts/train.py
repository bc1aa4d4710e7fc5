"""``seigen train dqn``: train a DQN-family agent, then evaluate it under the evaluation protocol."""

from __future__ import annotations

import json
import sys

from seigen.agents.dqn_config import DQNConfig


def main_dqn(cfg: DQNConfig) -> int:
    """Train (or resume) the run, print where it is and how the final agent does."""
    from gymnasium.error import Error as GymError

    from seigen.agents.dqn import train
    from seigen.agents.runs import RunError

    try:
        summary = train(cfg)
    except (RunError, ValueError, GymError) as e:
        print(f"seigen train dqn: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "seigen train dqn: interrupted; a checkpoint was saved: continue with --resume",
            file=sys.stderr,
        )
        return 130
    ev = summary["evaluation"]
    print(
        f"{summary['steps']:,} steps, {summary['episodes']:,} episodes, {summary['steps_per_s']:,.0f} steps/s; "
        f"evaluation over {ev['episodes']} episodes: {ev['mean']:.2f} +- {ev['std']:.2f}"
    )
    print(json.dumps({k: v for k, v in summary.items() if k != "evaluation"} | {"eval_mean": ev["mean"]}))
    return 0
