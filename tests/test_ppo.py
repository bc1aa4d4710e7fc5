"""PPO and A2C: the maths with known answers, masks, the learner on real tasks, self-play, loading, the CLI."""

from __future__ import annotations

import json
import math

import gymnasium as gym
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seigen.agents import load_agent
from seigen.agents.ppo import (
    ActorCritic,
    RunningMeanStd,
    gae,
    policy_loss,
    train,
    value_loss,
)
from seigen.agents.ppo_config import A2CConfig, ACConfig, PPOConfig, resolve
from seigen.agents.ppo_nets import (
    MASKED,
    ActorCriticNet,
    categorical_sample,
    gaussian_log_prob,
    masked_log_softmax,
)
from seigen.agents.runs import CheckpointError, read_metrics
from seigen.scripts.cli import main

# ---------------------------------------------------------------- GAE by hand


def gae_by_hand(rewards, values, dones, last_values, gamma, lam):
    """The definition: A_t = sum_k (gamma lam)^k delta_{t+k}, stopping at the end of the episode."""
    T, N = rewards.shape
    out = np.zeros((T, N))
    for i in range(N):
        for t in range(T):
            total, scale = 0.0, 1.0
            for k in range(t, T):
                nv = last_values[i] if k == T - 1 else values[k + 1, i]
                delta = rewards[k, i] + gamma * nv * (1 - dones[k, i]) - values[k, i]
                total += scale * delta
                if dones[k, i]:
                    break
                scale *= gamma * lam
            out[t, i] = total
    return out


def test_gae_on_a_hand_made_trajectory_with_a_termination_and_a_truncation():
    gamma, lam = 0.9, 0.5
    # env 0: rewards 1, 0, 2 then terminated at step 2; step 3 starts a new episode
    # env 1: truncated at step 1 (its bootstrap gamma * V(final) = 0.9 * 4 already in the reward)
    rewards = np.array([[1, 0], [0, 1 + 0.9 * 4], [2, 0], [0, 1]], np.float32)
    values = np.array([[0.5, 1], [0.25, 2], [1, 3], [2, 1]], np.float32)
    dones = np.array([[0, 0], [0, 1], [1, 0], [0, 0]], np.float32)
    last = np.array([3.0, 5.0], np.float32)
    adv = gae(rewards, values, dones, last, gamma, lam)
    # env 0, by hand: delta_2 = 2 - 1 = 1 (terminal: no bootstrap); delta_1 = 0 + .9*1 - .25 = .65
    # A_2 = 1; A_1 = .65 + .45 * 1 = 1.1; delta_0 = 1 + .9*.25 - .5 = .725; A_0 = .725 + .45*1.1 = 1.22
    # step 3 (new episode): delta_3 = 0 + .9*3 - 2 = .7
    np.testing.assert_allclose(adv[:, 0], [1.22, 1.1, 1.0, 0.7], rtol=1e-6)
    # env 1: A_1 = 4.6 - 2 = 2.6 (cut there); A_0 = (0 + .9*2 - 1) + .45 * 2.6 = 1.97
    # steps 2, 3: delta_3 = 1 + .9*5 - 1 = 4.5; delta_2 = 0 + .9*1 - 3 = -2.1; A_2 = -2.1 + .45*4.5
    np.testing.assert_allclose(adv[:, 1], [1.97, 2.6, -2.1 + 0.45 * 4.5, 4.5], rtol=1e-6)
    np.testing.assert_allclose(adv, gae_by_hand(rewards, values, dones, last, gamma, lam), rtol=1e-5)


@given(
    st.integers(1, 6),
    st.integers(1, 3),
    st.floats(0, 1),
    st.floats(0, 1),
    st.integers(0, 2**31 - 1),
)
@settings(max_examples=50, deadline=None)
def test_gae_matches_its_definition(T, N, gamma, lam, seed):
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=(T, N)).astype(np.float32)
    values = rng.normal(size=(T, N)).astype(np.float32)
    dones = (rng.random((T, N)) < 0.3).astype(np.float32)
    last = rng.normal(size=N).astype(np.float32)
    got = gae(rewards, values, dones, last, gamma, lam)
    np.testing.assert_allclose(
        got, gae_by_hand(rewards, values, dones, last, gamma, lam), rtol=1e-4, atol=1e-4
    )


def test_lambda_one_is_the_discounted_return_minus_the_value():
    rewards = np.array([[1.0], [2.0], [3.0]], np.float32)
    values = np.array([[0.5], [0.5], [0.5]], np.float32)
    adv = gae(rewards, values, np.zeros((3, 1), np.float32), np.array([10.0], np.float32), 0.5, 1.0)
    # G_0 = 1 + .5*2 + .25*3 + .125*10 = 4.0
    np.testing.assert_allclose(adv[0, 0] + values[0, 0], 4.0, rtol=1e-6)


# ---------------------------------------------------------------- the clipped surrogate


def surrogate_grad(ratio: float, advantage: float, clip: float) -> float:
    new_logp = torch.tensor([math.log(ratio)], requires_grad=True)
    loss, _ = policy_loss(new_logp, torch.zeros(1), torch.tensor([advantage]), clip)
    loss.backward()
    return float(new_logp.grad[0])


@pytest.mark.parametrize(
    ("ratio", "advantage", "flat"),
    [
        (1.5, 1.0, True),  # better already by more than the clip: no push further
        (0.5, -1.0, True),  # worse already by more than the clip: no push further
        (1.5, -1.0, False),  # moved the wrong way: the unclipped term keeps pulling it back
        (0.5, 1.0, False),
        (1.1, 1.0, False),  # inside the range
        (0.9, -1.0, False),
    ],
)
def test_the_clipped_objective_has_no_gradient_outside_the_clip_range(ratio, advantage, flat):
    g = surrogate_grad(ratio, advantage, clip=0.2)
    if flat:
        assert g == 0.0
    else:
        assert g == pytest.approx(-advantage * ratio)  # d(-r A)/d log pi = -r A


def test_at_ratio_one_ppo_and_a2c_have_the_same_gradient():
    torch.manual_seed(0)
    net = ActorCriticNet((4,), {"type": "discrete", "n": 3})
    obs, actions, adv = torch.randn(16, 4), torch.randint(0, 3, (16,)), torch.randn(16)
    logp, _, _ = net.evaluate(obs, actions)
    old = logp.detach()
    ppo, _ = policy_loss(logp, old, adv, 0.2)
    g_ppo = torch.autograd.grad(ppo, list(net.actor.parameters()))
    logp, _, _ = net.evaluate(obs, actions)
    a2c = -(adv * logp).mean()
    g_a2c = torch.autograd.grad(a2c, list(net.actor.parameters()))
    for a, b in zip(g_ppo, g_a2c, strict=True):
        torch.testing.assert_close(a, b)


def test_value_clipping_takes_the_pessimistic_error():
    values, old, returns = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 1.0]), torch.tensor([3.0, 0.5])
    # 1st: moved 1 -> 2 toward 3; clipped at 1.2, error 1.8^2 = 3.24 > 1^2: 3.24
    # 2nd: moved 1 -> 0 past 0.5; clipped at 0.8, error .3^2 = .09 < .5^2 = .25: .25
    assert value_loss(values, old, returns, 0.2).item() == pytest.approx((3.24 + 0.25) / 2)
    assert value_loss(values, old, returns).item() == pytest.approx((1 + 0.25) / 2)


# ---------------------------------------------------------------- masks and distributions


@given(st.integers(2, 40), st.integers(1, 16), st.integers(0, 2**31 - 1), st.floats(0.1, 50))
@settings(max_examples=100, deadline=None)
def test_masked_logits_never_sample_an_illegal_action(n, batch, seed, scale):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(batch, n, generator=g) * scale
    masks = torch.rand(batch, n, generator=g) < 0.3
    masks[torch.arange(batch), torch.randint(0, n, (batch,), generator=g)] = True  # one legal move at least
    logits[~masks] += 1e6  # illegal moves the net likes best
    logp = masked_log_softmax(logits, masks)
    for _ in range(5):
        actions = categorical_sample(logp, g)
        assert masks[torch.arange(batch), actions].all()
    assert torch.allclose(logp.exp().sum(-1), torch.ones(batch))
    assert (logp.exp()[~masks] == 0).all()


def test_the_net_samples_legal_moves_and_spreads_over_them():
    torch.manual_seed(0)
    net = ActorCriticNet((3, 3, 2), {"type": "discrete", "n": 9}, hidden=(16,))
    masks = torch.zeros(2000, 9, dtype=torch.bool)
    masks[:, [2, 5, 7]] = True
    actions, logp, _ = net.act(torch.zeros(2000, 3, 3, 2), masks)
    counts = np.bincount(actions.numpy(), minlength=9)
    assert set(np.flatnonzero(counts)) == {2, 5, 7}
    assert counts[[2, 5, 7]].min() > 500  # near uniform at initialisation (policy head std 0.01)
    assert torch.isfinite(logp).all()
    greedy, _, _ = net.act(torch.zeros(4, 3, 3, 2), masks[:4], deterministic=True)
    assert set(greedy.tolist()) <= {2, 5, 7}
    assert MASKED < -1e8


def test_gaussian_log_prob_matches_torch_distributions():
    torch.manual_seed(0)
    mean, log_std, actions = torch.randn(5, 3), torch.randn(3), torch.randn(5, 3)
    want = torch.distributions.Normal(mean, log_std.exp()).log_prob(actions).sum(-1)
    torch.testing.assert_close(gaussian_log_prob(actions, mean, log_std), want)
    net = ActorCriticNet(
        (3,), {"type": "box", "shape": [2], "low": [-1, -1], "high": [1, 1]}, log_std_init=-0.5
    )
    obs = torch.randn(7, 3)
    a, logp, _ = net.act(obs)
    logp2, entropy, _ = net.evaluate(obs, a)
    torch.testing.assert_close(logp, logp2)
    want_entropy = (
        torch.distributions.Normal(torch.zeros(2), torch.full((2,), math.exp(-0.5))).entropy().sum()
    )
    torch.testing.assert_close(entropy, want_entropy.expand(7))


def test_continuous_actions_reach_the_env_within_its_bounds():
    cfg = resolve(PPOConfig(env="Pendulum-v1", log_std_init=2.0), continuous=True)
    space = gym.spaces.Box(-2.0, 2.0, (1,), np.float32)
    from seigen.agents.ppo import action_spec

    learner = ActorCritic(cfg, (3,), action_spec(space))
    actions = learner.predict(
        np.random.default_rng(0).normal(size=(500, 3)).astype(np.float32), deterministic=False
    )
    assert actions.shape == (500, 1) and actions.min() >= -2.0 and actions.max() <= 2.0
    assert actions.min() == -2.0 and actions.max() == 2.0  # std e^2: the clip is used


def test_running_mean_std_equals_the_statistics_of_everything_seen():
    rng = np.random.default_rng(0)
    data = [rng.normal(3, 2, size=(n, 4)) for n in (1, 7, 30, 2)]
    rms = RunningMeanStd((4,))
    for x in data:
        rms.update(x)
    everything = np.concatenate(data)
    np.testing.assert_allclose(rms.mean, everything.mean(0), rtol=1e-3)
    np.testing.assert_allclose(rms.var, everything.var(0), rtol=1e-3)


# ---------------------------------------------------------------- truncation


class ConstantReward(gym.Env):
    """Reward 1 every step, one observation, never terminates: only the time limit ends an episode."""

    observation_space = gym.spaces.Box(-1, 1, (1,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def __init__(self, render_mode=None):
        self.render_mode = render_mode

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(1, np.float32), {}

    def step(self, action):
        return np.zeros(1, np.float32), 1.0, False, False, {}


gym.register("seigen-test/ConstantReward-v0", entry_point=ConstantReward, max_episode_steps=5)


def test_a_truncated_episode_is_bootstrapped_so_the_value_is_the_infinite_return(tmp_path):
    cfg = A2CConfig(
        env="seigen-test/ConstantReward-v0",
        gamma=0.8,
        total_steps=6000,
        learning_rate=3e-3,
        optimizer="adam",
        run_dir=str(tmp_path / "run"),
        progress=False,
        eval_episodes=1,
    )
    train(cfg)
    learner = load_agent(tmp_path / "run").learner
    v = learner.net.value(torch.zeros(1, 1)).item()
    # with the bootstrap every state is worth 1 / (1 - 0.8) = 5; cut at the time limit it
    # would be between 1 and 1 + .8 + .64 + .512 + .41 = 3.36
    assert v == pytest.approx(5.0, abs=0.5)


# ---------------------------------------------------------------- presets and config


def test_presets_fill_only_what_is_unset_and_a2c_is_one_step_per_rollout():
    ppo = resolve(PPOConfig(learning_rate=0.5))
    assert ppo.learning_rate == 0.5 and ppo.num_steps == 32 and ppo.update_epochs == 20
    a2c = resolve(A2CConfig())
    assert (
        a2c.update_epochs == 1 and a2c.minibatch_size == a2c.num_envs * a2c.num_steps and a2c.clip_coef == 0
    )
    assert resolve(PPOConfig(env="Pendulum-v1"), continuous=True).gamma == 0.9
    assert resolve(PPOConfig(env="ALE/Pong-v5")).share_trunk
    assert resolve(A2CConfig(env="seigen/TicTacToe-v0")).run_dir == "runs/a2c-seigen-TicTacToe-v0-1"
    with pytest.raises(ValueError, match="--gamma"):
        ACConfig(gamma=1.5)
    with pytest.raises(ValueError, match="--num-envs"):
        ACConfig(num_envs=0)


# ---------------------------------------------------------------- learning


@pytest.mark.parametrize(("config", "steps"), [(PPOConfig, 20_000), (A2CConfig, 30_000)])
def test_ppo_and_a2c_learn_cartpole_far_beyond_random_in_seconds(tmp_path, config, steps):
    # random play lasts about 22 steps; seeds 0-3 scored 110 to 500 (PPO) and 476 to 500 (A2C)
    cfg = config(
        total_steps=steps, run_dir=str(tmp_path / "run"), progress=False, device="cpu", eval_episodes=10
    )
    assert train(cfg)["evaluation"]["mean"] >= 100


@pytest.mark.slow
def test_ppo_solves_cartpole_with_the_preset(tmp_path):
    summary = train(PPOConfig(run_dir=str(tmp_path / "run"), progress=False, device="cpu", eval_episodes=10))
    assert summary["steps"] >= 100_000
    assert summary["evaluation"]["mean"] >= 475, summary["evaluation"]


@pytest.mark.slow
def test_a2c_learns_cartpole(tmp_path):
    summary = train(A2CConfig(run_dir=str(tmp_path / "run"), progress=False, device="cpu", eval_episodes=10))
    assert summary["evaluation"]["mean"] >= 400, summary["evaluation"]


@pytest.mark.slow
def test_ppo_learns_pendulum(tmp_path):
    cfg = PPOConfig(
        env="Pendulum-v1",
        total_steps=100_000,
        run_dir=str(tmp_path / "run"),
        progress=False,
        device="cpu",
        eval_episodes=16,
    )
    summary = train(cfg)
    # random play scores about -1200 from every start; the swing-up and balance about -0 to -400.
    # The policy still fails from about a quarter of the starts (about -1200 each, so a mean near
    # -500 over 16 games): the median says that most starts are solved.
    assert np.median(summary["evaluation"]["returns"]) >= -400, summary["evaluation"]


@pytest.mark.slow
def test_ppo_self_play_on_tictactoe_masks_every_move_and_beats_random(tmp_path):
    run = tmp_path / "run"
    cfg = PPOConfig(
        env="seigen/TicTacToe-v0",
        total_steps=100_000,
        snapshot_every=50_000,
        snapshot_games=50,
        eval_episodes=200,
        run_dir=str(run),
        progress=False,
        device="cpu",
    )
    summary = train(cfg)  # the env raises ValueError on any illegal move: none was played
    ev = summary["evaluation"]
    assert ev["episodes"] == 200 and ev["win_rate"] >= 0.8, ev
    assert sum(r < 0 for r in ev["returns"]) <= 0.1 * 200
    rows = [json.loads(x) for x in (run / "snapshots.jsonl").read_text().splitlines()]
    assert [r["player"] for r in rows] == [r["player"] for r in summary["snapshots"]] and len(rows) == 2
    assert set(rows[1]["vs"]) == {"random", rows[0]["player"]} and rows[1]["elo"] is not None
    # the trained policy in the match harness, against the random player, from both sides
    from seigen.agents.agent import RandomAgent

    agent = load_agent(run)
    outcome = agent.match(RandomAgent(3), 40)
    assert outcome.wins >= 28 and outcome.games == 40


# ---------------------------------------------------------------- runs, loading, the CLI


def tiny(tmp_path, **kw):
    base = dict(
        total_steps=1024, run_dir=str(tmp_path / "run"), progress=False, device="cpu", eval_episodes=2
    )
    return PPOConfig(**{**base, **kw})


def test_resume_continues_the_run_and_its_metrics(tmp_path):
    train(tiny(tmp_path, checkpoint_every=512))
    first = [r for r in read_metrics(tmp_path / "run") if "sps" in r]
    summary = train(tiny(tmp_path, total_steps=2048, resume=True))
    assert summary["steps"] >= 2048
    rows = [r for r in read_metrics(tmp_path / "run") if "sps" in r]
    assert rows[: len(first)] == first and rows[-1]["step"] >= 2048
    with pytest.raises(Exception, match="--resume"):
        train(tiny(tmp_path))


def test_the_trained_policy_loads_and_acts_on_env_observations(tmp_path):
    train(tiny(tmp_path))
    agent = load_agent(tmp_path / "run")
    env = gym.make("CartPole-v1")
    obs, _ = env.reset(seed=0)
    assert agent.act(obs) in (0, 1)
    with pytest.raises(ValueError, match="shape"):
        agent.act(np.zeros(5, np.float32))
    (tmp_path / "run" / "checkpoints" / "step-000099999.pt").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match=r"step-000099999\.pt"):
        load_agent(tmp_path / "run" / "checkpoints" / "step-000099999.pt")


def test_a_board_game_policy_acts_on_pettingzoo_observations(tmp_path):
    from pettingzoo.classic import connect_four_v3

    train(tiny(tmp_path, env="seigen/ConnectFour-v0", snapshot_every=10**9))
    agent = load_agent(tmp_path / "run")
    env = connect_four_v3.env()
    env.reset(seed=1)
    for _ in range(10):  # the agent plays both sides of a PettingZoo game
        obs = env.observe(env.agent_selection)
        move = agent.act(obs)
        assert obs["action_mask"][move]
        env.step(move)
        if any(env.terminations.values()):
            break


def test_an_interrupt_saves_a_checkpoint_to_resume_from(tmp_path):
    def stop(step, ret):
        if step > 600:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(tiny(tmp_path, total_steps=50_000), on_episode=stop)
    assert list((tmp_path / "run" / "checkpoints").glob("step-*.pt"))
    assert train(tiny(tmp_path, total_steps=2048, resume=True))["steps"] >= 2048


def test_cli_trains_evaluates_and_reports_errors(tmp_path, capsys):
    run = str(tmp_path / "run")
    args = ["train", "a2c", "--total-steps", "800", "--run-dir", run, "--no-progress", "--eval-episodes", "2"]
    assert main(args) == 0
    assert "evaluation over 2 episodes" in capsys.readouterr().out
    assert main(["eval", run, "--episodes", "2", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["env"] == "CartPole-v1" and row["episodes"] == 2
    assert (
        main(["train", "ppo", "--env", "NoSuchEnv-v0", "--run-dir", str(tmp_path / "x"), "--no-progress"])
        == 2
    )
    err = capsys.readouterr().err
    assert "NoSuchEnv" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
    assert main(["train", "ppo", "--gamma", "2", "--no-progress"]) == 2
    assert main(args) == 2  # the run exists: --resume or another directory
    assert "--resume" in capsys.readouterr().err


def test_the_pool_draws_the_latest_self_with_its_probability():
    from seigen.envs import OpponentPool

    def latest(obs):
        return 0

    past = [lambda obs, k=k: k for k in range(3)]
    pool = OpponentPool(2, latest=latest, latest_prob=0.3)
    rng = np.random.default_rng(0)
    assert pool.ready and all(pool.sample(rng) is latest for _ in range(20))  # no past self yet
    for p in past:
        pool.add(p)
    assert pool.policies == past[1:]  # the oldest dropped
    draws = [pool.sample(rng) for _ in range(4000)]
    assert abs(sum(d is latest for d in draws) / 4000 - 0.3) < 0.03
    assert {id(d) for d in draws} == {id(latest), id(past[1]), id(past[2])}
    assert not OpponentPool(2).ready
    with pytest.raises(ValueError, match="latest_prob"):
        OpponentPool(2, latest_prob=1.5)


def test_bench_agents_pits_a_trained_policy_against_random_and_rollout_mcts(tmp_path, capsys):
    train(tiny(tmp_path, env="seigen/TicTacToe-v0", snapshot_every=10**9))
    run = str(tmp_path / "run")
    assert (
        main(["bench", "agents", "--players", run, "random", "mcts-rollout-8", "--games", "6", "--json"]) == 0
    )
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    pairs = [r for r in rows if "a" in r]
    assert [(r["a"], r["b"]) for r in pairs] == [
        ("ppo:run", "random"),
        ("ppo:run", "mcts-rollout-8"),
        ("random", "mcts-rollout-8"),
    ]
    assert all(r["games"] == 6 and r["wins"] + r["draws"] + r["losses"] == 6 for r in pairs)
    assert {r["player"] for r in rows if "player" in r} == {"ppo:run", "random", "mcts-rollout-8"}
    assert main(["bench", "agents", "--players", run, str(tmp_path / "nothing")]) == 2
    assert "nothing" in capsys.readouterr().err


def test_go_self_play_runs_rates_snapshots_and_the_policy_plays_the_go_env(tmp_path):
    from seigen.envs import go_env

    summary = train(
        tiny(tmp_path, env="seigen/Go-v0", num_envs=4, num_steps=128, snapshot_every=512, snapshot_games=2)
    )
    assert [r["player"] for r in summary["snapshots"]] == ["step-512", "step-1024"]
    agent = load_agent(tmp_path / "run")
    env = go_env.env(size=9)
    env.reset(seed=0)
    for _ in range(6):
        obs = env.observe(env.agent_selection)
        move = agent.act(obs)
        assert obs["action_mask"][move]
        env.step(move)


def test_a_convolutional_trunk_reads_boards_channels_last(tmp_path):
    net = ActorCriticNet(
        (6, 7, 2), {"type": "discrete", "n": 7}, hidden=(32,), activation="relu", conv=(8, 8)
    )
    assert net.board and sum(isinstance(m, torch.nn.Conv2d) for m in net.modules()) == 2
    logits, value = net(torch.zeros(5, 6, 7, 2))
    assert logits.shape == (5, 7) and value.shape == (5,)
    train(tiny(tmp_path, env="seigen/ConnectFour-v0", conv=(8,), hidden=(32,), snapshot_every=10**9))
    agent = load_agent(tmp_path / "run")  # the config's conv rebuilds the same net
    assert agent.learner.net.board


def test_self_play_resumes_with_its_pool_and_its_ladder(tmp_path):
    cfg = tiny(
        tmp_path, env="seigen/TicTacToe-v0", num_envs=4, num_steps=128, snapshot_every=512, snapshot_games=4
    )
    first = train(cfg)["snapshots"]
    assert [r["player"] for r in first] == ["step-512", "step-1024"]
    import dataclasses

    summary = train(dataclasses.replace(cfg, total_steps=2048, resume=True))
    rows = summary["snapshots"]
    assert [r["player"] for r in rows] == ["step-512", "step-1024", "step-1536", "step-2048"]
    assert "step-1024" in rows[2]["vs"]  # rated against the last snapshot before the resume
    state = torch.load(sorted((tmp_path / "run" / "checkpoints").glob("step-*.pt"))[-1], weights_only=True)
    assert [s["name"] for s in state["snapshots"]] == [r["player"] for r in rows]


def test_with_reward_scaling_the_bootstrap_is_in_the_scaled_units(tmp_path):
    cfg = A2CConfig(
        env="seigen-test/ConstantReward-v0",
        gamma=0.8,
        total_steps=6000,
        learning_rate=3e-3,
        optimizer="adam",
        norm_reward=True,
        run_dir=str(tmp_path / "run"),
        progress=False,
        eval_episodes=1,
    )
    train(cfg)
    learner = load_agent(tmp_path / "run").learner
    scaled = 1.0 / math.sqrt(learner.ret_rms.var + 1e-8)  # the reward as the value saw it, at the end
    v = learner.net.value(torch.zeros(1, 1)).item()
    assert v == pytest.approx(scaled / (1 - 0.8), rel=0.15)


def test_seigen_play_takes_a_ppo_run(tmp_path, monkeypatch, capsys):
    import io
    import sys

    train(tiny(tmp_path, env="seigen/TicTacToe-v0", snapshot_every=10**9))
    # the human (first) tries every square in turn; taken ones are refused, the game is played out
    monkeypatch.setattr(
        sys, "stdin", io.StringIO("\n".join(str(i) for i in range(9) for _ in range(2)) + "\n")
    )
    assert main(["play", "--model", str(tmp_path / "run"), "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "The agent plays" in out
    assert any(end in out for end in ("You win.", "The agent wins.", "A draw.")), out[-200:]
