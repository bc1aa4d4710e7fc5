"""The actor-critic config (PPO and A2C) and its presets, importing nothing heavy (the CLI parses it before torch).

A2C is the actor-critic core with one epoch over one minibatch and no clipping: at the
first gradient step of an update the new policy is the old one, the ratio is 1, and the
clipped surrogate's gradient is A2C's ``advantage * grad log pi``. So one update rule
serves both; ``algo`` only picks the presets.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from seigen.agents.dqn_config import BOARD_GAMES
from seigen.agents.run_config import RunConfig

Algo = Literal["ppo", "a2c"]


@dataclass(frozen=True)
class ACConfig(RunConfig):
    """Train an actor-critic agent (PPO or A2C) on a Gymnasium env or a board game by self-play.

    Unset hyperparameters (None) come from the preset of the algorithm and the env's
    family: classic control with discrete actions (rl-baselines3-zoo's CartPole-v1
    settings), continuous actions (a diagonal Gaussian; rl-zoo's Pendulum-v1 settings),
    Atari (CleanRL's ppo_atari settings; SB3's A2C Atari settings) and board games
    (seigen/TicTacToe-v0, seigen/ConnectFour-v0, seigen/Go-v0: self-play against a pool of
    past selves, illegal moves masked out of the logits). The run directory gets
    config.json, metrics.jsonl and atomic checkpoints; --resume continues from the latest.
    """

    env: str = "CartPole-v1"
    """Gymnasium id (CartPole-v1, Pendulum-v1, ALE/Pong-v5, ...) or a board game: seigen/TicTacToe-v0, seigen/ConnectFour-v0, seigen/Go-v0."""
    algo: Algo = "ppo"
    """ppo (clipped surrogate, minibatch epochs) or a2c (one plain gradient step per rollout); picks the presets."""
    num_envs: int | None = None
    """Environments stepped together."""
    async_envs: bool | None = None
    """Step the envs in worker processes (Gymnasium's AsyncVectorEnv); the Atari presets do."""
    num_steps: int | None = None
    """Steps per env in each rollout (the batch is num_envs x num_steps)."""
    learning_rate: float | None = None
    """Optimizer learning rate."""
    anneal_lr: bool | None = None
    """Anneal the learning rate linearly to 0 over --total-steps."""
    optimizer: Literal["adam", "rmsprop"] | None = None
    """adam (PPO) or rmsprop (A2C's: alpha 0.99, eps 1e-5)."""
    gamma: float | None = None
    """Discount factor."""
    gae_lambda: float | None = None
    """GAE's lambda (1 is the Monte-Carlo return bootstrapped at the rollout's end)."""
    update_epochs: int | None = None
    """Passes over each rollout."""
    minibatch_size: int | None = None
    """Samples per gradient step (the rollout's size for one step per epoch)."""
    clip_coef: float | None = None
    """PPO's clip range of the probability ratio (0 turns clipping off)."""
    clip_vloss: bool | None = None
    """Clip the value's change to --clip-coef as well (PPO2's value clipping)."""
    norm_adv: bool | None = None
    """Normalise advantages to mean 0, std 1 within each minibatch."""
    ent_coef: float | None = None
    """Entropy bonus coefficient."""
    vf_coef: float | None = None
    """Value loss coefficient."""
    max_grad_norm: float | None = None
    """Gradient clipping by global norm."""
    target_kl: float | None = None
    """Stop an update's epochs early once the approximate KL exceeds this (None: never)."""
    hidden: tuple[int, ...] | None = None
    """Hidden layer widths of the MLPs (vector observations; after the convolutions of a board or Atari frames)."""
    activation: Literal["tanh", "relu"] | None = None
    """Activation of the MLPs."""
    conv: tuple[int, ...] | None = None
    """Board games: channels of the 3x3 convolutions over the board (a trunk shared by both heads, then one hidden layer); empty: an MLP."""
    share_trunk: bool | None = None
    """One trunk for the policy and the value (always for the Atari CNN) or one MLP each."""
    log_std_init: float | None = None
    """Initial log standard deviation of the Gaussian policy (continuous actions)."""
    norm_obs: bool | None = None
    """Normalise observations by running mean and std (kept in the checkpoint)."""
    norm_reward: bool | None = None
    """Scale rewards by the running std of the discounted return (training only)."""
    opponent: Literal["self", "random"] = "self"
    """Board games: self-play against a pool of past selves, or a random player."""
    pool_size: int = 10
    """Board games: past selves kept in the opponent pool."""
    latest_prob: float = 0.5
    """Board games: probability that an episode's opponent is the current policy, else a past self."""
    snapshot_every: int | None = None
    """Board games: env steps between snapshots (into the pool, rated against random and the previous one)."""
    snapshot_games: int = 100
    """Board games: games per rating match of a snapshot."""
    checkpoint_every: int | None = None
    """Env steps between checkpoints (and at the end)."""
    eval_episodes: int = 10
    """Episodes of the final evaluation (board games: games against the random player)."""
    eval_deterministic: bool = True
    """Evaluate with the most likely action (the Gaussian's mean) instead of sampling."""
    progress: bool = True
    """Show a progress bar with the episodic return and steps/s."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.require_positive(
            "eval_episodes",
            "pool_size",
            "snapshot_games",
            "num_envs",
            "num_steps",
            "update_epochs",
            "minibatch_size",
        )
        for name in ("gamma", "gae_lambda", "latest_prob"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ValueError(f"--{name.replace('_', '-')} must be in [0, 1], got {value}")
        if self.clip_coef is not None and self.clip_coef < 0:
            raise ValueError(f"--clip-coef must be at least 0, got {self.clip_coef}")


@dataclass(frozen=True)
class PPOConfig(ACConfig):
    """Train a PPO agent on a Gymnasium env (classic control, continuous control, Atari) or a board game by self-play.

    Unset hyperparameters come from the preset of the env's family: classic control
    (rl-baselines3-zoo's CartPole-v1 settings), continuous actions (a diagonal Gaussian;
    rl-zoo's Pendulum-v1 settings), Atari (CleanRL's ppo_atari settings) and board games (seigen/TicTacToe-v0,
    seigen/ConnectFour-v0, seigen/Go-v0: self-play against a pool of past selves, illegal
    moves masked out of the logits). The run directory gets config.json, metrics.jsonl
    and atomic checkpoints; --resume continues from the latest.
    """

    algo: Algo = "ppo"
    """ppo (clipped surrogate, minibatch epochs) or a2c (one plain gradient step per rollout); picks the presets."""


@dataclass(frozen=True)
class A2CConfig(ACConfig):
    """Train an A2C agent: the actor-critic core with one plain gradient step per rollout.

    Unset hyperparameters come from the preset of the env's family: classic control
    (rl-baselines3-zoo's CartPole-v1 settings), continuous actions (a diagonal Gaussian;
    rl-zoo's Pendulum-v1 settings), Atari (rl-zoo's A2C Atari settings) and board games (seigen/TicTacToe-v0,
    seigen/ConnectFour-v0, seigen/Go-v0: self-play against a pool of past selves, illegal
    moves masked out of the logits). The run directory gets config.json, metrics.jsonl
    and atomic checkpoints; --resume continues from the latest.
    """

    algo: Algo = "a2c"
    """ppo (clipped surrogate, minibatch epochs) or a2c (one plain gradient step per rollout); picks the presets."""


_PPO = dict(
    anneal_lr=True,
    optimizer="adam",
    clip_vloss=False,
    norm_adv=True,
    vf_coef=0.5,
    max_grad_norm=0.5,
    activation="tanh",
    share_trunk=False,
    log_std_init=0.0,
    norm_obs=False,
    norm_reward=False,
    async_envs=False,
)
_A2C = dict(
    _PPO,
    anneal_lr=False,
    optimizer="rmsprop",
    learning_rate=7e-4,
    num_steps=5,
    gamma=0.99,
    gae_lambda=1.0,
    update_epochs=1,
    clip_coef=0.0,
    norm_adv=False,
    ent_coef=0.0,
)

PRESETS: dict[tuple[str, str], dict[str, Any]] = {
    # rl-baselines3-zoo ppo.yml, CartPole-v1 (500 in 100k steps); its clip range anneals, ours stays
    ("ppo", "classic"): dict(
        _PPO,
        total_steps=100_000,
        num_envs=8,
        num_steps=32,
        minibatch_size=256,
        update_epochs=20,
        learning_rate=1e-3,
        gamma=0.98,
        gae_lambda=0.8,
        clip_coef=0.2,
        ent_coef=0.0,
        hidden=(64, 64),
        checkpoint_every=20_000,
    ),
    # rl-baselines3-zoo ppo.yml, Pendulum-v1 (without its gSDE exploration)
    ("ppo", "continuous"): dict(
        _PPO,
        total_steps=200_000,
        num_envs=4,
        num_steps=1024,
        minibatch_size=64,
        update_epochs=10,
        learning_rate=1e-3,
        anneal_lr=False,
        gamma=0.9,
        gae_lambda=0.95,
        clip_coef=0.2,
        ent_coef=0.0,
        hidden=(64, 64),
        log_std_init=0.0,
        checkpoint_every=50_000,
    ),
    # CleanRL ppo_atari.py (Huang et al. 2022, "The 37 implementation details of PPO")
    ("ppo", "atari"): dict(
        _PPO,
        total_steps=10_000_000,
        num_envs=8,
        async_envs=True,
        num_steps=128,
        minibatch_size=256,
        update_epochs=4,
        learning_rate=2.5e-4,
        gamma=0.99,
        gae_lambda=0.95,
        clip_coef=0.1,
        clip_vloss=True,
        ent_coef=0.01,
        hidden=(512,),
        activation="relu",
        share_trunk=True,
        checkpoint_every=500_000,
    ),
    # board games by self-play; masked logits
    ("ppo", "board"): dict(
        _PPO,
        total_steps=200_000,
        num_envs=16,
        num_steps=64,
        minibatch_size=256,
        update_epochs=10,
        learning_rate=1e-3,
        gamma=0.99,
        gae_lambda=0.95,
        clip_coef=0.2,
        ent_coef=0.05,  # with 0.01 the policy's entropy fell to 0.02 and it lost more to random
        hidden=(256, 256),
        activation="relu",
        checkpoint_every=50_000,
        snapshot_every=20_000,
    ),
    # rl-baselines3-zoo a2c.yml, CartPole-v1 (8 envs, SB3's A2C defaults)
    ("a2c", "classic"): dict(_A2C, total_steps=200_000, num_envs=8, hidden=(64, 64), checkpoint_every=50_000),
    # rl-baselines3-zoo a2c.yml, Pendulum-v1 (normalised), without its gSDE exploration: its
    # log-std -2 is gSDE's; a plain Gaussian needs the wider 0. It learns slowly (-1200 -> -1040
    # in 300k steps); PPO is the continuous-control learner here
    ("a2c", "continuous"): dict(
        _A2C,
        total_steps=1_000_000,
        num_envs=8,
        num_steps=8,
        gamma=0.9,
        gae_lambda=0.9,
        anneal_lr=True,
        norm_obs=True,
        norm_reward=True,
        log_std_init=0.0,
        hidden=(64, 64),
        checkpoint_every=100_000,
    ),
    # rl-baselines3-zoo a2c.yml, Atari
    ("a2c", "atari"): dict(
        _A2C,
        total_steps=10_000_000,
        num_envs=16,
        async_envs=True,
        ent_coef=0.01,
        vf_coef=0.25,
        hidden=(512,),
        activation="relu",
        share_trunk=True,
        checkpoint_every=500_000,
    ),
    ("a2c", "board"): dict(
        _A2C,
        total_steps=500_000,
        num_envs=16,
        num_steps=8,
        ent_coef=0.01,
        hidden=(256, 256),
        activation="relu",
        checkpoint_every=100_000,
        snapshot_every=50_000,
    ),
}


def family(env_id: str, continuous: bool = False) -> str:
    """``board``, ``atari``, ``continuous`` or ``classic`` (discrete actions)."""
    from seigen.envs import is_atari

    if env_id in BOARD_GAMES:
        return "board"
    if is_atari(env_id):
        return "atari"
    return "continuous" if continuous else "classic"


def resolve(cfg: ACConfig, continuous: bool = False) -> ACConfig:
    """The config with every unset hyperparameter taken from its preset (``continuous``: the env's actions)."""
    preset = PRESETS[(cfg.algo, family(cfg.env, continuous))]
    filled = {k: v for k, v in preset.items() if getattr(cfg, k) is None}
    if cfg.minibatch_size is None and cfg.algo == "a2c":
        num_envs = cfg.num_envs or preset["num_envs"]
        num_steps = cfg.num_steps or preset["num_steps"]
        filled["minibatch_size"] = num_envs * num_steps  # the whole rollout, one step
    if cfg.run_dir is None:
        filled["run_dir"] = f"runs/{cfg.algo}-{cfg.env.replace('/', '-')}-{cfg.seed}"
    return dataclasses.replace(cfg, **filled)
