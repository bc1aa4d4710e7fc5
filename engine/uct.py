"""The classic Go player: UCT with RAVE and prior knowledge, searched in C on several threads.

``UctPlayer`` drives ``seigen.ext.uct.UctTree`` (the tree, MC-RAVE selection, light
playouts, backup: all C without the GIL). Its knowledge is data in one place,
``UctPriors``: each rule gives a move it holds for virtual visits at a value when the
move's node is created; ``UctConfig`` holds the search's constants.

Threads: ``parallel="root"`` gives each thread its own tree and sums the root
statistics (root parallelism); ``parallel="shared"`` searches one tree from every thread
with virtual loss and atomic statistics.

>>> from seigen.engine.board import Board
>>> from seigen.engine.players import SearchLimits
>>> player = UctPlayer(playouts=2000)
>>> player.genmove(Board(9), "black", SearchLimits()).move  # doctest: +SKIP
40
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np

from seigen.engine.board import Board, parse_color
from seigen.engine.players import (
    Analysis,
    MoveStats,
    PlayoutPlayer,
    SearchLimits,
    go_net_board_size,
    run_in_chunks,
)
from seigen.ext import board as _board
from seigen.ext import uct as _uct

Rule = tuple[float, float]  # (virtual visits, value in [0, 1]); 0 visits switch the rule off


@functools.cache
def shape_codes() -> np.ndarray:
    """The heavy playouts' 3x3 shape table (``seigen.ext.board.pattern_table``), read once.
    Its codes are closed under the colour swap, so they read the same from the mover's view."""
    table = _board.pattern_table()
    table.setflags(write=False)
    return table


@dataclass(frozen=True)
class UctPriors:
    """Prior knowledge given to each move when its node is expanded (MoGo, Fuego, Pachi).

    Every rule that holds for a move adds ``visits`` virtual visits with
    ``visits * value`` virtual wins (from the mover's view); the rules add up. Set a
    rule's visits to 0 to switch it off (``without``), e.g. for ablations. The rules
    are ``seigen.ext.uct.PRIOR_RULES``, in this order.
    """

    even: Rule = (10.0, 0.5)
    """Every legal move: the first guess of an even game."""
    capture: Rule = (20.0, 1.0)
    """Takes an opponent chain in atari."""
    atari_escape: Rule = (20.0, 0.9)
    """Joins an own chain in atari and leaves it two or more liberties."""
    self_atari: Rule = (20.0, 0.0)
    """Leaves its own chain with one liberty and captures nothing."""
    eye_fill: Rule = (40.0, 0.0)
    """Fills its own single-point eye."""
    near_last: Rule = (10.0, 0.7)
    """Within Manhattan distance 2 of the last move (local answers)."""
    near_last2: Rule = (5.0, 0.6)
    """Within Manhattan distance 2 of the move before it."""
    line1: Rule = (15.0, 0.1)
    """On the first line, early in the game (see ``edge_until``)."""
    line2: Rule = (10.0, 0.3)
    """On the second line, early in the game."""
    line34: Rule = (10.0, 0.7)
    """On the third or fourth line, early in the game."""
    pass_move: Rule = (20.0, 0.1)
    """The pass (searched, but the player passes only when passing does not lose)."""
    edge_until: float = 0.25
    """The line rules hold while stones cover less than this fraction of the board."""
    pattern: Rule = (10.0, 0.8)
    """Plays one of the 3x3 shapes of the heavy playouts (``seigen.ext.patterns``: hane,
    cuts, edge shapes) in any symmetry and colouring; used when ``pat3`` is None."""
    pat3: np.ndarray | None = field(default=None, repr=False, compare=False)
    """The 3x3-pattern hook: None, or a float32 ``[65536, 2]`` table of (visits, value)
    per 3x3 neighbourhood code (``seigen.ext.uct.UctTree.pattern_code``: the eight
    neighbours NW, N, NE, W, E, SW, S, SE, two bits each, 0 empty, 1 the mover's, 2 the
    opponent's, 3 off the board), added like a rule."""

    def rules(self) -> dict[str, Rule]:
        return {name: getattr(self, name) for name in _uct.PRIOR_RULES}

    def with_settings(self, items: Sequence[str]) -> UctPriors:
        """These priors changed by command-line items: ``RULE=VISITS,VALUE`` sets a rule,
        ``RULE=off`` (or ``all=off``) switches rules off, ``edge_until=F`` sets the
        fraction; e.g. ``("capture=30,1", "pattern=off")``."""
        names = (*_uct.PRIOR_RULES, "pattern")
        out = self
        for item in items:
            key, sep, text = item.partition("=")
            key = key.strip().replace("-", "_")
            if not sep:
                raise ValueError(f"prior {item!r}: expected RULE=VISITS,VALUE or RULE=off")
            if text.strip() == "off":
                out = out.without(*(names if key == "all" else (key,)))
                continue
            if key == "edge_until":
                out = replace(out, edge_until=_number(f"prior {item}", text))
                continue
            if key not in names:
                raise ValueError(
                    f"prior {item!r}: unknown rule {key!r}; known: {', '.join(names)}, edge_until"
                )
            parts = text.split(",")
            if len(parts) != 2:
                raise ValueError(
                    f"prior {item!r}: expected {key}=VISITS,VALUE (e.g. {key}=20,0.9) or {key}=off"
                )
            visits, value = (_number(f"prior {item}", part) for part in parts)
            if visits < 0 or not 0.0 <= value <= 1.0:
                raise ValueError(f"prior {item!r}: visits must be >= 0 and the value in [0, 1]")
            out = replace(out, **{key: (visits, value)})
        return out

    def without(self, *names: str) -> UctPriors:
        """These priors with the named rules switched off (``pattern`` included)."""
        known = (*_uct.PRIOR_RULES, "pattern")
        unknown = set(names) - set(known)
        if unknown:
            raise ValueError(f"unknown prior rules {sorted(unknown)}; known: {', '.join(known)}")
        return replace(self, **{name: (0.0, getattr(self, name)[1]) for name in names})

    def pattern_table(self) -> np.ndarray | None:
        """The 3x3 table the tree reads: ``pat3`` when given, else the ``pattern`` rule on
        every shape code (None when that rule is off)."""
        if self.pat3 is not None:
            return self.pat3
        visits, value = self.pattern
        if visits <= 0:
            return None
        table = np.zeros((65536, 2), dtype=np.float32)
        shapes = shape_codes() > 0
        table[shapes, 0] = visits
        table[shapes, 1] = value
        return table

    def apply(self, tree: _uct.UctTree) -> None:
        rules = self.rules()
        for name, (visits, value) in rules.items():
            if visits < 0 or not 0.0 <= value <= 1.0:
                raise ValueError(
                    f"prior {name}: visits must be >= 0 and value in [0, 1], got {(visits, value)}"
                )
        visits, value = self.pattern
        if visits < 0 or not 0.0 <= value <= 1.0:
            raise ValueError(f"prior pattern: visits must be >= 0 and value in [0, 1], got {self.pattern}")
        tree.set_priors(
            [v for v, _ in rules.values()],
            [w for _, w in rules.values()],
            self.edge_until,
            self.pattern_table(),
        )


@dataclass(frozen=True)
class UctConfig:
    """The constants of one UCT-RAVE tree (``seigen.ext.uct.UctTree``)."""

    rave: bool = True
    """Keep AMAF statistics and blend them into selection (False: plain UCT, for ablations;
    give it a ``c_ucb`` > 0 then)."""
    rave_b: float = 0.01
    """RAVE equivalence parameter b: beta = n_amaf / (n + n_amaf + 4 b^2 n n_amaf)."""
    c_ucb: float = 0.0
    """UCB exploration c * sqrt(ln N / n); 0 is greedy MC-RAVE (Gelly & Silver's best)."""
    expand_after: int = 2
    """Visits a leaf takes before its children are created."""
    fpu: float = 1.0
    """Value of a move with no visits, no AMAF visits and no prior at all."""
    prior_amaf: float = 0.0
    """The priors also seed the AMAF statistics, scaled by this (0: they do not)."""
    vloss: float = 3.0
    """Virtual visits (as losses) per thread descending through a node of a shared tree."""
    max_moves: int = 0
    """Playout length cap (0: 3 N^2)."""
    max_nodes: int = 1 << 21
    """Most nodes per tree (about 50 bytes each); once full, leaves stop expanding."""
    playout: Any = "light"
    """The playouts after each descent: light, heavy, or a ``seigen.ext.board.PlayoutPolicy``."""

    def with_settings(self, items: Sequence[str]) -> UctConfig:
        """This config changed by command-line items ``KEY=VALUE`` (the field names, ``-``
        or ``_``), e.g. ``("rave=false", "c_ucb=0.3")``; ``playout`` takes light or heavy."""
        out = self
        types = {f.name: f.type for f in fields(self)}
        for item in items:
            key, sep, text = item.partition("=")
            key = key.strip().replace("-", "_")
            text = text.strip()
            if not sep or key not in types:
                raise ValueError(
                    f"uct setting {item!r}: expected KEY=VALUE with KEY one of {', '.join(types)}"
                )
            if key == "playout":
                if text not in ("light", "heavy"):
                    raise ValueError(f"uct setting {item!r}: playout is light or heavy")
                value: Any = text
            elif key == "rave":
                if text.lower() not in ("true", "false", "1", "0", "on", "off"):
                    raise ValueError(f"uct setting {item!r}: rave is true or false")
                value = text.lower() in ("true", "1", "on")
            else:
                value = _setting_number("uct", item, key, text, types[key])
            if key != "rave" and not isinstance(value, str) and value < 0:
                raise ValueError(f"uct setting {item!r}: {key} must not be negative")
            out = replace(out, **{key: value})
        return out


@dataclass(frozen=True)
class GuideConfig:
    """How a policy-value net guides the tree (``UctPlayer(net=...)``): AlphaGo's policy
    priors in a classic tree, given as Pachi gives its net's priors.

    Between chunks of simulations the search evaluates, in one batch, up to ``per_round``
    expanded nodes that have ``min_visits`` visits and no guidance yet (the root first,
    then the most visited; ``UctTree.frontier``). Each child whose move the net gives
    probability ``q`` gets ``sqrt(q) * eqex`` virtual wins and visits, on top of the
    rule priors; with ``value_eqex`` > 0 the node also gets that many virtual visits at
    the net's value (the value net mixed into the tree's statistics, AlphaGo's lambda in
    the form of virtual experience). The chunks are at most ``chunk`` simulations a thread,
    so the guidance keeps pace with the tree; the net's time counts against the clock
    and, in a search by time, stays within ``share`` of it.
    """

    eqex: float = 40.0
    """Virtual visits (all won) of a move the net gives probability 1 (``sqrt(q) * eqex`` for q)."""
    value_eqex: float = 0.0
    """Virtual visits at the net's value given to each guided node (0: the value is not used)."""
    min_visits: int = 32
    """Visits a node needs before the net guides its children (the root is guided at once)."""
    per_round: int = 16
    """Most nodes evaluated between two chunks of simulations (one batch)."""
    chunk: int = 250
    """Most simulations a thread runs between two rounds of guidance (250 beat 1,000 at 3,000
    simulations a move: 0.80 against 0.70 over the mcts player, 40 games each)."""
    min_p: float = 0.001
    """Moves the net gives less than this get no prior."""
    share: float = 0.1
    """In a search by time (a clock, analysis), the most of its time the net may take: a
    round waits while the net's seconds exceed this share of the time searched. Searches
    by simulations alone ignore it, so that they stay reproducible. (0.1 against 0.25 at 2 s
    a move, 100 games each against the mcts player at 2 s: 0.605 against 0.47.)"""

    def with_settings(self, items: Sequence[str]) -> GuideConfig:
        """This config changed by command-line items ``KEY=VALUE`` (the field names, ``-``
        or ``_``), e.g. ``("eqex=20", "min_visits=64")``."""
        out = self
        types = {f.name: f.type for f in fields(self)}
        for item in items:
            key, sep, text = item.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or key not in types:
                raise ValueError(
                    f"guide setting {item!r}: expected KEY=VALUE with KEY one of {', '.join(types)}"
                )
            value = _setting_number("guide", item, key, text, types[key])
            if value < 0:
                raise ValueError(f"guide setting {item!r}: {key} must not be negative")
            if key in ("per_round", "chunk") and value < 1:
                raise ValueError(f"guide setting {item!r}: {key} must be at least 1")
            if key == "share" and value > 1:
                raise ValueError(f"guide setting {item!r}: share is at most 1")
            out = replace(out, **{key: value})
        return out


def _setting_number(kind: str, item: str, key: str, text: str, typ: Any) -> float:
    """The value of a command-line setting ``item`` (``KEY=TEXT``) of a numeric field of
    type ``typ``: an int for int fields, else a finite float; errors name ``kind``."""
    if typ in ("int", int):
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{kind} setting {item!r}: {key} must be an integer") from None
    return _number(f"{kind} setting {item}", text)


def _number(what: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what}: {text.strip()!r} is not finite")
    return value


@dataclass
class UctPlayer(PlayoutPlayer):
    """UCT-RAVE with priors and light or heavy playouts (``config.playout``), all in C, on
    ``threads`` threads.

    Plays the most visited root move (ties: the higher win rate); passing, resigning and
    the cleanup phase are ``PlayoutPlayer``'s. The tree is kept between moves when the
    new position follows the last one (``reuse``). PVs follow the most visited child
    while it has ``pv_min_visits`` visits. Any board size from 2 to 25.

    The clock: a search stops early once the most visited move cannot be overtaken in
    the simulations or time left (``early_stop``), and at the end of its time searches
    on, up to ``SearchLimits.max_seconds``, while another move with at least half the
    best one's visits has a higher win rate.

    ``net``: a policy-value net that guides the tree (``GuideConfig``), a callable
    ``(features[B, 17, N, N], legal[B, A]) -> (logits[B, A], value[B])`` such as
    ``seigen.engine.search.NetEvaluator``; the player then plays the net's board size
    only (``board_size``) and ``game`` holds the net's game (size, komi, rules) for GTP.
    ``guide_stats`` counts the nodes guided and the net's seconds in the last search.
    """

    playouts: int = 10_000
    threads: int = 1
    parallel: str = "root"
    config: UctConfig = field(default_factory=UctConfig)
    priors: UctPriors = field(default_factory=UctPriors)
    resign_threshold: float = 0.05
    min_playouts_to_resign: int = 2_000
    reuse: bool = True
    pv_min_visits: int = 2
    early_stop: bool = True
    judge_playouts: int = 4000
    judge_seconds: float = 3.0
    seed: int = 0
    net: Any = None
    guide: GuideConfig = field(default_factory=GuideConfig)
    game: dict | None = None
    name: str = "mcts"

    @property
    def playout(self) -> Any:
        """The playouts of the search, which also judge dead stones (``config.playout``)."""
        return self.config.playout

    def __post_init__(self) -> None:
        if self.threads < 1:
            raise ValueError("threads must be at least 1")
        if self.parallel not in ("root", "shared"):
            raise ValueError(f"parallel must be 'root' or 'shared', not {self.parallel!r}")
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None
        self._calls = 0
        self._trees: list[_uct.UctTree] = []
        self._key: tuple | None = None
        self._moves: list[tuple[str, int]] = []
        self._ownership: np.ndarray | None = None
        self._judged: tuple[tuple, list[tuple[int, int]]] | None = None
        self._net_size = (
            None if self.net is None else go_net_board_size(getattr(self.net, "model", self.net), self.game)
        )
        self.guide_stats = {"nodes": 0, "rounds": 0, "seconds": 0.0}

    @property
    def board_size(self) -> int | None:
        """The one board size this player plays (its net's), or None: any size."""
        return self._net_size

    # ------------------------------------------------------------------ trees
    def _new_tree(self, board: Board) -> _uct.UctTree:
        cfg = asdict(self.config)
        tree = _uct.UctTree(board.size, shared=self.parallel == "shared" and self.threads > 1, **cfg)
        self.priors.apply(tree)
        last = [*(index for _, index in reversed(board.moves[-2:])), -1, -1]
        tree.reset(board._c, _komi(board), last[0], last[1])
        return tree

    def _trees_for(self, board: Board) -> list[_uct.UctTree]:
        """The trees whose root is ``board``: the last ones moved along, or new ones."""
        key = (board.size, board.rules, board.handicap, tuple(board.setup_black), tuple(board.setup_white))
        if self.reuse and self._trees and self._key == key and board.moves[: len(self._moves)] == self._moves:
            in_turn = True
            for color, index in board.moves[len(self._moves) :]:
                if any(t.root_to_play != parse_color(color) for t in self._trees):
                    in_turn = False
                    break
                for tree in self._trees:
                    tree.advance(index)
            to_play = parse_color(board.to_play)
            if in_turn and all(t.root_hash == board.hash and t.root_to_play == to_play for t in self._trees):
                self._moves = list(board.moves)
                return self._trees
        n_trees = self.threads if self.parallel == "root" else 1
        self._trees = [self._new_tree(board) for _ in range(n_trees)]
        self._key = key
        self._moves = list(board.moves)
        return self._trees

    def forget(self) -> None:
        self._trees = []
        self._key = None
        self._moves = []

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
        """Simulate from ``board`` (side to move) until a limit or ``should_stop``.

        The root moves are the legal ones (superko included) and pass, or the point
        indices in ``only``. Ownership from this search's playouts: ``ownership()``.
        """
        trees = self._trees_for(board)
        allowed = board.legal_mask()
        if only is not None:
            allowed = np.zeros_like(allowed)
            allowed[only] = 1
        for tree in trees:
            tree.restrict_root(allowed)
        n = board.size
        own = [np.zeros(n * n) for _ in range(self.threads)]
        self._calls += 1

        guided = self.net is not None
        timed = limits.seconds is not None or should_stop is not None or report is not None
        start = time.perf_counter()
        if guided:
            if board.size != self._net_size:
                raise ValueError(
                    f"the net plays {self._net_size}x{self._net_size} only, not {board.size}x{board.size}"
                )
            self.guide_stats = {"nodes": 0, "rounds": 0, "seconds": 0.0}

        def step(per_thread: int, done: int) -> None:
            if guided:
                net_s = self.guide_stats["seconds"]
                if not timed or net_s <= self.guide.share * (time.perf_counter() - start) or done == 0:
                    self._guide_round(board, trees)
            seeds = [
                hash((self.seed, self._calls, done, t)) & 0xFFFFFFFFFFFFFFFF for t in range(self.threads)
            ]
            if self.parallel == "shared":
                trees[0].reserve(per_thread * self.threads)

            def run(t: int) -> None:
                trees[t % len(trees)].search(per_thread, seeds[t], own[t])

            if self._pool is None:
                run(0)
            else:
                list(self._pool.map(run, range(self.threads)))

        def snapshot(done: int, seconds: float) -> Analysis:
            self._ownership = np.sum(own, axis=0).reshape(n, n) / max(done, 1)
            return self._analysis(board, done, seconds)

        return run_in_chunks(
            step,
            limits,
            self.playouts,
            snapshot,
            should_stop,
            report,
            interval,
            threads=self.threads,
            decided=functools.partial(self._decided, board) if self.early_stop else None,
            in_doubt=functools.partial(self._in_doubt, board),
            largest=self.guide.chunk * self.threads if guided else 100_000,
        )

    def _guide_round(self, board: Board, trees: list[_uct.UctTree]) -> None:
        """One round of guidance: the net evaluates the trees' unguided frontier nodes (at
        most ``guide.per_round`` positions, each once however many trees hold it) in one
        batch, and each node's children get the policy as priors (``UctTree.add_guide``)."""
        g = self.guide
        t0 = time.perf_counter()
        jobs: dict[tuple[int, ...], list[tuple[_uct.UctTree, int]]] = {}
        for tree in trees:
            for node, path in tree.frontier(g.min_visits, g.per_round):
                jobs.setdefault(tuple(path), []).append((tree, node))
        if not jobs:
            return
        paths = list(jobs)[: g.per_round]
        n, a = board.size, board.size * board.size + 1
        feats = np.zeros((len(paths), _board.N_PLANES, n, n), dtype=np.float32)
        legal = np.zeros((len(paths), a), dtype=np.float32)
        position = board.copy()
        for k, path in enumerate(paths):
            played = 0
            try:
                for point in path:
                    position.play(point)
                    played += 1
            except ValueError:  # a repetition the tree's simple ko allowed: no guidance there
                pass
            else:
                position.features(feats[k])
                legal[k] = position.legal_mask()
            for _ in range(played):
                position.undo()
        logits, values = self.net(feats, legal)
        logits = np.where(legal > 0, logits, -np.inf)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= np.maximum(probs.sum(axis=1, keepdims=True), 1e-30)
        probs = np.nan_to_num(probs).astype(np.float32)
        for k, path in enumerate(paths):
            ok = legal[k].any()
            mover_value = 0.5 * (1.0 - float(values[k])) if ok else -1.0
            for tree, node in jobs[path]:
                tree.add_guide(
                    node,
                    probs[k],
                    g.eqex if ok else 0.0,
                    value=mover_value,
                    value_eqex=g.value_eqex if ok and path else 0.0,
                    min_p=g.min_p,
                )
        self.guide_stats["nodes"] += len(paths)
        self.guide_stats["rounds"] += 1
        self.guide_stats["seconds"] += time.perf_counter() - t0

    def _root_moves(self, board: Board) -> tuple[np.ndarray, np.ndarray]:
        """Visits and win rates of the searched root moves (``root_statistics``)."""
        st = self.root_statistics(board)
        visits = np.where(st["pruned"], 0, st["visits"])
        return visits, st["wins"] / np.maximum(visits, 1)

    def _decided(self, board: Board, left: float) -> bool:
        """The most visited root move leads the next by more than ``left`` visits: no
        search of that length can change the move played."""
        visits, _ = self._root_moves(board)
        second, first = np.partition(visits, -2)[-2:]
        return first - second > left

    def _in_doubt(self, board: Board) -> bool:
        """The most visited root move is not the best valued of the moves with at least
        half its visits: searching on would settle which to play."""
        visits, rates = self._root_moves(board)
        best = int(np.argmax(visits))
        rivals = visits >= 0.5 * visits[best]
        return bool(rates[rivals].max() > rates[best] + 1e-9)

    def root_statistics(self, board: Board) -> dict[str, np.ndarray]:
        """The root children's statistics summed over the trees, by point index (pass
        last): ``visits``, ``wins``, ``prior_visits``, ``prior_wins``, ``amaf_visits``,
        ``amaf_wins`` (wins from the side to move's view), ``pruned``, and ``tree`` (the
        tree with the most visits of each move, -1 where none)."""
        a = board.size * board.size + 1
        keys = ("visits", "wins", "prior_visits", "prior_wins", "amaf_visits", "amaf_wins")
        out = {k: np.zeros(a) for k in keys}
        out["pruned"] = np.zeros(a, dtype=bool)
        out["tree"] = np.full(a, -1)
        most = np.zeros(a)
        for t, tree in enumerate(self._trees):
            ch = tree.stats()["children"]
            moves = ch["move"]
            for k in keys:
                out[k][moves] += ch[k]
            out["pruned"][moves] = ch["pruned"]
            better = ch["visits"] > most[moves]
            out["tree"][moves[better]] = t
            most[moves[better]] = ch["visits"][better]
        return out

    def _analysis(self, board: Board, done: int, seconds: float) -> Analysis:
        st = self.root_statistics(board)
        visits = st["visits"]
        moves = np.flatnonzero((visits > 0) & ~st["pruned"])
        winrate = st["wins"][moves] / visits[moves]
        order = moves[np.lexsort((-winrate, -visits[moves]))]
        # the policy: each root move's share of the prior virtual wins
        policy = np.where(board.legal_mask() > 0, 0.0, -1.0)
        known = np.flatnonzero(st["prior_visits"] > 0)
        total = st["prior_wins"][known].sum()
        if total > 0:
            policy[known] = st["prior_wins"][known] / total
        out = []
        for m in order:
            v = visits[m]
            p = st["wins"][m] / v
            lcb = p - 1.96 * math.sqrt(max(p * (1 - p), 1e-9) / v)
            pv = self._trees[st["tree"][m]].pv(int(m), self.pv_min_visits)
            out.append(
                MoveStats(int(m), int(v), float(p), float(max(policy[m], 0.0)), max(0.0, lcb), tuple(pv))
            )
        return Analysis(out, done, seconds, policy)

    def dead_stones(self, board: Board) -> list[tuple[int, int]]:
        """The stones that this player's search mostly loses at the end of a game: a search
        of ``judge_playouts`` simulations (at most ``judge_seconds``) from ``board`` (its
        closing passes taken back, so that play goes on), and every stone on a point its
        playouts give the other colour more often than its own. Kept per position."""
        key = (board.hash, board.to_play, len(board.moves))
        if self._judged is not None and self._judged[0] == key:
            return self._judged[1]
        position = board.copy()
        while position.moves and position.moves[-1][1] == position.pass_move:
            position.undo()
        early, self.early_stop = self.early_stop, False  # every simulation adds to the ownership
        try:
            self.search(position, SearchLimits(playouts=self.judge_playouts, seconds=self.judge_seconds))
        finally:
            self.early_stop = early
        own = self._ownership
        assert own is not None
        colors = board.colors()
        dead = (colors == 1) & (own < 0) | (colors == 2) & (own > 0)
        rows, cols = np.nonzero(dead)
        stones = list(zip(rows.tolist(), cols.tolist(), strict=True))
        self._judged = (key, stones)
        return stones

    def ownership(self) -> np.ndarray | None:
        """Mean final owner of each point (``N`` x ``N``, +1 black ... -1 white) over the
        playouts of the last search, or None before any search."""
        return self._ownership


def _komi(board: Board) -> float:
    return board.rules.komi + board.rules.compensation(board.handicap)
