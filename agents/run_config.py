"""The fields every model-free training run shares (DQN, PPO, A2C), importing nothing heavy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class RunConfig:
    """The env, the budget, the seed, the run directory, the device and tracking of a training run.

    Each learner's config extends it (and may restate ``env`` to document what it takes)."""

    env: str = "CartPole-v1"
    """Gymnasium id (CartPole-v1, ALE/Pong-v5, ...)."""
    total_steps: int | None = None
    """Environment steps to train for (all envs together); Atari counts agent steps (4 frames each)."""
    seed: int = 1
    """Seed of the envs, the networks and the exploration."""
    run_dir: str | None = None
    """Where the run lives; default runs/<algorithm>-<env>-<seed>."""
    resume: bool = False
    """Continue the run in --run-dir from its latest checkpoint."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the networks run: auto = cuda when present, else cpu."""
    track: bool = False
    """Also log to Weights & Biases (offline files under the run directory unless --wandb-mode online)."""
    wandb_mode: Literal["offline", "online"] = "offline"
    """Weights & Biases mode when --track is on."""
    threads: int = 1
    """CPU threads for torch (1 is fastest for small nets; more helps the Atari CNN on CPU)."""
    protocol: Literal["machado", "dqn2015"] | None = None
    """Atari only: machado (sticky actions, no life-loss signal) or dqn2015 (no sticky actions, a lost life ends a training episode: the Atari 100k setting); default: the preset's, else machado."""
    backend: Literal["auto", "gymnasium", "envpool"] = "auto"
    """Atari only: the vector env, EnvPool's C++ pool or Gymnasium's wrapper stack; auto: EnvPool where it is installed."""
    env_threads: int = 0
    """Atari on EnvPool: its worker threads (0: EnvPool chooses, up to one per env); Gymnasium's envs step in the learner's thread."""
    eval_envs: int = 8
    """Envs played side by side in the final evaluation, each a fixed share of the episodes (taking the first episodes to end would favour short ones)."""

    def __post_init__(self) -> None:
        self.require_positive("threads", "total_steps", "eval_envs")
        if self.env_threads < 0:
            raise ValueError(f"--env-threads must be at least 0, got {self.env_threads}")

    def require_positive(self, *names: str) -> None:
        """A ``ValueError`` naming the flag when one of these fields is below 1 (None: unset, fine)."""
        for name in names:
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
