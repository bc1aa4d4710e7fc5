"""The DQN family's config and its presets, importing nothing heavy: tyro (which parses it) but not torch."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import tyro

from seigen.agents.run_config import RunConfig

BOARD_GAMES = ("seigen/TicTacToe-v0", "seigen/ConnectFour-v0", "seigen/Go-v0")  # envs.classic registers them
"""The ``gym_id`` of every game in ``seigen.engine.games.GAMES`` that has one, spelled out so that the
CLI parses this config without loading the core (tests/test_game_registry.py checks they agree)."""

PROTOCOLS = ("machado", "dqn2015")
"""The Atari protocols of ``seigen.envs.make`` (spelt out for the same reason; tests/test_dqn_atari100k.py checks)."""

# A switch that may also be unset (None: from the preset) and still reads --flag / --no-flag on the
# command line (tyro >= 1.0); with older tyro the switches take a value instead (--double True).
Switch = tyro.conf.DisallowNone[bool | None] if hasattr(tyro.conf, "DisallowNone") else bool | None


@dataclass(frozen=True)
class DQNConfig(RunConfig):
    """Train a DQN-family agent on a Gymnasium env (classic control, Atari) or a two-player board game.

    Unset hyperparameters (None) come from the preset of the env's family: classic control
    (rl-baselines3-zoo's CartPole-v1 settings) or Atari (Nature DQN as CleanRL runs it);
    --preset der or drq_eps lays an Atari 100k preset over the family's (the options given still win).
    The run directory gets config.json, metrics.jsonl and atomic checkpoints; --resume
    continues the run from its latest checkpoint, with the replay buffer saved beside it
    (--save-replay, the default; the episodes that were running end there, truncated, and the
    envs start afresh). Without it, learning waits after a resume for max(batch,
    learning_starts / 10, n_step per env) new steps.
    """

    env: str = "CartPole-v1"
    """Gymnasium id (CartPole-v1, ALE/Pong-v5, ...) or a board game against a random opponent: seigen/TicTacToe-v0, seigen/ConnectFour-v0, seigen/Go-v0."""
    preset: Literal["der", "drq_eps"] | None = None
    """Atari 100k settings over the env family's: der (Data-Efficient Rainbow, van Hasselt et al. 2019) or drq_eps (DrQ(epsilon), Agarwal et al. 2021), as Dopamine's atari_100k configs; None: the family's alone."""
    num_envs: int = 1
    """Environments stepped together (a synchronous vector env)."""
    learning_rate: float | None = None
    """Adam learning rate."""
    adam_eps: float | None = None
    """Adam epsilon; None: 1.5e-4 for the Nature CNN (Atari frames), 1e-8 for the MLP."""
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
    start_epsilon: float | None = None
    """Exploration at the start (None: the preset's; 1 but for der, whose noisy nets explore with a constant 0.01) ..."""
    end_epsilon: float | None = None
    """... falling linearly to this ..."""
    exploration_fraction: float | None = None
    """... over this fraction of --total-steps."""
    exploration_steps: int | None = None
    """When set, instead of --exploration-fraction: epsilon stays at --start-epsilon until --learning-starts, then falls to --end-epsilon over this many steps (Dopamine's schedule)."""
    double: Switch = None
    """Double Q-learning targets (van Hasselt et al. 2016: the online net chooses, the target net values); None: from the preset."""
    dueling: Switch = None
    """Dueling heads: Q = V + A - mean(A); None: from the preset."""
    prioritized: Switch = None
    """Prioritized replay (proportional, sum-tree; with --distributional the priority is the cross-entropy loss); None: from the preset."""
    per_alpha: float | None = None
    """Priority exponent of prioritized replay."""
    per_beta: float = 0.4
    """Importance-weight exponent at the start, annealed to 1 by the end."""
    n_step: int | None = None
    """Steps of the return before bootstrapping."""
    distributional: Switch = None
    """C51 (Bellemare et al. 2017): a categorical return distribution per action, trained by cross-entropy to the projected n-step target; None: from the preset."""
    num_atoms: int | None = None
    """Atoms of the C51 distribution ..."""
    v_min: float | None = None
    """... evenly spaced from this return ..."""
    v_max: float | None = None
    """... to this one."""
    noisy: Switch = None
    """Noisy linear layers in the Q head (factorised Gaussian, Fortunato et al. 2018): new noise at every update and action in training, none at evaluation; None: from the preset."""
    noisy_sigma0: float | None = None
    """Initial noise scale of the noisy layers: sigma = sigma0 / sqrt(fan-in)."""
    augment: Switch = None
    """DrQ's augmentation of the sampled frames, per sample, on obs and next obs: pad 4 by edge replication, a random 84x84 crop, then a random intensity factor 1 + 0.05 clip(N(0, 1), -2, 2); None: from the preset."""
    hidden: tuple[int, ...] | None = None
    """Hidden layer widths of the MLP (vector observations)."""
    max_grad_norm: float = 10.0
    """Gradient clipping by global norm."""
    checkpoint_every: int | None = None
    """Env steps between checkpoints (and at the end)."""
    save_replay: bool = True
    """Save the replay buffer with each checkpoint (checkpoints/replay.npz, replaced each time and removed once training ends), so that --resume goes on with it: about 7 KB a transition on Atari (0.7 GB for Atari 100k), the observations themselves on other envs."""
    eval_episodes: int = 10
    """Episodes of the final evaluation (greedy with --eval-epsilon)."""
    eval_epsilon: float | None = None
    """Exploration during evaluation (Atari protocol: 0.001; classic: 0)."""
    progress: bool = True
    """Show a progress bar with the episodic return and steps/s."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.require_positive("num_envs", "n_step", "eval_episodes", "exploration_steps")
        if self.preset is not None and self.preset not in ATARI_100K:
            raise ValueError(f"unknown --preset {self.preset!r}; expected one of {', '.join(ATARI_100K)}")
        if self.protocol is not None and self.protocol not in PROTOCOLS:
            raise ValueError(f"unknown --protocol {self.protocol!r}; expected one of {', '.join(PROTOCOLS)}")
        if self.num_atoms is not None and self.num_atoms < 2:
            raise ValueError(f"--num-atoms must be at least 2, got {self.num_atoms}")
        if self.v_min is not None and self.v_max is not None and not self.v_min < self.v_max:
            raise ValueError(f"--v-min must be below --v-max, got {self.v_min} and {self.v_max}")
        for name in ("adam_eps", "noisy_sigma0"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"--{name.replace('_', '-')} must be positive, got {value}")
        if not 0 < self.tau <= 1:
            raise ValueError(f"--tau must be in (0, 1], got {self.tau}")
        if not 0 <= self.gamma <= 1:
            raise ValueError(f"--gamma must be in [0, 1], got {self.gamma}")


# what every family shares: epsilon from 1, the extensions off, and the values C51 and noisy nets take when switched on alone
_OFF: dict[str, Any] = dict(
    start_epsilon=1.0,
    double=False,
    dueling=False,
    prioritized=False,
    per_alpha=0.6,
    n_step=1,
    distributional=False,
    num_atoms=51,
    v_min=-10.0,
    v_max=10.0,
    noisy=False,
    noisy_sigma0=0.5,
    augment=False,
)

PRESETS: dict[str, dict[str, Any]] = {
    # rl-baselines3-zoo, dqn.yml, CartPole-v1
    "classic": dict(
        **_OFF,
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
    # Mnih et al. 2015 as CleanRL's dqn_atari.py runs it, under Machado et al.'s protocol
    "atari": dict(
        **_OFF,
        protocol="machado",
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
        **_OFF,
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


# Atari 100k: 100k agent steps (400k frames), deterministic actions, a lost life ends a training
# episode. The values are those of Dopamine's dopamine/labs/atari_100k/configs/DER.gin and DrQ_eps.gin.
_ATARI_100K: dict[str, Any] = dict(
    protocol="dqn2015",
    total_steps=100_000,
    buffer_size=100_000,  # the whole run
    batch_size=32,
    learning_starts=1_600,
    train_frequency=1,
    gradient_steps=1,
    learning_rate=1e-4,
    adam_eps=1.5e-4,
    n_step=10,
    double=True,
    dueling=True,
    end_epsilon=0.01,
    eval_epsilon=0.001,
    checkpoint_every=10_000,
)

ATARI_100K: dict[str, dict[str, Any]] = {
    # Data-Efficient Rainbow (van Hasselt et al. 2019), with SPR's 10-step returns as Dopamine runs it
    "der": _ATARI_100K
    | dict(
        target_update_interval=2_000,
        # Dopamine's Rainbow with noisy nets acts at a constant epsilon_train (0.01) from the first step
        start_epsilon=0.01,
        exploration_steps=2_000,
        noisy=True,
        noisy_sigma0=0.1,  # Dopamine's NoisyNetwork: sigma = 0.1 / sqrt(fan-in)
        distributional=True,
        num_atoms=51,
        v_min=-10.0,
        v_max=10.0,
        prioritized=True,
        per_alpha=0.5,  # Rainbow's; Dopamine stores sqrt(loss)
        augment=False,
    ),
    # DrQ(epsilon) (Agarwal et al. 2021): DrQ's augmentation on a dueling double DQN
    "drq_eps": _ATARI_100K
    | dict(
        target_update_interval=1,
        exploration_steps=5_000,
        noisy=False,
        distributional=False,
        prioritized=False,
        augment=True,
    ),
}
"""The named presets (--preset), laid over the Atari family's."""


def family(env_id: str) -> str:
    from seigen.envs import is_atari

    if env_id in BOARD_GAMES:
        return "board"
    return "atari" if is_atari(env_id) else "classic"


def resolve(cfg: DQNConfig) -> DQNConfig:
    """The config with every unset hyperparameter taken from the named preset (--preset), else
    from its env family's preset. The named presets are for Atari envs only (a ValueError otherwise)."""
    env_family = family(cfg.env)
    preset = PRESETS[env_family]
    if cfg.preset is not None:
        if env_family != "atari":
            raise ValueError(f"--preset {cfg.preset} is for Atari envs (ALE/Pong-v5, ...), not {cfg.env}")
        preset = preset | ATARI_100K[cfg.preset]
    filled = {k: v for k, v in preset.items() if getattr(cfg, k) is None}
    if cfg.run_dir is None:
        filled["run_dir"] = f"runs/dqn-{cfg.env.replace('/', '-')}-{cfg.seed}"
    return dataclasses.replace(cfg, **filled)
