"""Ratings: Wilson intervals, Elo differences, the Bradley-Terry ladder, and one key schema.

::

    result = head_to_head(wins=8, draws=0, losses=2)
    result["win_rate"], result["wilson_low"], result["wilson_high"]  # 0.8, 0.490, 0.943
    result["elo"], result["elo_low"], result["elo_high"]             # +240.8, -6.8, +488.5

    ladder = EloLadder()
    ladder.add("net", "random", wins=15, draws=1, losses=4)
    ladder.ratings()["net"]                                          # elo, elo_low, elo_high, games, points

**A head-to-head result** (:func:`head_to_head`): every match in seigen -- ``seigen match``
between GTP engines, the evaluator's and ``seigen bench agents``' lock-step matches, a
PPO run's snapshot ratings -- reports its games with the same keys (:data:`RESULT_KEYS`):
``games``, ``wins``, ``draws``, ``losses``, ``wdl`` (``"W-D-L"``), ``points`` (wins plus
half the draws), ``win_rate`` with its 95% Wilson interval ``wilson_low``/``wilson_high``,
and the Elo difference ``elo`` with its interval ``elo_low``/``elo_high``, all from the
first player's view; the statistics are None when no game was played. Evaluation rows
written before this schema said ``elo_diff``, ``elo_diff_low``, ``elo_diff_high`` for the
Elo difference: :func:`upgrade_rows` reads them under the current names.

**Statistics.** A draw counts as half a win. The win rate's 95% interval is Wilson's
score interval (:func:`wilson_interval`), and the Elo difference and its interval come
from the win rate and its bounds through the logistic model (:func:`elo_from_score`,
:func:`elo_interval`). A score of exactly 0 or 1 has no finite Elo, so scores are clamped
to ``[c, 1 - c]`` with ``c = 1 / (2 (n + 1))`` for ``n`` games -- as if half a game more
had been played and lost (or won) -- before Elo is taken: a clean sweep of 10 games reads
+529 Elo, with an upper bound that is the same value and means "at least this much; the
games cannot bound it".

**The ladder** (:class:`EloLadder`): the maximum a posteriori Bradley-Terry (logistic,
400-point scale) ratings from all games played between any players, with ``random`` (the
uniformly random agent) fixed at 0. Draws are half points. Each pair of players that met
gets ``prior_draws`` virtual draws (one by default, as BayesElo does), so a clean sweep
still gives a finite rating; the 95% interval comes from the curvature of the
log-likelihood (the inverse Hessian), relative to ``random``. :func:`ladder_from_rows`
rebuilds a run's ladder from its evaluation rows. numpy only: no torch here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import numpy as np

__all__ = [
    "ANCHOR",
    "INTERVAL_KEYS",
    "RESULT_KEYS",
    "Z95",
    "EloLadder",
    "elo_from_score",
    "elo_interval",
    "format_result",
    "head_to_head",
    "ladder_from_rows",
    "score_clamp",
    "upgrade_rows",
    "wilson_interval",
]

Z95 = 1.959963984540054  # the standard normal quantile of 0.975: a two-sided 95% interval
ANCHOR = "random"  # the player every ladder rates 0
ELO_PER_NAT = 400.0 / math.log(10.0)

INTERVAL_KEYS = ("win_rate", "wilson_low", "wilson_high", "elo", "elo_low", "elo_high")
"""The statistics of a head-to-head result (None when no game was played)."""
RESULT_KEYS = ("games", "wins", "draws", "losses", "wdl", "points", *INTERVAL_KEYS)
"""Every key of a head-to-head result (:func:`head_to_head`), in order."""
OLD_KEYS = {"elo_diff": "elo", "elo_diff_low": "elo_low", "elo_diff_high": "elo_high"}
"""The names evaluation rows gave the Elo difference before :data:`RESULT_KEYS`, and the names now."""


# ============================================================================ statistics


def wilson_interval(successes: float, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion: ``(low, high)``, within ``[0, 1]``.

    ``successes`` may be fractional (a draw counts half). 8 of 10 gives (0.490, 0.943)
    at 95%; 10 of 10 gives (0.722, 1.0). Raises ``ValueError`` for no trials.
    """
    if trials <= 0:
        raise ValueError(f"a Wilson interval needs at least one trial, got {trials}")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be between 0 and {trials}, got {successes}")
    p = successes / trials
    z2 = z * z
    denom = 1 + z2 / trials
    center = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    low, high = center - half, center + half
    # the exact ends: at p = 0 (or 1) the low (or high) end is 0 (or 1), not a rounding of it
    return (0.0 if p == 0 else max(0.0, low)), (1.0 if p == 1 else min(1.0, high))


def elo_from_score(score: float) -> float:
    """The Elo difference that expects ``score`` (win rate, draws half) under the logistic model.

    ``-400 * log10(1 / score - 1)``: 0.5 -> 0, 0.75 -> +190.8, 0.9 -> +381.7; 0 and 1
    give -inf and +inf (see :func:`elo_interval` for finite values).
    """
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"a score is between 0 and 1, got {score}")
    if score == 0.0:
        return -math.inf
    if score == 1.0:
        return math.inf
    return -400.0 * math.log10(1.0 / score - 1.0) + 0.0  # + 0.0: no -0.0 at 0.5


def score_clamp(games: int) -> float:
    """The least score that Elo is taken of after ``games`` games: ``1 / (2 (games + 1))``."""
    if games <= 0:
        raise ValueError(f"games must be positive, got {games}")
    return 0.5 / (games + 1)


def elo_interval(points: float, games: int, z: float = Z95) -> tuple[float, float, float]:
    """``(elo, low, high)`` after ``points`` (wins plus half the draws) out of ``games``.

    The bounds are the Elo of Wilson's interval's ends. The score and both ends are
    clamped to ``[c, 1 - c]`` (:func:`score_clamp`) first, so all three are finite: a
    bound at the clamp means the games cannot bound the difference on that side.
    """
    low, high = wilson_interval(points, games, z)
    c = score_clamp(games)

    def elo(p: float) -> float:
        return elo_from_score(min(max(p, c), 1.0 - c))

    return elo(points / games), elo(low), elo(high)


def head_to_head(wins: int, draws: int, losses: int) -> dict[str, Any]:
    """One player's games against another as a JSON-ready dict with the keys :data:`RESULT_KEYS`.

    W-D-L, ``games``, ``points`` (a draw is half), ``win_rate`` with its 95% Wilson
    interval and the Elo difference with its interval (:func:`elo_interval`); the
    statistics are None after no game.
    """
    if min(wins, draws, losses) < 0:
        raise ValueError(f"game counts must not be negative, got {wins}-{draws}-{losses}")
    games = wins + draws + losses
    points = wins + 0.5 * draws
    out: dict[str, Any] = {
        "games": games,
        "wins": wins,
        "draws": draws,
        "losses": losses,
        "wdl": f"{wins}-{draws}-{losses}",
        "points": points,
    }
    if games == 0:
        return out | dict.fromkeys(INTERVAL_KEYS)
    low, high = wilson_interval(points, games)
    elo, elo_low, elo_high = elo_interval(points, games)
    return out | {
        "win_rate": points / games,
        "wilson_low": low,
        "wilson_high": high,
        "elo": elo,
        "elo_low": elo_low,
        "elo_high": elo_high,
    }


def format_result(result: Mapping[str, Any], *, wdl: bool = True) -> str:
    """A head-to-head result (:func:`head_to_head`, after at least one game) for a table cell.

    W-D-L, then the win rate with its 95% Wilson interval: ``"12-3-5 (0.68 [0.46, 0.84])"``;
    ``wdl=False``: the win rate and its interval alone, ``"0.68 [0.46, 0.84]"``.
    """
    rate = f"{result['win_rate']:.2f} [{result['wilson_low']:.2f}, {result['wilson_high']:.2f}]"
    return f"{result['wdl']} ({rate})" if wdl else rate


def upgrade_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evaluation rows (``eval.jsonl``, ``snapshots.jsonl``) with every head-to-head result in
    ``vs`` under the current keys: rows written before :data:`RESULT_KEYS` said ``elo_diff``,
    ``elo_diff_low`` and ``elo_diff_high`` (:data:`OLD_KEYS`) for ``elo``, ``elo_low``, ``elo_high``."""

    def current(result: Any) -> Any:
        if not isinstance(result, dict) or not OLD_KEYS.keys() & result.keys():
            return result
        return {OLD_KEYS.get(k, k): v for k, v in result.items()}

    out = []
    for row in rows:
        vs = row.get("vs")
        out.append(row | {"vs": {k: current(r) for k, r in vs.items()}} if isinstance(vs, dict) else row)
    return out


# ============================================================================ the ladder


class Outcome(Protocol):
    """A finished match as the ladder reads it (``seigen.engine.arena.MatchOutcome``)."""

    player: str
    opponent: str

    @property
    def games(self) -> int: ...
    @property
    def wins(self) -> int: ...
    @property
    def draws(self) -> int: ...
    @property
    def losses(self) -> int: ...


class EloLadder:
    """Bradley-Terry ratings on the Elo scale from all games between any players.

    ``anchor`` (``random``) is rated 0; players with no chain of games to it have no
    rating (None). Each pair of players that met gets ``prior_draws`` virtual draws.
    """

    def __init__(self, anchor: str = ANCHOR, prior_draws: float = 1.0) -> None:
        if prior_draws < 0:
            raise ValueError(f"prior_draws must be at least 0, got {prior_draws}")
        self.anchor = anchor
        self.prior_draws = prior_draws
        self.pairs: dict[tuple[str, str], list[int]] = {}  # (a, b), a < b: [a's wins, draws, b's wins]

    def add(self, a: str, b: str, wins: int, draws: int, losses: int) -> None:
        """Record games of ``a`` against ``b``: ``wins``/``draws``/``losses`` from ``a``'s view."""
        if a == b:
            raise ValueError(f"a player cannot play itself in the ladder: {a!r}")
        if min(wins, draws, losses) < 0:
            raise ValueError("game counts must not be negative")
        if a > b:
            a, b, wins, losses = b, a, losses, wins
        tally = self.pairs.setdefault((a, b), [0, 0, 0])
        tally[0] += int(wins)
        tally[1] += int(draws)
        tally[2] += int(losses)

    def add_outcome(self, outcome: Outcome) -> None:
        """Record a match's finished games (none: nothing)."""
        if outcome.games:
            self.add(outcome.player, outcome.opponent, outcome.wins, outcome.draws, outcome.losses)

    @property
    def players(self) -> list[str]:
        names = {self.anchor}
        for a, b in self.pairs:
            names.update((a, b))
        return sorted(names)

    def ratings(self) -> dict[str, dict[str, Any]]:
        """Every player's ``elo``, ``elo_low``, ``elo_high`` (95%, relative to the anchor),
        ``games`` and ``points``; the ratings are None for players not linked to the anchor."""
        names = self.players
        index = {n: i for i, n in enumerate(names)}
        k = len(names)
        s = np.zeros((k, k))  # s[i, j]: i's points against j, virtual draws included
        n = np.zeros((k, k))
        for (a, b), (w, d, lo) in self.pairs.items():
            games = w + d + lo
            if games == 0:
                continue
            i, j = index[a], index[b]
            v = self.prior_draws
            s[i, j] += w + 0.5 * d + 0.5 * v
            s[j, i] += lo + 0.5 * d + 0.5 * v
            n[i, j] += games + v
            n[j, i] += games + v
        linked = _component(n, index[self.anchor])
        free = [i for i in linked if i != index[self.anchor]]
        r = np.zeros(k)
        cov = np.zeros((0, 0))
        if free:
            r, cov = _fit(s, n, free)
        out: dict[str, dict[str, Any]] = {}
        for name, i in index.items():
            games = points = 0.0
            for pair, (w, d, lo) in self.pairs.items():
                if name in pair:
                    games += w + d + lo
                    points += (w if name == pair[0] else lo) + 0.5 * d
            row: dict[str, Any] = {"games": int(games), "points": points}
            if i not in linked:
                row.update(elo=None, elo_low=None, elo_high=None)
            elif i == index[self.anchor]:
                row.update(elo=0.0, elo_low=0.0, elo_high=0.0)
            else:
                f = free.index(i)
                elo = r[i] * ELO_PER_NAT
                half = Z95 * math.sqrt(max(cov[f, f], 0.0)) * ELO_PER_NAT
                row.update(
                    elo=round(float(elo), 1),
                    elo_low=round(float(elo - half), 1),
                    elo_high=round(float(elo + half), 1),
                )
            out[name] = row
        return out

    def rating(self, name: str) -> float | None:
        """``name``'s Elo relative to the anchor (None: unrated)."""
        return self.ratings().get(name, {}).get("elo")

    def to_rows(self) -> list[dict[str, Any]]:
        """The ladder as plain rows ``{"a", "b", "wins", "draws", "losses"}`` (``a``'s view)."""
        return [
            {"a": a, "b": b, "wins": w, "draws": d, "losses": lo}
            for (a, b), (w, d, lo) in sorted(self.pairs.items())
        ]

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], **kwargs: Any) -> EloLadder:
        """The ladder of :meth:`to_rows`' rows (``kwargs``: the constructor's)."""
        ladder = cls(**kwargs)
        for row in rows:
            ladder.add(row["a"], row["b"], row["wins"], row["draws"], row["losses"])
        return ladder


def _component(n: np.ndarray, start: int) -> list[int]:
    """The players linked to ``start`` by games (sorted indices)."""
    seen = {start}
    stack = [start]
    while stack:
        i = stack.pop()
        for j in np.flatnonzero(n[i] > 0):
            if int(j) not in seen:
                seen.add(int(j))
                stack.append(int(j))
    return sorted(seen)


def _fit(s: np.ndarray, n: np.ndarray, free: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Newton's method on the log-likelihood (natural units), the others fixed at 0.

    ``s[i, j]``: i's points against j, ``n[i, j]``: their games. Returns all ratings and
    the covariance of the free ones (the inverse of the negated Hessian). The
    log-likelihood is concave, and strictly so over ``free`` when every free player is
    linked to a fixed one, so a damped Newton step converges -- to a finite point as
    long as no player's score is all or nothing (the virtual draws see to that).
    """
    r = np.zeros(s.shape[0])
    f = np.array(free)

    def loglik(r: np.ndarray) -> float:
        return float(np.sum(s * -np.logaddexp(0.0, -(r[:, None] - r[None, :]))))

    def curvature(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The gradient over ``free`` and the negated Hessian over ``free``."""
        p = 1.0 / (1.0 + np.exp(-(r[:, None] - r[None, :])))
        w = n * p * (1.0 - p)
        neg_hess = -w
        np.fill_diagonal(neg_hess, w.sum(axis=1))
        return (s - n * p).sum(axis=1)[f], neg_hess[np.ix_(f, f)]

    for _ in range(100):
        grad, neg_hess = curvature(r)
        step = np.linalg.lstsq(neg_hess, grad, rcond=None)[0]
        base, t = loglik(r), 1.0
        while True:
            trial = r.copy()
            trial[f] += t * step
            if loglik(trial) >= base - 1e-12 or t < 1e-6:
                break
            t *= 0.5
        r = trial
        if np.max(np.abs(t * step)) < 1e-9:
            break
    return r, np.linalg.pinv(curvature(r)[1])


def ladder_from_rows(rows: Iterable[Mapping[str, Any]], **kwargs: Any) -> EloLadder:
    """The ladder of a run, rebuilt from its evaluation rows (``eval.jsonl``, ``snapshots.jsonl``).

    Each row's ``vs`` results count by their ``wins``, ``draws`` and ``losses``, so rows of
    any age (:func:`upgrade_rows`) give the same ladder; rows with ``error`` are skipped.
    """
    ladder = EloLadder(**kwargs)
    for row in rows:
        if row.get("error") or "player" not in row:
            continue
        for opponent, result in row.get("vs", {}).items():
            if isinstance(result, dict) and "wins" in result and result.get("games"):
                ladder.add(row["player"], opponent, result["wins"], result["draws"], result["losses"])
    return ladder
