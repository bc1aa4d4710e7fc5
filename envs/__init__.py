"""Gymnasium and PettingZoo environments: env factories (classic control, Box2D, Atari), Go as an AEC env,
and two-player games seen by a single learner."""

from seigen.envs.classic import OpponentPool, SingleAgentEnv, register_envs
from seigen.envs.make import is_atari, make_env, make_vector_env

register_envs()

__all__ = ["OpponentPool", "SingleAgentEnv", "is_atari", "make_env", "make_vector_env", "register_envs"]
