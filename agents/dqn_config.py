"""The DQN family's config and its presets, importing nothing heavy (the CLI parses it before torch loads)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from seigen.agents.run_config import RunConfig

BOARD_GAMES = ("seigen/TicTacToe-v0", "seigen/ConnectFour-v0", "seigen/Go-v0")  # envs.classic registers them
"""The ``gym_id`` of every game in ``seigen.engine.games.GAMES`` that has one, spelled out so that the
CLI parses this config without loading the core (tests/test_game_registry.py checks they agree)."""


@dataclass(frozen=True)
class DQNConfig(RunConfig):
    """Train a DQN-family agent on a Gymnasium env (classic control, Atari) or a two-player board game.

    Unset hyperparameters (None) come from the preset of the env's family: classic control
    (rl-baselines3-zoo's CartPole-v1 settings) or Atari (Nature DQN as CleanRL runs it).
    The run directory gets config.json, metrics.jsonl and atomic checkpoints; --resume
    continues the run from its latest checkpoint. The replay buffer (gigabytes on Atari) is
    not saved: after a resume, learning waits for max(batch, learning_starts / 10) new steps.
    """

    env: str = "CartPole-v1"
    """Gymnasium id (CartPole-v1, ALE/Pong-v5, ...) or a board game against a random opponent: seigen/TicTacToe-v0, seigen/ConnectFour-v0, seigen/Go-v0."""
    num_envs: int = 1
    """Environments stepped together (a synchronous vector env)."""
    learning_rate: float | None = None
    """Adam learning rate."""
    buffer_size: int | None = None
    """Replay capacity in transitions."""
    batch_size: int | None = None
    """Transitions per gradient step."""
    gamma: float = 0.99
    """Discount factor."""
    learning_starts: int | None = None
    """Steps of random play before learning."""
    train_frequency: int | None = None
    """Learn every this many env steps ..."""
    gradient_steps: int | None = None
    """... with this many gradient steps."""
    target_update_interval: int | None = None
    """Env steps between target-network updates."""
    tau: float = 1.0
    """Target update: 1 copies the online net (hard); smaller is Polyak averaging."""
    start_epsilon: float = 1.0
    """Exploration at the start ..."""
    end_epsilon: float | None = None
    """... falling linearly to this ..."""
    exploration_fraction: float | None = None
    """... over this fraction of --total-steps."""
    double: bool = False
    """Double Q-learning targets (van Hasselt et al. 2016: the online net chooses, the target net values)."""
    dueling: bool = False
    """Dueling heads: Q = V + A - mean(A)."""
    prioritized: bool = False
    """Prioritized replay (proportional, sum-tree)."""
    per_alpha: float = 0.6
    """Priority exponent of prioritized replay."""
    per_beta: float = 0.4
    """Importance-weight exponent at the start, annealed to 1 by the end."""
    n_step: int = 1
    """Steps of the return before bootstrapping."""
    hidden: tuple[int, ...] | None = None
    """Hidden layer widths of the MLP (vector observations)."""
    max_grad_norm: float = 10.0
    """Gradient clipping by global norm."""
    checkpoint_every: int | None = None
    """Env steps between checkpoints (and at the end)."""
    eval_episodes: int = 10
    """Episodes of the final evaluation (greedy with --eval-epsilon)."""
    eval_epsilon: float | None = None
    """Exploration during evaluation (Atari protocol: 0.001; classic: 0)."""
    progress: bool = True
    """Show a progress bar with the episodic return and steps/s."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.require_positive("num_envs", "n_step", "eval_episodes")
        if not 0 < self.tau <= 1:
            raise ValueError(f"--tau must be in (0, 1], got {self.tau}")
        if not 0 <= self.gamma <= 1:
            raise ValueError(f"--gamma must be in [0, 1], got {self.gamma}")


PRESETS: dict[str, dict[str, Any]] = {
    # rl-baselines3-zoo, dqn.yml, CartPole-v1
    "classic": dict(
        total_steps=50_000,
        learning_rate=2.3e-3,
        buffer_size=100_000,
        batch_size=64,
        learning_starts=1_000,
        train_frequency=256,
        gradient_steps=128,
        target_update_interval=10,
        end_epsilon=0.04,
        exploration_fraction=0.16,
        hidden=(256, 256),
        checkpoint_every=10_000,
        eval_epsilon=0.0,
    ),
    # Mnih et al. 2015 as CleanRL's dqn_atari.py runs it
    "atari": dict(
        total_steps=10_000_000,
        learning_rate=1e-4,
        buffer_size=1_000_000,
        batch_size=32,
        learning_starts=80_000,
        train_frequency=4,
        gradient_steps=1,
        target_update_interval=1_000,
        end_epsilon=0.01,
        exploration_fraction=0.10,
        hidden=(512,),
        checkpoint_every=250_000,
        eval_epsilon=0.001,
    ),
    # small board games against a random opponent
    "board": dict(
        total_steps=100_000,
        learning_rate=5e-4,
        buffer_size=100_000,
        batch_size=128,
        learning_starts=2_000,
        train_frequency=4,
        gradient_steps=1,
        target_update_interval=1_000,
        end_epsilon=0.05,
        exploration_fraction=0.3,
        hidden=(256, 256),
        checkpoint_every=20_000,
        eval_epsilon=0.0,
    ),
}


def family(env_id: str) -> str:
    from seigen.envs import is_atari

    if env_id in BOARD_GAMES:
        return "board"
    return "atari" if is_atari(env_id) else "classic"


def resolve(cfg: DQNConfig) -> DQNConfig:
    """The config with every unset hyperparameter taken from its env family's preset."""
    preset = PRESETS[family(cfg.env)]
    filled = {k: v for k, v in preset.items() if getattr(cfg, k) is None}
    if cfg.run_dir is None:
        filled["run_dir"] = f"runs/dqn-{cfg.env.replace('/', '-')}-{cfg.seed}"
    return dataclasses.replace(cfg, **filled)
