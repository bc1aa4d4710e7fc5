"""The native games against PettingZoo's, move for move, and the PettingZoo adapter in search."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pettingzoo.classic import connect_four_v3, tictactoe_v3

from seigen.engine.board import Board
from seigen.engine.games import ConnectFour, GoGame, PettingZooGame, TicTacToe
from seigen.engine.search import BatchedSearch, SearchConfig, UniformEvaluator

PAIRS = [(TicTacToe, tictactoe_v3.env), (ConnectFour, connect_four_v3.env)]


def _agree(native, pz) -> None:
    assert native.to_play == pz.to_play
    assert native.is_terminal() == pz.is_terminal()
    if native.is_terminal():
        assert native.returns() == pz.returns()
    else:
        assert np.array_equal(native.legal_mask(), pz.legal_mask())
        assert np.array_equal(native.features(), pz.features())


@pytest.mark.parametrize("native_cls, env_fn", PAIRS)
def test_native_and_pettingzoo_agree_on_random_games(native_cls, env_fn):
    rng = np.random.default_rng(0)
    games = 150 if native_cls is TicTacToe else 60
    for _ in range(games):
        native, pz = native_cls(), PettingZooGame(env_fn)
        _agree(native, pz)
        while not native.is_terminal():
            a = int(rng.choice(native.legal_actions()))
            native.play(a)
            pz.play(a)
            _agree(native, pz)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=42))
def test_connect_four_illegal_moves_are_refused_like_pettingzoo(moves):
    native, pz = ConnectFour(), PettingZooGame(connect_four_v3.env)
    for a in moves:
        legal = bool(pz.legal_mask()[a]) if not pz.is_terminal() else False
        if legal:
            native.play(a)
            pz.play(a)
        else:
            with pytest.raises(ValueError):
                native.play(a)
            with pytest.raises(ValueError):
                pz.play(a)
        _agree(native, pz)


@pytest.mark.parametrize(
    "native_cls, env_fn, moves",
    [(TicTacToe, tictactoe_v3.env, [4, 0]), (ConnectFour, connect_four_v3.env, [3, 3, 2])],
)
def test_search_through_the_adapter_visits_exactly_like_the_native_game(native_cls, env_fn, moves):
    """With a deterministic evaluator the two searches must build the same tree."""
    cfg = SearchConfig(visits=120, leaves_per_tree=4)
    native = BatchedSearch([native_cls(moves)], UniformEvaluator(), cfg).run()[0]
    pz = PettingZooGame(env_fn)
    for a in moves:
        pz.play(a)
    adapted = BatchedSearch([pz], UniformEvaluator(), cfg).run()[0]
    assert np.array_equal(native.visits, adapted.visits)
    assert native.best_action == adapted.best_action
    assert native.value == pytest.approx(adapted.value)


def test_adapter_search_finds_a_win_in_one_and_advances():
    pz = PettingZooGame(tictactoe_v3.env)
    for a in [0, 3, 1, 4]:
        pz.play(a)
    search = BatchedSearch([pz], UniformEvaluator(), SearchConfig(visits=300))
    r = search.run()[0]
    assert r.best_action == 2
    search.advance([2])
    assert pz.is_terminal() and pz.returns() == 1.0


def test_adapter_refuses_games_that_are_not_two_player_with_masks():
    class NoMask:
        possible_agents = ("a", "b")
        agent_selection = "a"

        def reset(self, seed=None):
            pass

        def observe(self, agent):
            return np.zeros(3)

    with pytest.raises((ValueError, IndexError, TypeError)):
        PettingZooGame(NoMask)


def test_go_game_matches_the_board_on_random_games():
    """Legality (superko included), features and the end of the game, against ``Board``."""
    rng = np.random.default_rng(1)
    for rules in ("tromp-taylor", "japanese", "nz"):
        for _ in range(6):
            board = Board(5, rules=rules)
            game = GoGame(board.copy(), max_moves=10_000)
            for _ in range(120):
                mask = game.legal_mask()
                assert np.array_equal(mask[:-1], board.legal_mask().reshape(-1)[:25])
                assert [game.native.is_legal(a) for a in range(26)] == [bool(m) for m in mask]
                assert np.array_equal(game.features(), board.features())
                moves = np.flatnonzero(game.legal_mask())
                a = int(rng.choice(moves)) if rng.random() < 0.9 else 25
                game.play(a)
                board.play(a)
                if game.is_terminal():
                    assert board.is_over
                    break


def test_go_game_result_is_area_with_komi():
    board = Board.from_diagram(
        """
        . X O . .
        X X O . .
        . X O . .
        X X O O O
        . X O . .
        """,
        rules="tromp-taylor",
        komi=0.5,
    )
    game = GoGame(board)
    game.play(25)
    game.play(25)
    assert game.is_terminal()
    expected = 1.0 if board.score() > 0 else -1.0
    assert game.returns() == expected
