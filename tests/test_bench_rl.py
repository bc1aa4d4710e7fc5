"""The RL benchmark: its JSON lines and tables with tiny budgets, the ratio and goal rows (no timing is asserted)."""

from __future__ import annotations

import json

import pytest

from seigen.scripts import bench_rl
from seigen.scripts.bench_rl import (
    ALL,
    ENVPOOL,
    GYM_ASYNC,
    SB3,
    SB3_MISSING,
    SEIGEN,
    SEIGEN_SYNC,
    TASKS,
    budget,
    envpool_available,
    make_atari_envs,
    medians,
    run_rl_benchmark,
)
from seigen.scripts.bench_rl_peers import sb3_actor_critic
from seigen.scripts.cli import main
from seigen.scripts.configs import BenchRLConfig

RUN_KEYS = {
    "kind",
    "impl",
    "env",
    "seed",
    "steps",
    "seconds",
    "steps_per_s",
    "eval_mean",
    "eval_std",
    "cpu",
    "cores",
}
ENV_KEYS = {
    "kind",
    "impl",
    "env",
    "num_envs",
    "frames_per_s",
    "steps_per_s",
    "seconds",
    "repeats",
    "cpu",
    "cores",
}
PONG_KEYS = {
    "steps_per_s",
    "frames_per_s",
    "episodes",
    "mean_return",
    "eval_mean",
    "replay_nbytes",
    "naive_nbytes",
    "replay_transitions",
}
TINY_CARTPOLE = ["--what", "cartpole", "--seeds", "1", "--steps", "1100", "--eval-episodes", "1"]


def _json_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]  # nothing but JSON


def _check_run(row: dict, impl: str, steps: int) -> None:
    assert row.keys() >= RUN_KEYS
    assert row["impl"] == impl and row["env"] == "CartPole-v1" and row["seed"] == 1
    assert row["steps"] >= steps and row["steps_per_s"] > 0 and row["seconds"] > 0
    assert row["cores"] == 1 and row["torch_threads"] == 1
    assert len(row["eval_returns"]) == 1 and 1 <= row["eval_mean"] <= 500 and row["eval_std"] >= 0
    assert isinstance(row["cpu"], str) and row["cpu"]


def test_cli_cartpole_json_with_the_sb3_peer(capsys):
    pytest.importorskip("stable_baselines3", reason=SB3_MISSING)
    assert main(["bench", "rl", *TINY_CARTPOLE, "--json"]) == 0
    lines = _json_lines(capsys)
    assert [line["kind"] for line in lines] == ["run", "run", "median", "median", "ratio", "goal"]
    _check_run(lines[0], SEIGEN, 1100)
    _check_run(lines[1], SB3, 1100)
    assert [m["impl"] for m in lines[2:4]] == [SEIGEN, SB3]
    ratio, goal = lines[4], lines[5]
    assert ratio["ratio"] == "seigen/sb3"
    assert ratio["steps_per_s"] == pytest.approx(lines[2]["steps_per_s"] / lines[3]["steps_per_s"])
    assert isinstance(goal["met"], bool) and goal["met"] == (goal["return_met"] and goal["speed_met"])


def test_cartpole_without_sb3_measures_seigen_and_says_why(monkeypatch, capsys):
    monkeypatch.setattr(bench_rl, "sb3_available", lambda: False)
    cfg = BenchRLConfig(what="cartpole", seeds=(1,), steps=300, eval_episodes=1)
    rows = run_rl_benchmark(cfg, show_progress=False)
    assert [row["kind"] for row in rows] == ["skipped", "run", "median"]
    assert rows[0]["impl"] == SB3 and "stable-baselines3 is not installed" in rows[0]["reason"]
    assert "pip install" in capsys.readouterr().err
    _check_run(rows[1], SEIGEN, 300)
    bench_rl.print_results(rows)
    out = capsys.readouterr().out
    assert "seigen" in out and "stable-baselines3 is not installed" in out and "goal" not in out


def test_cartpole_table_names_everything(capsys):
    pytest.importorskip("stable_baselines3", reason=SB3_MISSING)
    assert main(["bench", "rl", *TINY_CARTPOLE]) == 0
    out = capsys.readouterr().out
    for text in ("CartPole-v1", "seigen", "sb3", "(median)", "steps/s", "eval return", "seigen/sb3", "goal"):
        assert text in out
    assert "torch threads: 1" in out


def test_cli_atari_env_json(capsys):
    pytest.importorskip("ale_py")
    argv = [
        "bench",
        "rl",
        "--what",
        "atari-env",
        "--num-envs",
        "2",
        "--env-seconds",
        "0.3",
        "--env-repeats",
        "1",
    ]
    assert main([*argv, "--json"]) == 0
    lines = _json_lines(capsys)
    envs = [line for line in lines if line["kind"] == "env"]
    peers = [GYM_ASYNC, ENVPOOL] if envpool_available() else [GYM_ASYNC]
    assert [row["impl"] for row in envs] == [SEIGEN_SYNC, *peers]
    for row in envs:
        assert row.keys() >= ENV_KEYS
        assert row["env"] == "ALE/Pong-v5" and row["num_envs"] == 2 and row["agent_steps"] >= 2
        assert row["frames_per_s"] == pytest.approx(4 * row["steps_per_s"]) and row["frames_per_s"] > 0
    assert envs[0]["processes"] == 1 and envs[1]["processes"] == 2
    ratios = [line for line in lines if line["kind"] == "ratio"]
    assert [r["ratio"] for r in ratios] == [f"{SEIGEN_SYNC}/{peer}" for peer in peers]
    assert all(r["frames_per_s"] > 0 for r in ratios)


def test_cli_pong_runs_end_to_end(capsys):
    pytest.importorskip("ale_py")
    argv = ["bench", "rl", "--what", "pong", "--pong-steps", "160", "--pong-learning-starts", "100"]
    assert main([*argv, "--pong-buffer", "1000", "--json"]) == 0
    (row,) = _json_lines(capsys)
    assert row["kind"] == "pong" and row["impl"] == SEIGEN and row["env"] == "ALE/Pong-v5"
    assert row["algo"] == "dqn" and row["task"] == "pong"
    assert row.keys() >= PONG_KEYS
    assert row["steps"] == 160 and row["frames"] == 640 and row["gradient_steps"] == 16
    assert row["frames_per_s"] == pytest.approx(4 * row["steps_per_s"])
    assert row["replay_transitions"] == 160 and row["replay_capacity"] == 1000
    # each 84x84 frame is stored once: about a quarter of one 4-frame stack per transition
    assert row["naive_nbytes"] == 1000 * 4 * 84 * 84
    assert 1000 * 84 * 84 <= row["replay_nbytes"] < row["naive_nbytes"] / 2
    assert row["eval_episodes"] == 1 and -21 <= row["eval_mean"] <= 21


def test_pong_table(monkeypatch, capsys):
    row = {
        "kind": "pong",
        "task": "pong",
        "algo": "dqn",
        "impl": SEIGEN,
        "env": "ALE/Pong-v5",
        "steps": 25_000,
        "steps_per_s": 120.0,
        "frames_per_s": 480.0,
        "seconds": 208.0,
        "episodes": 7,
        "mean_return": -20.4,
        "eval_mean": -21.0,
        "eval_episodes": 1,
        "learning_starts": 5000,
        "replay_capacity": 100_000,
        "replay_nbytes": 708 * 2**20,
        "naive_nbytes": 2_822_400_000,
        "cpu": "a CPU",
        "cpu_pinned": 1,
        "torch_threads": 1,
    }
    bench_rl.print_results([row])
    out = capsys.readouterr().out
    for text in ("ALE/Pong-v5", "25,000 agent steps", "480", "-20.4", "708 MiB", "2,692 MiB", "naive replay"):
        assert text in out


def _run(impl: str, seed: int, sps: float, ret: float, task: str = "cartpole") -> dict:
    return {
        "kind": "run",
        "task": task,
        "algo": TASKS[task].algo,
        "impl": impl,
        "env": "CartPole-v1",
        "seed": seed,
        "budget": 50_000,
        "seconds": 50_000 / sps,
        "steps_per_s": sps,
        "eval_mean": ret,
        "eval_std": 0.0,
        "cpu": "a CPU",
        "cores": 1,
    }


def test_medians_ratio_and_goal():
    runs = [
        _run(SEIGEN, 1, 2500.0, 500.0),
        _run(SB3, 1, 1000.0, 500.0),
        _run(SEIGEN, 2, 2000.0, 480.0),
        _run(SB3, 2, 1100.0, 300.0),
        _run(SEIGEN, 3, 2200.0, 500.0),
        _run(SB3, 3, 1050.0, 500.0),
    ]
    meds = {m["impl"]: m for m in medians(runs)}
    assert meds[SEIGEN]["steps_per_s"] == 2200.0 and meds[SEIGEN]["eval_mean"] == 500.0
    assert meds[SB3]["steps_per_s"] == 1050.0 and meds[SB3]["seeds"] == [1, 2, 3]
    ratio, goal = bench_rl._ratio_and_goal(runs)
    assert ratio["steps_per_s"] == pytest.approx(2200 / 1050) and ratio["eval_mean_diff"] == 0.0
    assert goal["return_met"] and goal["speed_met"] and goal["met"]
    slow = [_run(SEIGEN, 1, 1500.0, 500.0), _run(SB3, 1, 1000.0, 500.0)]
    assert not bench_rl._ratio_and_goal(slow)[1]["met"]
    weak = [_run(SEIGEN, 1, 3000.0, 400.0), _run(SB3, 1, 1000.0, 500.0)]
    goal = bench_rl._ratio_and_goal(weak)[1]
    assert goal["speed_met"] and not goal["return_met"] and not goal["met"]
    assert bench_rl._ratio_and_goal(runs[::2]) == []  # seigen alone: no ratio


def test_medians_ratio_and_goal_per_task():
    runs = [
        _run(SEIGEN, 1, 2500.0, 500.0),
        _run(SB3, 1, 1000.0, 500.0),
        _run(SEIGEN, 1, 900.0, 200.0, task="a2c-cartpole"),
        _run(SB3, 1, 1000.0, 100.0, task="a2c-cartpole"),
        _run(SEIGEN, 1, 900.0, -200.0, task="ppo-pendulum"),  # no SB3 run: no ratio, no goal
    ]
    meds = medians(runs)
    assert [(m["task"], m["impl"]) for m in meds] == [
        ("cartpole", SEIGEN),
        ("cartpole", SB3),
        ("a2c-cartpole", SEIGEN),
        ("a2c-cartpole", SB3),
        ("ppo-pendulum", SEIGEN),
    ]
    rows = bench_rl._ratio_and_goal(runs)
    assert [(r["kind"], r["task"]) for r in rows] == [
        ("ratio", "cartpole"),
        ("goal", "cartpole"),
        ("ratio", "a2c-cartpole"),
        ("goal", "a2c-cartpole"),
    ]
    assert rows[1]["met"] and rows[1]["goal"].startswith("DQN on CartPole-v1")
    a2c = rows[3]
    assert a2c["goal"].startswith("A2C on CartPole-v1") and a2c["return_met"] and not a2c["speed_met"]
    assert rows[2]["steps_per_s"] == pytest.approx(0.9)


# ---------------------------------------------------------------------------- PPO and A2C against SB3
AC_TINY = {"ppo-cartpole": 256, "a2c-cartpole": 80, "ppo-pendulum": 300}  # one or a few rollouts
AC_RETURNS = {"CartPole-v1": (1, 500), "Pendulum-v1": (-3300, 0)}  # 200 steps of at least -16.3


@pytest.mark.parametrize("what", list(AC_TINY))
def test_cli_actor_critic_against_sb3(what, capsys):
    pytest.importorskip("stable_baselines3", reason=SB3_MISSING)
    task = TASKS[what]
    argv = ["bench", "rl", "--what", what, "--seeds", "1", "--ac-steps", str(AC_TINY[what])]
    assert main([*argv, "--eval-episodes", "1", "--json"]) == 0
    lines = _json_lines(capsys)
    assert [line["kind"] for line in lines] == ["run", "run", "median", "median", "ratio", "goal"]
    assert {line["task"] for line in lines} == {what}
    low, high = AC_RETURNS[task.env]
    for row, impl in zip(lines[:2], (SEIGEN, SB3), strict=True):
        assert row.keys() >= RUN_KEYS
        assert row["impl"] == impl and row["algo"] == task.algo and row["env"] == task.env
        assert row["budget"] == AC_TINY[what] and row["steps"] >= AC_TINY[what] and row["steps_per_s"] > 0
        assert row["episodes"] >= 0 and row["cores"] == 1 and row["torch_threads"] == 1
        assert len(row["eval_returns"]) == 1 and low <= row["eval_mean"] <= high
    assert lines[0]["steps"] == lines[1]["steps"]  # both stop after the same whole rollouts
    ratio, goal = lines[4], lines[5]
    assert ratio["ratio"] == "seigen/sb3"
    assert ratio["steps_per_s"] == pytest.approx(lines[2]["steps_per_s"] / lines[3]["steps_per_s"])
    assert goal["goal"].startswith(f"{task.algo.upper()} on {task.env}")
    assert isinstance(goal["met"], bool) and goal["met"] == (goal["return_met"] and goal["speed_met"])
    bench_rl.print_results(lines)
    out = capsys.readouterr().out
    for text in (
        task.env,
        task.algo.upper(),
        "(median)",
        "seigen/sb3",
        "goal",
        "same settings",
        "deterministic",
    ):
        assert text in out


def test_sb3_settings_come_from_the_presets(monkeypatch):
    from seigen.agents.ppo_config import PRESETS

    n, ppo = sb3_actor_critic(TASKS["ppo-cartpole"])
    assert n == 8 and (ppo["n_steps"], ppo["batch_size"], ppo["n_epochs"]) == (32, 256, 20)
    assert ppo["learning_rate"](1.0) == pytest.approx(1e-3) and ppo["learning_rate"](0.25) == pytest.approx(
        2.5e-4
    )
    assert (ppo["gamma"], ppo["gae_lambda"], ppo["clip_range"], ppo["clip_range_vf"]) == (
        0.98,
        0.8,
        0.2,
        None,
    )
    assert (ppo["ent_coef"], ppo["vf_coef"], ppo["max_grad_norm"], ppo["normalize_advantage"]) == (
        0,
        0.5,
        0.5,
        True,
    )
    assert ppo["policy_kwargs"]["net_arch"] == {"pi": [64, 64], "vf": [64, 64]}
    assert ppo["policy_kwargs"]["activation_fn"].__name__ == "Tanh" and not ppo["use_sde"]
    n, a2c = sb3_actor_critic(TASKS["a2c-cartpole"])
    assert n == 8 and a2c["n_steps"] == 5 and a2c["learning_rate"] == 7e-4
    assert a2c["use_rms_prop"] and a2c["rms_prop_eps"] == 1e-5 and not a2c["normalize_advantage"]
    assert (a2c["gamma"], a2c["gae_lambda"], a2c["ent_coef"], a2c["vf_coef"]) == (0.99, 1.0, 0.0, 0.5)
    assert "clip_range" not in a2c and "n_epochs" not in a2c
    n, pend = sb3_actor_critic(TASKS["ppo-pendulum"])
    assert n == 4 and (pend["n_steps"], pend["batch_size"], pend["n_epochs"]) == (1024, 64, 10)
    assert pend["learning_rate"] == 1e-3 and (pend["gamma"], pend["gae_lambda"]) == (0.9, 0.95)
    assert pend["policy_kwargs"]["log_std_init"] == 0.0 and not pend["use_sde"]
    # a change of seigen's preset reaches SB3's settings: the two cannot drift apart
    key = ("ppo", "classic")
    monkeypatch.setitem(PRESETS, key, dict(PRESETS[key], num_steps=64, anneal_lr=False, hidden=(32,)))
    n, ppo = sb3_actor_critic(TASKS["ppo-cartpole"])
    assert ppo["n_steps"] == 64 and ppo["learning_rate"] == 1e-3
    assert ppo["policy_kwargs"]["net_arch"] == {"pi": [32], "vf": [32]}
    # what SB3 cannot match is an error, not a silent difference
    monkeypatch.setitem(PRESETS, key, dict(PRESETS[key], norm_obs=True))
    with pytest.raises(NotImplementedError, match="norm_obs"):
        sb3_actor_critic(TASKS["ppo-cartpole"])


def test_sb3_learners_take_the_settings():
    pytest.importorskip("stable_baselines3", reason=SB3_MISSING)
    import torch
    from stable_baselines3 import A2C, PPO
    from stable_baselines3.common.env_util import make_vec_env

    n, kwargs = sb3_actor_critic(TASKS["a2c-cartpole"])
    model = A2C("MlpPolicy", make_vec_env("CartPole-v1", n_envs=n, seed=1), device="cpu", **kwargs)
    optimizer = model.policy.optimizer
    assert isinstance(optimizer, torch.optim.RMSprop) and model.n_envs == 8
    assert optimizer.defaults["alpha"] == 0.99 and optimizer.defaults["eps"] == 1e-5
    n, kwargs = sb3_actor_critic(TASKS["ppo-pendulum"])
    model = PPO("MlpPolicy", make_vec_env("Pendulum-v1", n_envs=n, seed=1), device="cpu", **kwargs)
    assert model.n_envs == 4 and model.n_steps == 1024 and model.batch_size == 64
    assert float(model.policy.log_std.detach().mean()) == 0.0


def test_budgets_default_to_the_presets():
    cfg = BenchRLConfig()
    assert [budget(cfg, TASKS[t]) for t in TASKS] == [50_000, 100_000, 200_000, 200_000]
    cfg = BenchRLConfig(steps=7, ac_steps=5)
    assert [budget(cfg, TASKS[t]) for t in TASKS] == [7, 5, 5, 5]
    assert ALL == (
        "cartpole",
        "ppo-cartpole",
        "a2c-cartpole",
        "ppo-pendulum",
        "atari-env",
        "pong",
        "ppo-pong",
    )


def test_cli_ppo_pong_runs_end_to_end(monkeypatch, capsys):
    pytest.importorskip("ale_py")
    from seigen.agents.ppo_config import PRESETS

    # the Atari preset with smaller rollouts (still two envs in worker processes), to stay fast
    key = ("ppo", "atari")
    monkeypatch.setitem(PRESETS, key, dict(PRESETS[key], num_envs=2, num_steps=32, minibatch_size=32))
    assert main(["bench", "rl", "--what", "ppo-pong", "--pong-steps", "100", "--json"]) == 0
    (row,) = _json_lines(capsys)
    assert row["kind"] == "pong" and row["algo"] == "ppo" and row["task"] == "ppo-pong"
    assert row["impl"] == SEIGEN and row["env"] == "ALE/Pong-v5"
    assert row.keys() >= PONG_KEYS - {"replay_nbytes", "naive_nbytes", "replay_transitions"}
    assert row["steps"] == 128 and row["frames"] == 512  # rounded up to whole rollouts of 2 x 32
    assert row["num_envs"] == 2 and row["async_envs"] and row["rollout"] == 64
    assert row["gradient_steps"] == 2 * 4 * 2  # rollouts x epochs x minibatches
    assert row["frames_per_s"] == pytest.approx(4 * row["steps_per_s"])
    assert row["eval_episodes"] == 1 and -21 <= row["eval_mean"] <= 21
    assert row["cpu_pinned"] is None


def test_ppo_pong_table(capsys):
    row = {
        "kind": "pong",
        "task": "ppo-pong",
        "algo": "ppo",
        "impl": SEIGEN,
        "env": "ALE/Pong-v5",
        "steps": 25_600,
        "steps_per_s": 150.0,
        "frames_per_s": 600.0,
        "seconds": 170.0,
        "episodes": 9,
        "mean_return": -20.6,
        "eval_mean": -21.0,
        "eval_episodes": 1,
        "num_envs": 8,
        "async_envs": True,
        "rollout": 1024,
        "gradient_steps": 400,
        "cpu": "a CPU",
        "cores": 2,
        "cpu_pinned": None,
        "torch_threads": 1,
    }
    bench_rl.print_results([row])
    out = capsys.readouterr().out
    for text in ("seigen PPO on ALE/Pong-v5", "25,600 agent steps", "600", "-20.6", "gradient steps", "400"):
        assert text in out
    assert "replay" not in out and "not pinned" in out


def test_unknown_vector_env():
    with pytest.raises(ValueError, match="unknown vector env"):
        make_atari_envs("dmlab", 2, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": ()}, "--seeds"),
        ({"steps": 0}, "--steps"),
        ({"ac_steps": 0}, "--ac-steps"),
        ({"eval_episodes": 0}, "--eval-episodes"),
        ({"threads": 0}, "--threads"),
        ({"num_envs": 0}, "--num-envs"),
        ({"env_seconds": 0}, "--env-seconds"),
        ({"env_repeats": 0}, "--env-repeats"),
        ({"pong_steps": 0}, "--pong-steps"),
        ({"pong_buffer": 0}, "--pong-buffer"),
        ({"pong_learning_starts": -1}, "--pong-learning-starts"),
    ],
)
def test_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BenchRLConfig(**kwargs)


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--steps", "0"], "--steps must be at least 1"), (["--what", "breakout"], "--what")],
)
def test_cli_rejects_bad_values(argv, message, capsys):
    assert main(["bench", "rl", *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_help_lists_the_options(capsys):
    assert main(["bench", "rl", "--help"]) == 0
    out = capsys.readouterr().out
    for option in (
        "--what",
        "--seeds",
        "--steps",
        "--ac-steps",
        "--pong-steps",
        "--threads",
        "--json",
        "--no-peer",
    ):
        assert option in out
