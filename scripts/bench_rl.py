"""RL benchmark: seigen's DQN, PPO and A2C against Stable-Baselines3's, Atari env frames/s, short Pong runs.

Seven measurements, each chosen by ``--what`` (``all`` runs them in this order):

* ``cartpole``, ``ppo-cartpole``, ``a2c-cartpole``, ``ppo-pendulum``: a learner against
  SB3's, each seed in the same run. One unit of work is one **environment step** of a
  training run (all envs together: acting, storing and the gradient steps it triggers).
  For each seed, seigen's ``train(<Config>(env, seed, total_steps, device="cpu"))`` with
  its preset and, in the same run, SB3's learner built from **the same preset dict** (so
  the two cannot drift apart), seed and budget:

  - ``cartpole``: DQN on CartPole-v1 (rl-baselines3-zoo's settings: lr 2.3e-3, batch 64,
    buffer 100k, learning_starts 1000, train_freq 256, gradient_steps 128,
    target_update_interval 10, exploration 0.16 down to 0.04, net [256, 256]); ``--steps``.
    seigen's DQN uses double Q-learning targets (its default); SB3's has plain targets.
  - ``ppo-cartpole``: PPO on CartPole-v1 (rl-zoo's settings: 8 envs x 32 steps, minibatch
    256, 20 epochs, lr 1e-3 annealed linearly to 0, gamma 0.98, lambda 0.8, clip 0.2,
    separate 64x64 tanh MLPs); SB3's ``PPO`` on ``make_vec_env(env, n_envs=8, seed)``.
  - ``a2c-cartpole``: A2C on CartPole-v1 (SB3's A2C defaults with 8 envs: 5 steps,
    RMSprop lr 7e-4, alpha 0.99, eps 1e-5, gamma 0.99, lambda 1, no advantage
    normalisation); SB3's ``A2C``.
  - ``ppo-pendulum``: PPO on Pendulum-v1, a diagonal Gaussian (rl-zoo's settings without
    gSDE: 4 envs x 1024 steps, minibatch 64, 10 epochs, lr 1e-3, gamma 0.9, lambda 0.95,
    clip 0.2, log-std 0); SB3's ``PPO`` with ``use_sde=False``.

  The actor-critic budget is ``--ac-steps`` (default: each preset's ``total_steps``:
  100k, 200k, 200k). seigen's steps/s is its training loop's own figure (checkpoints and
  metrics included; not building the run or the final evaluation); SB3's is ``learn()``
  timed. Then each agent is evaluated deterministically (DQN: greedy; PPO and A2C: the
  most likely action, the Gaussian's mean) for ``--eval-episodes`` episodes on an env
  seeded seed + 10000 (seigen's ``evaluate``; SB3's ``evaluate_policy``). Both run with
  ``torch.set_num_threads(--threads)``; with one thread the process is also pinned to
  one CPU. Per task: the medians over seeds, the ratio seigen/sb3 of steps/s and the
  issue's goal (an equal or better median return at 2x SB3's steps/s or more). SB3
  anneals the learning rate by the progress after each rollout, seigen by the progress
  before it (one rollout apart).
* ``atari-env``: one unit of work is one **emulator frame** (an agent step is 4 frames).
  ``--num-envs`` copies of ``ALE/Pong-v5`` (Machado protocol, training wrappers) with
  uniform random actions: seigen's ``make_vector_env`` (a synchronous vector env, one
  process) against Gymnasium's ``AsyncVectorEnv`` over the same ``make_env`` thunks (one
  worker process per env, on all the CPUs this process may use). Resets and building
  the envs are not timed; median of ``--env-repeats`` runs of ``--env-seconds``.
* ``pong``: a short seigen DQN run on ``ALE/Pong-v5`` (the Atari preset with
  ``--pong-steps`` agent steps, ``--pong-learning-starts``, a ``--pong-buffer`` replay)
  showing the loop runs end to end: its steps/s and frames/s, the episodes it finished,
  their mean score, the final evaluation, and the replay buffer's memory (``nbytes``)
  beside what storing every 4-frame stack would take (with ``--threads 1`` pinned to one CPU).
* ``ppo-pong``: a short seigen PPO run on ``ALE/Pong-v5`` (CleanRL's ppo_atari preset: 8
  envs in worker processes, rollouts of 8 x 128 agent steps, so ``--pong-steps`` rounds
  up to whole rollouts): steps/s, frames/s, the episodes it finished, their mean score,
  the gradient steps and the final evaluation (Machado protocol, the most likely
  action). Not pinned: the env workers use all the CPUs this process may use.

This module runs the measurements, aggregates them (medians, ratios, the goal) and prints
them; the tasks and seigen's own runs are in ``bench_rl_runs``, SB3's learners and EnvPool
(the peers) in ``bench_rl_peers``.

Usage: ``seigen bench rl [--what cartpole|ppo-cartpole|a2c-cartpole|ppo-pendulum|atari-env|pong|ppo-pong|all]
[--seeds 1 2 3] [--steps 50000] [--ac-steps N] [--pong-steps 25000] [--threads 1] [--json] [--no-peer]``.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from seigen.scripts.bench_board import _progress, cpu_model, stdout_console
from seigen.scripts.bench_rl_peers import (
    SB3_MISSING,
    envpool_available,
    make_atari_envs,
    run_sb3,
    sb3_available,
)
from seigen.scripts.bench_rl_runs import (
    ALL,
    ENVPOOL,
    EVAL_SEED_OFFSET,
    FRAMES_PER_STEP,
    GYM_ASYNC,
    PONG,
    SB3,
    SEIGEN,
    SEIGEN_SYNC,
    TASKS,
    UNIT_FRAME,
    UNIT_STEP,
    Task,
    ac_preset,
    available_cpus,
    budget,
    machine_fields,
    pong_rows,
    ppo_pong_rows,
    run_seigen,
    step_envs,
    torch_threads,
)
from seigen.scripts.configs import BenchRLConfig

GOAL_SPEEDUP = 2.0  # the issue: at least 2x SB3's steps/s ...
# ... with an equal or better median evaluation return


# ---------------------------------------------------------------------------- learners against SB3
RUNNERS: dict[str, Callable[..., dict]] = {SEIGEN: run_seigen, SB3: run_sb3}


def learner_impls(cfg: BenchRLConfig, warn: Callable[[str], None]) -> list[str]:
    """seigen, and SB3 when ``--peer`` and it is installed (else ``warn`` says why not)."""
    impls = [SEIGEN]
    if cfg.peer:
        if sb3_available():
            impls.append(SB3)
        else:
            warn(SB3_MISSING)
    return impls


def learner_rows(cfg: BenchRLConfig, task: Task, impls: list[str], progress: Any) -> list[dict]:
    """One ``kind="run"`` row per (seed, impl): seigen then SB3 for each seed, on the same thread settings."""
    steps = budget(cfg, task)
    bar = progress.add_task(task.name, total=len(cfg.seeds) * len(impls))
    rows = []
    with torch_threads(cfg.threads) as pinned:
        machine = machine_fields(cfg.threads, pinned)
        for seed in cfg.seeds:
            for impl in impls:
                progress.update(bar, description=f"{task.name} {impl} seed {seed}")
                result = RUNNERS[impl](task, seed, steps, cfg.eval_episodes, cfg.threads)
                rows.append(
                    {
                        "kind": "run",
                        "task": task.name,
                        "algo": task.algo,
                        "impl": impl,
                        "env": task.env,
                        "seed": seed,
                        **result,
                        "budget": steps,
                        "eval_episodes": cfg.eval_episodes,
                        "unit": UNIT_STEP,
                        **machine,
                    }
                )
                progress.advance(bar)
    return rows


def _by_task(rows: list[dict], kind: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        if row["kind"] == kind:
            out.setdefault(row["task"], []).append(row)
    return out


def medians(rows: list[dict]) -> list[dict]:
    """Per task and impl: the medians over seeds of ``steps_per_s`` and ``eval_mean`` (``kind="median"``)."""
    out = []
    for task, runs in _by_task(rows, "run").items():
        for impl in dict.fromkeys(row["impl"] for row in runs):
            mine = [row for row in runs if row["impl"] == impl]
            out.append(
                {
                    "kind": "median",
                    "task": task,
                    "algo": mine[0]["algo"],
                    "impl": impl,
                    "env": mine[0]["env"],
                    "seeds": [row["seed"] for row in mine],
                    "steps": mine[0]["budget"],
                    "seconds": statistics.median(row["seconds"] for row in mine),
                    "steps_per_s": statistics.median(row["steps_per_s"] for row in mine),
                    "eval_mean": statistics.median(row["eval_mean"] for row in mine),
                    "eval_std": statistics.median(row["eval_std"] for row in mine),
                    "cpu": mine[0]["cpu"],
                    "cores": mine[0]["cores"],
                }
            )
    return out


def _ratio_and_goal(rows: list[dict]) -> list[dict]:
    """Per task, seigen/sb3 (steps/s and return) and whether the goal holds; nothing for a task
    without both medians."""
    out = []
    for task, meds in _by_task(medians(rows), "median").items():
        by_impl = {row["impl"]: row for row in meds}
        if SEIGEN not in by_impl or SB3 not in by_impl:
            continue
        a, b = by_impl[SEIGEN], by_impl[SB3]
        speedup = a["steps_per_s"] / b["steps_per_s"]
        return_ok = a["eval_mean"] >= b["eval_mean"]
        name = f"{a['algo'].upper()} on {a['env']}"
        out += [
            {
                "kind": "ratio",
                "task": task,
                "ratio": f"{SEIGEN}/{SB3}",
                "env": a["env"],
                "steps_per_s": speedup,
                "eval_mean_diff": a["eval_mean"] - b["eval_mean"],
            },
            {
                "kind": "goal",
                "task": task,
                "goal": f"{name}: seigen's median return >= SB3's and seigen/sb3 steps/s >= {GOAL_SPEEDUP:g}x",
                "steps_per_s_ratio": speedup,
                "eval_mean": a["eval_mean"],
                "sb3_eval_mean": b["eval_mean"],
                "return_met": return_ok,
                "speed_met": speedup >= GOAL_SPEEDUP,
                "met": return_ok and speedup >= GOAL_SPEEDUP,
            },
        ]
    return out


# ---------------------------------------------------------------------------- atari env
def atari_env_rows(cfg: BenchRLConfig, progress: Any) -> list[dict]:
    """``kind="env"`` rows: seigen's synchronous vector env, then Gymnasium's async one and,
    when it is installed, EnvPool; with a ratio row per peer."""
    impls = [SEIGEN_SYNC]
    if cfg.peer:
        impls += [GYM_ASYNC] + ([ENVPOOL] if envpool_available() else [])
    cpus = available_cpus()
    seed = cfg.seeds[0]
    rows = []
    for impl in impls:
        task = progress.add_task(f"atari-env {impl}", total=cfg.env_seconds * cfg.env_repeats)
        envs = make_atari_envs(impl, cfg.num_envs, seed)
        try:
            envs.reset(seed=seed)
            rng = np.random.default_rng(seed)
            step_envs(envs, 0.0, rng, lambda dt: None)  # warm-up: one step, not timed
            fps, steps = [], 0
            for r in range(cfg.env_repeats):

                def advance(dt: float, r: int = r, task: Any = task, impl: str = impl) -> None:
                    progress.update(
                        task, advance=dt, description=f"atari-env {impl} {r + 1}/{cfg.env_repeats}"
                    )

                t = step_envs(envs, cfg.env_seconds, rng, advance)
                fps.append(t["frames_per_s"])
                steps += t["agent_steps"]
        finally:
            envs.close()
        frames_per_s = statistics.median(fps)
        rows.append(
            {
                "kind": "env",
                "task": "atari-env",
                "impl": impl,
                "env": PONG,
                "num_envs": cfg.num_envs,
                "processes": cfg.num_envs if impl == GYM_ASYNC else 1,
                "frames_per_s": frames_per_s,
                "steps_per_s": frames_per_s / FRAMES_PER_STEP,
                "frames_per_s_runs": fps,
                "agent_steps": steps,
                "seconds": cfg.env_seconds,
                "repeats": cfg.env_repeats,
                "unit": UNIT_FRAME,
                "cpu": cpu_model(),
                "cores": 1 if impl == SEIGEN_SYNC else min(cfg.num_envs, cpus),  # EnvPool: its threads
                "cpus_available": cpus,
            }
        )
    for peer in rows[1:]:
        rows.append(
            {
                "kind": "ratio",
                "task": "atari-env",
                "ratio": f"{SEIGEN_SYNC}/{peer['impl']}",
                "env": PONG,
                "frames_per_s": rows[0]["frames_per_s"] / peer["frames_per_s"],
            }
        )
    return rows


# ---------------------------------------------------------------------------- the run
def run_rl_benchmark(cfg: BenchRLConfig | None = None, show_progress: bool = True) -> list[dict]:
    """Run the measurements ``cfg.what`` names; returns their rows in order.

    ``kind`` ``"run"`` (one training run against SB3: ``task``, ``algo``, ``impl``, ``env``,
    ``seed``, ``steps``, ``seconds``, ``steps_per_s``, ``eval_mean``, ``eval_std``,
    ``eval_returns``, ``episodes``, ``recent_return``, ``wall_s``, the machine),
    ``"median"`` (per task and impl over the seeds), ``"ratio"`` and ``"goal"`` (per task,
    seigen/sb3), ``"env"`` (a vector env's ``frames_per_s``) with its ``"ratio"``,
    ``"skipped"`` (a peer that is not installed) and ``"pong"`` (a short Pong run;
    ``algo`` ``"dqn"`` or ``"ppo"``). Progress goes to stderr.
    """
    cfg = cfg or BenchRLConfig()
    parts = ALL if cfg.what == "all" else (cfg.what,)
    rows: list[dict] = []

    def warn(message: str) -> None:
        print(message, file=sys.stderr, flush=True)
        rows.append({"kind": "skipped", "impl": SB3, "reason": message})

    with _progress(show_progress) as progress:
        impls = learner_impls(cfg, warn) if any(p in TASKS for p in parts) else []
        for part in parts:
            if part in TASKS:
                runs = learner_rows(cfg, TASKS[part], impls, progress)
                rows += [*runs, *medians(runs), *_ratio_and_goal(runs)]
            elif part == "atari-env":
                rows += atari_env_rows(cfg, progress)
            elif part == "pong":
                rows += pong_rows(cfg, progress)
            elif part == "ppo-pong":
                rows += ppo_pong_rows(cfg, progress)
            else:
                raise ValueError(f"unknown measurement {part!r}")
    return rows


# ---------------------------------------------------------------------------- output
def _num(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def _where(row: dict) -> str:
    pinned = row.get("cpu_pinned")
    where = f"pinned to CPU {pinned}" if pinned is not None else "not pinned"
    return f"CPU: {row['cpu']}, torch threads: {row['torch_threads']} ({where})"


def _mb(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:,.0f} MiB"


def settings_text(task: Task) -> str:
    """The shared settings of ``task`` in a few words (for the table's caption)."""
    if task.algo == "dqn":
        return "rl-baselines3-zoo's CartPole-v1 DQN settings; seigen uses double Q-learning targets, SB3 plain ones"
    p = ac_preset(task)
    lr = f"lr {p['learning_rate']:g}" + (" annealed linearly to 0" if p["anneal_lr"] else "")
    text = (
        f"{p['num_envs']} envs x {p['num_steps']} steps, minibatch {p['minibatch_size']}, "
        f"{p['update_epochs']} epoch(s), {p['optimizer']} {lr}, gamma {p['gamma']:g}, "
        f"lambda {p['gae_lambda']:g}, clip {p['clip_coef']:g}, ent {p['ent_coef']:g}, vf {p['vf_coef']:g}, "
        f"grad norm {p['max_grad_norm']:g}, adv. norm {'on' if p['norm_adv'] else 'off'}, "
        f"separate {'x'.join(map(str, p['hidden']))} {p['activation']} MLPs"
    )
    if task.family == "continuous":
        text += f", Gaussian log-std {p['log_std_init']:g} (no gSDE)"
    return text


def _learner_table(task: str, rows: list[dict], skipped: list[dict]) -> Any:
    """The table of one task against SB3: its runs, medians, ratio and goal."""
    from rich.table import Table

    runs = [row for row in rows if row["kind"] == "run" and row["task"] == task]
    meds = [row for row in rows if row["kind"] == "median" and row["task"] == task]
    ratio = next((r for r in rows if r["kind"] == "ratio" and r.get("task") == task), None)
    goal = next((r for r in rows if r["kind"] == "goal" and r["task"] == task), None)
    first = runs[0]
    spec = TASKS.get(task)
    how = (
        "greedy" if first["algo"] == "dqn" else "deterministic (the most likely action / the Gaussian's mean)"
    )
    caption = f"{_where(first)}; evaluation: {how}, {first['eval_episodes']} episodes, env seed = seed + {EVAL_SEED_OFFSET}"
    caption += "\nsteps/s: the training loop (seigen: train()'s own figure; SB3: learn() timed)"
    if spec is not None:
        caption += f"\nsame settings, from seigen's preset: {settings_text(spec)}"
    if ratio is not None:
        caption += f"\nseigen/sb3: {ratio['steps_per_s']:,.2f}x steps/s, median return {ratio['eval_mean_diff']:+.1f}"
    if goal is not None:
        caption += f"\ngoal {goal['goal']}: {'met' if goal['met'] else 'NOT met'}"
    for s in skipped:
        caption += f"\n{s['reason']}"
    title = f"{first['algo'].upper()} on {first['env']}, {first['budget']:,} steps: {UNIT_STEP}"
    table = Table(title=title, caption=caption)
    table.add_column("impl")
    table.add_column("seed", justify="right")
    for name in ("steps", "seconds", "steps/s", "episodes", "eval return", "seigen/sb3"):
        table.add_column(name, justify="right")
    for row in [*runs, *meds]:
        median = row["kind"] == "median"
        if ratio is None:
            vs = "-"
        elif median:
            vs = f"{ratio['steps_per_s']:,.2f}x" if row["impl"] == SEIGEN else "1.00x"
        else:
            vs = ""
        table.add_row(
            f"[bold]{row['impl']} (median)[/]" if median else row["impl"],
            "" if median else str(row["seed"]),
            f"{row['steps']:,}",
            f"{row['seconds']:,.1f}",
            _num(row["steps_per_s"]),
            "" if median else f"{row['episodes']:,}",
            f"{row['eval_mean']:.1f} ± {row['eval_std']:.1f}",
            vs,
        )
    return table


def _pong_table(row: dict) -> Any:
    from rich.table import Table

    mean = row["mean_return"]
    cells = {
        "steps/s": _num(row["steps_per_s"]),
        "frames/s": _num(row["frames_per_s"]),
        "seconds": f"{row['seconds']:,.1f}",
        "episodes": f"{row['episodes']:,}",
        "mean return": "-" if mean is None else f"{mean:+.1f}",
        "eval return": f"{row['eval_mean']:+.1f}",
    }
    if row.get("algo", "dqn") == "dqn":
        caption = (
            f"{_where(row)}; Atari preset, learning from step {row['learning_starts']:,}, "
            f"replay of {row['replay_capacity']:,} transitions\n"
            f"returns: real game scores (not clipped); evaluation: Machado protocol, epsilon 0.001, "
            f"{row['eval_episodes']} episode(s)\n"
            "naive replay: one uint8 [4, 84, 84] stack per transition"
        )
        cells |= {"replay": _mb(row["replay_nbytes"]), "naive replay": _mb(row["naive_nbytes"])}
        name = "DQN"
    else:
        workers = "worker processes" if row["async_envs"] else "one process"
        caption = (
            f"{_where(row)}; {row['cores']} CPUs available; Atari preset (CleanRL's ppo_atari): "
            f"{row['num_envs']} envs in {workers}, rollouts of {row['rollout']:,} agent steps\n"
            f"returns: real game scores (not clipped); evaluation: Machado protocol, the most likely action, "
            f"{row['eval_episodes']} episode(s)"
        )
        cells |= {"gradient steps": f"{row['gradient_steps']:,}"}
        name = "PPO"
    table = Table(
        title=f"seigen {name} on {row['env']}, {row['steps']:,} agent steps (4 frames each)", caption=caption
    )
    for column in cells:
        table.add_column(column, justify="right")
    table.add_row(*cells.values())
    return table


def render_tables(rows: list[dict]) -> list[Any]:
    """The results as rich Tables: per learner task (runs, medians, ratio, goal), Atari env frames/s, Pong."""
    from rich.table import Table

    tables = []
    skipped = [row for row in rows if row["kind"] == "skipped"]
    for task in _by_task(rows, "run"):
        tables.append(_learner_table(task, rows, skipped))
    envs = [row for row in rows if row["kind"] == "env"]
    if envs:
        first = envs[0]
        caption = (
            f"CPU: {first['cpu']}, {first['cpus_available']} CPUs available; median of "
            f"{first['repeats']} x {first['seconds']:g} s; random actions; Machado protocol, training wrappers"
        )
        for r in (
            row for row in rows if row["kind"] == "ratio" and row["ratio"].startswith(f"{SEIGEN_SYNC}/")
        ):
            caption += f"\n{r['ratio']}: {r['frames_per_s']:,.2f}x frames/s"
        table = Table(title=f"Atari env ({first['env']}): {UNIT_FRAME}", caption=caption)
        table.add_column("impl")
        for name in ("envs", "processes", "agent steps/s", "frames/s"):
            table.add_column(name, justify="right")
        for row in envs:
            table.add_row(
                row["impl"],
                str(row["num_envs"]),
                str(row["processes"]),
                _num(row["steps_per_s"]),
                _num(row["frames_per_s"]),
            )
        tables.append(table)
    tables += [_pong_table(row) for row in rows if row["kind"] == "pong"]
    return tables


def print_results(rows: list[dict], as_json: bool = False) -> None:
    """JSON lines (every row, in order) or the tables, on stdout."""
    if as_json:
        for row in rows:
            print(json.dumps(row), flush=True)
        return
    console = stdout_console()
    for table in render_tables(rows):
        console.print(table)


def plot_panels(rows: list[dict]) -> list[Any]:
    """The tables as bars for ``seigen.scripts.plots.save_bench_plot``: per task the median
    steps/s and return of seigen and SB3 (seigen/sb3 under each), and the Atari vector envs'
    frames/s (seigen/peer under them). The short Pong runs have no peer and are not drawn."""
    from seigen.scripts.plots import Bar, BarPanel, ratio_text

    meds = [row for row in rows if row["kind"] == "median"]
    learner_ratios = {r["task"]: r for r in rows if r["kind"] == "ratio" and r["task"] in TASKS}

    def group(row: dict) -> str:
        return f"{row['algo'].upper()} {row['env']}"

    task_group = {row["task"]: group(row) for row in meds}
    speed_notes = {
        task_group[t]: ratio_text(r["steps_per_s"], r["ratio"])
        for t, r in learner_ratios.items()
        if t in task_group
    }
    return_notes = {
        task_group[t]: f"seigen - sb3: {r['eval_mean_diff']:+.1f}"
        for t, r in learner_ratios.items()
        if t in task_group
    }
    panels = [
        BarPanel(
            f"training speed, median over seeds; unit: {UNIT_STEP}",
            "environment steps per second",
            [Bar(group(row), row["impl"], row["steps_per_s"]) for row in meds],
            speed_notes,
        ),
        BarPanel(
            "final evaluation return, median over seeds",
            "episodic return",
            [Bar(group(row), row["impl"], row["eval_mean"]) for row in meds],
            return_notes,
            log=False,
        ),
    ]
    envs = [row for row in rows if row["kind"] == "env"]
    env_notes: dict[str, str] = {}
    for r in rows:
        if r["kind"] == "ratio" and r["task"] == "atari-env":
            g = f"{r['env']}, {envs[0]['num_envs']} envs" if envs else r["env"]
            env_notes[g] = "\n".join(
                filter(None, [env_notes.get(g), ratio_text(r["frames_per_s"], r["ratio"])])
            )
    env_bars = [
        Bar(f"{row['env']}, {row['num_envs']} envs", row["impl"], row["frames_per_s"]) for row in envs
    ]
    panels.append(
        BarPanel(f"Atari vector envs; unit: {UNIT_FRAME}", "frames per second", env_bars, env_notes)
    )
    return [p for p in panels if p.bars]


def main(cfg: BenchRLConfig) -> int:
    """``seigen bench rl``."""
    rows = run_rl_benchmark(cfg)
    print_results(rows, as_json=cfg.json)
    if cfg.plot:
        panels = plot_panels(rows)
        if not panels:  # only the Pong runs, which have no peer
            print(f"--plot: nothing to draw for --what {cfg.what} (no peer to compare)", file=sys.stderr)
            return 0
        from seigen.scripts.plots import save_bench_plot

        cpu = next((row["cpu"] for row in rows if "cpu" in row), "unknown CPU")
        save_bench_plot(cfg.plot, f"seigen bench rl: seigen against its peers ({cpu})", panels)
    return 0


if __name__ == "__main__":
    from seigen.scripts.cli import main as cli_main

    raise SystemExit(cli_main(["bench", "rl", *sys.argv[1:]]))
