"""The Atari 100k presets (DER, DrQ(epsilon)) and the DQN switches they add: C51, noisy nets, random shifts."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from seigen.agents.augment import intensity_factors, random_shift, shift_crop
from seigen.agents.dqn import DQN, categorical_projection, exploration, load_agent, make_envs, train
from seigen.agents.dqn_config import ATARI_100K, PROTOCOLS, DQNConfig, resolve
from seigen.agents.nets import NoisyLinear, QNetwork
from seigen.agents.runs import load_checkpoint, read_run_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")

PONG = "ALE/Pong-v5"

# ---------------------------------------------------------------- presets


def test_the_presets_are_dopamines_atari_100k_settings():
    common = dict(
        protocol="dqn2015",
        total_steps=100_000,
        gamma=0.99,
        n_step=10,
        learning_starts=1_600,
        train_frequency=1,
        gradient_steps=1,
        end_epsilon=0.01,
        eval_epsilon=0.001,
        learning_rate=1e-4,
        adam_eps=1.5e-4,
        batch_size=32,
        double=True,
        dueling=True,
    )
    der = dict(
        start_epsilon=0.01,  # noisy nets explore; epsilon stays at 0.01 from the first step
        target_update_interval=2_000,
        exploration_steps=2_000,
        noisy=True,
        noisy_sigma0=0.1,
        distributional=True,
        num_atoms=51,
        v_min=-10.0,
        v_max=10.0,
        prioritized=True,
        per_alpha=0.5,
        augment=False,
    )
    drq = dict(
        start_epsilon=1.0,
        target_update_interval=1,
        exploration_steps=5_000,
        noisy=False,
        distributional=False,
        prioritized=False,
        augment=True,
    )
    for name, expected in (("der", common | der), ("drq_eps", common | drq)):
        cfg = resolve(DQNConfig(env=PONG, preset=name))
        assert {k: getattr(cfg, k) for k in expected} == expected, name
        assert cfg.buffer_size >= cfg.total_steps  # the replay holds the whole run
    der = resolve(DQNConfig(env=PONG, preset="der"))
    assert [exploration(der, t) for t in (0, 1_600, 5_000, 100_000)] == [0.01] * 4


def test_options_given_win_over_the_preset_and_the_families_keep_theirs():
    cfg = resolve(
        DQNConfig(env=PONG, preset="der", prioritized=False, noisy=False, n_step=3, learning_starts=64)
    )
    assert (cfg.prioritized, cfg.noisy, cfg.n_step, cfg.learning_starts) == (False, False, 3, 64)
    assert cfg.distributional and cfg.double  # the rest from the preset
    cartpole = resolve(DQNConfig())
    assert not (cartpole.double or cartpole.dueling or cartpole.prioritized or cartpole.distributional)
    assert not (cartpole.noisy or cartpole.augment) and cartpole.n_step == 1 and cartpole.per_alpha == 0.6
    assert cartpole.protocol is None and cartpole.exploration_steps is None
    atari = resolve(DQNConfig(env=PONG))
    assert atari.protocol == "machado" and atari.target_update_interval == 1_000 and not atari.distributional


def test_an_unknown_or_misplaced_preset_is_a_clear_error():
    with pytest.raises(ValueError, match="der, drq_eps"):
        DQNConfig(env=PONG, preset="rainbow")
    with pytest.raises(ValueError, match="Atari"):
        resolve(DQNConfig(env="CartPole-v1", preset="der"))
    with pytest.raises(ValueError, match="machado, dqn2015"):
        DQNConfig(env=PONG, protocol="sticky")
    with pytest.raises(ValueError, match="--v-min"):
        DQNConfig(v_min=1.0, v_max=-1.0)
    assert set(ATARI_100K) == {"der", "drq_eps"}


def test_the_protocols_match_the_env_layer_and_reach_atari_envs_only(monkeypatch):
    from seigen.envs.make import PROTOCOLS as ENV_PROTOCOLS

    assert PROTOCOLS == ENV_PROTOCOLS
    made = []
    monkeypatch.setattr("seigen.envs.make_vector_env", lambda env_id, n, **kw: made.append((env_id, kw)))
    for cfg in (
        DQNConfig(env=PONG, preset="der"),
        DQNConfig(env=PONG),
        DQNConfig(env=PONG, protocol="dqn2015"),
    ):
        make_envs(resolve(cfg), training=True)
    make_envs(DQNConfig(env=PONG), training=False)  # a run from before the field: machado
    make_envs(resolve(DQNConfig()), training=True)
    assert [kw.get("protocol") for _, kw in made] == ["dqn2015", "machado", "dqn2015", "machado", None]


def test_the_command_line_switches_are_flags_that_may_stay_unset():
    import tyro

    def parse(*args: str) -> DQNConfig:
        return tyro.cli(DQNConfig, args=list(args))

    assert parse().double is None and parse("--double").double is True
    cfg = parse("--env", PONG, "--preset", "der", "--no-prioritized")
    assert cfg.prioritized is False and resolve(cfg).prioritized is False and resolve(cfg).noisy is True


def test_a_run_config_without_the_new_fields_still_loads(tmp_path):
    """config.json of a run made before the Atari 100k fields: they take the family's values."""
    new = {"preset", "protocol", "adam_eps", "exploration_steps", "distributional", "num_atoms", "v_min"}
    new |= {"v_max", "noisy", "noisy_sigma0", "augment"}
    old = dataclasses.asdict(resolve(DQNConfig(env=PONG, run_dir=str(tmp_path))))
    (tmp_path / "config.json").write_text(json.dumps({k: v for k, v in old.items() if k not in new}))
    cfg = read_run_config(tmp_path, DQNConfig, "DQN", "env")
    assert cfg.distributional is None and cfg.protocol is None
    agent = DQN(cfg, (4, 84, 84), 6)
    assert agent.cfg.protocol == "machado" and not agent.cfg.distributional and not agent.cfg.noisy
    assert agent.optimizer.param_groups[0]["eps"] == 1.5e-4


def test_epsilon_decays_after_learning_starts_over_exploration_steps():
    drq = resolve(DQNConfig(env=PONG, preset="drq_eps"))
    assert [exploration(drq, s) for s in (0, 1_600)] == [1.0, 1.0]
    assert exploration(drq, 1_600 + 2_500) == pytest.approx(0.505)
    assert exploration(drq, 6_600) == pytest.approx(0.01) and exploration(drq, 99_000) == pytest.approx(0.01)
    short = resolve(DQNConfig(env=PONG, preset="drq_eps", exploration_steps=2_000))
    assert exploration(short, 1_600 + 1_000) == pytest.approx(0.505)
    nature = resolve(DQNConfig(env=PONG))  # the fraction of the run, from step 0
    assert exploration(nature, 500_000) == pytest.approx(0.505)


# ---------------------------------------------------------------- C51


def test_the_categorical_projection_by_hand():
    support = torch.tensor([-1.0, 0.0, 1.0])
    probs = torch.tensor([[0.2, 0.5, 0.3], [0.2, 0.5, 0.3], [0.2, 0.5, 0.3], [0.0, 1.0, 0.0]])
    returns = torch.tensor([0.5, 1.0, 2.0, -0.25])
    discounts = torch.tensor([0.5, 1.0, 0.0, 0.0])
    target = categorical_projection(support, probs, returns, discounts)
    expected = [
        [0.0, 0.45, 0.55],  # atoms move to 0, 0.5, 1: 0.2 on 0; 0.5 split in halves; 0.3 on 1
        [0.0, 0.2, 0.8],  # to 0, 1, 2 -> clipped to 1: 0.5 + 0.3 pile on the top atom
        [0.0, 0.0, 1.0],  # terminal, return 2 beyond v_max: all on the top atom
        [0.25, 0.75, 0.0],  # terminal, return -0.25: a quarter of the way from 0 towards -1
    ]
    assert torch.allclose(target, torch.tensor(expected), atol=1e-6)


def c51_agent(**kw: object) -> DQN:
    cfg = DQNConfig(
        distributional=True,
        dueling=True,
        double=True,
        hidden=(32,),
        learning_rate=1e-2,
        run_dir="unused",
        **kw,
    )
    return DQN(cfg, (4,), 3)


def test_the_c51_loss_falls_on_a_fixed_batch():
    torch.manual_seed(0)
    agent = c51_agent(num_atoms=11, v_min=-2.0, v_max=2.0)
    B = 16
    t = {
        "obs": torch.randn(B, 4),
        "next_obs": torch.randn(B, 4),
        "actions": torch.randint(0, 3, (B,)),
        "returns": torch.rand(B) - 0.5,
        "discounts": torch.full((B,), 0.9),
        "weights": torch.ones(B),
        "next_masks": None,
    }
    target = agent._targets(t)
    assert target.shape == (B, 11) and torch.allclose(target.sum(dim=1), torch.ones(B), atol=1e-5)
    entropy = -(target * target.clamp(min=1e-12).log()).sum(dim=1).mean().item()

    def kl() -> float:  # the cross-entropy less the target's entropy: zero at the optimum
        with torch.no_grad():
            return agent._loss(t, target)[0].item() - entropy

    before = kl()
    for _ in range(150):
        loss, per_sample, _ = agent._loss(t, target)
        assert per_sample.shape == (B,)
        agent.optimizer.zero_grad()
        loss.backward()
        agent.optimizer.step()
    assert kl() < 0.2 * before


def test_prioritized_c51_stores_the_cross_entropy_as_priority():
    from seigen.agents.replay import ReplayBuffer

    torch.manual_seed(0)
    agent = c51_agent(prioritized=True, batch_size=8)
    rb = ReplayBuffer(64, (4,), n_step=3, prioritized=True, alpha=1.0, eps=0.0)
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(1, 4)).astype(np.float32)
    for i in range(40):
        nxt = rng.normal(size=(1, 4)).astype(np.float32)
        rb.add(obs, rng.integers(0, 3, 1), rng.normal(size=1), [i % 13 == 12], [False], nxt)
        obs = nxt
    seen = {}
    update = rb.update_priorities
    rb.update_priorities = lambda idx, p: (seen.update(idx=idx, p=p), update(idx, p))
    stats = agent.update(rb, beta=0.4)
    assert np.isfinite(stats["loss"]) and len(seen["p"]) == 8 and (seen["p"] > 0).all()
    leaves = rb._sum_tree[len(rb._sum_tree) // 2 + seen["idx"]]
    assert np.allclose(leaves, seen["p"])  # alpha 1, eps 0: the loss itself


# ---------------------------------------------------------------- noisy nets


def test_noisy_layers_draw_new_noise_in_training_and_none_in_eval():
    torch.manual_seed(0)
    layer = NoisyLinear(5, 3, sigma0=0.5)
    assert torch.allclose(layer.weight_sigma, torch.full((3, 5), 0.5 / 5**0.5))
    x = torch.randn(2, 5)
    assert not torch.allclose(layer(x), layer(x))
    layer.eval()
    assert torch.equal(layer(x), layer(x))
    assert torch.allclose(layer(x), F.linear(x, layer.weight_mu, layer.bias_mu))
    net = QNetwork((4,), 3, hidden=(8,), dueling=True, distributional=True, num_atoms=5, noisy=True)
    assert sum(isinstance(m, NoisyLinear) for m in net.modules()) == 4  # every linear layer of the head
    obs = torch.randn(3, 4)
    assert not torch.allclose(net(obs), net(obs))
    net.eval()
    assert torch.equal(net(obs), net(obs)) and net.logits(obs).shape == (3, 3, 5)


# ---------------------------------------------------------------- augmentation


def test_random_shift_is_a_crop_of_the_edge_padded_frames_at_varying_offsets():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(48, 2, 12, 10), dtype=np.uint8)
    padded = np.pad(x, ((0, 0), (0, 0), (4, 4), (4, 4)), mode="edge")
    shifts = np.array([[0, 0], [8, 8], [0, 8], [8, 0], [3, 5]] * 10)[:48]
    out = shift_crop(x, shifts, 4)
    for b, (dy, dx) in enumerate(shifts):
        assert np.array_equal(out[b], padded[b, :, dy : dy + 12, dx : dx + 10])
    out = random_shift(x, np.random.default_rng(1))
    assert out.shape == x.shape and out.dtype == x.dtype
    found = []
    for b in range(len(x)):
        offsets = [(dy, dx) for dy in range(9) for dx in range(9)]
        found += [
            o for o in offsets if np.array_equal(out[b], padded[b, :, o[0] : o[0] + 12, o[1] : o[1] + 10])
        ]
    assert len(found) == len(x)  # every output is one crop of its padded input
    assert len(set(found)) > 15  # and the offsets vary from sample to sample


def test_intensity_factors_stay_within_two_standard_deviations_and_vary():
    f = intensity_factors(10_000, np.random.default_rng(0))
    assert f.dtype == np.float32 and f.min() >= 0.9 - 1e-6 and f.max() <= 1.1 + 1e-6
    assert abs(f.mean() - 1.0) < 0.002 and 0.045 < f.std() < 0.05  # clipped N(1, 0.05)
    assert (f == np.float32(1.1)).any() and (f == np.float32(0.9)).any()  # the clip is reached


def test_an_augmented_batch_is_a_shifted_crop_times_one_factor_per_image():
    agent = DQN(DQNConfig(env=PONG, preset="drq_eps", run_dir="unused"), (4, 84, 84), 6)
    frames = np.random.default_rng(3).integers(0, 256, size=(8, 4, 84, 84), dtype=np.uint8)
    out = agent._augmented(frames).numpy()
    assert out.dtype == np.float32 and out.shape == frames.shape
    padded = np.pad(frames, ((0, 0), (0, 0), (4, 4), (4, 4)), mode="edge").astype(np.float32)
    for b in range(len(frames)):
        crops = [padded[b, :, dy : dy + 84, dx : dx + 84] for dy in range(9) for dx in range(9)]
        # the image is one crop scaled by one factor: the ratio is constant where the crop is not 0
        fits = [crop for crop in crops if np.allclose(out[b], crop * (out[b].sum() / crop.sum()), rtol=1e-5)]
        assert fits, b
        factor = out[b].sum() / fits[0].sum()
        assert 0.9 - 1e-5 <= factor <= 1.1 + 1e-5


def test_augmentation_needs_frames():
    with pytest.raises(ValueError, match="augment"):
        DQN(DQNConfig(augment=True, run_dir="unused"), (4,), 2)


# ---------------------------------------------------------------- whole runs


@pytest.fixture
def short_atari_episodes(monkeypatch):
    """Atari episodes cut at 200 frames (50 agent steps), so that a run and its evaluation take seconds."""
    monkeypatch.setattr("seigen.envs.make.MAX_EPISODE_FRAMES", 200)


@pytest.mark.parametrize("preset", ["der", "drq_eps"])
def test_a_preset_run_completes_and_resumes(tmp_path, preset, short_atari_episodes):
    run = tmp_path / "run"
    base = dict(env=PONG, preset=preset, learning_starts=40, batch_size=4, buffer_size=400)
    base |= dict(checkpoint_every=25, eval_episodes=1, run_dir=str(run), device="cpu", progress=False)
    first = train(DQNConfig(total_steps=50, **base))
    assert first["updates"] == 11 and first["evaluation"]["episodes"] == 1
    saved = json.loads((run / "config.json").read_text())
    assert saved["preset"] == preset and saved["protocol"] == "dqn2015" and saved["n_step"] == 10
    assert saved["noisy"] == (preset == "der") and saved["augment"] == (preset == "drq_eps")
    second = train(DQNConfig(total_steps=70, resume=True, **base))
    assert second["steps"] == 70 and second["updates"] == first["updates"] + 11  # waits n_step
    assert load_checkpoint(run / "checkpoints" / "step-000000050.pt")["updates"] == first["updates"]
    cfg, agent = load_agent(run, device="cpu")
    assert agent.step == 70 and cfg.preset == preset
    assert any(isinstance(m, NoisyLinear) for m in agent.q.modules()) == (preset == "der")
    assert agent.q.distributional == (preset == "der") and agent.q.training  # evaluation left it as it was


@pytest.mark.parametrize("double", [True, False])
def test_a_target_copied_every_update_is_the_online_net_in_one_forward_pass(double):
    cfg = DQNConfig(
        env="CartPole-v1", double=double, target_update_interval=1, train_frequency=1, gradient_steps=1
    )
    agent = DQN(cfg, (4,), 2)
    assert agent.target_is_online
    rng = np.random.default_rng(0)
    t = {
        "next_obs": torch.as_tensor(rng.normal(size=(16, 4)), dtype=torch.float32),
        "returns": torch.as_tensor(rng.normal(size=16), dtype=torch.float32),
        "discounts": torch.full((16,), 0.99),
        "next_masks": None,
    }
    for _ in range(2):  # at the start, and after a gradient step and the copy that follows it
        fast = agent._targets(t)
        agent.target_is_online = False
        assert torch.equal(fast, agent._targets(t))
        agent.target_is_online = True
        loss = agent.q(t["next_obs"]).pow(2).mean()
        agent.optimizer.zero_grad()
        loss.backward()
        agent.optimizer.step()
        agent.update_target()
    slow = DQN(dataclasses.replace(cfg, target_update_interval=2), (4,), 2)
    assert not slow.target_is_online
