"""Q-networks for the DQN family: an MLP for vector observations, the Nature CNN for Atari frames.

``QNetwork(obs_shape, n_actions, ...)`` picks the torso from the observation's shape:
``(C, 84, 84)`` (stacked uint8 frames) gets the Nature DQN convolutions (inputs scaled
by 1/255), anything else is flattened into an MLP. Layers keep PyTorch's default
initialisation, as SB3's and CleanRL's DQN do: orthogonal initialisation (gain sqrt(2),
the PPO habit) made CartPole fail to learn in 3 seeds out of 3 with the rl-zoo settings. ``dueling`` splits the head into a
state value and action advantages, ``Q = V + A - mean(A)`` (Wang et al. 2016).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn


def is_image(obs_shape: Sequence[int]) -> bool:
    """Stacked Atari frames: ``(C, H, W)`` with H and W at least 36 (the Nature CNN's smallest input)."""
    return len(obs_shape) == 3 and obs_shape[1] >= 36 and obs_shape[2] >= 36


class QNetwork(nn.Module):
    """Q-values ``[B, n_actions]`` from observations ``[B, *obs_shape]``."""

    def __init__(
        self,
        obs_shape: Sequence[int],
        n_actions: int,
        *,
        dueling: bool = False,
        hidden: Sequence[int] = (256, 256),
    ) -> None:
        super().__init__()
        self.obs_shape = tuple(int(x) for x in obs_shape)
        self.n_actions = int(n_actions)
        self.dueling = dueling
        self.image = is_image(self.obs_shape)
        if self.image:
            c, h, w = self.obs_shape
            self.torso = nn.Sequential(
                nn.Conv2d(c, 32, 8, stride=4),
                nn.ReLU(),
                nn.Conv2d(32, 64, 4, stride=2),
                nn.ReLU(),
                nn.Conv2d(64, 64, 3, stride=1),
                nn.ReLU(),
                nn.Flatten(),
            )
            with torch.no_grad():
                width = self.torso(torch.zeros(1, c, h, w)).shape[1]
            head_hidden = [512]
        else:
            self.torso = nn.Flatten()
            width = math.prod(self.obs_shape)
            head_hidden = list(hidden)
        self.advantage = self._mlp(width, head_hidden, self.n_actions)
        self.value = self._mlp(width, head_hidden, 1) if dueling else None

    @staticmethod
    def _mlp(width: int, hidden: Sequence[int], out: int) -> nn.Sequential:
        layers: list[nn.Module] = []
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, out))
        return nn.Sequential(*layers)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        x = obs.float()
        if self.image:
            x = x / 255.0
        h = self.torso(x)
        a = self.advantage(h)
        if self.value is None:
            return a
        return self.value(h) + a - a.mean(dim=1, keepdim=True)
