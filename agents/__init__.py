"""PyTorch learners and trained agents.

``load_agent(path)`` (a run directory or a checkpoint file) gives an agent with
``act(observation) -> action``; see ``seigen.agents.agent``. Importing this package
loads nothing heavy: the agent code (and torch) comes with the first call.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seigen.agents.agent import ActorCriticAgent, AlphaZeroAgent, DQNAgent, RandomAgent, SearchAgent

__all__ = ["ActorCriticAgent", "AlphaZeroAgent", "DQNAgent", "RandomAgent", "SearchAgent", "load_agent"]


def load_agent(
    path: str | Path, visits: int = 200, device: str | None = None, **search: Any
) -> AlphaZeroAgent | DQNAgent | ActorCriticAgent:
    """The agent of a run directory or checkpoint file: AlphaZero (a search of ``visits``
    simulations per move), DQN (greedy) or PPO/A2C (the most likely action). See
    ``seigen.agents.agent.load_agent``."""
    from seigen.agents.agent import load_agent as load

    return load(path, visits=visits, device=device, **search)


def __getattr__(name: str) -> Any:
    if name in ("ActorCriticAgent", "AlphaZeroAgent", "DQNAgent", "RandomAgent", "SearchAgent"):
        from seigen.agents import agent

        return getattr(agent, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
