"""Game shards: the finished self-play games of one actor flush, one compressed ``.npz`` each.

A shard holds every position of its games, in order:

====================  =====================  ==============================================
key                   shape, dtype           what
====================  =====================  ==============================================
``features``          [T, ceil(C*H*W/8)] u8  the net's input planes (0/1), bit-packed
``policy``            [T, A] float16         the search's training target (sums to 1)
``value``             [T] int8               the game's outcome for the side to move
``moves``             [T] int16              the move played
``lengths``           [G] int32              positions per game (the games, in order)
``results``           [G] float32            each game's outcome for the first player
``ownership``         [T, H*W] int8          Go: final owner of each point, mover's view
``score``             [T] float32            Go: final margin (komi in), mover's view
``replies``           [T] int16              the opponent's reply to the move played (-1: none)
``meta``              [3] float64            feature shape C, H, W ...
``stats``             [2] or [4] float64     net evaluations and seconds spent on them; then
                                             games played out past a resignation, and those
                                             the side that would have resigned won
====================  =====================  ==============================================

Shards are written atomically (``write_atomic``): a file on disk is a complete shard, and
its games count as finished. Names sort by time: ``<ns since epoch>-a<actor>.npz``. A
damaged shard (the zip's CRC, missing keys, inconsistent shapes) raises ``ShardError``.
"""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seigen.engine.files import write_atomic

KEYS = ("features", "policy", "value", "moves", "lengths", "results", "meta", "stats")


class ShardError(Exception):
    """A shard file that cannot be read; the message names the file."""


@dataclass
class GameRecord:
    """One finished game, position by position (features as 0/1 uint8 planes)."""

    features: list[np.ndarray] = field(default_factory=list)
    policy: list[np.ndarray] = field(default_factory=list)
    movers: list[int] = field(default_factory=list)
    moves: list[int] = field(default_factory=list)
    result: float = 0.0
    """Outcome for the first player: +1, 0 or -1."""
    ownership: np.ndarray | None = None
    """Go: final owner of each point from black's view (+1 black, -1 white, 0 neither)."""
    score: float | None = None
    """Go: final margin for black, komi included."""
    replies: list[int] = field(default_factory=list)
    """Per position, the opponent's move right after the move played (-1: none); may be left empty."""
    sgf: str | None = None
    """Go: the game as SGF text (not stored in the shard; the actor keeps one per shard in RUN_DIR/sgf)."""

    def __len__(self) -> int:
        return len(self.moves)


def shard_name(actor: int) -> str:
    return f"{time.time_ns():020d}-a{actor:02d}.npz"


def encode(games: list[GameRecord], stats: tuple[float, ...] = (0.0, 0.0)) -> bytes:
    """A shard's bytes (compressed npz) for ``games`` (each with at least one position)."""
    if not games or any(len(g) == 0 for g in games):
        raise ValueError("a shard holds at least one game, each with at least one position")
    shape = games[0].features[0].shape
    feats = np.stack([f for g in games for f in g.features]).astype(np.uint8, copy=False)
    sign = np.array([1 if m == 0 else -1 for g in games for m in g.movers], dtype=np.int8)
    results = np.array([g.result for g in games], dtype=np.float32)
    lengths = np.array([len(g) for g in games], dtype=np.int32)
    arrays = {
        "features": np.packbits(feats.reshape(len(feats), -1), axis=1),
        "policy": np.stack([p for g in games for p in g.policy]).astype(np.float16),
        "value": (np.repeat(np.sign(results), lengths) * sign).astype(np.int8),
        "moves": np.array([m for g in games for m in g.moves], dtype=np.int16),
        "lengths": lengths,
        "results": results,
        "meta": np.array(shape, dtype=np.float64),
        "stats": np.array(stats, dtype=np.float64),
    }
    if all(len(g.replies) == len(g) for g in games):
        arrays["replies"] = np.array([r for g in games for r in g.replies], dtype=np.int16)
    if all(g.ownership is not None for g in games):
        arrays["ownership"] = np.concatenate(
            [np.outer(np.where(np.array(g.movers) == 0, 1, -1), g.ownership.reshape(-1)) for g in games]
        ).astype(np.int8)
        arrays["score"] = np.concatenate(
            [np.where(np.array(g.movers) == 0, 1.0, -1.0) * g.score for g in games]
        ).astype(np.float32)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def write_shard(
    directory: str | os.PathLike, actor: int, games: list[GameRecord], stats: tuple[float, ...] = (0.0, 0.0)
) -> Path:
    """Write ``games`` as one shard in ``directory`` (atomically); returns its path."""
    path = Path(directory) / shard_name(actor)
    write_atomic(path, encode(games, stats))
    return path


@dataclass
class Shard:
    """A shard read back: the arrays of ``KEYS`` (and ``ownership``/``score`` for Go)."""

    path: Path
    arrays: dict[str, np.ndarray]

    @property
    def games(self) -> int:
        return len(self.arrays["lengths"])

    @property
    def positions(self) -> int:
        return len(self.arrays["value"])

    @property
    def feature_shape(self) -> tuple[int, int, int]:
        return tuple(int(x) for x in self.arrays["meta"][:3])  # type: ignore[return-value]


def read_shard(path: str | os.PathLike) -> Shard:
    """Load and check one shard; ``ShardError`` (naming the file) when it is damaged."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except Exception as e:  # zipfile, zlib and numpy raise many kinds for a damaged file
        raise ShardError(f"{path}: damaged shard ({type(e).__name__}: {e})") from None
    missing = [k for k in KEYS if k not in arrays]
    if missing:
        raise ShardError(f"{path}: damaged shard (missing {', '.join(missing)})")
    t = int(arrays["lengths"].sum())
    sizes = {k: len(arrays[k]) for k in ("features", "policy", "value", "moves")}
    if any(n != t for n in sizes.values()) or len(arrays["results"]) != len(arrays["lengths"]) or t == 0:
        raise ShardError(f"{path}: damaged shard (inconsistent sizes {sizes}, {t} positions in its games)")
    return Shard(path, arrays)


def list_shards(directory: str | os.PathLike) -> list[Path]:
    """The complete shards in ``directory``, oldest first (temporary files are not shards)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.npz") if not p.name.startswith("."))


class Window:
    """The trainer's sliding window: the most recent ``capacity`` positions, in ring buffers.

    Whole shards go in; the oldest positions fall out. ``sample`` draws positions
    uniformly and unpacks them into float32 planes.
    """

    def __init__(
        self,
        capacity: int,
        feature_shape: tuple[int, int, int],
        actions: int,
        ownership: bool,
        replies: bool = False,
    ) -> None:
        self.capacity = int(capacity)
        self.feature_shape = tuple(feature_shape)
        self.width = int(np.prod(feature_shape))
        self.features = np.zeros((self.capacity, (self.width + 7) // 8), dtype=np.uint8)
        self.policy = np.zeros((self.capacity, actions), dtype=np.float16)
        self.value = np.zeros(self.capacity, dtype=np.float32)
        self.ownership = (
            np.zeros((self.capacity, feature_shape[1] * feature_shape[2]), dtype=np.int8)
            if ownership
            else None
        )
        self.score = np.zeros(self.capacity, dtype=np.float32) if ownership else None
        self.replies = np.full(self.capacity, -1, dtype=np.int16) if replies else None
        self.size = 0
        self.cursor = 0

    def add(self, shard: Shard) -> None:
        a = shard.arrays
        if shard.feature_shape != self.feature_shape or a["policy"].shape[1] != self.policy.shape[1]:
            raise ShardError(f"{shard.path}: positions of another game or shape ({shard.feature_shape})")
        n = shard.positions
        start = max(0, n - self.capacity)  # a shard larger than the window keeps its newest positions
        idx = (self.cursor + np.arange(n - start)) % self.capacity
        self.features[idx] = a["features"][start:]
        self.policy[idx] = a["policy"][start:]
        self.value[idx] = a["value"][start:]
        if self.ownership is not None:
            if "ownership" in a:
                self.ownership[idx] = a["ownership"][start:]
                self.score[idx] = a["score"][start:]
            else:
                self.ownership[idx] = 0
                self.score[idx] = 0
        if self.replies is not None:
            self.replies[idx] = a["replies"][start:] if "replies" in a else -1
        self.cursor = int((self.cursor + n - start) % self.capacity)
        self.size = min(self.capacity, self.size + n - start)

    def sample(self, batch: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``batch`` positions drawn uniformly: features float32 [B, C, H, W], policy, value (+ aux)."""
        idx = rng.integers(0, self.size, size=batch)
        feats = np.unpackbits(self.features[idx], axis=1, count=self.width).astype(np.float32)
        out = {
            "features": feats.reshape(batch, *self.feature_shape),
            "policy": self.policy[idx].astype(np.float32),
            "value": self.value[idx],
        }
        if self.ownership is not None:
            out["ownership"] = self.ownership[idx].astype(np.float32)
            out["score"] = self.score[idx]
        if self.replies is not None:
            replies = self.replies[idx].astype(np.int64)
            known = replies >= 0
            opp = np.zeros((batch, self.policy.shape[1]), dtype=np.float32)
            opp[np.flatnonzero(known), replies[known]] = 1.0
            out["opp_policy"] = opp
            out["opp_weight"] = known.astype(np.float32)
        return out
