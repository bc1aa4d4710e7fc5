"""The self-play actor: many games in lock-step through one ``BatchedSearch``, one net call per step.

Each actor process follows ``RUN_DIR/checkpoints/latest`` (it reloads the weights when the
pointer moves), records every position of its games (features, the search's policy
target, the mover) and writes the games it has finished as a shard at least every
``shard_seconds`` and when it stops. A finished slot gets a fresh game at once, so the
batch stays full. With a teacher (``SelfPlayConfig.teacher``) the actor plays the
teacher's games instead (``seigen.selfplay.teacher``) until a net has beaten it.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from seigen.engine.files import write_atomic
from seigen.engine.games import GoGame, make_game
from seigen.engine.search import BatchedSearch, NetEvaluator, SearchConfig, with_mix
from seigen.selfplay.shards import GameRecord, write_shard

log = logging.getLogger("seigen.selfplay.actor")

DISK_FULL = 3
"""Exit status of an actor that could not write its shard (disk full or unwritable)."""


def area_ownership(colors: np.ndarray) -> np.ndarray:
    """Tromp-Taylor owner of each point (+1 black, -1 white, 0 neither) from a board's colours
    (0 empty, 1 black, 2 white): stones own their point, an empty region the colour that
    alone borders it."""
    n = colors.shape[0]
    own = np.where(colors == 1, 1, np.where(colors == 2, -1, 0)).astype(np.int8)
    seen = np.zeros_like(colors, dtype=bool)
    for r0 in range(n):
        for c0 in range(n):
            if colors[r0, c0] != 0 or seen[r0, c0]:
                continue
            region, borders, stack = [], set(), [(r0, c0)]
            seen[r0, c0] = True
            while stack:
                r, c = stack.pop()
                region.append((r, c))
                for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                    if 0 <= rr < n and 0 <= cc < n:
                        if colors[rr, cc] == 0:
                            if not seen[rr, cc]:
                                seen[rr, cc] = True
                                stack.append((rr, cc))
                        else:
                            borders.add(int(colors[rr, cc]))
            if len(borders) == 1:
                value = 1 if borders == {1} else -1
                for r, c in region:
                    own[r, c] = value
    return own


def search_config(cfg: Any, seed: int) -> SearchConfig:
    """The self-play search of a ``SelfPlayConfig``: Gumbel root, or PUCT with Dirichlet noise."""
    return SearchConfig(
        visits=cfg.visits,
        leaves_per_tree=cfg.leaves_per_tree,
        c_puct=cfg.c_puct,
        dirichlet_alpha=cfg.dirichlet_alpha,
        dirichlet_epsilon=0.0 if cfg.gumbel else 0.25,
        temperature=1.0,
        temperature_moves=cfg.temperature_moves,
        reuse_tree=True,
        resign_threshold=cfg.resign_threshold,
        gumbel=cfg.gumbel,
        gumbel_considered=cfg.gumbel_considered,
        gumbel_c_scale=cfg.gumbel_c_scale,
        seed=seed,
    )


def new_game(cfg: Any, rng: np.random.Generator | None = None) -> Any:
    """A fresh game of ``cfg.game`` with the config's size, komi, rules and move cap (0: the game's default).

    With an ``rng`` and ``cfg.random_opening`` = N > 0, the game starts after k uniformly
    random legal moves, k drawn from 0 to N (Go's random moves never pass; an opening that
    ends the game is drawn again), so that self-play keeps covering positions off its own
    narrowing lines. KataGo and Leela Zero randomise their openings too, sampling from the
    policy; these moves are uniform.
    """

    def fresh() -> Any:
        return make_game(
            cfg.game, size=cfg.size, komi=cfg.komi, rules=cfg.rules, max_moves=cfg.max_moves or None
        )

    most = cfg.random_opening or 0
    if rng is None or most <= 0:
        return fresh()
    k = int(rng.integers(0, most + 1))
    for _ in range(100):
        game = fresh()
        for _ in range(k):
            legal = game.legal_actions()
            if cfg.game == "go" and len(legal) > 1:
                legal = legal[legal != game.board.pass_move]
            game.play(int(rng.choice(legal)))
            if game.is_terminal():
                break
        if not game.is_terminal():
            return game
    return fresh()


class SelfPlay:
    """``games_in_flight`` self-play games of one actor, stepped together.

    The net runs in this process (``NetEvaluator`` on ``device``, in bfloat16 where the
    hardware has it when ``cfg.amp``) unless an ``evaluator`` is given (``RemoteEvaluator``: the inference server). ``step()`` runs one search in every game, records the positions, plays the chosen
    moves and returns the games that finished (their slots restart with new games).
    """

    def __init__(self, cfg: Any, net: Any, device: str = "cpu", seed: int = 0, evaluator: Any = None) -> None:
        self.cfg = cfg
        self.rng = np.random.default_rng(seed)
        self.net_evaluator = (
            evaluator
            if evaluator is not None
            else NetEvaluator(
                net,
                device=device,
                score_utility=cfg.score_utility,
                precision="auto" if getattr(cfg, "amp", False) else "fp32",
            )
        )
        self.evaluator = with_mix(self.net_evaluator, cfg.mix)
        games = [new_game(cfg, self.rng) for _ in range(cfg.games_in_flight)]
        self.search = BatchedSearch(games, self.evaluator, search_config(cfg, seed))
        self.records = [GameRecord() for _ in games]
        self.may_resign = [self._resign_allowed() for _ in games]
        self.last_value = np.zeros(len(games))
        """Each game's root value after its last search (the side to move's view)."""
        self.reply_slot: list[int | None] = [None] * len(games)
        """The record index of each game's position of the last ply, when it was recorded (its reply is due)."""
        self.would_resign: list[int | None] = [None] * len(games)
        """In a game played out (no resigning), the first side whose search fell below the threshold."""
        self.resign_checks = [0, 0]
        """Games played out past a resignation, and those the side that would have resigned won."""
        self.evaluations = 0
        self.eval_seconds = 0.0

    def _resign_allowed(self) -> bool:
        return self.cfg.resign_threshold > -1.0 and self.rng.random() >= self.cfg.resign_off_fraction

    def set_weights(self, state_dict: dict[str, Any]) -> None:
        self.net_evaluator.model.load_state_dict(state_dict)
        self.net_evaluator.model.eval()

    def step(self) -> list[GameRecord]:
        """One search in every game. The positions of full searches are recorded: all of them,
        unless ``full_search_prob`` < 1 (KataGo's playout cap randomization) or a game is
        decided (its last root value beyond ``decided_value``: cheap searches from there)."""
        t = self.search.timings
        before = (t["simulations"], t["evaluate"])
        cfg = self.cfg
        n = len(self.search.games)
        prob = cfg.full_search_prob
        decided = cfg.decided_value
        full = self.rng.random(n) < prob if prob < 1.0 else np.ones(n, dtype=bool)
        if decided < 1.0:
            full &= np.abs(self.last_value) < decided
        cheap = not full.all()
        results = self.search.run(np.where(full, cfg.visits, cfg.cheap_visits) if cheap else None)
        self.evaluations += t["simulations"] - before[0]
        self.eval_seconds += t["evaluate"] - before[1]
        actions: list[int | None] = []
        resigned: list[int] = []
        for i, (game, r) in enumerate(zip(self.search.games, results, strict=True)):
            rec = self.records[i]
            self.last_value[i] = r.value
            if r.resign and not self.may_resign[i] and self.would_resign[i] is None:
                self.would_resign[i] = game.to_play
            due, self.reply_slot[i] = self.reply_slot[i], None
            if full[i]:
                rec.features.append(game.features().astype(np.uint8))
                rec.policy.append(r.policy)
                rec.movers.append(game.to_play)
                rec.replies.append(-1)
            if r.resign and self.may_resign[i]:
                resigned.append(i)
                if full[i]:
                    rec.moves.append(-1)
                actions.append(None)
                continue
            a = self.search.choose(r, move_number=len(game.history))
            if due is not None:
                rec.replies[due] = a  # the reply to the last ply's move
            if full[i]:
                rec.moves.append(a)
                self.reply_slot[i] = len(rec.moves) - 1
            actions.append(a)
        self.search.advance(actions)
        done = []
        for i, game in enumerate(self.search.games):
            if i in resigned:
                loser = game.to_play
                done.append(self._finish(i, -1.0 if loser == 0 else 1.0))
            elif game.is_terminal():
                done.append(self._finish(i, float(game.returns())))
        return [rec for rec in done if len(rec) > 0]  # a game of cheap searches only teaches nothing

    def _finish(self, i: int, result: float) -> GameRecord:
        rec = finish_record(self.cfg, self.search.games[i], self.records[i], result, self.rng)
        quitter = self.would_resign[i]
        if quitter is not None:  # a resignation would have been false if its side won
            self.resign_checks[0] += 1
            self.resign_checks[1] += int(result > 0 if quitter == 0 else result < 0)
        self.search.reset(i, new_game(self.cfg, self.rng))
        self.records[i] = GameRecord()
        self.may_resign[i] = self._resign_allowed()
        self.last_value[i] = 0.0
        self.would_resign[i] = None
        self.reply_slot[i] = None
        return rec


def finish_record(
    cfg: Any,
    game: Any,
    rec: GameRecord,
    result: float,
    rng: np.random.Generator,
    player: str = "seigen selfplay",
) -> GameRecord:
    """Close a game's record: its result (+1 the first player won, -1 lost, 0 drawn), and for
    Go the game as SGF and, with ``cfg.ownership``, the final owners and score (a resigned
    game: the owners as light playouts see them)."""
    rec.result = result
    if isinstance(game, GoGame):
        from seigen.engine.sgf import GameInfo, write_sgf

        resigned = "B+R" if result > 0 else "W+R"
        outcome = game.board.result() if game.is_terminal() else resigned
        rec.sgf = write_sgf(game.board, None, GameInfo(black=player, white=player, result=outcome))
    if isinstance(game, GoGame) and cfg.ownership:
        board = game.board
        if game.is_terminal():
            rec.ownership = area_ownership(board.colors())
            rec.score = float(board.score())
        else:
            rec.ownership = np.sign(np.round(board.ownership(n=64, seed=int(rng.integers(2**31))))).astype(
                np.int8
            )
            rec.score = float(rec.ownership.sum()) - board._komi_total()
    return rec


def log_to(run_dir: str | Path, name: str) -> None:
    """Send this process's log to ``RUN_DIR/logs/<name>.log`` (each child process has its own file)."""
    logging.basicConfig(
        filename=Path(run_dir) / "logs" / f"{name}.log",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )


class ParentWatch:
    """``is_set()`` when the stop event is set or the process that started this one is gone
    (killed with SIGKILL, say): a child never outlives its run."""

    def __init__(self, stop: Any) -> None:
        self.stop = stop
        self.parent = os.getppid()

    def is_set(self) -> bool:
        return self.stop.is_set() or os.getppid() != self.parent


def actor_main(
    run_dir: str, cfg: Any, actor: int, stop: Any, device: str = "cpu", remote: Any = None
) -> None:
    """An actor process: play until ``stop`` is set, writing shards to ``RUN_DIR/games``.

    ``remote``: ``(slot, requests)`` of the inference server, which then runs the net
    and follows the checkpoints; else the actor loads each new checkpoint itself."""
    import torch

    from seigen.agents.pvnet import load_net
    from seigen.agents.runs import CheckpointError, NewestCheckpoint

    torch.set_num_threads(1)
    stop = ParentWatch(stop)
    run = Path(run_dir)
    log_to(run, f"actor-{actor}")
    games_dir = run / "games"
    follow = NewestCheckpoint(run, load_net)
    while (first := follow.current()) is None and not stop.is_set():
        time.sleep(0.2)
    if stop.is_set():
        return
    seed = int.from_bytes(os.urandom(4), "little") ^ (actor * 7919) ^ int(cfg.seed)
    from seigen.selfplay.teacher import TeacherPlay, teacher_active

    teacher = TeacherPlay(cfg, seed) if teacher_active(run, cfg) else None
    if teacher is not None:
        log.info("actor %d: the %s teacher plays until the net beats it", actor, cfg.teacher)
    if remote is not None:
        from seigen.selfplay.inference import RemoteEvaluator

        play = SelfPlay(cfg, None, seed=seed, evaluator=RemoteEvaluator(remote[0], remote[1], actor))
    else:
        net, _ = load_net(first)
        play = SelfPlay(cfg, net, device=device, seed=seed)
    log.info("actor %d: playing %d games with %s", actor, cfg.games_in_flight, follow.name)
    pending: list[GameRecord] = []
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal pending, last_flush
        if pending:
            try:
                stats = (play.evaluations, play.eval_seconds, *play.resign_checks)
                shard = write_shard(games_dir, actor, pending, stats)
                sgf = next((g.sgf for g in pending if g.sgf), None)
                if sgf is not None:  # one game of each shard as SGF, to look at in a GUI
                    write_atomic(run / "sgf" / f"{shard.stem}.sgf", sgf.encode())
            except OSError as e:
                log.error("actor %d: cannot write a shard in %s: %s", actor, games_dir, e)
                raise SystemExit(DISK_FULL) from None
            play.evaluations, play.eval_seconds, play.resign_checks = 0, 0.0, [0, 0]
            pending = []
        last_flush = time.monotonic()

    while not stop.is_set():
        if teacher is not None and not teacher_active(run, cfg):
            log.info("actor %d: the net has beaten its teacher; self-play with the net from here", actor)
            teacher = None
        pending.extend(play.step() if teacher is None else teacher.step())
        now = time.monotonic()
        if now - last_flush >= cfg.shard_seconds:
            flush()
        if remote is None:
            try:
                newest = follow.poll()
            except CheckpointError as e:  # removed or damaged meanwhile: keep the current net
                log.warning("actor %d: %s", actor, e)
            else:
                if newest is not None:
                    play.set_weights(newest[0].state_dict())
                    log.info("actor %d: now playing with %s", actor, follow.name)
    flush()
    log.info("actor %d: stopped, its finished games written", actor)
