"""The DQN family: targets with known answers, networks, the run directory, learning, the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path
from unittest.mock import ANY

import gymnasium as gym
import numpy as np
import pytest
import torch

from seigen.agents.dqn import (
    DQN,
    REPLAY_FILE,
    evaluate,
    linear_schedule,
    load_agent,
    masked_argmax,
    td_target,
    train,
)
from seigen.agents.dqn_config import DQNConfig, resolve
from seigen.agents.nets import QNetwork
from seigen.agents.runs import (
    CheckpointError,
    RunDir,
    RunError,
    latest_checkpoint,
    load_checkpoint,
    read_evaluation,
    read_metrics,
)
from seigen.scripts.cli import main

# ---------------------------------------------------------------- targets by hand


def test_double_dqn_lets_the_online_net_choose_and_the_target_net_value():
    q_online = torch.tensor([[1.0, 5.0, 2.0]])  # chooses action 1
    q_target = torch.tensor([[10.0, 3.0, 7.0]])  # would choose action 0
    returns = torch.tensor([0.5])
    discounts = torch.tensor([0.9])
    double = td_target(q_online, q_target, returns, discounts)
    plain = td_target(None, q_target, returns, discounts)
    assert double.item() == pytest.approx(0.5 + 0.9 * 3.0)
    assert plain.item() == pytest.approx(0.5 + 0.9 * 10.0)


def test_a_terminal_transition_does_not_bootstrap_and_masks_limit_the_choice():
    q = torch.tensor([[10.0, 3.0, 7.0], [10.0, 3.0, 7.0]])
    target = td_target(
        q, q, torch.tensor([1.0, 1.0]), torch.tensor([0.0, 0.99]), torch.tensor([[1, 1, 1], [0, 1, 1]])
    )
    assert target[0].item() == pytest.approx(1.0)  # terminated: the return alone
    assert target[1].item() == pytest.approx(1.0 + 0.99 * 7.0)  # action 0 is illegal there
    assert masked_argmax(q, torch.tensor([[0, 1, 0], [1, 1, 1]])).tolist() == [1, 0]


def test_target_update_hard_and_polyak():
    for tau, expected in ((1.0, 1.0), (0.25, 0.25)):
        agent = DQN(resolve(DQNConfig(tau=tau, run_dir="unused")), (4,), 2)
        with torch.no_grad():
            for p in agent.q.parameters():
                p.fill_(1.0)
            for p in agent.target.parameters():
                p.fill_(0.0)
        agent.update_target()
        assert all(torch.allclose(p, torch.full_like(p, expected)) for p in agent.target.parameters())


def test_linear_schedule():
    assert linear_schedule(1.0, 0.1, 100, 0) == 1.0
    assert linear_schedule(1.0, 0.1, 100, 50) == pytest.approx(0.55)
    assert linear_schedule(1.0, 0.1, 100, 1000) == pytest.approx(0.1)


def test_dueling_head_splits_value_and_zero_mean_advantage():
    torch.manual_seed(0)
    net = QNetwork((4,), 3, dueling=True, hidden=(16,))
    x = torch.randn(5, 4)
    h = net.torso(x)
    q = net(x)
    assert torch.allclose(q.mean(dim=1, keepdim=True), net.value(h), atol=1e-6)
    atari = QNetwork((4, 84, 84), 6)
    assert atari.image and atari(torch.zeros(2, 4, 84, 84, dtype=torch.uint8)).shape == (2, 6)


def test_presets_fill_only_what_is_unset():
    cfg = resolve(DQNConfig(env="CartPole-v1", learning_rate=1e-3))
    assert cfg.learning_rate == 1e-3 and cfg.batch_size == 64 and cfg.total_steps == 50_000
    atari = resolve(DQNConfig(env="ALE/Pong-v5"))
    assert atari.buffer_size == 1_000_000 and atari.eval_epsilon == 0.001 and atari.train_frequency == 4
    with pytest.raises(ValueError):
        DQNConfig(tau=0.0)


# ---------------------------------------------------------------- run directory


def test_checkpoints_are_atomic_named_and_pruned(tmp_path):
    run = RunDir(tmp_path / "run", {"a": 1}, keep=2)
    for step in (10, 20, 30):
        run.save_checkpoint({"w": torch.ones(3) * step}, step)
    names = sorted(p.name for p in (tmp_path / "run" / "checkpoints").glob("step-*.pt"))
    assert names == ["step-000000020.pt", "step-000000030.pt"]
    assert run.load_latest()["step"] == 30
    assert not list((tmp_path / "run" / "checkpoints").glob(".*tmp"))
    run.log(30, loss=1.5)
    run.close()
    with pytest.raises(RunError, match="--resume"):
        RunDir(tmp_path / "run", {"a": 1})
    with pytest.raises(RunError, match="nothing to resume"):
        RunDir(tmp_path / "other", {"a": 1}, resume=True)
    again = RunDir(tmp_path / "run", {"a": 2}, resume=True)
    assert again.changed == {"a": (1, 2)}
    again.close()


@pytest.mark.parametrize("pointer", ["", "step-0000", "step-000000099.pt\n"])
def test_an_empty_torn_or_stale_latest_pointer_falls_back_to_the_highest_step(tmp_path, pointer):
    run = RunDir(tmp_path / "run", {"a": 1}, keep=3)
    for step in (10, 20):
        run.save_checkpoint({"w": torch.ones(1)}, step)
    run.close()
    (tmp_path / "run" / "checkpoints" / "latest").write_text(pointer)
    assert latest_checkpoint(tmp_path / "run").name == "step-000000020.pt"


def test_a_corrupt_checkpoint_is_one_clear_error_naming_the_file(tmp_path):
    bad = tmp_path / "step-000000001.pt"
    bad.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match=str(bad)):
        load_checkpoint(bad)
    torch.save({"no": "step"}, tmp_path / "odd.pt")
    with pytest.raises(CheckpointError, match="not a seigen checkpoint"):
        load_checkpoint(tmp_path / "odd.pt")


def test_metrics_survive_a_torn_last_line(tmp_path):
    (tmp_path / "metrics.jsonl").write_text('{"step": 1}\n{"step": 2}\n{"step": 3, "los')
    assert [r["step"] for r in read_metrics(tmp_path)] == [1, 2]


# ---------------------------------------------------------------- learning


class Corridor(gym.Env):
    """Walk right along a corridor of ``n`` cells to the reward; left at the wall stays. Deterministic."""

    def __init__(self, n: int = 6, render_mode: str | None = None) -> None:
        self.n = n
        self.observation_space = gym.spaces.Box(0.0, 1.0, (n,), np.float32)
        self.action_space = gym.spaces.Discrete(2)
        self.pos = 0

    def _obs(self) -> np.ndarray:
        o = np.zeros(self.n, np.float32)
        o[self.pos] = 1
        return o

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.pos = 0
        return self._obs(), {}

    def step(self, action):
        self.pos = min(self.n - 1, self.pos + 1) if action == 1 else max(0, self.pos - 1)
        done = self.pos == self.n - 1
        return self._obs(), float(done), done, False, {}


gym.register("SeigenCorridor-v0", entry_point=Corridor, max_episode_steps=30)


def corridor(tmp_path: Path, **kw: object) -> DQNConfig:
    """Settings that learn the corridor in a few thousand steps."""
    base = dict(
        env="SeigenCorridor-v0",
        total_steps=3_000,
        learning_starts=300,
        train_frequency=1,
        gradient_steps=1,
        target_update_interval=100,
        exploration_fraction=0.5,
        learning_rate=1e-3,
        batch_size=32,
        run_dir=str(tmp_path / "run"),
        device="cpu",
        progress=False,
        eval_episodes=5,
    )
    return DQNConfig(**(base | kw))


def test_dqn_learns_a_small_deterministic_env_in_seconds(tmp_path):
    summary = train(corridor(tmp_path))
    assert summary["evaluation"]["mean"] == 1.0  # reaches the reward in every evaluation episode
    rows = read_metrics(tmp_path / "run")
    assert any("episodic_return" in r for r in rows) and rows[-1]["eval/mean"] == 1.0


@pytest.mark.parametrize(
    "switches",
    [
        dict(double=True),
        dict(dueling=True, prioritized=True, n_step=3),
        dict(tau=0.05, target_update_interval=1),
    ],
)
def test_every_switch_learns_the_corridor(tmp_path, switches):
    assert train(corridor(tmp_path, eval_episodes=3, **switches))["evaluation"]["mean"] == 1.0


@pytest.mark.slow
def test_cartpole_is_solved_by_the_preset(tmp_path):
    """rl-baselines3-zoo's CartPole-v1 settings, 50k steps: evaluation mean of at least 475."""
    cfg = DQNConfig(
        env="CartPole-v1", seed=1, run_dir=str(tmp_path / "cartpole"), device="cpu", progress=False
    )
    summary = train(cfg)
    assert summary["evaluation"]["mean"] >= 475, summary


# ---------------------------------------------------------------- resume and the CLI


def test_resume_continues_from_the_latest_checkpoint(tmp_path):
    base = dict(learning_starts=200, batch_size=16, checkpoint_every=500, eval_episodes=1)
    train(corridor(tmp_path, total_steps=1_000, **base))
    first = load_checkpoint(tmp_path / "run" / "checkpoints" / "step-000001000.pt")
    train(corridor(tmp_path, total_steps=1_500, resume=True, **base))
    _, agent = load_agent(tmp_path / "run", device="cpu")
    assert agent.step == 1_500 and agent.updates > first["updates"]
    steps = [r["step"] for r in read_metrics(tmp_path / "run")]
    assert steps == sorted(steps) and max(steps) == 1_500


def test_cli_trains_and_evaluates(tmp_path, capsys):
    run = tmp_path / "cli"
    args = ["train", "dqn", "--env", "SeigenCorridor-v0", "--total-steps", "600", "--learning-starts", "100"]
    args += ["--run-dir", str(run), "--device", "cpu", "--no-progress", "--eval-episodes", "2"]
    assert main(args) == 0
    assert "evaluation over 2 episodes" in capsys.readouterr().out
    config = json.loads((run / "config.json").read_text())
    assert config["total_steps"] == 600 and config["batch_size"] == 64  # the preset filled the rest
    assert main(["eval", str(run), "--episodes", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["episodes"] == 3 and math.isfinite(out["mean"]) and "std" in out
    assert main(args) == 2  # the run exists: refused without --resume
    assert "--resume" in capsys.readouterr().err
    bad = ["train", "dqn", "--env", "NoSuchEnv-v0", "--run-dir", str(tmp_path / "bad"), "--no-progress"]
    assert main(bad) == 2
    assert "NoSuchEnv" in capsys.readouterr().err and not (tmp_path / "bad").exists()
    pendulum = ["train", "dqn", "--env", "Pendulum-v1", "--run-dir", str(tmp_path / "pend"), "--no-progress"]
    assert main(pendulum) == 2
    assert "discrete actions" in capsys.readouterr().err
    (run / "checkpoints" / "step-000000600.pt").write_bytes(b"garbage")
    assert main(["eval", str(run)]) == 2
    assert "step-000000600.pt" in capsys.readouterr().err


def test_evaluation_uses_the_protocol_not_training_rewards(tmp_path):
    cfg = resolve(DQNConfig(env="SeigenCorridor-v0", run_dir=str(tmp_path / "r"), device="cpu"))
    agent = DQN(cfg, (6,), 2)
    result = evaluate(cfg, agent, 2)
    assert result["episodes"] == 2 and len(result["returns"]) == 2
    assert Path(tmp_path).exists()


def test_board_game_training_respects_the_legal_moves(tmp_path):
    """Tic-tac-toe against a random opponent: masks in acting, in the targets, and at evaluation."""
    cfg = DQNConfig(
        env="seigen/TicTacToe-v0",
        total_steps=3_000,
        learning_starts=500,
        run_dir=str(tmp_path / "ttt"),
        device="cpu",
        progress=False,
        eval_episodes=20,
    )
    summary = train(cfg)  # an illegal move would raise inside the env
    assert summary["episodes"] > 300 and summary["evaluation"]["episodes"] == 20
    assert summary["evaluation"]["mean"] > 0  # better than losing to a random player on average


def test_an_interrupt_saves_a_checkpoint_to_resume_from(tmp_path):
    def stop(step: int, ret: float) -> None:
        if step > 700:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(corridor(tmp_path, total_steps=3_000, checkpoint_every=10_000), on_episode=stop)
    _, agent = load_agent(tmp_path / "run", device="cpu")
    assert 700 < agent.step < 3_000
    summary = train(
        corridor(tmp_path, total_steps=1_500, resume=True, checkpoint_every=10_000, eval_episodes=1)
    )
    assert summary["steps"] == 1_500


def test_the_final_evaluation_plays_on_several_envs_and_is_kept_as_it_plays(tmp_path, capsys):
    summary = train(corridor(tmp_path, eval_episodes=5, eval_envs=2))
    assert summary["evaluation"]["envs"] == 2 and summary["evaluation"]["episodes"] == 5
    assert summary["backend"] == "gymnasium"
    saved = read_evaluation(tmp_path / "run")
    assert (
        saved["complete"] and saved["returns"] == summary["evaluation"]["returns"] and saved["step"] == 3_000
    )
    assert "evaluation: episode 5/5" in capsys.readouterr().err  # --no-progress: a line per episode


def test_an_evaluation_cut_short_keeps_the_episodes_it_played(tmp_path):
    run = RunDir(tmp_path / "r", {"env": "x"})

    def crashes(on_episode):
        on_episode(1, 10.0)
        on_episode(2, 0.0)
        raise RuntimeError("emulator died")

    with pytest.raises(RuntimeError):
        run.record_evaluation(crashes, 4, step=7, progress=False)
    saved = read_evaluation(tmp_path / "r")
    assert saved == {"step": 7, "episodes": 4, "complete": False, "returns": [10.0, 0.0]}
    result = run.record_evaluation(lambda on: {"mean": 1.0, "returns": [1.0]}, 1, step=8, progress=True)
    assert result["mean"] == 1.0 and result["seconds"] >= 0
    assert read_evaluation(tmp_path / "r") == {"step": 8, "episodes": 1, "complete": True, **result}
    run.close()
    assert read_metrics(tmp_path / "r")[-1] == {"step": 8, "time": ANY, "eval/mean": 1.0, "eval/seconds": ANY}
    (tmp_path / "r" / "evaluation.json").write_text("{torn")
    assert read_evaluation(tmp_path / "r") is None


def test_a_target_that_is_the_online_net_is_saved_as_the_online_weights(tmp_path):
    summary = train(corridor(tmp_path, total_steps=600, learning_starts=100, target_update_interval=1))
    assert summary["updates"] > 0
    state = load_checkpoint(latest_checkpoint(tmp_path / "run"))
    assert all(torch.equal(state["target"][k], v) for k, v in state["q"].items())


def test_a_resumed_run_goes_on_with_the_replay_saved_at_its_checkpoint(tmp_path):
    """Stopped mid-run, the run saved its replay beside the checkpoint; resumed, it learns at
    once from it (without it, learning would wait for new steps), and once trained the replay
    file is removed."""

    def stop(step: int, ret: float) -> None:
        if step > 700:
            raise KeyboardInterrupt

    replay = tmp_path / "run" / "checkpoints" / REPLAY_FILE
    with pytest.raises(KeyboardInterrupt):
        train(corridor(tmp_path, total_steps=3_000, checkpoint_every=250), on_episode=stop)
    _, agent = load_agent(tmp_path / "run", device="cpu")
    with np.load(replay) as saved:
        assert int(saved["step"]) == agent.step and int(saved["size"]) == agent.step  # one env: a row a step
    updates = agent.updates
    stale = replay.with_name(f".{REPLAY_FILE}.123.abcd.tmp")  # as a crash mid-write leaves it
    stale.write_bytes(b"part of a replay")
    summary = train(corridor(tmp_path, total_steps=agent.step + 20, resume=True, eval_episodes=1))
    assert not stale.exists()
    assert summary["replay_restored"] and not replay.exists()
    _, resumed = load_agent(tmp_path / "run", device="cpu")
    assert resumed.updates - updates == 20  # learning went on from the first step
    resumes = [r["resumed_with_replay"] for r in read_metrics(tmp_path / "run") if "resumed_with_replay" in r]
    assert resumes == [1]

    again = tmp_path / "again"  # the same without the saved replay: learning waits for new steps
    with pytest.raises(KeyboardInterrupt):
        train(corridor(again, total_steps=3_000, checkpoint_every=250, save_replay=False), on_episode=stop)
    _, agent = load_agent(again / "run", device="cpu")
    updates = agent.updates
    summary = train(
        corridor(again, total_steps=agent.step + 20, resume=True, eval_episodes=1, save_replay=False)
    )
    assert not summary["replay_restored"]
    _, resumed = load_agent(again / "run", device="cpu")
    assert resumed.updates == updates
