"""Q-networks for the DQN family: an MLP for vector observations, the Nature CNN for Atari frames.

``QNetwork(obs_shape, n_actions, ...)`` picks the torso from the observation's shape:
``(C, 84, 84)`` (stacked uint8 frames) gets the Nature DQN convolutions (inputs scaled
by 1/255), anything else is flattened into an MLP. Layers keep PyTorch's default
initialisation, as SB3's and CleanRL's DQN do: orthogonal initialisation (gain sqrt(2),
the PPO habit) made CartPole fail to learn in 3 seeds out of 3 with the rl-zoo settings. ``dueling`` splits the head into a
state value and action advantages, ``Q = V + A - mean(A)`` (Wang et al. 2016).

Two switches change the head (the layers after the torso):

- ``distributional``: C51 (Bellemare et al. 2017). The head gives, per action, logits over
  ``num_atoms`` fixed returns evenly spaced in ``[v_min, v_max]`` (the support); Q is the mean
  of that distribution. With ``dueling`` the two streams are combined atom by atom on the
  logits, ``V(s) + A(s, a) - mean_a A(s, a)``, before the softmax over atoms (as Rainbow does).
- ``noisy``: every linear layer of the head is a :class:`NoisyLinear` (Fortunato et al. 2018),
  noisy in training mode and its mean weights in eval mode (``net.eval()``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


def is_image(obs_shape: Sequence[int]) -> bool:
    """Stacked Atari frames: ``(C, H, W)`` with H and W at least 36 (the Nature CNN's smallest input)."""
    return len(obs_shape) == 3 and obs_shape[1] >= 36 and obs_shape[2] >= 36


def _scaled_noise(n: int, device: torch.device) -> torch.Tensor:
    """``f(e) = sign(e) sqrt(|e|)`` of ``n`` standard normal draws (factorised noise, Fortunato et al. eq. 10-11)."""
    e = torch.randn(n, device=device)
    return e.sign() * e.abs().sqrt()


class NoisyLinear(nn.Module):
    """A linear layer with factorised Gaussian noise on its weights and biases (Fortunato et al. 2018).

    ``y = (mu_w + sigma_w * f(e_out) f(e_in)^T) x + mu_b + sigma_b * f(e_out)``, with ``e_in [in]`` and
    ``e_out [out]`` drawn afresh (from torch's generator) at every forward pass in training mode;
    in eval mode the noise is off and the layer is ``mu_w x + mu_b``. Initialisation (their
    Section 3.2): ``mu ~ U(-1/sqrt(in), 1/sqrt(in))`` and ``sigma = sigma0 / sqrt(in)``.
    """

    def __init__(self, in_features: int, out_features: int, sigma0: float = 0.5) -> None:
        super().__init__()
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        bound = 1.0 / math.sqrt(self.in_features)
        self.weight_mu = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.weight_sigma = nn.Parameter(torch.full((out_features, in_features), sigma0 * bound))
        self.bias_mu = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))
        self.bias_sigma = nn.Parameter(torch.full((out_features,), sigma0 * bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return F.linear(x, self.weight_mu, self.bias_mu)
        e_in = _scaled_noise(self.in_features, x.device)
        e_out = _scaled_noise(self.out_features, x.device)
        # (sigma * outer(e_out, e_in)) x = e_out * (sigma (e_in * x)): no [out, in] noise matrix is built
        noise = F.linear(x * e_in, self.weight_sigma) * e_out
        return F.linear(x, self.weight_mu, self.bias_mu + self.bias_sigma * e_out) + noise

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


class QNetwork(nn.Module):
    """Q-values ``[B, n_actions]`` from observations ``[B, *obs_shape]`` (and, when
    ``distributional``, their return distributions as :meth:`logits` ``[B, n_actions, num_atoms]``)."""

    def __init__(
        self,
        obs_shape: Sequence[int],
        n_actions: int,
        *,
        dueling: bool = False,
        hidden: Sequence[int] = (256, 256),
        distributional: bool = False,
        num_atoms: int = 51,
        v_min: float = -10.0,
        v_max: float = 10.0,
        noisy: bool = False,
        sigma0: float = 0.5,
    ) -> None:
        super().__init__()
        self.obs_shape = tuple(int(x) for x in obs_shape)
        self.n_actions = int(n_actions)
        self.dueling = dueling
        self.distributional = distributional
        self.num_atoms = int(num_atoms) if distributional else 1
        self.noisy = noisy
        self.sigma0 = float(sigma0)
        if distributional and not (self.num_atoms >= 2 and v_min < v_max):
            raise ValueError(f"C51 needs num_atoms >= 2 and v_min < v_max, got {num_atoms}, {v_min}, {v_max}")
        # [num_atoms]: the returns the atoms stand for (not saved: it follows from the config)
        self.register_buffer("support", torch.linspace(v_min, v_max, self.num_atoms), persistent=False)
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
        self.advantage = self._mlp(width, head_hidden, self.n_actions * self.num_atoms)
        self.value = self._mlp(width, head_hidden, self.num_atoms) if dueling else None

    def _mlp(self, width: int, hidden: Sequence[int], out: int) -> nn.Sequential:
        def linear(i: int, o: int) -> nn.Module:
            return NoisyLinear(i, o, self.sigma0) if self.noisy else nn.Linear(i, o)

        layers: list[nn.Module] = []
        for h in hidden:
            layers += [linear(width, h), nn.ReLU()]
            width = h
        layers.append(linear(width, out))
        return nn.Sequential(*layers)

    def _features(self, obs: torch.Tensor) -> torch.Tensor:
        x = obs.float()
        if self.image:
            x = x / 255.0
        return self.torso(x)

    def logits(self, obs: torch.Tensor) -> torch.Tensor:
        """``[B, n_actions, num_atoms]``: per action, the logits of the return distribution over
        ``support`` (a softmax over the last axis gives the probabilities); ``num_atoms`` is 1
        without ``distributional`` (the Q-values themselves)."""
        h = self._features(obs)
        a = self.advantage(h).view(-1, self.n_actions, self.num_atoms)
        if self.value is None:
            return a
        return self.value(h).view(-1, 1, self.num_atoms) + a - a.mean(dim=1, keepdim=True)

    def q_values(self, logits: torch.Tensor) -> torch.Tensor:
        """``[B, n_actions]`` from :meth:`logits`: the distribution's mean (distributional), else the logits."""
        if self.distributional:
            return (logits.softmax(dim=-1) * self.support).sum(dim=-1)
        return logits.squeeze(-1)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.q_values(self.logits(obs))
