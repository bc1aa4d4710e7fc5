"""Players: they choose moves on a ``Board`` for the GTP engine and the analysis engine,
and in native games for the arena (``select(games)``, ``seigen.engine.arena.Agent``).

* ``RandomPlayer``: uniform over the sensible legal moves on a Go board (no own-eye
  filling); uniform over all legal moves in the arena, any game (the Elo anchor).
* ``RolloutPlayer``: flat Monte Carlo at the root with C light playouts (UCB1 with an
  all-moves-as-first blend), on several threads: a genuine CPU player before any net.
* ``SearchPlayer``: the one search player, the batched PUCT tree search
  (``seigen.engine.search``) with any evaluator at the leaves; in the arena it searches
  many games at once, over GTP it keeps its tree between moves. ``MCTSPlayer`` is it with
  C light playouts (or nothing: uniform) at the leaves; ``NetPlayer`` with a policy-value
  net given by the caller (``seigen.agents.players.load_net_player(run_dir_or_checkpoint)``
  loads a trained one), which plays its net's board size only.

A player searches within ``SearchLimits`` (playouts and/or seconds) and returns a
``Decision``; ``analyze`` reports ``Analysis`` snapshots until told to stop, which is
what ``lz-analyze``/``kata-analyze`` stream.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from seigen.engine.board import Board, parse_color
from seigen.engine.games import GoGame
from seigen.engine.search import (
    BatchedSearch,
    NetEvaluator,
    SearchConfig,
    SearchResult,
    UniformEvaluator,
    with_mix,
)


@dataclass(frozen=True)
class SearchLimits:
    """When a search stops: after ``playouts`` playouts or ``seconds`` seconds, whichever
    first; a player whose best move is still in doubt at ``seconds`` may search on up to
    ``max_seconds`` (None: not past ``seconds``)."""

    playouts: int | None = None
    seconds: float | None = None
    max_seconds: float | None = None


@dataclass(frozen=True)
class MoveStats:
    """One candidate move after a search; ``winrate`` is from the mover's view."""

    move: int  # point index, pass = N*N
    visits: int
    winrate: float
    prior: float
    lcb: float  # a 95% lower confidence bound of the win rate
    pv: tuple[int, ...] = ()  # principal variation starting with ``move`` (empty: just the move)


@dataclass(frozen=True)
class Analysis:
    """A search's state: candidates best first, the playouts so far and the elapsed time.

    ``policy``: the prior the search gave every move at the root (``N*N + 1`` values,
    pass last, -1 for an illegal move), or None from a player that has none; the
    analysis engine reports it as KataGo's ``policy``.
    """

    moves: list[MoveStats]
    playouts: int
    seconds: float
    policy: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def winrate(self) -> float:
        return self.moves[0].winrate if self.moves else 0.5


@dataclass(frozen=True)
class Decision:
    """What a player does: ``move`` (point index, pass = N*N) or ``resign``."""

    move: int | None
    resign: bool = False
    analysis: Analysis | None = None


class Player:
    """The interface: ``genmove`` decides, ``analyze`` streams snapshots (default: none),
    ``select`` plays in the arena (``seigen.engine.arena.Agent``).

    ``board_size``: the only board size the player can play (None: any); the GTP engine
    refuses other sizes."""

    name = "player"
    board_size: int | None = None

    def genmove(self, board: Board, color: str, limits: SearchLimits, cleanup: bool = False) -> Decision:
        raise NotImplementedError

    def analyze(
        self,
        board: Board,
        color: str,
        should_stop: Callable[[], bool],
        interval: float,
        report: Callable[[Analysis], None],
    ) -> None:
        """Search until ``should_stop()``; call ``report`` every ``interval`` seconds."""
        while not should_stop():
            time.sleep(min(interval, 0.05))

    def forget(self) -> None:
        """Drop whatever is kept between searches (a search tree, an evaluation cache), so
        the next search starts afresh (the analysis engine's ``clear_cache``)."""

    def select(self, games: Sequence[Any]) -> list[int]:
        """The arena's face: one move for each native Go game (``GoGame``), by ``genmove`` on
        its board within the player's own limits. Where the player would resign it plays its
        best candidate instead, so that arena games are played out and scored."""
        moves = []
        for game in games:
            board = _go_board(game, self.name)
            decision = self.genmove(board, board.to_play, SearchLimits())
            moves.append(_played(decision, board))
        return moves


def _go_board(game: Any, who: str) -> Board:
    """The ``Board`` of a native Go game; a ``ValueError`` for any other game."""
    board = getattr(game, "board", None)
    if not isinstance(board, Board):
        raise ValueError(f"{who} plays Go only, not {type(game).__name__}")
    return board


def _played(decision: Decision, board: Board) -> int:
    """The move of a decision; a resignation plays the best candidate (or passes)."""
    if decision.move is not None:
        return decision.move
    if decision.analysis is not None and decision.analysis.moves:
        return decision.analysis.moves[0].move
    return board.pass_move


def _as_mover(board: Board, color: str) -> Board:
    """``board`` with ``color`` to move (a copy when that changes the side to move)."""
    if board.to_play == parse_color_name(color):
        return board
    other = board.copy()
    other.to_play = color
    return other


def parse_color_name(color: str | int) -> str:
    return "black" if parse_color(color) == 1 else "white"


def _resigns(
    analysis: Analysis, best: MoveStats, limits: SearchLimits, threshold: float, enough: int
) -> bool:
    """``best``'s win rate is below ``threshold`` after a search of at least ``enough``
    playouts (or the whole cap, if smaller)."""
    enough = min(enough, limits.playouts or enough)
    return analysis.playouts >= enough and best.winrate < threshold


def _search_until_stopped(
    player: Any,
    board: Board,
    over: bool,
    should_stop: Callable[[], bool],
    report: Callable[[Analysis], None],
    interval: float,
) -> None:
    """``analyze``'s body: wait for the stop when the game is ``over``, else search and
    report until stopped."""
    if over:
        while not should_stop():
            time.sleep(0.02)
        return
    player.search(board, SearchLimits(), should_stop=should_stop, report=report, interval=interval)


def run_in_chunks(
    step: Callable[[int, int], None],
    limits: SearchLimits,
    default_cap: int,
    snapshot: Callable[[int, float], Analysis],
    should_stop: Callable[[], bool] | None = None,
    report: Callable[[Analysis], None] | None = None,
    interval: float = 1.0,
    *,
    threads: int = 1,
    first: int | None = None,
    smallest: int | None = None,
    largest: int = 100_000,
    decided: Callable[[float], bool] | None = None,
    in_doubt: Callable[[], bool] | None = None,
) -> Analysis:
    """Drive a search in chunks of about 50 ms, so that time limits, analysis reports and
    stop requests are honoured.

    ``step(per_thread, done)`` runs ``per_thread`` simulations on each of ``threads``
    threads (``done`` so far). The search stops after ``limits.playouts`` simulations
    (``default_cap`` when the limits and ``should_stop`` give no end at all), after
    ``limits.seconds`` or when ``should_stop()``; ``snapshot(done, seconds)`` makes the
    ``Analysis`` that is reported every ``interval`` seconds and returned at the end.
    Chunks start at ``first`` simulations (default 256 per thread) and stay between
    ``smallest`` (default 64 per thread) and ``largest``. A search bounded by simulations
    alone (no time limit, reports or stop requests) doubles its chunks instead of timing
    them, so that a seeded search plays the same move however busy the machine is (the
    chunks' seeds depend on where they start).

    The clock: ``decided(left)`` is asked after each chunk with the simulations that the
    limits still allow (by the cap, and by the time left at the current rate); True
    stops the search early (the best move cannot be overtaken). When the time is up
    and ``in_doubt()`` says the best move is still in doubt, the search goes on until
    ``limits.max_seconds`` or until it is not.
    """
    cap = limits.playouts
    if cap is None and limits.seconds is None and should_stop is None:
        cap = default_cap
    chunk = 256 * threads if first is None else first
    smallest = 64 * threads if smallest is None else smallest
    timed = limits.seconds is not None or report is not None or should_stop is not None
    start = time.perf_counter()
    done = 0
    last_report = start
    while True:
        per_thread = max(1, chunk // threads)
        if cap is not None:
            per_thread = max(1, min(per_thread, math.ceil((cap - done) / threads)))
        t0 = time.perf_counter()
        step(per_thread, done)
        done += per_thread * threads
        now = time.perf_counter()
        rate = per_thread * threads / max(now - t0, 1e-6)
        chunk = int(min(max(smallest, 0.05 * rate if timed else 2 * chunk), largest))
        if report is not None and now - last_report >= interval:
            report(snapshot(done, now - start))
            last_report = now
        if cap is not None and done >= cap:
            break
        if should_stop is not None and should_stop():
            break
        elapsed = now - start
        end = limits.seconds
        if end is not None and elapsed >= end:
            end = limits.max_seconds
            if in_doubt is None or end is None or elapsed >= end or not in_doubt():
                break
        if decided is not None and (cap is not None or end is not None):
            left = math.inf if cap is None else cap - done
            if end is not None:
                left = min(left, rate * max(0.0, end - elapsed))
            if decided(left):
                break
    return snapshot(done, time.perf_counter() - start)


def cleanup_moves(board: Board, seed: int = 0, kind: Any = "light") -> np.ndarray:
    """Sensible moves on the liberties of the opponent's stones judged dead by ``kind``
    playouts (the cleanup phase: capture them, then pass)."""
    n = board.size
    opponent = 2 if board.to_play == "black" else 1
    colors = board.colors()
    near = np.zeros((n, n), dtype=bool)
    for r, c in board.dead_stones(n=200, seed=seed, kind=kind):
        if colors[r, c] != opponent:
            continue
        for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= rr < n and 0 <= cc < n and colors[rr, cc] == 0:
                near[rr, cc] = True
    moves = board.sensible_moves()
    return moves[near.reshape(-1)[moves]]


def passing_wins(board: Board, seed: int = 0, kind: Any = "light") -> bool:
    """The opponent passed and the board, dead stones (judged by ``kind`` playouts) removed,
    is a win for the side to move: passing ends the game with a win."""
    last = board.last_move
    if last is None or last[1] != board.pass_move:
        return False
    return wins_on_count(board, seed, kind)


def wins_on_count(board: Board, seed: int = 0, kind: Any = "light") -> bool:
    """The board as it stands, dead stones (judged by ``kind`` playouts) removed, is a win
    for the side to move."""
    score = board.score(dead=board.dead_stones(n=200, seed=seed, kind=kind))
    return score > 0 if board.to_play == "black" else score < 0


class RandomPlayer(Player):
    """Random moves. On a Go board (``genmove``) uniformly random among the legal moves that
    do not fill the mover's own eye, passing when none is left, so its games end; in the
    arena (``select``) uniformly random among all legal moves of any game: the anchor of
    every Elo ladder, rated 0."""

    name = "random"

    def __init__(self, seed: int | None = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def genmove(self, board: Board, color: str, limits: SearchLimits, cleanup: bool = False) -> Decision:
        moves = board.sensible_moves(color)
        if moves.size == 0:
            return Decision(board.pass_move)
        return Decision(int(self.rng.choice(moves)))

    def select(self, games: Sequence[Any]) -> list[int]:
        return [int(self.rng.choice(g.legal_actions())) for g in games]


class PlayoutPlayer(Player):
    """The GTP face of the players that search with C playouts on threads
    (``RolloutPlayer``, ``seigen.engine.uct.UctPlayer``).

    ``genmove`` passes when no sensible move is left, or when the opponent has passed and
    the board counted (dead stones judged by playouts) is a win; it plays the search's
    best move, but a pass only when that count is a win (else the best other move); it
    resigns when the best win rate is below ``resign_threshold`` after a full search of
    at least ``min_playouts_to_resign`` playouts (or the whole cap, if smaller). In the
    cleanup phase it searches only the moves next to the opponent's dead stones.
    Subclasses give ``search(board, limits, should_stop, report, interval, only)``,
    ``seed``, ``resign_threshold``, ``min_playouts_to_resign`` and ``_pool`` (a thread
    pool or None).
    """

    seed: int
    resign_threshold: float
    min_playouts_to_resign: int
    _pool: ThreadPoolExecutor | None
    playout: Any = "light"  # the playouts that judge dead stones

    def search(
        self,
        board: Board,
        limits: SearchLimits,
        should_stop: Callable[[], bool] | None = None,
        report: Callable[[Analysis], None] | None = None,
        interval: float = 1.0,
        only: np.ndarray | None = None,
    ) -> Analysis:
        raise NotImplementedError

    # ------------------------------------------------------------------ decide
    def genmove(self, board: Board, color: str, limits: SearchLimits, cleanup: bool = False) -> Decision:
        board = _as_mover(board, color)
        if board.sensible_moves().size == 0:
            return Decision(board.pass_move)
        only = None
        if cleanup:  # capture the opponent's dead stones, then pass
            only = cleanup_moves(board, self.seed, self.playout)
            if only.size == 0:
                return Decision(board.pass_move)
        elif passing_wins(board, self.seed, self.playout):
            return Decision(board.pass_move)
        analysis = self.search(board, limits, only=only)
        if not analysis.moves:
            return Decision(board.pass_move, analysis=analysis)
        best = analysis.moves[0]
        if best.move == board.pass_move and not wins_on_count(board, self.seed, self.playout):
            best = next((m for m in analysis.moves if m.move != board.pass_move), best)
        if not cleanup and _resigns(
            analysis, best, limits, self.resign_threshold, self.min_playouts_to_resign
        ):
            return Decision(None, resign=True, analysis=analysis)
        return Decision(best.move, analysis=analysis)

    def dead_stones(self, board: Board) -> list[tuple[int, int]]:
        """The stones this player judges dead at the end of a game (``final_score``,
        ``final_status_list``): its playouts' judgement (``Board.dead_stones``)."""
        return board.dead_stones(n=400, seed=0, kind=self.playout)

    def analyze(
        self,
        board: Board,
        color: str,
        should_stop: Callable[[], bool],
        interval: float,
        report: Callable[[Analysis], None],
    ) -> None:
        board = _as_mover(board, color)
        _search_until_stopped(
            self, board, board.sensible_moves().size == 0 and board.is_over, should_stop, report, interval
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)


@dataclass
class RolloutPlayer(PlayoutPlayer):
    """Flat Monte Carlo with light playouts in C, on ``threads`` threads.

    Each playout starts with one root move chosen by UCB1 (exploration ``c_ucb``) over
    a win rate blended with the move's all-moves-as-first win rate (weight
    ``sqrt(rave_k / (3 visits + rave_k))``); the move played is the most visited.
    Passing is never searched (random playouts cannot judge it): the player passes
    when no sensible move is left, or when the opponent has passed and its own count
    of the board (dead stones estimated) says it wins. It resigns when the best win
    rate is below ``resign_threshold`` after a full search of at least
    ``min_playouts_to_resign`` playouts (or the whole playout cap, if smaller).
    ``playout``: ``light`` or ``heavy`` playouts (or a ``seigen.ext.board.PlayoutPolicy``),
    for the search and for judging dead stones.
    """

    playouts: int = 10_000
    threads: int = 1
    c_ucb: float = 0.5
    rave_k: float = 300.0
    resign_threshold: float = 0.05
    min_playouts_to_resign: int = 2_000
    seed: int = 0
    playout: Any = "light"
    name: str = field(default="rollout", init=False)

    def __post_init__(self) -> None:
        if self.threads < 1:
            raise ValueError("threads must be at least 1")
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None
        self._calls = 0

    # ------------------------------------------------------------------ search
    def search(
        self,
        board: Board,
        limits: SearchLimits,
        should_stop: Callable[[], bool] | None = None,
        report: Callable[[Analysis], None] | None = None,
        interval: float = 1.0,
        only: np.ndarray | None = None,
    ) -> Analysis:
        """Run playouts from ``board`` (side to move) until a limit or ``should_stop``.

        The root moves are the sensible moves, or the point indices in ``only``.
        """
        n = board.size
        a = n * n + 1
        candidates = np.zeros(a, dtype=np.uint8)
        sensible = board.sensible_moves() if only is None else only
        candidates[sensible] = 1
        if sensible.size == 0:  # passing is decided outside the search (see genmove)
            candidates[board.pass_move] = 1
        komi = board.rules.komi + board.rules.compensation(board.handicap)
        stats = [np.zeros((4, a)) for _ in range(self.threads)]
        self._calls += 1

        def step(per_thread: int, done: int) -> None:
            seeds = [
                hash((self.seed, self._calls, done, t)) & 0xFFFFFFFFFFFFFFFF for t in range(self.threads)
            ]

            def run(t: int) -> None:
                s = stats[t]
                board._c.flat_mc(
                    candidates,
                    per_thread,
                    seeds[t],
                    komi,
                    s[0],
                    s[1],
                    s[2],
                    s[3],
                    self.c_ucb,
                    self.rave_k,
                    kind=self.playout,
                )

            if self._pool is None:
                run(0)
            else:
                list(self._pool.map(run, range(self.threads)))

        def snapshot(done: int, seconds: float) -> Analysis:
            return self._summary(board, stats, done, seconds)

        return run_in_chunks(
            step, limits, self.playouts, snapshot, should_stop, report, interval, threads=self.threads
        )

    def _summary(self, board: Board, stats: list[np.ndarray], done: int, seconds: float) -> Analysis:
        total = np.sum(stats, axis=0)
        visits, wins = total[0], total[1]
        moves = np.flatnonzero(visits)
        n_cand = max(1, moves.size)
        out = []
        for m in moves[np.argsort(-visits[moves], kind="stable")]:
            v = visits[m]
            p = wins[m] / v
            lcb = p - 1.96 * math.sqrt(max(p * (1 - p), 1e-9) / v)
            out.append(MoveStats(int(m), int(v), float(p), 1.0 / n_cand, float(max(0.0, lcb))))
        # the prior is uniform over the root moves searched; other legal moves get none
        policy = np.where(board.legal_mask() > 0, 0.0, -1.0)
        policy[moves] = 1.0 / n_cand
        return Analysis(out, done, seconds, policy)


class EyeAwareRollouts:
    """Rollout values with a little Go knowledge in the prior: filling one's own
    single-point eye and passing start with a low prior (the search can still choose them).

    Reads the stone planes of the AlphaGo Zero features (plane 0: own stones, plane 8:
    the opponent's), so the search writes features for it."""

    needs_features = True

    def __init__(self, rollouts: int = 1, penalty: float = 4.0, playout: Any = "light") -> None:
        if rollouts < 1:
            raise ValueError(f"rollouts must be at least 1, got {rollouts}")
        self.rollouts = rollouts
        self.penalty = penalty
        self.playout = playout

    def __call__(
        self, features: np.ndarray, legal_mask: np.ndarray, rollout_values: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        own = np.pad(features[:, 0] > 0, ((0, 0), (1, 1), (1, 1)), constant_values=True)
        empty = (features[:, 0] == 0) & (features[:, 8] == 0)
        eye = empty & own[:, :-2, 1:-1] & own[:, 2:, 1:-1] & own[:, 1:-1, :-2] & own[:, 1:-1, 2:]
        b = features.shape[0]
        logits = np.zeros(legal_mask.shape, dtype=np.float32)
        logits[:, :-1] = np.where(eye.reshape(b, -1), -self.penalty, 0.0)
        logits[:, -1] = -self.penalty
        return logits, np.asarray(rollout_values, dtype=np.float32)


class SearchPlayer(Player):
    """The search player: PUCT ``BatchedSearch`` with ``evaluator`` at the leaves (a net's
    ``NetEvaluator``, rollouts, or anything with the evaluator interface), no noise.

    It has two faces over one set of search settings (``config``, a ``SearchConfig``):

    * the arena's, ``select(games)``: a fresh search of each of many native games of any
      registered game at once, ``visits`` simulations each, and the most visited move
      (ties: the higher prior); ``act_game(game)`` for one game;
    * GTP's, ``genmove``/``analyze``/``search`` on a Go ``Board``: the tree is kept
      between moves when the new position follows the last one, the search runs in
      chunks so that time limits, analysis reports and stop requests are honoured, and
      the player resigns when the root win rate is below ``resign_threshold`` after at
      least ``min_visits_to_resign`` simulations.
    """

    def __init__(
        self,
        evaluator: Any = None,
        visits: int = 100,
        *,
        c_puct: float = 1.25,
        fpu_reduction: float = 0.25,
        leaves_per_tree: int = 4,
        seed: int = 0,
        name: str = "search",
        resign_threshold: float = 0.05,
        min_visits_to_resign: int = 1000,
    ) -> None:
        self.evaluator = evaluator
        self.config = SearchConfig(
            visits=visits,
            leaves_per_tree=leaves_per_tree,
            c_puct=c_puct,
            fpu_reduction=fpu_reduction,
            reuse_tree=False,
            seed=seed,
        )
        self.name = name
        self.resign_threshold = resign_threshold
        self.min_visits_to_resign = min_visits_to_resign
        self._calls = 0
        self._search: BatchedSearch | None = None
        self._key: tuple | None = None
        self._moves: list[tuple[str, int]] = []

    @property
    def visits(self) -> int:
        return self.config.visits

    @property
    def c_puct(self) -> float:
        return self.config.c_puct

    @property
    def leaves_per_tree(self) -> int:
        return self.config.leaves_per_tree

    @property
    def seed(self) -> int:
        return self.config.seed

    def _leaf_evaluator(self) -> Any:
        if self.evaluator is None:
            raise ValueError(f"{type(self).__name__} needs an evaluator")
        return self.evaluator

    # ------------------------------------------------------------------ the arena's face
    def search_games(self, games: Sequence[Any]) -> list[SearchResult]:
        """A fresh search of each position (none may be over); the games are not changed."""
        self._calls += 1
        cfg = replace(self.config, reuse_tree=False, seed=self.config.seed + self._calls)
        return BatchedSearch([g.copy() for g in games], self._leaf_evaluator(), cfg).run()

    def select(self, games: Sequence[Any]) -> list[int]:
        """One move per game (none may be over), from a fresh search of each position."""
        if not games:
            return []
        return [r.best_action for r in self.search_games(games)]

    def act_game(self, game: Any) -> int:
        """The move for one native game (not over)."""
        return self.select([game])[0]

    # ------------------------------------------------------------------ GTP's face
    def _search_for(self, board: Board) -> BatchedSearch:
        """The search whose root is ``board``: the last one moved along, or a new one."""
        key = (board.size, board.rules, board.handicap, tuple(board.setup_black), tuple(board.setup_white))
        s = self._search
        if s is not None and self._key == key and board.moves[: len(self._moves)] == self._moves:
            try:
                for color, index in board.moves[len(self._moves) :]:
                    if s.games[0].board.to_play != color:
                        raise ValueError("moves out of turn")
                    s.advance([index])
                game = s.games[0]
                if game.board.hash == board.hash and game.board.to_play == board.to_play:
                    self._moves = list(board.moves)
                    return s
            except ValueError:
                pass
        cfg = replace(self.config, reuse_tree=True)
        self._search = BatchedSearch([GoGame(board.copy())], self._leaf_evaluator(), cfg)
        self._key = key
        self._moves = list(board.moves)
        return self._search

    def search(
        self,
        board: Board,
        limits: SearchLimits,
        should_stop: Callable[[], bool] | None = None,
        report: Callable[[Analysis], None] | None = None,
        interval: float = 1.0,
    ) -> Analysis:
        """Search from ``board`` until a limit or ``should_stop``; the tree grows in chunks."""
        s = self._search_for(board)

        def step(n: int, done: int) -> None:
            s.run(visits=n)

        def snapshot(done: int, seconds: float) -> Analysis:
            return self._analysis(board, done, seconds)

        return run_in_chunks(
            step,
            limits,
            self.visits,
            snapshot,
            should_stop,
            report,
            interval,
            first=64,
            smallest=32,
            largest=4096,
        )

    def _analysis(self, board: Board, done: int, seconds: float) -> Analysis:
        s = self._search
        r = s.result(0)
        moves = []
        for c in r.children:
            if c.visits == 0:
                continue
            p = (c.q + 1) / 2
            lcb = p - 1.96 * math.sqrt(max(p * (1 - p), 1e-9) / c.visits)
            pv = tuple(s.trees.principal_variation(0, c.action))
            moves.append(MoveStats(c.action, c.visits, p, c.prior, max(0.0, lcb), pv))
        policy = np.where(board.legal_mask() > 0, 0.0, -1.0)
        if r.root:
            actions, _, _, prior, valid = r.root
            policy[actions[valid]] = prior[valid]
        return Analysis(moves, done, seconds, policy)

    def forget(self) -> None:
        self._search = None
        self._key = None
        self._moves = []

    def _check_size(self, board: Board) -> None:
        if self.board_size is not None and board.size != self.board_size:
            n = self.board_size
            raise ValueError(f"the {self.name} plays {n}x{n} only, not {board.size}x{board.size}")

    def genmove(self, board: Board, color: str, limits: SearchLimits, cleanup: bool = False) -> Decision:
        self._check_size(board)
        board = _as_mover(board, color)
        if board.is_over:
            return Decision(board.pass_move)
        analysis = self.search(board, limits)
        if not analysis.moves:
            return Decision(board.pass_move, analysis=analysis)
        best = analysis.moves[0]
        if _resigns(analysis, best, limits, self.resign_threshold, self.min_visits_to_resign):
            return Decision(None, resign=True, analysis=analysis)
        return Decision(best.move, analysis=analysis)

    def analyze(
        self,
        board: Board,
        color: str,
        should_stop: Callable[[], bool],
        interval: float,
        report: Callable[[Analysis], None],
    ) -> None:
        self._check_size(board)
        board = _as_mover(board, color)
        _search_until_stopped(self, board, board.is_over, should_stop, report, interval)


class MCTSPlayer(SearchPlayer):
    """The search player on Go with C light playouts at the leaves.

    ``evaluator``: ``rollout`` (the mean of ``rollouts`` light playouts, eye-filling and
    passing with a low prior) or ``uniform`` (no evaluation at all: a test of the search);
    ``playout``: ``light`` or ``heavy`` playouts (or a ``seigen.ext.board.PlayoutPolicy``).
    The search scores finished games by Tromp-Taylor area, so it captures dead stones
    before passing. ``search``: ``SearchPlayer``'s settings (``c_puct``, ``seed``,
    ``resign_threshold``, ...); everything else is ``SearchPlayer``'s too.
    """

    def __init__(
        self,
        visits: int = 1600,
        evaluator: str = "rollout",
        rollouts: int = 1,
        leaves_per_tree: int = 8,
        playout: Any = "light",
        **search: Any,
    ) -> None:
        if evaluator not in ("rollout", "uniform"):
            raise ValueError(f"unknown evaluator {evaluator!r}; expected rollout or uniform")
        self.kind = evaluator
        self.rollouts = rollouts
        self.playout = playout
        leaves = UniformEvaluator() if evaluator == "uniform" else EyeAwareRollouts(rollouts, playout=playout)
        super().__init__(leaves, visits, leaves_per_tree=leaves_per_tree, name="puct", **search)


def go_net_board_size(net: Any, game: dict | None = None) -> int:
    """The board size a Go net reads: its spec's (checked to be a Go net's: square, one
    action a point and a pass), else ``game["size"]``, else 19."""
    spec = getattr(getattr(net, "_orig_mod", net), "spec", None)
    if spec is not None:
        if spec.height != spec.width or spec.actions != spec.height * spec.width + 1:
            raise ValueError(
                f"not a Go net: it reads {spec.height}x{spec.width} and has {spec.actions} actions"
            )
        return int(spec.height)
    return int((game or {}).get("size", 19))


class NetPlayer(SearchPlayer):
    """The search player with a policy-value net at the leaves (AlphaZero): priors and
    values from ``net`` (``model(x[B, 17, N, N]) -> (logits[B, N*N+1], value[B])``), no
    playouts.

    The net reads ``Board.features``, so it plays the board size it was trained on
    (``board_size``) and no other. ``game`` is the checkpoint's game (``size``, ``komi``,
    ``rules``), which GTP uses for its defaults. ``device``: ``auto`` or None (cuda when
    present, else cpu), ``cpu`` or ``cuda``. ``seigen.agents.players.load_net_player(path)``
    builds one from a run directory or checkpoint file. ``search``: ``SearchPlayer``'s
    settings (``c_puct``, ``seed``, ``resign_threshold``, ...). ``mix`` > 0 is AlphaGo's
    mixed evaluation: each leaf's value is ``(1 - mix) * net value + mix * playout result``
    (``MixedEvaluator``, one ``playout`` playout a leaf, heavy by default). ``precision``:
    the net's (``NetEvaluator``: ``fp32``, ``bf16`` or ``auto``).
    """

    def __init__(
        self,
        net: Any = None,
        *,
        visits: int = 800,
        device: str | None = None,
        cache_size: int = 0,
        game: dict | None = None,
        evaluator: str = "net",
        leaves_per_tree: int = 8,
        mix: float = 0.0,
        playout: Any = "heavy",
        precision: str = "fp32",
        **search: Any,
    ) -> None:
        if not 0.0 <= mix <= 1.0:
            raise ValueError(f"mix must be in [0, 1], got {mix}")
        if evaluator != "net":
            raise ValueError(f"the net player's evaluator is its net, not {evaluator!r}")
        if net is None:
            raise ValueError("NetPlayer needs a net")
        self.net = net
        self.device = device
        self.cache_size = cache_size
        self.game = dict(game or {})
        self.board_size = go_net_board_size(net, self.game)
        self.mix = mix
        self.net_evaluator = NetEvaluator(net, device=device, cache_size=cache_size, precision=precision)
        leaves = with_mix(self.net_evaluator, mix, playout)
        super().__init__(leaves, visits, leaves_per_tree=leaves_per_tree, name="net", **search)

    def forget(self) -> None:
        super().forget()
        self.net_evaluator.cache.clear()
