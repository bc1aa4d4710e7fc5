"""The RL benchmark's tasks and seigen's side of each measurement.

What ``seigen bench rl`` measures (:data:`TASKS`, :data:`ALL`, the units and seeds), the
budgets from seigen's presets, the thread and CPU settings every run shares, and the runs
of seigen itself: one training run of a learner (:func:`run_seigen`), stepping a vector
env with random actions (:func:`step_envs`) and the short Pong runs (:func:`pong_rows`,
:func:`ppo_pong_rows`). The peers' runs are in ``bench_rl_peers``; putting them together,
the aggregation and the tables in ``bench_rl`` (whose docstring describes the benchmark).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from seigen.scripts.bench_board import cpu_model, single_core
from seigen.scripts.configs import BenchRLConfig

CARTPOLE = "CartPole-v1"
PENDULUM = "Pendulum-v1"
PONG = "ALE/Pong-v5"
SEIGEN, SB3 = "seigen", "sb3"
SEIGEN_SYNC, GYM_ASYNC, ENVPOOL = "seigen-sync", "gymnasium-async", "envpool"
FRAMES_PER_STEP = 4  # AtariPreprocessing's frame_skip in seigen.envs.make
EVAL_SEED_OFFSET = 10_000  # evaluation envs are seeded seed + this (seigen's evaluate does the same)
UNIT_STEP = "one environment step of training (acting, storing, the gradient steps it triggers)"
UNIT_FRAME = "one emulator frame (4 per agent step)"


@dataclass(frozen=True)
class Task:
    """A learner measured against SB3's: its ``--what`` name, algorithm, env and preset family."""

    name: str
    algo: str  # dqn, ppo or a2c
    env: str
    family: str  # the preset's: classic (discrete actions) or continuous


TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task("cartpole", "dqn", CARTPOLE, "classic"),
        Task("ppo-cartpole", "ppo", CARTPOLE, "classic"),
        Task("a2c-cartpole", "a2c", CARTPOLE, "classic"),
        Task("ppo-pendulum", "ppo", PENDULUM, "continuous"),
    )
}
ALL = (*TASKS, "atari-env", "pong", "ppo-pong")  # what --what all runs, in order


def ac_preset(task: Task) -> dict[str, Any]:
    """seigen's preset of an actor-critic task, with A2C's minibatch (the whole rollout) filled in."""
    from seigen.agents.ppo_config import PRESETS

    p = dict(PRESETS[(task.algo, task.family)])
    if task.algo == "a2c":
        p.setdefault("minibatch_size", p["num_envs"] * p["num_steps"])
    return p


def budget(cfg: BenchRLConfig, task: Task) -> int:
    """Environment steps of each run of ``task``: ``--steps`` (DQN), else ``--ac-steps`` or the preset's."""
    if task.algo == "dqn":
        return cfg.steps
    return cfg.ac_steps if cfg.ac_steps is not None else int(ac_preset(task)["total_steps"])


def available_cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine_fields(threads: int, pinned: int | None) -> dict:
    """The fields of a row that say where it ran."""
    return {"cpu": cpu_model(), "cores": threads, "cpu_pinned": pinned, "torch_threads": threads}


@contextmanager
def torch_threads(n: int) -> Iterator[int | None]:
    """``torch.set_num_threads(n)`` (restored after); with ``n == 1`` also pinned to one CPU.

    Yields the CPU pinned to (None when not pinned).
    """
    from seigen.agents.runs import torch_threads as threads

    with threads(n), single_core() if n == 1 else nullcontext(None) as pinned:
        yield pinned


# ---------------------------------------------------------------------------- a learner
def run_seigen(task: Task, seed: int, steps: int, eval_episodes: int, threads: int = 1) -> dict:
    """seigen's learner (the env's preset) for ``steps`` env steps, then its deterministic evaluation."""
    common = dict(
        env=task.env,
        seed=seed,
        total_steps=steps,
        device="cpu",
        progress=False,
        eval_episodes=eval_episodes,
        threads=threads,
    )
    if task.algo == "dqn":
        from seigen.agents.dqn import train
        from seigen.agents.dqn_config import DQNConfig as Config
    else:
        from seigen.agents.ppo import train
        from seigen.agents.ppo_config import A2CConfig, PPOConfig

        Config = {"ppo": PPOConfig, "a2c": A2CConfig}[task.algo]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="seigen-bench-rl-") as run_dir:
        summary = train(Config(run_dir=run_dir, **common))
    wall = time.perf_counter() - t0
    ev = summary["evaluation"]
    return {
        "steps": int(summary["steps"]),
        "seconds": float(summary["seconds"]),
        "steps_per_s": float(summary["steps_per_s"]),
        "episodes": int(summary["episodes"]),
        "recent_return": summary["recent_return"],
        "eval_mean": float(ev["mean"]),
        "eval_std": float(ev["std"]),
        "eval_returns": [float(r) for r in ev["returns"]],
        "wall_s": wall,
    }


# ---------------------------------------------------------------------------- atari env
def step_envs(envs: Any, seconds: float, rng: np.random.Generator, advance: Callable[[float], None]) -> dict:
    """Step ``envs`` with uniform random actions until ``seconds`` pass (at least one step).

    Returns ``agent_steps`` (summed over the envs), ``elapsed`` (seconds inside ``step``)
    and ``frames_per_s``.
    """
    n = envs.num_envs
    num_actions = int(envs.single_action_space.n)
    calls = 0
    elapsed = 0.0
    while elapsed < seconds or calls == 0:
        actions = rng.integers(0, num_actions, size=n)
        t0 = time.perf_counter()
        envs.step(actions)
        dt = time.perf_counter() - t0
        elapsed += dt
        calls += 1
        advance(dt)
    steps = calls * n
    return {"agent_steps": steps, "elapsed": elapsed, "frames_per_s": FRAMES_PER_STEP * steps / elapsed}


# ---------------------------------------------------------------------------- pong
def pong_rows(cfg: BenchRLConfig, progress: Any) -> list[dict]:
    """One ``kind="pong"`` row: a short seigen DQN run on Pong (see ``bench_rl``'s docstring)."""
    from seigen.agents.dqn import train
    from seigen.agents.dqn_config import DQNConfig

    seed = cfg.seeds[0]
    task = progress.add_task(f"pong {cfg.pong_steps:,} steps", total=None)
    with (
        torch_threads(cfg.threads) as pinned,
        tempfile.TemporaryDirectory(prefix="seigen-bench-rl-") as run_dir,
    ):
        machine = machine_fields(cfg.threads, pinned)
        dcfg = DQNConfig(
            env=PONG,
            seed=seed,
            total_steps=cfg.pong_steps,
            learning_starts=cfg.pong_learning_starts,
            buffer_size=cfg.pong_buffer,
            run_dir=run_dir,
            device="cpu",
            progress=False,
            eval_episodes=cfg.pong_eval_episodes,
            threads=cfg.threads,
        )
        t0 = time.perf_counter()
        summary = train(dcfg)
        wall = time.perf_counter() - t0
    progress.update(task, total=1, completed=1)
    stack, height, width = 4, 84, 84  # the Atari observation: uint8 [4, 84, 84]
    naive = cfg.pong_buffer * stack * height * width  # one 4-frame stack per transition
    return [
        {
            **_pong_common(summary, seed, "pong", "dqn"),
            "learning_starts": cfg.pong_learning_starts,
            "gradient_steps": int(summary["updates"]),
            "replay_capacity": cfg.pong_buffer,
            "replay_transitions": int(summary["replay_transitions"]),
            "replay_nbytes": int(summary["replay_nbytes"]),
            "naive_nbytes": naive,
            "wall_s": wall,
            "unit": UNIT_STEP,
            **machine,
        }
    ]


def _pong_common(summary: dict, seed: int, task: str, algo: str) -> dict:
    ev = summary["evaluation"]
    steps = int(summary["steps"])
    return {
        "kind": "pong",
        "task": task,
        "algo": algo,
        "impl": SEIGEN,
        "env": PONG,
        "seed": seed,
        "steps": steps,
        "frames": FRAMES_PER_STEP * steps,
        "seconds": float(summary["seconds"]),
        "steps_per_s": float(summary["steps_per_s"]),
        "frames_per_s": FRAMES_PER_STEP * float(summary["steps_per_s"]),
        "episodes": int(summary["episodes"]),
        "mean_return": summary["recent_return"],
        "eval_mean": float(ev["mean"]),
        "eval_std": float(ev["std"]),
        "eval_episodes": int(ev["episodes"]),
    }


def ppo_pong_rows(cfg: BenchRLConfig, progress: Any) -> list[dict]:
    """One ``kind="pong"`` row (``algo="ppo"``): a short seigen PPO run on Pong (see ``bench_rl``'s docstring).

    Not pinned to one CPU: the preset's env workers (forked) would inherit the pinning."""
    from seigen.agents.ppo import train
    from seigen.agents.ppo_config import PPOConfig

    seed = cfg.seeds[0]
    preset = ac_preset(Task("ppo-pong", "ppo", PONG, "atari"))
    task = progress.add_task(f"ppo-pong {cfg.pong_steps:,} steps", total=None)
    with tempfile.TemporaryDirectory(prefix="seigen-bench-rl-") as run_dir:
        pcfg = PPOConfig(
            env=PONG,
            seed=seed,
            total_steps=cfg.pong_steps,
            run_dir=run_dir,
            device="cpu",
            progress=False,
            eval_episodes=cfg.pong_eval_episodes,
            threads=cfg.threads,
        )
        t0 = time.perf_counter()
        summary = train(pcfg)
        wall = time.perf_counter() - t0
    progress.update(task, total=1, completed=1)
    num_envs, async_envs = int(preset["num_envs"]), bool(preset["async_envs"])
    return [
        {
            **_pong_common(summary, seed, "ppo-pong", "ppo"),
            "num_envs": num_envs,
            "async_envs": async_envs,
            "rollout": num_envs * int(preset["num_steps"]),
            "gradient_steps": int(summary["updates"]),
            "wall_s": wall,
            "unit": UNIT_STEP,
            "cpu": cpu_model(),
            "cores": available_cpus(),  # the learner's torch threads plus the env workers
            "cpu_pinned": None,
            "torch_threads": cfg.threads,
        }
    ]
