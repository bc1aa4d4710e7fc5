"""The RL benchmark: its JSON lines and tables with tiny budgets, the ratio and goal rows (no timing is asserted)."""

from __future__ import annotations

import json

import pytest

from seigen.scripts import bench_rl
from seigen.scripts.bench_rl import (
    ENVPOOL,
    GYM_ASYNC,
    SB3,
    SB3_MISSING,
    SEIGEN,
    SEIGEN_SYNC,
    envpool_available,
    make_atari_envs,
    medians,
    run_rl_benchmark,
)
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


def _run(impl: str, seed: int, sps: float, ret: float) -> dict:
    return {
        "kind": "run",
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


def test_unknown_vector_env():
    with pytest.raises(ValueError, match="unknown vector env"):
        make_atari_envs("dmlab", 2, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": ()}, "--seeds"),
        ({"steps": 0}, "--steps"),
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
    for option in ("--what", "--seeds", "--steps", "--pong-steps", "--threads", "--json", "--no-peer"):
        assert option in out
