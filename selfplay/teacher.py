"""Teacher games: the classic mcts player plays a Go run's first games, and the net learns from them.

Expert iteration with a classic expert (Anthony et al. 2017; AlphaGo learned from human
experts first). With ``SelfPlayConfig.teacher = "mcts"`` each actor plays its games with
``seigen gtp --player mcts`` (UCT-RAVE with priors and heavy playouts, ``teacher_visits``
simulations a move, one thread, no early stop) against itself, and records every position
as self-play does: the net's input planes, the teacher's root visit distribution as the
policy target, and the game's outcome as the value target. The first ``temperature_moves``
moves are drawn in proportion to the visits, so that games differ; after that the teacher
plays its own choice, passes only when passing does not lose, and resigns (where
``resign_off_fraction`` allows) below the self-play resign threshold.

The evaluator plays each new net (with its search, ``eval_visits``) against the teacher
too; once the net wins at least ``teacher_until`` of those games, it writes
``RUN_DIR/teacher.json`` and the actors go on with self-play by the net. The file stays, so
a resumed run does not go back to the teacher; delete it to bring the teacher back.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from seigen.engine.files import write_atomic
from seigen.selfplay.actor import finish_record, new_game
from seigen.selfplay.shards import GameRecord

TEACHER_FILE = "teacher.json"
"""Written in the run directory when a net has beaten the teacher: the teacher's games are over."""


def teacher_active(run_dir: str | os.PathLike, cfg: Any) -> bool:
    """Whether the run's games are still the teacher's (a teacher is set and no net has beaten it)."""
    return cfg.teacher != "none" and not (Path(run_dir) / TEACHER_FILE).exists()


def mark_teacher_beaten(run_dir: str | os.PathLike, row: dict[str, Any], teacher: str) -> None:
    """Write ``teacher.json`` (atomically): which net beat the teacher, and by how much."""
    result = row["vs"][teacher]
    note = {
        "teacher": teacher,
        "beaten_by": row.get("player"),
        "step": row.get("step"),
        "checkpoint": row.get("checkpoint"),
        "win_rate": result.get("win_rate"),
        "wdl": result.get("wdl"),
        "time": round(time.time(), 3),
    }
    write_atomic(Path(run_dir) / TEACHER_FILE, (json.dumps(note, indent=1) + "\n").encode())


class TeacherPlay:
    """One game at a time of the teacher against itself; ``step()`` plays one move and
    returns the games it finished (the actor's ``SelfPlay.step`` contract)."""

    def __init__(self, cfg: Any, seed: int = 0) -> None:
        from seigen.agents.players import make_player

        if cfg.game != "go":
            raise ValueError(f"the {cfg.teacher} teacher plays Go only, not {cfg.game}")
        self.cfg = cfg
        self.rng = np.random.default_rng(seed)
        self.player: Any = make_player(cfg.teacher, playouts=cfg.teacher_visits, seed=seed)
        self.player.early_stop = False  # every visit counts in the policy target
        self.evaluations = 0  # net evaluations: the teacher makes none
        self.eval_seconds = 0.0
        self._new_game()

    def _new_game(self) -> None:
        self.game = new_game(self.cfg)
        self.record = GameRecord()
        self.player.forget()
        allowed = self.cfg.resign_threshold > -1.0 and self.rng.random() >= self.cfg.resign_off_fraction
        # the self-play threshold is a value in [-1, 1]; the player's is a win rate
        self.player.resign_threshold = (1.0 + self.cfg.resign_threshold) / 2 if allowed else 0.0

    def policy(self, decision: Any) -> np.ndarray:
        """The policy target of the position just searched: the root's visit shares (the
        decided move alone when the player decided without a search)."""
        board = self.game.board
        target = np.zeros(self.game.num_actions, dtype=np.float32)
        if decision.analysis is not None:
            st = self.player.root_statistics(board)
            visits = np.where(st["pruned"], 0.0, st["visits"])
            if visits.sum() > 0:
                return (visits / visits.sum()).astype(np.float32)
        target[board.pass_move if decision.move is None else decision.move] = 1.0
        return target

    def step(self) -> list[GameRecord]:
        from seigen.engine.players import SearchLimits

        game, rec = self.game, self.record
        board = game.board
        decision = self.player.genmove(board, board.to_play, SearchLimits(playouts=self.cfg.teacher_visits))
        policy = self.policy(decision)
        rec.features.append(game.features().astype(np.uint8))
        rec.policy.append(policy)
        rec.movers.append(game.to_play)
        if decision.resign:
            rec.moves.append(-1)
            rec.replies.append(-1)
            return [self._finish(-1.0 if game.to_play == 0 else 1.0)]
        move = int(decision.move)
        if len(game.history) < self.cfg.temperature_moves and move != board.pass_move:
            weights = policy.copy()
            weights[board.pass_move] = 0.0  # an opening is not for passing
            move = int(self.rng.choice(len(weights), p=weights / weights.sum()))
        if rec.replies:
            rec.replies[-1] = move  # the reply to the last position's move
        rec.moves.append(move)
        rec.replies.append(-1)
        game.play(move)
        if game.is_terminal():
            return [self._finish(float(game.returns()))]
        return []

    def _finish(self, result: float) -> GameRecord:
        rec = finish_record(
            self.cfg, self.game, self.record, result, self.rng, player=f"seigen {self.cfg.teacher}"
        )
        self._new_game()
        return rec
