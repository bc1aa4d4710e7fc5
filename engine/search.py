"""Batched MCTS: many games, many leaves per game, one evaluator call per step.

::

    search = BatchedSearch(games, evaluator, SearchConfig(visits=800))
    results = search.run()                      # one search per game
    search.advance([search.choose(r, move_number) for r in results])

Inside ``run`` the loop of ``DESIGN.md`` turns: ``Trees.select`` (C) walks every tree
``leaves_per_tree`` times under virtual loss and fills one feature/mask batch; the
evaluator runs once on it; ``Trees.backup`` (C) expands the leaves and backs the
values up. Terminal leaves are scored in C and never reach the evaluator.

Evaluators share one signature ``(features, legal_mask, rollout_values) ->
(policy_logits, value)``: ``features`` float32 ``[B, C, H, W]`` (None when the
evaluator sets ``needs_features = False``), ``legal_mask`` uint8 ``[B, A]``, and the
mean result of ``rollouts`` C playouts per leaf when the evaluator asks for them;
values are from the view of the side to move at the leaf, in ``[-1, 1]``.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seigen.engine.devices import resolve_device, resolve_precision
from seigen.engine.games import Game
from seigen.ext.tree import Trees


@dataclass
class SearchConfig:
    """How a search runs. Defaults follow AlphaZero where it has one."""

    visits: int = 800
    """Simulations per search (per move), not counting the root's own evaluation."""
    leaves_per_tree: int = 8
    """Leaves each tree contributes to one evaluator batch (spread by virtual loss)."""
    c_puct: float = 1.25
    """PUCT exploration constant (AlphaZero's c_init)."""
    c_puct_base: float = 19652.0
    """AlphaZero's log schedule: c = c_puct + log((1 + N + base) / base); 0 turns it off."""
    fpu_reduction: float = 0.25
    """First-play urgency: an unvisited child is valued at the parent's mean value minus this
    (Leela Zero's 0.25; 0 explores wider, which suits few moves and cheap rollouts)."""
    virtual_loss: float = 1.0
    """Each descent in flight counts as this much of a loss for the child it passes."""
    dirichlet_alpha: float | None = None
    """Dirichlet noise concentration at the root; None: 10 / number of actions."""
    dirichlet_epsilon: float = 0.0
    """Weight of the Dirichlet noise in the root priors (self-play: 0.25; play: 0)."""
    temperature: float = 1.0
    """Moves sampled with probability visits ** (1 / temperature) ..."""
    temperature_moves: int = 0
    """... for this many moves of the game; then the most visited move."""
    reuse_tree: bool = True
    """Keep the subtree of the move played for the next search."""
    resign_threshold: float = -1.0
    """Resign (``SearchResult.resign``) when the root value is below this; -1 never."""
    gumbel: bool = False
    """Gumbel root: Gumbel-top-k sampling and sequential halving (Danihelka et al. 2022)."""
    gumbel_considered: int = 16
    """Actions sampled at the root with a Gumbel root."""
    gumbel_c_visit: float = 50.0
    """sigma(q) = (c_visit + max visits) * c_scale * q, q rescaled to [0, 1]."""
    gumbel_c_scale: float = 1.0
    seed: int = 0
    """Seed of the noise (Dirichlet, Gumbel, temperature, playouts)."""

    def __post_init__(self) -> None:
        if self.visits < 1:
            raise ValueError(f"visits must be at least 1, got {self.visits}")
        if self.leaves_per_tree < 1:
            raise ValueError(f"leaves_per_tree must be at least 1, got {self.leaves_per_tree}")
        if self.c_puct <= 0 or self.c_puct_base < 0:
            raise ValueError("c_puct must be positive and c_puct_base non-negative")
        if not 0.0 <= self.dirichlet_epsilon <= 1.0:
            raise ValueError(f"dirichlet_epsilon must be in [0, 1], got {self.dirichlet_epsilon}")
        if self.dirichlet_alpha is not None and self.dirichlet_alpha <= 0:
            raise ValueError(f"dirichlet_alpha must be positive, got {self.dirichlet_alpha}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be non-negative, got {self.temperature}")
        if self.gumbel_considered < 1:
            raise ValueError("gumbel_considered must be at least 1")


@dataclass(frozen=True)
class ChildStats:
    """One root move after a search; ``q`` is its mean value from the mover's view, in [-1, 1]."""

    action: int
    visits: int
    q: float
    prior: float


@dataclass
class SearchResult:
    """What one search found for one game.

    ``visits`` and ``policy`` are indexed by action (``policy``: the visit distribution,
    or with a Gumbel root the improved policy ``softmax(logits + sigma(completed q))``,
    the training target); ``value`` is the root value for the side to move.
    """

    visits: np.ndarray
    policy: np.ndarray
    value: float
    best_action: int
    pv: list[int]
    simulations: int
    resign: bool = False
    root: tuple[np.ndarray, ...] = field(default=(), repr=False)
    """The root's children as arrays: (actions, visits, q, prior, valid)."""

    @property
    def children(self) -> list[ChildStats]:
        """The legal root moves, most visited first (ties: higher prior first)."""
        if not self.root:
            return []
        actions, visits, q, prior, valid = self.root
        order = np.lexsort((-prior, -visits))
        return [
            ChildStats(int(actions[j]), int(visits[j]), float(q[j]), float(prior[j]))
            for j in order
            if valid[j]
        ]


# ---------------------------------------------------------------- evaluators


class UniformEvaluator:
    """Uniform policy and a value of 0: the search alone (tests, speed)."""

    needs_features = False
    rollouts = 0

    def __call__(
        self, features: np.ndarray | None, legal_mask: np.ndarray, rollout_values: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        b, a = legal_mask.shape
        return np.zeros((b, a), dtype=np.float32), np.zeros(b, dtype=np.float32)


class RolloutEvaluator:
    """Uniform policy; the value is the mean of ``rollouts`` random playouts run in C
    (Go: ``playout`` playouts, ``light`` ones that fill no own eye or ``heavy`` ones with
    Go knowledge, see ``seigen.ext.board.PlayoutPolicy``; scored by area)."""

    needs_features = False

    def __init__(self, rollouts: int = 1, playout: Any = "light") -> None:
        if rollouts < 1:
            raise ValueError(f"rollouts must be at least 1, got {rollouts}")
        self.rollouts = rollouts
        self.playout = playout

    def __call__(
        self, features: np.ndarray | None, legal_mask: np.ndarray, rollout_values: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if rollout_values is None:
            raise ValueError("RolloutEvaluator needs the search's rollout values")
        b, a = legal_mask.shape
        return np.zeros((b, a), dtype=np.float32), np.asarray(rollout_values, dtype=np.float32)


def net_forward(
    model: Any, x: Any, score_utility: float = 0.0, score_scale: float | None = None
) -> tuple[Any, Any]:
    """``(policy logits, value)`` of a policy-value net on the tensor ``x``; with
    ``score_utility`` the value is blended with the score head's predicted margin (KataGo's
    static score utility, see ``NetEvaluator``)."""
    if not score_utility:
        return model(x)
    import torch

    out = model(x, all_heads=True)
    area = float(x.shape[-1] * x.shape[-2])
    scale = score_scale if score_scale is not None else math.sqrt(area)
    points = out["score"].float() * area  # the head predicts the margin over the board's points
    bonus = (2 / math.pi) * torch.atan(points / scale)
    return out["policy"], (1 - score_utility) * out["value"].float() + score_utility * bonus


class NetEvaluator:
    """A policy-value network in torch: ``model(x[B, C, H, W]) -> (logits[B, A], value[B])``.

    Runs under ``torch.inference_mode`` on ``device`` (``auto`` or None, the default: cuda
    when present, else cpu), in ``precision`` (``fp32``, the default; ``bf16``, autocast to
    bfloat16; ``auto``: ``seigen.engine.devices.resolve_precision``'s choice). With
    ``cache_size`` > 0, results are kept per position (keyed by the feature planes and
    legal mask, so history planes are part of the key) in an LRU cache.

    ``score_utility`` > 0 is KataGo's static score utility, for a net with a score head
    (Go's ``ownership``): the value becomes ``(1 - w) * value + w * (2 / pi) *
    atan(score / score_scale)``, the score being the predicted final margin in points for
    the side to move (``score_scale`` default: the square root of the board's points), so
    that among moves of equal win rate the search prefers the bigger win.
    """

    needs_features = True
    rollouts = 0

    def __init__(
        self,
        model: Any,
        device: str | None = None,
        cache_size: int = 0,
        score_utility: float = 0.0,
        score_scale: float | None = None,
        precision: str = "fp32",
    ) -> None:
        import torch

        if not 0.0 <= score_utility <= 1.0:
            raise ValueError(f"score_utility must be in [0, 1], got {score_utility}")
        spec = getattr(getattr(model, "_orig_mod", model), "spec", None)
        if score_utility and not getattr(spec, "ownership", False):
            raise ValueError("score utility needs a net with a score head (Go, ownership on)")
        self.torch = torch
        self.device = torch.device(resolve_device(device))
        self.precision = resolve_precision(precision, self.device)
        self.model = model.to(self.device).eval()
        self.cache_size = cache_size
        self.cache: OrderedDict[bytes, tuple[np.ndarray, float]] = OrderedDict()
        self.hits = 0
        self.score_utility = score_utility
        self.score_scale = score_scale

    def _forward(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        torch = self.torch
        bf16 = self.precision == "bf16"
        with torch.inference_mode(), torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16):
            x = torch.from_numpy(features).to(self.device, non_blocking=True)
            logits, value = net_forward(self.model, x, self.score_utility, self.score_scale)
            return (
                logits.float().cpu().numpy().astype(np.float32, copy=False),
                value.float().reshape(-1).cpu().numpy().astype(np.float32, copy=False),
            )

    def __call__(
        self, features: np.ndarray | None, legal_mask: np.ndarray, rollout_values: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if features is None:
            raise ValueError("NetEvaluator needs features")
        if self.cache_size <= 0:
            return self._forward(features)
        b, a = legal_mask.shape
        logits = np.empty((b, a), dtype=np.float32)
        values = np.empty(b, dtype=np.float32)
        keys = [features[i].tobytes() + legal_mask[i].tobytes() for i in range(b)]
        missing = []
        for i, k in enumerate(keys):
            hit = self.cache.get(k)
            if hit is None:
                missing.append(i)
            else:
                self.cache.move_to_end(k)
                logits[i], values[i] = hit
                self.hits += 1
        if missing:
            out_l, out_v = self._forward(np.ascontiguousarray(features[missing]))
            logits[missing], values[missing] = out_l, out_v
            for j, i in enumerate(missing):
                self.cache[keys[i]] = (out_l[j].copy(), float(out_v[j]))
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return logits, values


class MixedEvaluator:
    """AlphaGo's mix: value = (1 - lam) * net value + lam * mean of ``rollouts`` C playouts
    (``playout``: ``light`` or ``heavy``, as for ``RolloutEvaluator``)."""

    needs_features = True

    def __init__(
        self, net: NetEvaluator, lam: float = 0.5, rollouts: int = 1, playout: Any = "light"
    ) -> None:
        if not 0.0 <= lam <= 1.0:
            raise ValueError(f"lam must be in [0, 1], got {lam}")
        if rollouts < 1:
            raise ValueError(f"rollouts must be at least 1, got {rollouts}")
        self.net = net
        self.lam = lam
        self.rollouts = rollouts
        self.playout = playout

    def __call__(
        self, features: np.ndarray | None, legal_mask: np.ndarray, rollout_values: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if rollout_values is None:
            raise ValueError("MixedEvaluator needs the search's rollout values")
        logits, value = self.net(features, legal_mask)
        return logits, ((1.0 - self.lam) * value + self.lam * rollout_values).astype(np.float32)


def with_mix(net: Any, mix: float = 0.0, playout: Any = "heavy") -> Any:
    """The leaf evaluator of a net (a ``NetEvaluator`` or anything called like one) with
    AlphaGo's mix: the net alone when ``mix`` is 0, else ``MixedEvaluator(net, mix)`` with one
    ``playout`` playout a leaf."""
    return MixedEvaluator(net, lam=mix, rollouts=1, playout=playout) if mix > 0 else net


def gumbel_schedule(considered: int, simulations: int) -> np.ndarray:
    """Sequential halving as a sequence: at simulation ``k`` the root picks a candidate
    with exactly ``schedule[k]`` visits (Danihelka et al. 2022, as mctx lays it out).

    Each round gives every remaining candidate ``max(1, n / (ceil(log2 m) * remaining))``
    more visits, then keeps the better half (at least two)."""
    if considered <= 1:
        return np.arange(simulations, dtype=np.int32)
    rounds = math.ceil(math.log2(considered))
    seq: list[int] = []
    visits = [0] * considered
    remaining = considered
    while len(seq) < simulations:
        extra = max(1, simulations // (rounds * remaining))
        for _ in range(extra):
            seq.extend(visits[:remaining])
            for i in range(remaining):
                visits[i] += 1
        remaining = max(2, remaining // 2)
    return np.asarray(seq[:simulations], dtype=np.int32)


# ---------------------------------------------------------------- the search


class BatchedSearch:
    """MCTS over a batch of games of one kind, with one evaluator call per step.

    ``games`` are native games (``TicTacToe``, ``ConnectFour``, ``GoGame``) or
    ``PettingZooGame`` adapters, all of one kind and shape. The search keeps them in
    step: ``advance`` plays a move in every game object and moves every tree's root.
    """

    def __init__(self, games: Sequence[Any], evaluator: Any, config: SearchConfig | None = None) -> None:
        if not games:
            raise ValueError("BatchedSearch needs at least one game")
        self.games = list(games)
        self.evaluator = evaluator
        self.config = config or SearchConfig()
        first = self.games[0]
        self.native = isinstance(first, Game)
        for g in self.games:
            if isinstance(g, Game) != self.native or type(g) is not type(first):
                raise ValueError("all games of one search must be of one kind")
            if g.num_actions != first.num_actions or tuple(g.feature_shape) != tuple(first.feature_shape):
                raise ValueError("all games of one search must have the same shape")
        self.num_actions = int(first.num_actions)
        self.feature_shape = tuple(int(x) for x in first.feature_shape)
        cfg = self.config
        b = len(self.games)
        self.max_batch = b * cfg.leaves_per_tree
        self.trees = Trees([g.native if self.native else g for g in self.games], self.max_batch)
        self.trees.configure(
            cfg.c_puct,
            cfg.c_puct_base,
            cfg.fpu_reduction,
            cfg.virtual_loss,
            cfg.gumbel,
            cfg.gumbel_c_visit,
            cfg.gumbel_c_scale,
        )
        self.trees.seed(cfg.seed)
        self.trees.set_rollout(getattr(evaluator, "playout", "light"))
        width = int(np.prod(self.feature_shape))
        self._needs_features = bool(getattr(evaluator, "needs_features", True))
        self._rollouts = int(getattr(evaluator, "rollouts", 0))
        self._feats = np.zeros((self.max_batch, width), dtype=np.float32) if self._needs_features else None
        self._masks = np.zeros((self.max_batch, self.num_actions), dtype=np.uint8)
        self._rollout_values = np.zeros(self.max_batch, dtype=np.float32)
        self._terminal = np.zeros(self.max_batch, dtype=np.uint8)
        self.rng = np.random.default_rng(cfg.seed)
        self._gumbel_noise = np.zeros((b, self.num_actions), dtype=np.float32)
        self._gumbel_seq: np.ndarray | None = None
        self.timings = {"select": 0.0, "evaluate": 0.0, "backup": 0.0, "simulations": 0, "batches": 0}

    # ------------------------------------------------------------ the loop
    def _loop(self, targets: np.ndarray) -> None:
        cfg = self.config
        t = self.timings
        if cfg.gumbel:
            self.trees.start(targets, self._gumbel_seq, self._gumbel_noise)
        else:
            self.trees.start(targets)
        stalled = 0
        while not self.trees.done():
            t0 = time.perf_counter()
            if self.native:
                n, finished = self.trees.select(
                    cfg.leaves_per_tree, self._feats, self._masks, self._rollout_values, self._rollouts
                )
            else:
                n, finished = self.trees.select(cfg.leaves_per_tree, None, self._masks, None, 0)
            t1 = time.perf_counter()
            t["select"] += t1 - t0
            t["simulations"] += finished
            if n == 0:
                stalled = 0 if finished else stalled + 1
                if stalled > 2:
                    raise RuntimeError("search stalled: no leaf could be selected")
                continue
            try:
                if self.native:
                    logits, values = self._evaluate(n)
                    terminal = None
                else:
                    logits, values, terminal = self._evaluate_external(n)
                t2 = time.perf_counter()
                t["evaluate"] += t2 - t1
                values = np.asarray(values, dtype=np.float32).reshape(-1)
                if (
                    values.shape[0] != n
                    or not np.all(np.isfinite(values))
                    or np.any(np.abs(values) > 1.0 + 1e-5)
                ):
                    raise ValueError(f"the evaluator must return {n} finite values in [-1, 1]")
                self.trees.backup(
                    np.ascontiguousarray(logits, dtype=np.float32),
                    self._masks,
                    np.ascontiguousarray(values, dtype=np.float32),
                    terminal,
                )
            except BaseException:
                self.trees.abort()  # the trees stay usable: the failed leaves are simply not expanded
                raise
            t["backup"] += time.perf_counter() - t2
            t["simulations"] += n
            t["batches"] += 1

    def _evaluate(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        feats = None
        if self._feats is not None:
            feats = self._feats[:n].reshape((n, *self.feature_shape))
        rv = self._rollout_values[:n] if self._rollouts else None
        logits, values = self.evaluator(feats, self._masks[:n], rollout_values=rv)
        return logits, values

    def _evaluate_external(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Python-level games: replay each leaf's path on a copy of its game."""
        logits = np.zeros((n, self.num_actions), dtype=np.float32)
        values = np.zeros(n, dtype=np.float32)
        terminal = self._terminal[:n]
        terminal[:] = 0
        live: list[int] = []
        for j in range(n):
            slot, path = self.trees.leaf_path(j)
            g = self.games[slot].copy()
            for a in path:
                g.play(a)
            if g.is_terminal():
                r = g.returns()
                mover = (self.games[slot].to_play + len(path)) % 2
                values[j] = r if mover == 0 else -r
                terminal[j] = 1
                self._masks[j] = 0
                continue
            self._masks[j] = g.legal_mask()
            if self._feats is not None:
                self._feats[j] = g.features().reshape(-1)
            if self._rollouts:
                seeds = self.rng.integers(0, 2**63, size=self._rollouts)
                self._rollout_values[j] = np.mean([g.rollout(int(s)) for s in seeds])
            live.append(j)
        if live:
            idx = np.asarray(live)
            feats = None
            if self._feats is not None:
                feats = self._feats[idx].reshape((len(live), *self.feature_shape))
            rv = self._rollout_values[idx] if self._rollouts else None
            lg, vl = self.evaluator(feats, self._masks[idx], rollout_values=rv)
            logits[idx] = lg
            values[idx] = vl
        return logits, values, terminal

    # ------------------------------------------------------------ API
    def run(self, visits: int | Sequence[int] | np.ndarray | None = None) -> list[SearchResult]:
        """One search (``visits`` simulations, default ``config.visits``; or one count per
        game, as KataGo's playout cap randomization wants) in every game that is not over;
        returns one ``SearchResult`` per game (None for finished games)."""
        cfg = self.config
        b = len(self.games)
        per_game = np.broadcast_to(np.asarray(cfg.visits if visits is None else visits, dtype=np.int64), (b,))
        if np.any(per_game < 1):
            raise ValueError(f"a search needs at least 1 visit, got {per_game.min()}")
        live = np.array([not g.is_terminal() for g in self.games])
        # 1. evaluate the roots that are not expanded yet (the noise needs their children)
        need_root = np.array([live[i] and not self.trees.root_expanded(i) for i in range(b)], dtype=np.int32)
        if need_root.any():
            self._gumbel_seq = np.zeros((b, 1), dtype=np.int32)
            self._loop(need_root)
        # 2. root noise
        if cfg.gumbel:
            self._gumbel_noise[:] = self.rng.gumbel(size=self._gumbel_noise.shape).astype(np.float32)
            seq = np.zeros((b, int(per_game.max())), dtype=np.int32)
            for i in range(b):
                if live[i]:
                    m = min(cfg.gumbel_considered, int(self.games[i].legal_mask().sum()))
                    seq[i, : per_game[i]] = gumbel_schedule(m, int(per_game[i]))
            self._gumbel_seq = seq
        elif cfg.dirichlet_epsilon > 0:
            alpha = cfg.dirichlet_alpha or 10.0 / self.num_actions
            for i in range(b):
                if live[i]:
                    k = len(self.trees.root_children(i)[0])
                    if k:
                        self.trees.add_root_noise(i, self.rng.dirichlet([alpha] * k), cfg.dirichlet_epsilon)
        # 3. the search proper
        self._loop(np.where(live, per_game, 0).astype(np.int32))
        return [self.result(i) if live[i] else None for i in range(b)]

    def result(self, i: int) -> SearchResult:
        """The current statistics of game ``i``'s root."""
        cfg = self.config
        actions, visits, q, prior, valid = self.trees.root_children(i)
        _, root_q, root_value, sims = self.trees.root_stats(i)
        a_n = self.num_actions
        dense = np.zeros(a_n, dtype=np.int32)
        dense[actions[valid]] = visits[valid]
        total = dense.sum()
        policy = dense / total if total > 0 else np.zeros(a_n, dtype=np.float32)
        if cfg.gumbel and len(actions):
            best, policy = self._gumbel_result(i, actions, visits, q, prior, valid, root_value)
        elif valid.any():
            order = np.lexsort((-prior, -visits))
            best = int(actions[order[np.flatnonzero(valid[order])[0]]])
        else:
            best = -1
        return SearchResult(
            visits=dense,
            policy=policy.astype(np.float32),
            value=float(root_q),
            best_action=int(best),
            pv=self.trees.principal_variation(i) if total else [],
            simulations=int(sims),
            resign=cfg.resign_threshold > -1.0 and root_q < cfg.resign_threshold,
            root=(actions, visits, q, prior, valid),
        )

    def _gumbel_result(
        self,
        i: int,
        actions: np.ndarray,
        visits: np.ndarray,
        q: np.ndarray,
        prior: np.ndarray,
        valid: np.ndarray,
        v: float,
    ) -> tuple[int, np.ndarray]:
        """The Gumbel root's action (the best considered candidate) and improved policy."""
        cfg = self.config
        logits = np.where(valid, np.log(prior + 1e-12), -np.inf)
        visited = (visits > 0) & valid
        if visited.any():
            sum_n = visits[visited].sum()
            sum_p = prior[visited].sum()
            vmix = (v + sum_n / sum_p * (prior[visited] * q[visited]).sum()) / (1 + sum_n)
        else:
            vmix = v
        completed = np.where(visited, q, vmix)
        lo, hi = completed[valid].min(), completed[valid].max()
        scaled = (completed - lo) / max(hi - lo, 1e-8)
        sigma = (cfg.gumbel_c_visit + (visits.max() if len(visits) else 0)) * cfg.gumbel_c_scale * scaled
        improved = logits + sigma
        improved = np.exp(improved - improved[valid].max()) * valid
        dense = np.zeros(self.num_actions, dtype=np.float64)
        dense[actions] = improved / improved.sum()
        top = visits == visits[valid].max()
        score = np.where(top & valid, self._gumbel_noise[i, actions] + logits + sigma, -np.inf)
        return int(actions[int(np.argmax(score))]), dense

    def choose(self, result: SearchResult, move_number: int) -> int:
        """The move to play: sampled from visits ** (1 / temperature) during the first
        ``temperature_moves`` moves, else the search's best action."""
        cfg = self.config
        if not cfg.gumbel and move_number < cfg.temperature_moves and cfg.temperature > 0:
            weights = result.visits.astype(np.float64) ** (1.0 / cfg.temperature)
            if weights.sum() > 0:
                return int(self.rng.choice(len(weights), p=weights / weights.sum()))
        return result.best_action

    def advance(self, actions: Sequence[int | None]) -> None:
        """Play ``actions[i]`` in game ``i`` (None: leave that game alone), moving each
        tree's root to the child played (kept when ``reuse_tree``, else started afresh)."""
        if len(actions) != len(self.games):
            raise ValueError(f"one action per game: got {len(actions)} for {len(self.games)} games")
        reuse = self.config.reuse_tree and not self.config.gumbel
        for i, a in enumerate(actions):
            if a is None:
                continue
            self.games[i].play(int(a))  # raises on an illegal action, before the tree moves
            self.trees.advance(i, int(a), reuse)

    def reset(self, i: int, game: Any) -> None:
        """Put a new game in slot ``i`` (a finished self-play game replaced by a fresh one)."""
        if type(game) is not type(self.games[0]) or game.num_actions != self.num_actions:
            raise ValueError("the new game must be of the search's kind and shape")
        self.games[i] = game
        self.trees.set_root(i, game.native if self.native else game)
