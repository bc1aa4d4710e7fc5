"""``seigen demo``: one random game on seigen's Board, its result, then a short board benchmark."""

from __future__ import annotations

import numpy as np

from seigen.engine import Board
from seigen.scripts.configs import DemoConfig


def random_game(size: int = 9, seed: int = 0, rules: str = "chinese") -> Board:
    """A game of uniform random legal moves that fill no own eye, to two passes or 3*N*N moves."""
    board = Board(size, rules=rules)
    rng = np.random.default_rng(seed)
    cap = 3 * size * size
    while not board.is_over and board.move_number < cap:
        candidates = board.sensible_moves()
        move = int(rng.choice(candidates)) if candidates.size else board.pass_move
        board.play(move)
    return board


def main(cfg: DemoConfig) -> int:
    """``seigen demo``."""
    board = random_game(cfg.size, cfg.seed, cfg.rules)
    print(board)
    ended = "two passes" if board.is_over else f"the {3 * cfg.size * cfg.size}-move cap"
    print(
        f"Result: {board.result()} (score {board.score():+g}, black minus white, {cfg.rules} rules, "
        f"komi {board.komi:g}) after {board.move_number} moves, ended by {ended}"
    )
    if cfg.bench_seconds > 0:
        from seigen.scripts.bench_board import render_table, run_board_benchmark, stdout_console

        print()
        rows = run_board_benchmark(cfg.size, cfg.bench_seconds, repeats=1, peer=True, seed=cfg.seed)
        stdout_console().print(render_table(rows))
    return 0
