"""The batched MCTS against perfect play: forced wins in Connect Four, tic-tac-toe tactics, no lost games.

The oracles are the plain-Python solvers of ``game_solvers`` (no seigen code). Every
position is checked with a solver inside the test before the search is asked about it:
the Connect Four positions really are forced wins in exactly the stated number of plies
(and no other move wins within four plies more), and the tic-tac-toe position sets (every
reachable position with a win in 1, a threat to block, or a fork) are enumerated by the
solver, not written by hand.

Many searches go through one ``BatchedSearch`` at a time, one tree per position, which is
how the search is meant to be used and keeps this file fast. The same position put in
several slots gets several independent searches: each slot has its own playout stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from game_solvers import (
    ConnectFourBoard,
    Solution,
    TttBoard,
    c4_value,
    c4_winning_cells,
    c4_wins_within,
    ttt_after,
    ttt_board,
    ttt_diagram,
    ttt_is_terminal,
    ttt_legal,
    ttt_positions,
    ttt_result,
    ttt_solve,
    ttt_to_play,
    ttt_winning_cells,
)

from seigen.engine.games import ConnectFour, TicTacToe
from seigen.engine.search import (
    BatchedSearch,
    RolloutEvaluator,
    SearchConfig,
    SearchResult,
    UniformEvaluator,
)

# ---------------------------------------------------------------- helpers


def search(
    game_cls: type, positions: Sequence[Sequence[int]], evaluator: object, visits: int
) -> list[SearchResult]:
    """One full search of ``visits`` simulations for every position, all in one batch."""
    games = [game_cls(list(moves)) for moves in positions]
    results = BatchedSearch(games, evaluator, SearchConfig(visits=visits)).run()
    assert len(results) == len(positions)
    return results


def report(failures: list[str], total: int, what: str) -> str:
    shown = "\n\n".join(failures[:5])
    return f"{len(failures)} of {total} searches {what}; the first ones:\n\n{shown}"


def ttt_failure(moves: Sequence[int], result: SearchResult, wanted: object) -> str:
    board = ttt_board(moves)
    return (
        f"moves {list(moves)}, {'XO'[ttt_to_play(board)]} to play, wanted {wanted}, "
        f"search chose {result.best_action} (visits {result.visits.tolist()})\n{ttt_diagram(board)}"
    )


def forks(board: TttBoard) -> set[int]:
    """Moves after which the side to move has two or more cells that win at once."""
    me = ttt_to_play(board)
    return {a for a in ttt_legal(board) if len(ttt_winning_cells(ttt_after(board, a), me)) >= 2}


@pytest.fixture(scope="module")
def ttt_all() -> dict[TttBoard, tuple[int, ...]]:
    """Every reachable unfinished tic-tac-toe position (4520), with a move list for each."""
    return ttt_positions()


@pytest.fixture(scope="module")
def ttt_wins_in_one(ttt_all) -> dict[TttBoard, tuple[int, ...]]:
    """Every position where the side to move can complete a line at once (2358)."""
    cases = {b: m for b, m in ttt_all.items() if ttt_winning_cells(b, ttt_to_play(b))}
    assert len(cases) == 2358
    return cases


# ---------------------------------------------------------------- the oracles themselves


def test_tictactoe_solver_knows_the_classic_facts(ttt_all):
    assert len(ttt_all) == 4520  # of the 5478 legal positions, 958 are finished games
    assert ttt_solve([]) == Solution(0, frozenset(range(9)))
    assert ttt_solve([0]) == Solution(0, frozenset({4}))  # after a corner only the centre draws
    assert ttt_solve([4]) == Solution(0, frozenset({0, 2, 6, 8}))  # after the centre only a corner
    assert ttt_solve([4, 1]).value == 1  # an edge reply to the centre loses
    assert ttt_solve([0, 4, 8]).optimal == {1, 3, 5, 7}  # opposite corners: O must take an edge


def test_connect_four_solver_agrees_with_plain_minimax():
    """Alpha-beta and its memo against a minimax without either, on random positions."""

    def minimax(board: ConnectFourBoard, depth: int) -> int:
        if depth == 0 or board.is_full():
            return 0
        best = -1
        for col in board.legal():
            won = board.play(col)
            best = max(best, 1 if won else -minimax(board, depth - 1))
            board.undo(col)
        return best

    rng = np.random.default_rng(1)
    checked = 0
    while checked < 60:
        board, moves = ConnectFourBoard(), []
        for _ in range(rng.integers(6, 30)):
            col = int(rng.choice(board.legal()))
            moves.append(col)
            if board.play(col):
                break
        if board.winner or board.is_full():
            continue
        depth = int(rng.integers(1, 5))
        assert c4_value(moves, depth) == minimax(board, depth), moves
        expected = set()
        for col in board.legal():
            if board.play(col) or minimax(board, depth - 1) == -1:
                expected.add(col)
            board.undo(col)
        assert c4_wins_within(moves, depth) == expected, moves
        checked += 1


# ---------------------------------------------------------------- the oracles agree with the games


def test_solvers_and_native_games_agree_on_random_games():
    """Same legal moves, side to move, end and result, and features that show the solvers' boards."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        game, moves = TicTacToe(), []
        while True:
            board = ttt_board(moves)
            assert game.to_play == ttt_to_play(board)
            assert game.is_terminal() == ttt_is_terminal(board)
            if game.is_terminal():
                assert game.returns() == ttt_result(board)
                break
            assert np.flatnonzero(game.legal_mask()).tolist() == ttt_legal(board)
            planes = game.features()
            cells = np.asarray(board).reshape(3, 3)
            assert planes.shape == (2, 3, 3)
            assert np.array_equal(planes[0], cells == 1 + ttt_to_play(board))
            assert np.array_equal(planes[1], cells == 2 - ttt_to_play(board))
            move = int(rng.choice(ttt_legal(board)))
            game.play(move)
            moves.append(move)
        assert game.history == moves

    for _ in range(100):
        game, oracle = ConnectFour(), ConnectFourBoard()
        while True:
            assert game.to_play == oracle.to_play
            done = bool(oracle.winner) or oracle.is_full()
            assert game.is_terminal() == done
            if done:
                assert game.returns() == {0: 0, 1: 1, 2: -1}[oracle.winner]
                break
            assert np.flatnonzero(game.legal_mask()).tolist() == oracle.legal()
            cells = np.asarray(oracle.cells)
            planes = game.features()
            assert planes.shape == (2, 6, 7)
            assert np.array_equal(planes[0], cells == 1 + oracle.to_play)
            assert np.array_equal(planes[1], cells == 2 - oracle.to_play)
            move = int(rng.choice(oracle.legal()))
            game.play(move)
            oracle.play(move)


# ---------------------------------------------------------------- Connect Four: forced wins

# name: (moves from the empty board, the position they reach, plies to the forced win,
#        the one winning move, visits per search). The visits are two to three times what
#        40 of 40 independent searches needed when the test was written.
CONNECT_FOUR_WINS = {
    "X wins at once in column 6 rather than block O": (
        [4, 2, 1, 5, 0, 6, 2, 2, 2, 1, 6, 3, 3, 3, 6, 4, 3, 5, 6, 4],
        """
        . . . . . . .
        . . . . . . .
        . . X X . . X
        . . O O O . X
        . O X X O O X
        X X O O X O O
        """,
        1,
        6,
        2_000,
    ),
    "O wins at once in column 2 rather than block X": (
        [4, 1, 3, 2, 4, 6, 6, 2, 3, 2, 5],
        """
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . O . . . .
        . . O X X . X
        . O O X X X O
        """,
        1,
        2,
        2_000,
    ),
    "O wins in 3: column 2 threatens columns 0 and 3": (
        [5, 3, 0, 0, 1, 1, 0, 5, 6, 1, 1, 2, 1],
        """
        . . . . . . .
        . X . . . . .
        . X . . . . .
        X O . . . . .
        O O . . . O .
        X X O O . X X
        """,
        3,
        2,
        10_000,
    ),
    "O wins in 3: column 5 threatens columns 4 and 5": (
        [6, 5, 1, 2, 6, 5, 6, 3, 4, 6, 3, 0, 1],
        """
        . . . . . . .
        . . . . . . .
        . . . . . . O
        . . . . . . X
        . X . X . O X
        O X O O X O X
        """,
        3,
        5,
        30_000,
    ),
    "O wins in 3: column 5 threatens columns 4 and 6": (
        [0, 2, 0, 6, 3, 3, 3, 3, 0, 5, 2, 0, 0, 1, 4, 1, 2, 1, 1, 4, 3],
        """
        . . . . . . .
        X . . X . . .
        O X . O . . .
        X O X X . . .
        X O X O O . .
        X O O X X O O
        """,
        3,
        5,
        30_000,
    ),
    "O wins in 3: column 4 makes a threat above another": (
        [2, 6, 5, 4, 6, 1, 2, 5, 1, 1, 3, 0, 4, 6, 6, 5, 5, 3, 5, 2, 1],
        """
        . . . . . . .
        . . . . . X .
        . X . . . X X
        . O O . . O O
        . X X O X O X
        O O X X O X O
        """,
        3,
        4,
        200_000,
    ),
    "X wins in 5 starting in column 5": (
        [0, 4, 5, 6, 3, 3, 3, 3, 5, 1, 4, 6],
        """
        . . . . . . .
        . . . . . . .
        . . . O . . .
        . . . X . . .
        . . . O X X O
        X O . X O X O
        """,
        5,
        5,
        30_000,
    ),
    "X wins in 5 starting in column 4": (
        [5, 0, 6, 1, 4, 3, 2, 3, 4, 1, 2, 5, 2, 2],
        """
        . . . . . . .
        . . . . . . .
        . . O . . . .
        . . X . . . .
        . O X O X O .
        O O X O X X X
        """,
        5,
        4,
        100_000,
    ),
    "O wins in 5 starting in column 2": (
        [3, 4, 2, 3, 1, 0, 1, 2, 3, 2, 4, 3, 0, 3, 4, 5, 6, 0, 6, 4, 6, 4, 3, 6, 2],
        """
        . . . X . . .
        . . . O O . .
        . . X O O . O
        O . O X X . X
        X X O O X . X
        O X X X O O X
        """,
        5,
        2,
        100_000,
    ),
    "O wins in 5 starting with the forced block in column 5": (
        [2, 2, 0, 1, 4, 6, 6, 3, 4, 2, 5, 4, 3],
        """
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . O . O . .
        . . O X X . X
        X O X O X X O
        """,
        5,
        5,
        10_000,
    ),
}


@pytest.mark.parametrize("name", list(CONNECT_FOUR_WINS))
def test_connect_four_rollout_search_finds_the_forced_win(name):
    """Eight independent searches (one per slot, each with its own playouts) all play the winning move."""
    moves, diagram, plies, winning, visits = CONNECT_FOUR_WINS[name]
    oracle = ConnectFourBoard(moves)
    assert oracle.diagram() == "\n".join(line.strip() for line in diagram.strip().splitlines())
    assert "XO"[oracle.to_play] == name[0]
    assert c4_wins_within(moves, plies) == {winning}, "the solver disagrees with the stated winning move"
    if plies > 1:
        assert not c4_wins_within(moves, plies - 2), f"the win takes fewer than {plies} plies"
    # no slower win close behind, which the search could rightly prefer
    assert c4_wins_within(moves, plies + 4) == {winning}
    if "rather than block" in name:
        assert c4_winning_cells(moves, 1 - oracle.to_play) - {winning}

    results = search(ConnectFour, [moves] * 8, RolloutEvaluator(rollouts=1), visits)
    chosen = [r.best_action for r in results]
    assert chosen == [winning] * len(chosen), f"the searches chose {chosen}; only {winning} wins"
    for r in results:
        assert r.value > 0, f"a forced win valued at {r.value}"


# ---------------------------------------------------------------- tic-tac-toe tactics


def test_tictactoe_rollout_search_keeps_every_win_in_one(ttt_wins_in_one):
    """Where a line can be completed at once, the search plays a move that still wins by force."""
    lines = list(ttt_wins_in_one.values())
    results = search(TicTacToe, lines, RolloutEvaluator(rollouts=1), visits=200)
    failures = []
    for moves, r in zip(lines, results, strict=True):
        solved = ttt_solve(moves)
        assert solved.value == 1
        if r.best_action not in solved.optimal:
            failures.append(ttt_failure(moves, r, set(solved.optimal)))
    assert not failures, report(failures, len(lines), "threw away a win")


def test_tictactoe_rollout_search_takes_the_win_in_one_over_a_slower_sure_win(ttt_wins_in_one):
    lines = list(ttt_wins_in_one.values())
    results = search(TicTacToe, lines, RolloutEvaluator(rollouts=1), visits=200)
    failures = []
    for (board, moves), r in zip(ttt_wins_in_one.items(), results, strict=True):
        wins = ttt_winning_cells(board, ttt_to_play(board))
        if r.best_action not in wins:
            failures.append(ttt_failure(moves, r, wins))
    assert not failures, report(failures, len(lines), "missed the win in 1")


def test_tictactoe_uniform_search_wins_in_one_from_terminal_values_alone(ttt_wins_in_one):
    """The uniform evaluator says 0 everywhere: only the search's own terminal values point to the win."""
    lines = list(ttt_wins_in_one.values())
    results = search(TicTacToe, lines, UniformEvaluator(), visits=200)
    failures = []
    for (board, moves), r in zip(ttt_wins_in_one.items(), results, strict=True):
        wins = ttt_winning_cells(board, ttt_to_play(board))
        if r.best_action not in wins or r.value <= 0:
            failures.append(ttt_failure(moves, r, wins) + f"\nroot value {r.value}")
    assert not failures, report(failures, len(lines), "missed the win in 1 with the uniform evaluator")


def test_tictactoe_rollout_search_never_misses_a_block_that_holds(ttt_all):
    """One opponent threat, no win of our own, and the block does not lose: the search blocks.

    Where the block loses anyway (116 more positions) every move loses, and plain MCTS,
    which does not prefer the longer defeat, may play any of them.
    """
    cases = {
        b: m
        for b, m in ttt_all.items()
        if not ttt_winning_cells(b, ttt_to_play(b))
        and len(ttt_winning_cells(b, 1 - ttt_to_play(b))) == 1
        and ttt_solve(m).value >= 0
    }
    assert len(cases) == 860
    lines = list(cases.values()) * 2
    results = search(TicTacToe, lines, RolloutEvaluator(rollouts=1), visits=500)
    failures = []
    for moves, r in zip(lines, results, strict=True):
        (block,) = ttt_winning_cells(ttt_board(moves), 1 - len(moves) % 2)
        assert ttt_solve(moves).optimal == {block}
        if r.best_action != block:
            failures.append(ttt_failure(moves, r, block))
    assert not failures, report(failures, len(lines), "missed a block")


def test_tictactoe_rollout_search_finds_a_winning_fork(ttt_all):
    """No threat on the board and a move that makes two: the search plays a winning move."""
    cases = {
        b: m
        for b, m in ttt_all.items()
        if not ttt_winning_cells(b, 0) and not ttt_winning_cells(b, 1) and forks(b)
    }
    assert len(cases) == 192
    lines = list(cases.values()) * 4
    results = search(TicTacToe, lines, RolloutEvaluator(rollouts=1), visits=2000)
    failures = []
    for moves, r in zip(lines, results, strict=True):
        solved = ttt_solve(moves)
        assert solved.value == 1 and forks(ttt_board(moves)) <= solved.optimal
        if r.best_action not in solved.optimal:
            failures.append(ttt_failure(moves, r, set(solved.optimal)))
    assert not failures, report(failures, len(lines), "missed the winning fork")


# ---------------------------------------------------------------- tic-tac-toe: never loses to perfect play


@pytest.mark.parametrize("mcts_player", [0, 1], ids=["mcts-first", "mcts-second"])
def test_tictactoe_rollout_search_never_loses_to_any_perfect_line(mcts_player):
    """The game tree, level by level: the search against every optimal reply of the perfect player.

    Four random playouts per leaf (one is too noisy for the deep traps at 3000 visits with
    AlphaZero's c_puct and uniform priors: about 1 search in 20 then falls into one).
    Each position where the search is to move gets four independent searches (four slots),
    and the tree branches over every move they choose, as it does over every optimal
    reply of the perfect player. Positions reached by different move orders are merged;
    all the positions of one level go through one batch.
    """
    copies = 4
    frontier: dict[TttBoard, tuple[int, ...]] = {ttt_board(()): ()}
    finished: dict[TttBoard, tuple[int, ...]] = {}
    searched = 0
    while frontier:
        lines = list(frontier.values())
        if len(lines[0]) % 2 == mcts_player:
            batch = [moves for moves in lines for _ in range(copies)]
            results = search(TicTacToe, batch, RolloutEvaluator(rollouts=4), visits=3000)
            searched += len(batch)
            children = [(*moves, r.best_action) for moves, r in zip(batch, results, strict=True)]
        else:
            children = [(*moves, a) for moves in lines for a in sorted(ttt_solve(moves).optimal)]
        frontier = {}
        for moves in children:
            board = ttt_board(moves)  # raises on an illegal move
            (finished if ttt_is_terminal(board) else frontier).setdefault(board, moves)

    sign = 1 if mcts_player == 0 else -1
    lost = [moves for board, moves in finished.items() if sign * ttt_result(board) < 0]
    assert not lost, f"the search lost {len(lost)} of {len(finished)} games, e.g. {lost[:5]}"
    assert searched >= 40 and len(finished) >= 3
