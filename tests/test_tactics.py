"""The tactical suite (``seigen.scripts.tactics``): sound problems, and the mcts player solves each within
its stated number of simulations."""

from __future__ import annotations

import json

import pytest

from seigen.engine.players import RandomPlayer
from seigen.engine.uct import UctConfig, UctPlayer
from seigen.scripts.tactics import PROBLEMS, TacticsConfig, check, gnugo_command, main, playout_komi, run


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


BUDGETS = (1000, 3000, 10_000, 30_000)
"""The budgets a problem's ``sims`` is chosen from: the smallest at which the mcts player
with heavy playouts solves it with seeds 0, 1 and 2."""


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_budget_is_one_of_the_stated_ones(problem) -> None:
    assert problem.sims in BUDGETS


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.name)
def test_mcts_solves_each_problem_within_its_budget(problem) -> None:
    """The mcts player with heavy playouts, seed 0, at the problem's own ``sims``."""
    [row] = run(UctPlayer(playouts=problem.sims, config=UctConfig(playout="heavy")), 0, (problem,))
    assert row["sims"] == problem.sims
    assert row["solved"], (row["move"], problem.answers)


def test_sims_zero_runs_each_problem_at_its_own_budget(capsys) -> None:
    assert main(TacticsConfig(sims=0, player="random", json=True)) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["problems"] == len(PROBLEMS)
    assert [r["sims"] for r in out["rows"]] == [p.sims for p in PROBLEMS]
    with pytest.raises(ValueError):
        run(RandomPlayer(), -1, PROBLEMS[:1])
