"""The tactical suite (``seigen.scripts.tactics``): sound problems, and the mcts player solves them."""

from __future__ import annotations

import pytest

from seigen.engine.uct import UctConfig, UctPlayer
from seigen.scripts.tactics import PROBLEMS, check, gnugo_command, playout_komi, run


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_problem_is_a_position_with_legal_answers(problem) -> None:
    board = problem.board()
    assert board.colors()[_rc(board, problem.target)] != 0, "the target is a stone"
    for move in problem.answers:
        assert board.is_legal(board.parse_move(move), problem.to_play), move


def _rc(board, vertex: str) -> tuple[int, int]:
    return divmod(board.parse_move(vertex), board.size)


@pytest.mark.skipif(gnugo_command() is None, reason="GNU Go is not installed")
@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_answers_are_exactly_the_moves_that_work_by_gnugo(problem) -> None:
    assert check(problem, gnugo_command()) == []


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_komi_puts_the_game_on_the_fight(problem) -> None:
    """The stored komi is the heavy playouts' midpoint (to a point: playouts change)."""
    assert abs(playout_komi(problem, n=2000) - problem.komi) <= 1.0


def test_mcts_solves_the_suite_at_3000_simulations() -> None:
    rows = run(UctPlayer(playouts=3000, config=UctConfig(playout="heavy")), 3000)
    unsolved = [(r["problem"], r["move"]) for r in rows if not r["solved"]]
    assert not unsolved, unsolved
