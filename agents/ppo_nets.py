"""The actor-critic networks of ``seigen.agents.ppo`` and the action distributions they sample.

:class:`ActorCriticNet`: the Nature CNN trunk shared by both heads for Atari frames; MLPs
for vectors (one each, evaluated together by :class:`TwinMLP`, or one shared trunk);
optionally 3x3 convolutions over board observations (``conv``); orthogonal initialisation
(gain sqrt(2), policy head 0.01, value head 1), as CleanRL and SB3 do. :func:`build_net`
builds a run's net from its config, :func:`action_spec` describes the action space it
outputs for (kept in the checkpoint). The distributions: a categorical over the logits
with the illegal moves at :data:`MASKED` (probability exactly 0), and a diagonal Gaussian
with a state-independent log-std.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seigen.agents.nets import is_image
from seigen.agents.ppo_config import ACConfig

MASKED = -1e9  # the logit of an illegal action: probability exactly 0 after the softmax


# ============================================================================ the distributions


def masked_log_softmax(logits: torch.Tensor, masks: torch.Tensor | None) -> torch.Tensor:
    """Log-probabilities with the illegal actions (mask False) at ``MASKED`` before the softmax."""
    if masks is not None:
        logits = logits.masked_fill(~masks, MASKED)
    return F.log_softmax(logits, dim=-1)


def categorical_sample(logp: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """One action per row of log-probabilities (Gumbel-max; an action of probability 0 never wins)."""
    u = torch.rand(logp.shape, device=logp.device, generator=generator).clamp_(1e-20, 1.0)
    return torch.argmax(logp - torch.log(-torch.log(u)), dim=-1)


def categorical_entropy(logp: torch.Tensor) -> torch.Tensor:
    return -(logp.exp() * logp).sum(-1)


LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def gaussian_log_prob(actions: torch.Tensor, mean: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """Log-density of a diagonal Gaussian, summed over the action's dimensions."""
    z = (actions - mean) * torch.exp(-log_std)
    return (-0.5 * z * z - log_std - LOG_SQRT_2PI).sum(-1)


def gaussian_entropy(log_std: torch.Tensor, batch: int) -> torch.Tensor:
    return (0.5 + LOG_SQRT_2PI + log_std).sum(-1).expand(batch)


# ============================================================================ the network


def layer_init(layer: nn.Module, std: float = math.sqrt(2), bias: float = 0.0) -> nn.Module:
    nn.init.orthogonal_(layer.weight, std)
    nn.init.constant_(layer.bias, bias)
    return layer


def _mlp(width: int, hidden: Sequence[int], activation: str) -> tuple[nn.Sequential, int]:
    act = {"tanh": nn.Tanh, "relu": nn.ReLU}[activation]
    layers: list[nn.Module] = [nn.Flatten()]
    for h in hidden:
        layers += [layer_init(nn.Linear(width, h)), act()]
        width = h
    return nn.Sequential(*layers), width


class TwinMLP(nn.Module):
    """The policy's and the value's MLPs (same widths, separate weights) evaluated together:
    one batched matrix product per layer for both, half the kernel launches of two MLPs.
    Each tower is initialised as its own ``nn.Linear`` stack would be by ``layer_init``."""

    def __init__(self, width: int, hidden: Sequence[int], activation: str) -> None:
        super().__init__()
        self.act = {"tanh": torch.tanh, "relu": torch.relu}[activation]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for h in hidden:
            w = torch.empty(2, width, h)
            for k in range(2):
                lin = torch.empty(h, width)
                nn.init.orthogonal_(lin, math.sqrt(2))
                w[k] = lin.T
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(torch.zeros(2, 1, h)))
            width = h
        self.width = width

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = x.unsqueeze(0).expand(2, *x.shape)
        for w, b in zip(self.weights, self.biases, strict=True):
            h = self.act(torch.baddbmm(b, h, w))
        return h[0], h[1]


class ActorCriticNet(nn.Module):
    """Policy output (logits ``[B, A]`` or the Gaussian's mean ``[B, D]``) and value ``[B]``.

    ``action``: ``{"type": "discrete", "n": A}`` or ``{"type": "box", "shape": [D], ...}``.
    """

    def __init__(
        self,
        obs_shape: Sequence[int],
        action: dict[str, Any],
        *,
        hidden: Sequence[int] = (64, 64),
        activation: str = "tanh",
        share_trunk: bool = False,
        log_std_init: float = 0.0,
        conv: Sequence[int] = (),
    ) -> None:
        super().__init__()
        self.obs_shape = tuple(int(x) for x in obs_shape)
        self.continuous = action["type"] == "box"
        out = int(math.prod(action["shape"])) if self.continuous else int(action["n"])
        self.image = is_image(self.obs_shape)
        self.board = bool(conv) and len(self.obs_shape) == 3 and not self.image
        if self.board:  # a board, channels last (PettingZoo's layout): 3x3 convolutions, shared by both heads
            h, w, c = self.obs_shape
            layers: list[nn.Module] = []
            for channels in conv:
                layers += [layer_init(nn.Conv2d(c, channels, 3, padding=1)), nn.ReLU()]
                c = channels
            width = hidden[-1] if hidden else 256
            layers += [nn.Flatten(), layer_init(nn.Linear(c * h * w, width)), nn.ReLU()]
            self.trunk = nn.Sequential(*layers)
            self.bodies = None
        elif self.image:  # the Nature CNN (CleanRL's ppo_atari)
            c, h, w = self.obs_shape
            conv = nn.Sequential(
                layer_init(nn.Conv2d(c, 32, 8, stride=4)),
                nn.ReLU(),
                layer_init(nn.Conv2d(32, 64, 4, stride=2)),
                nn.ReLU(),
                layer_init(nn.Conv2d(64, 64, 3, stride=1)),
                nn.ReLU(),
                nn.Flatten(),
            )
            with torch.no_grad():
                flat = conv(torch.zeros(1, c, h, w)).shape[1]
            width = hidden[-1] if hidden else 512
            self.trunk = nn.Sequential(conv, layer_init(nn.Linear(flat, width)), nn.ReLU())
            self.bodies = None
        elif share_trunk:
            self.trunk, width = _mlp(math.prod(self.obs_shape), hidden, activation)
            self.bodies = None
        else:
            self.trunk = nn.Flatten()
            self.bodies = TwinMLP(math.prod(self.obs_shape), hidden, activation)
            width = self.bodies.width
        self.actor = layer_init(nn.Linear(width, out), std=0.01)
        self.critic = layer_init(nn.Linear(width, 1), std=1.0)
        self.log_std = nn.Parameter(torch.full((out,), float(log_std_init))) if self.continuous else None

    def _features(self, obs: torch.Tensor) -> torch.Tensor:
        x = obs.float()
        if self.image:
            x = x / 255.0
        elif self.board:
            x = x.permute(0, 3, 1, 2)
        return self.trunk(x)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self._features(obs)
        if self.bodies is None:
            return self.actor(h), self.critic(h).squeeze(-1)
        a, c = self.bodies(h)
        return self.actor(a), self.critic(c).squeeze(-1)

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        h = self._features(obs)
        return self.critic(h if self.bodies is None else self.bodies(h)[1]).squeeze(-1)

    def act(
        self,
        obs: torch.Tensor,
        masks: torch.Tensor | None = None,
        deterministic: bool = False,
        generator: torch.Generator | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Actions, their log-probabilities and the values of a batch of observations."""
        out, value = self(obs)
        if self.continuous:
            if deterministic:
                actions = out
            else:
                noise = torch.randn(out.shape, device=out.device, generator=generator)
                actions = out + noise * self.log_std.exp()
            return actions, gaussian_log_prob(actions, out, self.log_std), value
        logp = masked_log_softmax(out, masks)
        actions = logp.argmax(-1) if deterministic else categorical_sample(logp, generator)
        return actions, logp.gather(-1, actions[:, None]).squeeze(-1), value

    def evaluate(
        self, obs: torch.Tensor, actions: torch.Tensor, masks: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Log-probabilities and entropies of ``actions``, and the values, for the update."""
        out, value = self(obs)
        if self.continuous:
            return (
                gaussian_log_prob(actions, out, self.log_std),
                gaussian_entropy(self.log_std, len(out)),
                value,
            )
        logp = masked_log_softmax(out, masks)
        return logp.gather(-1, actions.long()[:, None]).squeeze(-1), categorical_entropy(logp), value


def action_spec(space: gym.Space) -> dict[str, Any]:
    """The checkpointed description of an action space (Discrete or Box)."""
    if isinstance(space, gym.spaces.Discrete):
        return {"type": "discrete", "n": int(space.n)}
    if isinstance(space, gym.spaces.Box):
        return {
            "type": "box",
            "shape": list(space.shape),
            "low": np.asarray(space.low, np.float32).reshape(-1).tolist(),
            "high": np.asarray(space.high, np.float32).reshape(-1).tolist(),
        }
    raise ValueError(f"actor-critic agents take Discrete or Box actions, not {space}")


def build_net(cfg: ACConfig, obs_shape: Sequence[int], action: dict[str, Any]) -> ActorCriticNet:
    return ActorCriticNet(
        obs_shape,
        action,
        hidden=cfg.hidden or (64, 64),
        activation=cfg.activation or "tanh",
        share_trunk=bool(cfg.share_trunk),
        log_std_init=cfg.log_std_init or 0.0,
        conv=cfg.conv or (),
    )
