"""Property tests: random move sequences keep every invariant of the C board."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seigen.engine import Board, IllegalMoveError, Rules

RULES = st.builds(
    Rules,
    ko=st.sampled_from(["simple", "positional", "situational"]),
    suicide=st.booleans(),
)


def play_random(board: Board, data, n_moves: int) -> list[int]:
    """Play up to ``n_moves`` legal moves drawn by hypothesis; returns them."""
    played = []
    for _ in range(n_moves):
        legal = board.legal_moves()
        non_pass = legal[:-1]
        if len(non_pass) and data.draw(st.integers(0, 9)) > 0:
            move = int(data.draw(st.sampled_from(non_pass.tolist())))
        else:
            move = board.pass_move
        board.play(move)
        played.append(move)
        board.check_consistency()
        if board.is_over:
            break
    return played


@settings(max_examples=200, deadline=None)
@given(size=st.sampled_from([2, 3, 4, 5, 7, 9]), rules=RULES, data=st.data())
def test_random_games_keep_invariants_and_undo_restores_everything(size, rules, data):
    board = Board(size, rules=rules)
    states = [(board.hash, board.diagram(), dict(board.captures), board.to_play)]
    moves = []
    for _ in range(size * size * 2):
        moves += play_random(board, data, 1)
        states.append((board.hash, board.diagram(), dict(board.captures), board.to_play))
        if board.is_over:
            break
    for expected in reversed(states[:-1]):
        board.undo()
        board.check_consistency()
        assert (board.hash, board.diagram(), board.captures, board.to_play) == expected


@settings(max_examples=100, deadline=None)
@given(size=st.sampled_from([3, 5, 9, 13, 19]), rules=RULES, data=st.data())
def test_legal_moves_are_exactly_the_moves_play_accepts(size, rules, data):
    board = Board(size, rules=rules)
    play_random(board, data, data.draw(st.integers(0, size * size)))
    mask = board.legal_mask()
    for move in range(size * size + 1):
        trial = board.copy()
        try:
            trial.play(move)
            accepted = True
        except IllegalMoveError:
            accepted = False
        assert accepted == bool(mask[move]), (board.vertex(move), str(board))
        assert board.is_legal(move) == accepted


@settings(max_examples=40, deadline=None)
@given(size=st.sampled_from([5, 9]), data=st.data())
def test_copy_is_independent(size, data):
    board = Board(size)
    play_random(board, data, 20)
    clone = board.copy()
    before = (board.hash, board.diagram(), board.move_number)
    play_random(clone, data, 10)
    clone.check_consistency()
    assert (board.hash, board.diagram(), board.move_number) == before
    board.check_consistency()


@settings(max_examples=40, deadline=None)
@given(size=st.sampled_from([4, 9]), data=st.data())
def test_features_match_the_history(size, data):
    board = Board(size)
    boards = [board.colors()]
    for _ in range(data.draw(st.integers(0, 12))):
        play_random(board, data, 1)
        boards.append(board.colors())
        if board.is_over:
            break
    for dtype in (np.float32, np.uint8):
        planes = board.features(dtype=dtype)
        assert planes.dtype == dtype and planes.shape == (17, size, size)
        me = 1 if board.to_play == "black" else 2
        for k in range(8):
            past = boards[-1 - k] if k < len(boards) else np.zeros((size, size), np.uint8)
            np.testing.assert_array_equal(planes[k], past == me)
            np.testing.assert_array_equal(planes[8 + k], past == 3 - me)
        assert np.all(planes[16] == (me == 1))


@settings(max_examples=30, deadline=None)
@given(size=st.sampled_from([5, 7, 9]), seed=st.integers(0, 2**32), data=st.data())
def test_playouts_end_in_finished_positions(size, seed, data):
    board = Board(size, rules=Rules(komi=0))
    play_random(board, data, data.draw(st.integers(0, 10)))
    if board.is_over:
        return
    scores = board.playouts(20, seed)
    assert np.all(np.abs(scores) <= size * size)
    # the same seed gives the same playouts
    np.testing.assert_array_equal(scores, board.playouts(20, seed))
    own = board.ownership(20, seed)
    assert own.shape == (size, size) and np.all(np.abs(own) <= 1)
    # the final owners of a batch of playouts sum to their mean area score, with or
    # without the self-atari rule of the ownership playouts
    for no_self_atari in (False, True):
        owners, finals = np.zeros((size, size)), np.empty(20)
        board._c.playouts(finals, seed, 0, owners, False, no_self_atari)
        assert abs(owners.sum() / 20 - finals.mean()) < 1e-9
        assert np.all(np.abs(finals) <= size * size)


def test_superko_history_survives_copy_and_undo():
    board = Board(4, rules=Rules(ko="positional"))
    for move in ["B4", "C4", "A3", "D3", "B2", "C2", "B1"]:
        board.play(move)
    clone = board.copy()
    assert (clone.legal_mask() == board.legal_mask()).all()
    board.undo()
    board.play("B1")
    assert (clone.legal_mask() == board.legal_mask()).all()
