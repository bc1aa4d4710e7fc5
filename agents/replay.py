"""Replay buffer for the DQN family: n-step returns, action masks, prioritized replay, frame de-duplication.

Layout. The buffer holds ``capacity // num_envs`` rows; one :meth:`ReplayBuffer.add` call writes one row,
one transition per env, so a transition is the pair (row, env) and its flat index is ``row * num_envs + env``.
Per row and env it stores

- ``frames [R, E, *frame_shape]``: the observation ``s_t`` itself (``frame_stack == 1``), or only its newest
  frame ``s_t[-1]`` (``frame_stack > 1``, Atari): the older frames of the stack are the newest frames of
  earlier rows of the same env and are gathered back at sample time;
- ``actions``, ``rewards``, ``terminated``, ``truncated``, ``starts`` (``s_t`` is the first observation of an
  episode), and ``masks [R, E, A]`` (the legal actions at the *next* observation, as passed to ``add``);
- ``final_slot [R, E]``: for a truncated step, where the episode's true final observation (or its newest frame)
  lies in a small side store; a terminated step needs no final observation (it is never bootstrapped from).

The observation after the newest row (``next_obs`` of the latest ``add``) is kept in ``pending [E, ...]``, so
the newest transition can be sampled at once (with ``n_step == 1``).

Frame stacks follow :class:`gymnasium.wrappers.FrameStackObservation` with its default ``padding_type="reset"``:
the stack at step ``k < frame_stack - 1`` of an episode repeats the reset frame in its older slots. The first
``add`` of each env must therefore come at an episode start (the observation returned by ``reset``), as it does
in a training loop; from then on the buffer knows every episode start from the ``terminated``/``truncated``
flags (vector envs in ``SAME_STEP`` autoreset mode: the ``obs`` after a finished episode is the reset one).

n-step returns. For the transition at step ``t`` let ``m`` be ``n_step``, or fewer steps when the episode ends
at step ``t + m - 1``. Then ``returns = sum_{k<m} gamma^k r_{t+k}``; ``discounts = 0`` if that end is a
termination, else ``gamma^m``; ``next_obs = s_{t+m}`` (the true final observation after a truncation) and
``next_masks`` its legal actions. Steps of different envs never mix. A transition can be sampled once its
``m`` steps are all stored and while the frames of its stack are not overwritten; the few that cannot yet
(or no longer) be sampled have zero priority / are rejected.

Prioritized replay (Schaul et al. 2016, proportional): a sum-tree and a min-tree over the flat indices, as
stand-alone Numba kernels (:func:`sum_tree_set`, :func:`min_tree_set`, :func:`sum_tree_find`). Priorities
are stored as ``(|delta| + eps) ** alpha``; new transitions get the largest priority stored so far (1 at first).
Sampling is stratified (one draw per equal segment of the total). Importance weights are
``(N P(i)) ** -beta / max_j (N P(j)) ** -beta`` with the max over the whole buffer (from the min-tree), i.e.
``(p_i / p_min) ** -beta``: at most 1, so they only scale updates down.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from seigen.engine.files import atomic_file

__all__ = [
    "Batch",
    "ReplayBuffer",
    "load_replay",
    "min_tree_set",
    "save_replay",
    "sum_tree_find",
    "sum_tree_set",
]


# ---------------------------------------------------------------------------- trees (Numba kernels)
# A tree over P leaves (P a power of two) is a float64 array of 2P entries: node 1 is the root, node j has
# children 2j and 2j + 1, leaf i is node P + i. Entry 0 is unused.


@numba.njit(cache=True, nogil=True)
def sum_tree_set(tree: np.ndarray, leaves: np.ndarray, values: np.ndarray) -> None:
    """Set ``tree``'s leaves to ``values`` and recompute their ancestors' sums (later duplicates win)."""
    size = tree.shape[0] // 2
    for i in range(leaves.shape[0]):
        j = leaves[i] + size
        tree[j] = values[i]
        j //= 2
        while j >= 1:
            tree[j] = tree[2 * j] + tree[2 * j + 1]
            j //= 2


@numba.njit(cache=True, nogil=True)
def min_tree_set(tree: np.ndarray, leaves: np.ndarray, values: np.ndarray) -> None:
    """Set ``tree``'s leaves to ``values`` and recompute their ancestors' minima (empty leaves hold +inf)."""
    size = tree.shape[0] // 2
    for i in range(leaves.shape[0]):
        j = leaves[i] + size
        tree[j] = values[i]
        j //= 2
        while j >= 1:
            left = tree[2 * j]
            right = tree[2 * j + 1]
            tree[j] = left if left < right else right
            j //= 2


@numba.njit(cache=True, nogil=True)
def sum_tree_find(tree: np.ndarray, prefixes: np.ndarray) -> np.ndarray:
    """For each prefix sum ``u`` in ``[0, total)``, the leaf ``i`` with ``sum(leaves[:i]) <= u < sum(leaves[:i+1])``.

    Never returns a zero leaf while the total is positive: a descent only enters a subtree with a positive sum
    (so rounding at the top end lands on the last positive leaf).
    """
    size = tree.shape[0] // 2
    out = np.empty(prefixes.shape[0], dtype=np.int64)
    for i in range(prefixes.shape[0]):
        u = prefixes[i]
        j = 1
        while j < size:
            left = 2 * j
            if (u < tree[left] and tree[left] > 0.0) or tree[left + 1] <= 0.0:
                j = left
            else:
                u -= tree[left]
                j = left + 1
        out[i] = j - size
    return out


# ---------------------------------------------------------------------------- the buffer


@dataclass
class Batch:
    """A sampled batch, numpy arrays, batch first (``B`` transitions)."""

    obs: np.ndarray
    """``[B, *obs_shape]`` in the buffer's dtype: ``s_t``."""
    actions: np.ndarray
    """int64 ``[B]``: ``a_t``."""
    returns: np.ndarray
    """float32 ``[B]``: ``sum_{k<m} gamma^k r_{t+k}``, ``m`` = ``n_step`` or the steps to the episode's end."""
    next_obs: np.ndarray
    """``[B, *obs_shape]``: ``s_{t+m}``, to bootstrap from; meaningless where ``discounts == 0``."""
    discounts: np.ndarray
    """float32 ``[B]``: ``gamma^m``, or 0 if the episode terminated within the ``m`` steps."""
    next_masks: np.ndarray | None
    """bool ``[B, A]``: legal actions at ``next_obs``; None when the buffer has no masks."""
    weights: np.ndarray
    """float32 ``[B]``: importance weights (ones without prioritization), at most 1."""
    indices: np.ndarray
    """int64 ``[B]``: flat indices, for :meth:`ReplayBuffer.update_priorities`."""


class ReplayBuffer:
    """Circular replay of vector-env steps with n-step returns; see the module docstring for the layout."""

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...],
        obs_dtype=np.float32,
        *,
        num_envs: int = 1,
        frame_stack: int = 1,
        n_step: int = 1,
        gamma: float = 0.99,
        mask_dim: int | None = None,
        prioritized: bool = False,
        alpha: float = 0.6,
        eps: float = 1e-6,
        seed: int = 0,
    ) -> None:
        obs_shape = tuple(int(d) for d in obs_shape)
        if num_envs < 1 or capacity < num_envs:
            raise ValueError(f"need capacity >= num_envs >= 1, got capacity={capacity}, num_envs={num_envs}")
        if n_step < 1 or frame_stack < 1:
            raise ValueError(f"n_step and frame_stack must be >= 1, got {n_step} and {frame_stack}")
        if frame_stack > 1 and (len(obs_shape) < 2 or obs_shape[0] != frame_stack):
            raise ValueError(
                f"with frame_stack={frame_stack} obs_shape must be ({frame_stack}, ...), got {obs_shape}"
            )
        if not 0.0 <= gamma <= 1.0:
            raise ValueError(f"gamma must be in [0, 1], got {gamma}")
        self.obs_shape = obs_shape
        self.obs_dtype = np.dtype(obs_dtype)
        self.num_envs = int(num_envs)
        self.frame_stack = int(frame_stack)
        self.n_step = int(n_step)
        self.gamma = float(gamma)
        self.mask_dim = None if mask_dim is None else int(mask_dim)
        self.prioritized = bool(prioritized)
        self.alpha = float(alpha)
        self.eps = float(eps)
        self.rows = int(capacity) // self.num_envs
        """R: rows of the circular store (one per ``add``)."""
        self.capacity = self.rows * self.num_envs
        self.frame_shape = obs_shape if frame_stack == 1 else obs_shape[1:]
        self._rng = np.random.default_rng(seed)

        R, E = self.rows, self.num_envs
        self._frames = np.zeros((R, E, *self.frame_shape), dtype=self.obs_dtype)
        self._actions = np.zeros((R, E), dtype=np.int64)
        self._rewards = np.zeros((R, E), dtype=np.float32)
        self._terminated = np.zeros((R, E), dtype=bool)
        self._truncated = np.zeros((R, E), dtype=bool)
        self._starts = np.zeros((R, E), dtype=bool)
        self._masks = None if mask_dim is None else np.zeros((R, E, self.mask_dim), dtype=bool)
        self._final_slot = np.full((R, E), -1, dtype=np.int32)
        self._pending = np.zeros((E, *self.frame_shape), dtype=self.obs_dtype)
        self._next_is_start = np.ones(E, dtype=bool)
        # side store of the final observations (newest frames) of truncated episodes; grows when full
        self._final = np.zeros((min(self.capacity, max(16, 2 * E)), *self.frame_shape), dtype=self.obs_dtype)
        self._free_slots = list(range(len(self._final) - 1, -1, -1))
        self._pos = 0  # next row to write
        self._size = 0  # rows written, <= R
        self._gammas = self.gamma ** np.arange(self.n_step + 1, dtype=np.float64)

        if self.prioritized:
            leaves = 1
            while leaves < self.capacity:
                leaves *= 2
            self._sum_tree = np.zeros(2 * leaves, dtype=np.float64)
            self._min_tree = np.full(2 * leaves, np.inf, dtype=np.float64)
            self._max_priority = 1.0

    # ------------------------------------------------------------------ sizes
    def __len__(self) -> int:
        """Transitions stored (a few of the newest or oldest may not be sampleable yet or any more)."""
        return self._size * self.num_envs

    @property
    def nbytes(self) -> int:
        """Bytes held by the stored arrays."""
        return int(sum(a.nbytes for a in self._stored().values()))

    _ARRAYS = (
        "_frames",
        "_actions",
        "_rewards",
        "_terminated",
        "_truncated",
        "_starts",
        "_final_slot",
        "_pending",
        "_next_is_start",
        "_final",
    )

    def _stored(self) -> dict[str, np.ndarray]:
        """The arrays that hold the buffer's contents, by name without the underscore."""
        arrays = {name.lstrip("_"): getattr(self, name) for name in self._ARRAYS}
        if self._masks is not None:
            arrays["masks"] = self._masks
        if self.prioritized:
            arrays |= {"sum_tree": self._sum_tree, "min_tree": self._min_tree}
        return arrays

    # ------------------------------------------------------------------ adding
    def add(self, obs, actions, rewards, terminated, truncated, next_obs, next_masks=None) -> None:
        """Store one vector-env step: arrays with leading dimension ``num_envs``.

        ``next_obs`` is the TRUE next observation: for a finished episode its final observation (Gymnasium's
        ``infos["final_obs"]``), not the reset observation. ``next_masks`` (required iff ``mask_dim`` was
        given) are the legal actions at ``next_obs``. A step both terminated and truncated counts as terminated.
        """
        E = self.num_envs
        obs = np.asarray(obs)
        next_obs = np.asarray(next_obs)
        if obs.shape != (E, *self.obs_shape) or next_obs.shape != obs.shape:
            raise ValueError(
                f"obs and next_obs must have shape {(E, *self.obs_shape)}, got {obs.shape} and {next_obs.shape}"
            )
        terminated = np.asarray(terminated, dtype=bool).reshape(E)
        truncated = np.asarray(truncated, dtype=bool).reshape(E) & ~terminated
        if (next_masks is None) != (self._masks is None):
            raise ValueError("next_masks must be given exactly when the buffer was made with mask_dim")
        r = self._pos
        # the row's old truncated-final observations are freed
        for e in np.flatnonzero(self._final_slot[r] >= 0):
            self._free_slots.append(int(self._final_slot[r, e]))
        self._final_slot[r] = -1

        if self.frame_stack == 1:
            self._frames[r] = obs
            next_frames = next_obs
        else:
            self._frames[r] = obs[:, -1]
            next_frames = next_obs[:, -1]
        self._actions[r] = np.asarray(actions).reshape(E)
        self._rewards[r] = np.asarray(rewards, dtype=np.float32).reshape(E)
        self._terminated[r] = terminated
        self._truncated[r] = truncated
        self._starts[r] = self._next_is_start
        if self._masks is not None:
            self._masks[r] = np.asarray(next_masks).reshape(E, self.mask_dim) != 0
        for e in np.flatnonzero(truncated):
            slot = self._alloc_final_slot()
            self._final[slot] = next_frames[e]
            self._final_slot[r, e] = slot
        self._pending[:] = next_frames
        self._next_is_start = terminated | truncated
        self._pos = (r + 1) % self.rows
        self._size = min(self._size + 1, self.rows)
        if self.prioritized:
            self._refresh_priorities(r)

    def _alloc_final_slot(self) -> int:
        if not self._free_slots:
            old = len(self._final)
            new = min(2 * old, self.capacity)
            grown = np.zeros((new, *self.frame_shape), dtype=self.obs_dtype)
            grown[:old] = self._final
            self._final = grown
            self._free_slots = list(range(new - 1, old - 1, -1))
        return self._free_slots.pop()

    def _refresh_priorities(self, r: int) -> None:
        """After writing row ``r``: clear its old priorities, then give max priority to the transitions that
        became sampleable (their n steps are now stored) and zero to those that no longer are (their
        oldest frames were overwritten)."""
        R, E = self.rows, self.num_envs
        leaves = r * E + np.arange(E)
        self._set_leaves(leaves, np.zeros(E))
        rows = (r + np.arange(-self.n_step + 1, self.frame_stack)) % R
        if len(rows) > R:
            rows = np.unique(rows)
        flat = (rows[:, None] * E + np.arange(E)).reshape(-1)
        rows, envs = flat // E, flat % E
        valid = self._valid(rows, envs)
        current = self._sum_tree[len(self._sum_tree) // 2 + flat]
        new = valid & (current <= 0.0)
        gone = ~valid & (current > 0.0)
        if new.any():
            self._set_leaves(flat[new], np.full(int(new.sum()), self._max_priority))
        if gone.any():
            self._set_leaves(flat[gone], np.zeros(int(gone.sum())))

    def _set_leaves(self, leaves: np.ndarray, priorities: np.ndarray) -> None:
        leaves = np.ascontiguousarray(leaves, dtype=np.int64)
        priorities = np.ascontiguousarray(priorities, dtype=np.float64)
        sum_tree_set(self._sum_tree, leaves, priorities)
        min_tree_set(self._min_tree, leaves, np.where(priorities > 0.0, priorities, np.inf))

    # ------------------------------------------------------------------ validity
    def _age(self, rows: np.ndarray) -> np.ndarray:
        """Position of each row from the oldest stored (0) to the newest (size - 1); >= size if unwritten."""
        oldest = (self._pos - self._size) % self.rows
        return (rows - oldest) % self.rows

    def _valid(self, rows: np.ndarray, envs: np.ndarray) -> np.ndarray:
        """Whether the transitions (rows, envs) can be sampled: stored, their n steps (or their episode's
        end) stored, and every frame of their stack still stored."""
        R, size, n, fs = self.rows, self._size, self.n_step, self.frame_stack
        age = self._age(rows)
        ok = age < size
        future = age + n - 1 <= size - 1
        for k in range(n - 1):  # an episode end within the stored steps also completes the window
            rk = (rows + k) % R
            future |= (age + k <= size - 1) & (self._terminated[rk, envs] | self._truncated[rk, envs])
        history = age >= fs - 1
        for j in range(fs - 1):  # an episode start within the stored part of the stack also completes it
            history |= (age >= j) & self._starts[(rows - j) % R, envs]
        return ok & future & history

    def valid_indices(self) -> np.ndarray:
        """Flat indices (``row * num_envs + env``) of every transition that can be sampled now, sorted."""
        E = self.num_envs
        flat = np.arange(self.capacity, dtype=np.int64)
        return flat[self._valid(flat // E, flat % E)]

    # ------------------------------------------------------------------ sampling
    def sample(self, batch_size: int, beta: float = 0.4) -> Batch:
        """``batch_size`` transitions, with replacement: uniform, or proportional to priority with importance
        weights of exponent ``beta``. Raises ValueError when no transition can be sampled yet."""
        B = int(batch_size)
        if self.prioritized:
            total = self._sum_tree[1]
            if total <= 0.0:
                raise ValueError("no transition can be sampled yet")
            prefixes = (np.arange(B) + self._rng.random(B)) * (total / B)
            flat = sum_tree_find(self._sum_tree, np.minimum(prefixes, np.nextafter(total, 0.0)))
            p = self._sum_tree[len(self._sum_tree) // 2 + flat]
            weights = (p / self._min_tree[1]) ** -beta
            batch = self.get(flat)
            batch.weights = weights.astype(np.float32)
            return batch
        return self.get(self._sample_uniform(B))

    def _sample_uniform(self, B: int) -> np.ndarray:
        if self._size == 0:
            raise ValueError("no transition can be sampled yet")
        E = self.num_envs
        oldest = (self._pos - self._size) % self.rows
        flat = np.empty(B, dtype=np.int64)
        todo = np.arange(B)
        for _ in range(32):  # rejection: all but a few of the stored transitions are valid
            rows = (oldest + self._rng.integers(self._size, size=len(todo))) % self.rows
            envs = self._rng.integers(E, size=len(todo))
            ok = self._valid(rows, envs)
            flat[todo[ok]] = rows[ok] * E + envs[ok]
            todo = todo[~ok]
            if len(todo) == 0:
                return flat
        valid = self.valid_indices()  # a nearly empty buffer: draw from the valid ones directly
        if len(valid) == 0:
            raise ValueError("no transition can be sampled yet")
        flat[todo] = self._rng.choice(valid, size=len(todo))
        return flat

    def get(self, indices: np.ndarray) -> Batch:
        """The transitions at these flat indices (which must be valid, see :meth:`valid_indices`), weights 1."""
        R, E, n = self.rows, self.num_envs, self.n_step
        flat = np.asarray(indices, dtype=np.int64).reshape(-1)
        B = len(flat)
        t, env = flat // E, flat % E
        age = self._age(t)

        # n-step return: steps k < m where m = n or the step after the episode's end
        steps = (t[:, None] + np.arange(n)) % R  # [B, n]
        stored = age[:, None] + np.arange(n) <= self._size - 1
        done = (self._terminated[steps, env[:, None]] | self._truncated[steps, env[:, None]]) & stored
        # step k counts if no earlier step of the window ended the episode
        alive = np.ones((B, n), dtype=bool)
        if n > 1:
            alive[:, 1:] = np.cumsum(done[:, :-1], axis=1) == 0
        rewards = np.where(alive, self._rewards[steps, env[:, None]], 0.0)
        returns = (rewards * self._gammas[:n]).sum(axis=1)
        m = alive.sum(axis=1)
        last = (t + m - 1) % R
        ended = done[np.arange(B), m - 1]
        terminal = ended & self._terminated[last, env]
        truncated = ended & ~terminal
        discounts = np.where(terminal, 0.0, self._gammas[m])

        # next observation s_{t+m}: its newest frame is at row t + m, or is the pending one (after the newest
        # row), or a truncated episode's final observation
        x = (t + m) % R
        pend = np.flatnonzero(~ended & (age + m == self._size))
        trunc = np.flatnonzero(truncated)
        replaced = np.concatenate([pend, trunc])
        replacements = np.concatenate(
            [self._pending[env[pend]], self._final[self._final_slot[last[trunc], env[trunc]]]]
        )
        obs = self._stack(t, env, self._starts[t, env])
        next_obs = self._stack(x, env, np.zeros(B, dtype=bool), replaced, replacements)
        return Batch(
            obs=obs,
            actions=self._actions[t, env].copy(),
            returns=returns.astype(np.float32),
            next_obs=next_obs,
            discounts=discounts.astype(np.float32),
            next_masks=None if self._masks is None else self._masks[last, env],
            weights=np.ones(B, dtype=np.float32),
            indices=flat,
        )

    def _stack(
        self,
        x: np.ndarray,
        env: np.ndarray,
        newest_is_start: np.ndarray,
        replaced: np.ndarray | None = None,
        replacements: np.ndarray | None = None,
    ) -> np.ndarray:
        """The observations whose newest frame is at row ``x`` (for the batch entries ``replaced``: is
        ``replacements``). With ``frame_stack > 1`` the older slots come from rows x-1, x-2, ... of the same
        env, and slots before the episode's start repeat its first frame (FrameStackObservation's padding)."""
        fs, B, E = self.frame_stack, len(x), self.num_envs
        frames = self._frames.reshape(self.rows * E, *self.frame_shape)
        if fs == 1:
            out = np.take(frames, x * E + env, axis=0)
            if replaced is not None and len(replaced):
                out[replaced] = replacements
            return out.reshape(B, *self.obs_shape)
        back = np.arange(fs - 1, -1, -1)  # slot j holds row x - (fs - 1 - j)
        starts = np.empty((B, fs), dtype=bool)
        starts[:, :-1] = self._starts[(x[:, None] - back[None, :-1]) % self.rows, env[:, None]]
        starts[:, -1] = newest_is_start
        first = np.where(starts, np.arange(fs), -1).max(axis=1)  # slot of the episode's first frame, or -1
        # [B, fs]: the slot whose frame fills slot j
        slot = np.maximum(np.arange(fs)[None, :], first[:, None])
        rows = (x[:, None] - (fs - 1 - slot)) % self.rows
        out = np.take(frames, (rows * E + env[:, None]).reshape(-1), axis=0).reshape(B, *self.obs_shape)
        if replaced is not None:
            for b, frame in zip(replaced, replacements, strict=True):
                out[b, slot[b] == fs - 1] = frame
        return out

    # ------------------------------------------------------------------ priorities
    def update_priorities(self, indices: np.ndarray, priorities: np.ndarray) -> None:
        """Set the priorities of sampled transitions from their |TD error|: stored as ``(p + eps) ** alpha``.
        Indices that stopped being sampleable since they were sampled are skipped. A no-op without
        prioritization."""
        if not self.prioritized:
            return
        flat = np.asarray(indices, dtype=np.int64).reshape(-1)
        p = (np.abs(np.asarray(priorities, dtype=np.float64).reshape(-1)) + self.eps) ** self.alpha
        if len(p) != len(flat):
            raise ValueError(f"{len(flat)} indices but {len(p)} priorities")
        live = self._sum_tree[len(self._sum_tree) // 2 + flat] > 0.0
        if live.any():
            self._set_leaves(flat[live], p[live])
            self._max_priority = max(self._max_priority, float(p[live].max()))

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, np.ndarray]:
        """Everything the buffer holds, as arrays (for ``np.savez``): ``load_state_dict`` on a
        buffer made with the same arguments restores it exactly, sampling stream included."""
        state = self._stored()
        if self.prioritized:
            state["max_priority"] = np.array(self._max_priority)
        state["free_slots"] = np.array(self._free_slots, dtype=np.int64)
        state["pos"], state["size"] = np.array(self._pos), np.array(self._size)
        state["layout"] = np.array(self._layout(), dtype=np.int64)
        rng = json.dumps(self._rng.bit_generator.state)
        state["rng"] = np.frombuffer(rng.encode(), dtype=np.uint8)
        return state

    def _layout(self) -> list[int]:
        """What a saved state must match: rows, envs, frame stack, n, the mask width, the priorities."""
        return [
            self.rows,
            self.num_envs,
            self.frame_stack,
            self.n_step,
            self.mask_dim or 0,
            int(self.prioritized),
        ]

    def load_state_dict(self, state: Any) -> None:
        """Restore what ``state_dict`` saved (a dict or an ``np.load`` archive); raises ValueError,
        leaving the buffer as it was, when the state is of another buffer layout."""
        layout = [int(x) for x in np.asarray(state["layout"])]
        if layout != self._layout():
            raise ValueError(
                "the saved replay is of another buffer (rows, envs, frame stack, n-step, mask width, "
                f"prioritized): {layout}, this one is {self._layout()}"
            )
        frames = np.asarray(state["frames"])
        if frames.shape != self._frames.shape or frames.dtype != self._frames.dtype:
            raise ValueError(f"the saved frames are {frames.shape} {frames.dtype}, not {self._frames.shape}")
        new = {
            name: np.array(state[name.lstrip("_")], dtype=getattr(self, name).dtype) for name in self._ARRAYS
        }
        if self._masks is not None:
            new["_masks"] = np.array(state["masks"], dtype=bool)
        if self.prioritized:
            new["_sum_tree"] = np.array(state["sum_tree"], dtype=np.float64)
            new["_min_tree"] = np.array(state["min_tree"], dtype=np.float64)
            new["_max_priority"] = float(state["max_priority"])
        new["_free_slots"] = [int(x) for x in np.asarray(state["free_slots"])]
        new["_pos"], new["_size"] = int(state["pos"]), int(state["size"])
        rng = json.loads(np.asarray(state["rng"]).tobytes().decode())
        for name, value in new.items():  # all read: only now is the buffer changed
            setattr(self, name, value)
        self._rng.bit_generator.state = rng

    def cut_episodes(self) -> None:
        """End every episode still running at the newest row as truncated there (its final
        observation is ``pending``), so that the next ``add`` may start new episodes: what a
        resumed run needs, whose envs are reset."""
        if self._size == 0:
            return
        r = (self._pos - 1) % self.rows
        running = np.flatnonzero(~self._next_is_start)
        for e in running:
            self._truncated[r, e] = True
            slot = self._alloc_final_slot()
            self._final[slot] = self._pending[e]
            self._final_slot[r, e] = slot
        self._next_is_start[:] = True
        if self.prioritized and len(running):
            self._refresh_priorities(r)


def save_replay(buffer: ReplayBuffer, path: str | os.PathLike, step: int) -> None:
    """Write the buffer, tagged with the training ``step``, to ``path`` (an ``.npz``) atomically."""
    with atomic_file(path) as f:
        np.savez(f, step=np.array(int(step)), **buffer.state_dict())


def load_replay(buffer: ReplayBuffer, path: str | os.PathLike, step: int) -> bool:
    """Fill the buffer from ``path`` when that file holds the replay of training step ``step``;
    False (the buffer untouched) when it holds another step's. A file that cannot be read as
    a replay raises ValueError naming it."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            if int(saved["step"]) != int(step):
                return False
            buffer.load_state_dict(saved)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise ValueError(f"{os.fspath(path)}: not a readable replay buffer ({e})") from None
    return True
