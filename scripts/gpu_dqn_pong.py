"""DQN on ALE/Pong-v5 on a GPU for a fixed wall-clock budget (run once on a lent GPU machine).

    python scripts/gpu_dqn_pong.py --seconds 330 --run-dir $OUT/pong

The Atari preset (Nature DQN as CleanRL runs it) except a shorter ``--learning-starts``;
training stops when the budget is spent (the checkpoint and metrics stay in the run
directory) and the figures printed are steps/s, frames/s, episodes and recent returns.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from seigen.agents.dqn import train
from seigen.agents.dqn_config import DQNConfig


class Budget(Exception):
    pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=330)
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--total-steps", type=int, default=2_000_000)
    ap.add_argument("--learning-starts", type=int, default=20_000)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    print(
        json.dumps({"gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}), flush=True
    )
    start = time.perf_counter()
    returns: list[tuple[int, float]] = []

    def on_episode(step: int, ret: float) -> None:
        returns.append((step, ret))
        print(
            json.dumps({"step": step, "return": ret, "seconds": round(time.perf_counter() - start, 1)}),
            flush=True,
        )
        if time.perf_counter() - start > args.seconds:
            raise Budget

    cfg = DQNConfig(
        env="ALE/Pong-v5",
        total_steps=args.total_steps,
        learning_starts=args.learning_starts,
        run_dir=args.run_dir,
        device="cuda",
        threads=args.threads,
        progress=False,
        eval_episodes=1,
    )
    try:
        summary = train(cfg, on_episode=on_episode)
        print(json.dumps({k: v for k, v in summary.items() if k != "evaluation"}), flush=True)
    except Budget:
        pass
    wall = time.perf_counter() - start
    last = returns[-1][0] if returns else 0
    print(
        json.dumps(
            {
                "wall_s": round(wall, 1),
                "steps_at_last_episode": last,
                "steps_per_s": round(last / wall, 1),
                "frames_per_s": round(4 * last / wall, 1),
                "episodes": len(returns),
                "last_10_mean": sum(r for _, r in returns[-10:]) / max(1, len(returns[-10:])),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
