"""The perfect-play yardsticks of ``seigen.selfplay.solvers`` against the independent solvers of ``game_solvers``."""

from __future__ import annotations

import numpy as np
import pytest
from game_solvers import ConnectFourBoard, c4_value, ttt_positions, ttt_solve

from seigen.agents.agent import RandomAgent
from seigen.selfplay.solvers import (
    Connect4Solver,
    connect4_move_accuracy,
    connect4_move_values,
    connect4_positions,
    connect4_value,
    tictactoe_perfect_check,
    tictactoe_solve,
)

# ---------------------------------------------------------------- agents


class TttMinimax:
    """Perfect tic-tac-toe from the independent solver (the lowest optimal square)."""

    name = "minimax"

    def select(self, games):
        return [min(ttt_solve(g.history).optimal) for g in games]


class TttBlunder(TttMinimax):
    """Perfect except on the empty board... and as second player after a corner: takes an edge."""

    def select(self, games):
        moves = super().select(games)
        return [1 if g.history in ([0], [2], [6], [8]) else m for g, m in zip(games, moves, strict=True)]


def c4_reference(moves) -> dict[int, int]:
    """Every legal move's value by the independent (plain Python) solver, searched to the end."""
    board = ConnectFourBoard(moves)
    out = {}
    for col in board.legal():
        won = board.play(col)
        board.undo(col)
        if won:
            out[col] = 1
        elif len(moves) + 1 == 42:
            out[col] = 0
        else:
            out[col] = -c4_value([*moves, col], 42 - len(moves) - 1)
    return out


class C4Reference:
    name = "c4-reference"

    def select(self, games):
        out = []
        for g in games:
            values = c4_reference(g.history)
            out.append(max(values, key=lambda c: (values[c], -abs(c - 3))))
        return out


# ---------------------------------------------------------------- tic-tac-toe


def test_tictactoe_solve_agrees_with_the_independent_solver():
    positions = ttt_positions()
    assert len(positions) > 4000
    for moves in positions.values():
        reference = ttt_solve(moves)
        assert tictactoe_solve(moves) == (reference.value, reference.optimal), moves


def test_perfect_agent_never_loses():
    report = tictactoe_perfect_check(TttMinimax())
    assert report["perfect"] and report["losses"] == 0 and report["lost_games"] == []
    assert report["games"] == report["wins"] + report["draws"] > 500
    assert report["games"] == report["as_first"]["games"] + report["as_second"]["games"]
    assert report["move_accuracy"] == 1.0
    # against a perfect opponent every game is drawn
    perfect = report["vs_perfect"]
    assert perfect["games"] == perfect["draws"] > 0


def test_random_and_flawed_agents_lose():
    report = tictactoe_perfect_check(RandomAgent(0))
    assert not report["perfect"] and report["losses"] > 100
    assert report["vs_perfect"]["losses"] > 0 and report["move_accuracy"] < 0.9
    for game in report["lost_games"]:
        assert ttt_solve(game).value == -1  # the game really is lost: the winner made three in a row

    flawed = tictactoe_perfect_check(TttBlunder())
    assert flawed["as_first"]["losses"] == 0  # only its replies to a corner are wrong
    assert flawed["as_second"]["losses"] > 0 and not flawed["perfect"]
    assert all(g[0] in (0, 2, 6, 8) and g[1] == 1 for g in flawed["lost_games"])
    assert flawed["vs_perfect"]["losses"] > 0


# ---------------------------------------------------------------- Connect Four


def test_connect4_solver_agrees_with_the_independent_solver():
    solver = Connect4Solver(table_size=1 << 16)
    positions = connect4_positions(120, seed=7, min_moves=27, max_moves=40, mixed=False, solver=solver)
    positions += connect4_positions(20, seed=8, min_moves=28, max_moves=30, mixed=True, solver=solver)
    values = set()
    for moves in positions:
        ours = solver.move_values(moves)
        assert ours == c4_reference(moves), moves
        assert solver.value(moves) == max(ours.values())
        values.update(ours.values())
    assert values == {-1, 0, 1}


def test_connect4_solver_known_positions():
    # the side to move has three in the bottom row with both ends open: a win at once
    assert connect4_move_values([2, 2, 3, 3, 4, 4])[1] == 1
    assert connect4_value([2, 2, 3, 3, 4, 4]) == 1
    # the opponent threatens both ends: whatever the side to move does, it loses
    assert connect4_value([2, 0, 3, 0, 4]) == -1
    assert set(connect4_move_values([2, 0, 3, 0, 4]).values()) == {-1}
    with pytest.raises(ValueError):
        connect4_value([0, 1, 0, 1, 0, 1, 0])  # over: four in column 0
    with pytest.raises(ValueError):
        connect4_value([0] * 7)  # a full column


def test_connect4_positions_are_distinct_running_and_mixed():
    positions = connect4_positions(30, seed=1, min_moves=20, max_moves=30)
    assert len(positions) == len(set(positions)) == 30
    assert positions == connect4_positions(30, seed=1, min_moves=20, max_moves=30)
    for moves in positions:
        assert 20 <= len(moves) <= 30
        board = ConnectFourBoard(moves)  # raises on a move after a win
        assert not board.winner
        assert len(set(connect4_move_values(moves).values())) >= 2


def test_connect4_move_accuracy():
    positions = connect4_positions(40, seed=3, min_moves=28, max_moves=36)
    perfect = connect4_move_accuracy(C4Reference(), positions)
    assert perfect["positions"] == perfect["optimal"] == 40 and perfect["accuracy"] == 1.0
    assert sum(perfect["blunders"].values()) == 0
    random = connect4_move_accuracy(RandomAgent(0), positions)
    assert random["accuracy"] < 0.8
    assert random["optimal"] + sum(random["blunders"].values()) == 40
    assert sum(v["positions"] for v in random["by_value"].values()) == 40
    assert sum(v["positions"] for v in random["by_empty"].values()) == 40
    np.testing.assert_allclose(
        random["accuracy"], sum(v["optimal"] for v in random["by_value"].values()) / 40
    )
