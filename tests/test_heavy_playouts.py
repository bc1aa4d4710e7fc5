"""Heavy playouts: the 3x3 shape table, each rule of the policy, and the playouts they make."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seigen.engine import Board, Rules
from seigen.engine.board import PlayoutPolicy
from seigen.ext import board as cb
from seigen.ext import patterns as pt
from seigen.ext.tree import NativeGame, Trees
from seigen.scripts.playout_strength import match

PASS_LOC = 1
ONLY = dict(save=0.0, capture=0.0, capture_any=0.0, pattern=0.0, self_atari_reject=0.0)  # every rule off


def policy(**on) -> PlayoutPolicy:
    """A policy with every rule off except those given."""
    return PlayoutPolicy(**{**ONLY, **on})


def position(diagram: str, last: str, size: int | None = None) -> Board:
    """A simple-ko board from ``diagram``, then ``last`` played by white: black is to move after it."""
    board = Board.from_diagram(diagram, rules=Rules(ko="simple", komi=0), to_play="white")
    board.play(last)
    return board


def moves_picked(board: Board, pol: PlayoutPolicy, seeds: int = 40) -> list[str]:
    """The heavy policy's move (a vertex) for ``seeds`` random streams."""
    out = []
    for seed in range(seeds):
        loc = board._c.heavy_move(seed, pol)
        out.append("pass" if loc == PASS_LOC else board.vertex(_index(board, loc)))
    return out


def _index(board: Board, loc: int) -> int:
    s = board.size + 2
    return (loc // s - 1) * board.size + loc % s - 1


# ---------------------------------------------------------------- the shape table
TABLE = cb.pattern_table()


def _board_with(code: int, size: int = 5) -> tuple[Board, int] | None:
    """A board whose point with 3x3 neighbourhood ``code`` exists (edges where the code
    has off-board cells); None when no point fits or a stone would have no liberty."""
    cells = pt.decode(code)
    for r in range(size):
        for c in range(size):
            off = [not (0 <= r + dr < size and 0 <= c + dc < size) for dr, dc in pt.NEIGHBOURS]
            if off != [v == pt.OFF for v in cells]:
                continue
            black, white = [], []
            for (dr, dc), v in zip(pt.NEIGHBOURS, cells, strict=True):
                if v in (pt.BLACK, pt.WHITE):
                    (black if v == pt.BLACK else white).append((r + dr) * size + c + dc)
            board = Board(size)
            try:
                board.setup(black, white)
            except ValueError:
                return None
            return board, r * size + c
    return None


def test_every_shape_matches_in_all_symmetries_and_colours():
    rng = random.Random(0)
    for name, rows in pt.PATTERNS.items():
        codes = sorted(pt.shape_codes(rows))
        for code in rng.sample(codes, min(6, len(codes))):
            for variant in pt.variants(code):
                assert TABLE[variant], (name, variant)
                found = _board_with(variant)
                if found is not None:  # the same on a real board, through the C neighbourhood code
                    board, index = found
                    assert board._c.pattern_at(board._loc(index)), (name, pt.decode(variant))


def test_symmetries_are_the_turns_and_mirrors_of_the_diagram():
    rows = pt.PATTERNS["hane_magari"]
    turned = tuple("".join(rows[2 - c][r] for c in range(3)) for r in range(3))  # a quarter turn
    mirrored = tuple(row[::-1] for row in rows)
    code = next(iter(pt.shape_codes(rows)))
    assert len({pt.transform(code, s) for s in range(8)}) == 8
    for other in (turned, mirrored):
        assert any(pt.transform(code, s) in pt.shape_codes(other) for s in range(8))
    assert pt.swap_colours(pt.swap_colours(code)) == code


def test_non_shapes_do_not_match():
    E, B, W, OFF = pt.EMPTY, pt.BLACK, pt.WHITE, pt.OFF
    assert not TABLE[pt.encode([E] * 8)]  # open space
    for k in range(8):  # one stone anywhere around
        for colour in (B, W):
            cells = [E] * 8
            cells[k] = colour
            assert not TABLE[pt.encode(cells)]
    assert not TABLE[pt.encode([B] * 8)]  # inside an eye
    assert not TABLE[pt.encode([B, B, B, B, B, OFF, OFF, OFF])]  # an eye on the edge
    assert not TABLE[pt.encode([E, E, E, E, E, OFF, OFF, OFF])]  # empty edge


def _grids(codes: np.ndarray) -> np.ndarray:
    """Codes as ``[M, 3, 3]`` neighbourhoods (the centre empty)."""
    cells = (codes[:, None] >> (2 * np.arange(8))) & 3
    return np.insert(cells, 4, 0, axis=1).reshape(-1, 3, 3)


def _codes(grids: np.ndarray) -> np.ndarray:
    cells = np.delete(grids.reshape(-1, 9), 4, axis=1)
    return (cells << (2 * np.arange(8))).sum(axis=1)


def test_the_table_is_exactly_the_closed_expansion_of_the_named_shapes():
    codes = np.flatnonzero(TABLE)
    assert set(codes.tolist()) == pt.pattern_codes()
    # closed under the generators of the symmetry group and the colour swap, so under all of it
    grids = _grids(codes)
    assert np.array_equal(_codes(grids), codes)
    swapped = np.where(grids == 1, 2, np.where(grids == 2, 1, grids))
    for image in (np.rot90(grids, axes=(1, 2)), grids[:, :, ::-1], swapped):
        assert TABLE[_codes(image)].all()
    for code in random.Random(1).sample(codes.tolist(), 300):  # and by the module's own variants
        assert TABLE[list(pt.variants(code))].all()
    with pytest.raises(ValueError, match="empty centre"):
        pt.shape_cells(("...", ".X.", "..."))


# ---------------------------------------------------------------- the rules
def test_capture_near_the_last_move_comes_first():
    board = position(
        """
        . . . . . . .
        . . X . . . .
        . X . X . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        """,
        "C5",  # white plays into atari: black captures at C4
    )
    assert set(moves_picked(board, policy(capture=1.0))) == {"C4"}
    # an opponent chain in atari on one of the 8 points around the last move
    board = position(
        """
        . . . . . . .
        . . X . . . .
        . X O X . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        """,
        "D4",
    )
    assert set(moves_picked(board, policy(capture=1.0))) == {"C4"}
    # with the rule off the move is random
    assert len(set(moves_picked(board, policy()))) > 5


def test_capture_anywhere_finds_a_far_chain_in_atari():
    board = position(
        """
        . . . . . . .
        . . X . . . .
        . X O X . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        """,
        "G1",
    )
    assert len(set(moves_picked(board, policy(capture=1.0)))) > 5  # nothing near G1
    assert set(moves_picked(board, policy(capture=1.0, capture_any=1.0))) == {"C4"}


def test_atari_escape_that_gains_liberties_is_played():
    board = position(
        """
        . . . . . . .
        . . . . . . .
        . . O . . . .
        . O X . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        """,
        "D4",  # black C4 in atari; C3 escapes to three liberties
    )
    assert set(moves_picked(board, policy(save=1.0))) == {"C3"}


def test_atari_escape_to_one_liberty_is_not_played():
    board = position(
        """
        . . . . . . .
        . . . . . . .
        . . O . . . .
        . O X . . . .
        . O . . . . .
        . . O . . . .
        . . . . . . .
        """,
        "D4",  # C3 would leave C4-C3 with the one liberty D3: a ladder
    )
    picked = moves_picked(board, policy(save=1.0))
    assert picked.count("C3") <= 4 and len(set(picked)) > 5  # random moves only


def test_atari_escape_by_capturing_a_neighbour():
    board = position(
        """
        . . . . . . .
        . . . . . . .
        . X O X . . .
        . O X O . . .
        . O X . . . .
        . O . O . . .
        . . . . . . .
        """,
        "D3",  # black C4-C3 in atari: C2 leaves it one liberty, capturing C5 at C6 two
    )
    assert set(moves_picked(board, policy(save=1.0))) == {"C6"}


SELF_ATARI = """
X X . . O
O O O O O
O . O . O
O O O O O
. O . O .
"""


def test_big_self_atari_is_refused_and_a_throw_in_is_not():
    # black's only legal moves: C5 (three stones, one liberty) and D5 (a single-stone throw-in)
    board = Board.from_diagram(SELF_ATARI, rules=Rules(ko="simple", komi=0))
    strict = policy(self_atari_reject=1.0)
    assert set(moves_picked(board, strict)) == {"D5"}
    assert set(moves_picked(board, strict.replace(self_atari_stones=3))) == {"C5", "D5"}
    assert set(moves_picked(board, policy())) == {"C5", "D5"}
    assert set(moves_picked(board, strict.replace(self_atari_stones=0))) == {"pass"}


def test_nakade_throw_in_stays_possible():
    board = Board.from_diagram(
        """
        . . O X .
        O O O X X
        X X X X .
        X . X X X
        X X X . X
        """,
        rules=Rules(ko="simple", komi=0),
    )
    # black's only non-eye moves are inside white's two-point eye: single-stone self-ataris
    picked = set(moves_picked(board, PlayoutPolicy(self_atari_reject=1.0)))
    assert picked == {"A5", "B5"}


def test_policy_parameters():
    p = PlayoutPolicy()
    assert p == PlayoutPolicy(**p.as_dict()) and "save=0.9" in repr(p)
    assert p.replace(pattern=0.0).as_dict()["pattern"] == 0.0
    with pytest.raises(ValueError, match="probability"):
        PlayoutPolicy(save=1.5)
    with pytest.raises(ValueError, match="playout kind"):
        Board(9).playouts(1, kind="medium")
    assert cb.playout_policy("light") is None and cb.playout_policy("heavy") == p
    import pickle

    assert pickle.loads(pickle.dumps(p.replace(capture=0.5))) == p.replace(capture=0.5)


# ---------------------------------------------------------------- the playouts
def _replay(board: Board, moves: np.ndarray, pla_eyes: bool = True) -> Board:
    """Play the recorded playout on a copy, checking each move: legal, and no own eye filled."""
    b = board.copy()
    eyes = np.zeros(b.size * b.size, dtype=np.uint8)
    for loc in moves.tolist():
        if loc == PASS_LOC:
            b.play("pass")
            continue
        index = _index(b, loc)
        b._c.eye_mask(eyes)
        assert not eyes[index], f"own eye filled at {b.vertex(index)}"
        b.play(index)  # raises on an illegal move
    b.check_consistency()
    return b


@settings(max_examples=25, deadline=None)
@given(size=st.sampled_from([5, 7, 9]), seed=st.integers(0, 2**32), data=st.data())
def test_playouts_are_legal_games_that_end_and_score_alike(size, seed, data):
    board = Board(size, rules=Rules(ko="simple", komi=0))
    for _ in range(data.draw(st.integers(0, 12))):
        moves = board.sensible_moves()
        if moves.size == 0:
            break
        board.play(int(data.draw(st.sampled_from(moves.tolist()))))
    for kind in ("light", "heavy", PlayoutPolicy(self_atari_reject=1.0, self_atari_stones=0)):
        moves = board._c.playout_moves(seed, kind)
        end = _replay(board, moves)
        assert end.is_over or len(moves) == 3 * size * size
        scores = board.playouts(3, seed, kind)
        assert scores[0] == end.score()  # the recorded playout is the first one, scored alike
        np.testing.assert_array_equal(scores, board.playouts(3, seed, kind))  # same seed, same playouts
        if end.is_over:  # each pass was forced: only illegal points, own eyes and refused self-ataris
            limit = None if kind == "light" else cb.playout_policy(kind).as_dict()["self_atari_stones"]
            before = end.copy()
            for _ in range(2):
                before.undo()  # the position the passer faced (a ko ban included)
                for index in before.sensible_moves().tolist():
                    assert limit is not None
                    size_after, libs_after = _chain_after(before, index, before.to_play)
                    assert libs_after == 1 and size_after > limit


def _chain_after(board: Board, index: int, colour: str) -> tuple[int, int]:
    """Stones and liberties of the chain through ``index`` after ``colour`` plays there."""
    b = board.copy()
    b.play(index, colour)
    colors = b.colors()
    n = b.size
    own = colors[index // n, index % n]
    todo, chain, libs = [divmod(index, n)], set(), set()
    while todo:
        r, c = todo.pop()
        if (r, c) in chain:
            continue
        chain.add((r, c))
        for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= rr < n and 0 <= cc < n:
                if colors[rr, cc] == own:
                    todo.append((rr, cc))
                elif colors[rr, cc] == 0:
                    libs.add((rr, cc))
    return len(chain), len(libs)


def test_board_level_kinds():
    board = Board(9, rules=Rules(komi=7))
    board.play("E5")
    assert board.playouts(4, 1, "heavy").shape == (4,)
    assert isinstance(board.random_playout(2, kind="heavy"), float)
    own = board.ownership(8, 3, kind="heavy")
    assert own.shape == (9, 9) and np.all(np.abs(own) <= 1)
    assert isinstance(board.dead_stones(8, 3, kind=PlayoutPolicy()), list)
    assert board._c.last_move == board._loc(board.parse_move("E5"))


def test_flat_mc_and_tree_rollouts_take_the_kind():
    board = Board(7, rules=Rules(komi=0))
    a = 50
    cand = np.ones(a, dtype=np.uint8)
    cand[-1] = 0
    for kind in ("light", "heavy"):
        stats = np.zeros((4, a))
        moves = board._c.flat_mc(cand, 64, 5, 0.0, *stats, kind=kind)
        assert moves > 64 and stats[0].sum() == 64
        assert stats[2].sum() > 64  # AMAF: several first moves per playout
    game = NativeGame.go(board._c, 7.0, 200)
    assert game.rollout(1, "heavy") in (-1.0, 0.0, 1.0)
    trees = Trees([game], 4)
    assert trees.rollout_kind == "light"
    trees.set_rollout("heavy")
    assert trees.rollout_kind == PlayoutPolicy()
    feats = np.zeros((4, 17 * 49), dtype=np.float32)
    masks = np.zeros((4, 50), dtype=np.uint8)
    values = np.zeros(4, dtype=np.float32)
    trees.start(np.array([4], dtype=np.int32))
    assert trees.select(1, feats, masks, values, 8) == (1, 0)
    assert -1.0 <= values[0] <= 1.0


# ---------------------------------------------------------------- strength
def test_flat_mc_with_heavy_playouts_beats_light_at_equal_playouts():
    """A small 9x9 match (200 playouts a move, colours alternated, no AMAF blend): heavy
    playouts evaluate better, the 95% Wilson bound of their score above 1/2. The games
    are deterministic; ``python -m seigen.scripts.playout_strength`` plays longer matches."""
    result = match(size=9, playouts=200, games=20, kind="heavy", against="light", seed=0)
    assert result["wilson_low"] > 0.5, result


# ---------------------------------------------------------------------- the players and the search


def test_heavy_playouts_are_the_rollouts_of_the_search_and_the_players_when_asked():
    from seigen.engine.board import Board
    from seigen.engine.games import GoGame
    from seigen.engine.players import MCTSPlayer, RolloutPlayer, SearchLimits
    from seigen.engine.search import BatchedSearch, RolloutEvaluator, SearchConfig

    search = BatchedSearch([GoGame(Board(9))], RolloutEvaluator(1, playout="heavy"), SearchConfig(visits=32))
    assert search.trees.rollout_kind == cb.playout_policy("heavy")
    assert BatchedSearch(
        [GoGame(Board(9))], RolloutEvaluator(1), SearchConfig(visits=8)
    ).trees.rollout_kind == ("light")
    board = Board(9, komi=7.5)
    for player in (MCTSPlayer(visits=64, playout="heavy"), RolloutPlayer(playouts=300, playout="heavy")):
        decision = player.genmove(board, "black", SearchLimits())
        assert board.is_legal(decision.move) and decision.analysis.playouts >= 64


def test_seigen_gtp_plays_with_heavy_playouts():
    import subprocess
    import sys

    commands = "boardsize 9\nclear_board\ngenmove black\nfinal_score\nquit\n"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "seigen.scripts.cli",
            "gtp",
            "--player",
            "mcts",
            "--playout",
            "heavy",
            "--visits",
            "64",
        ],
        input=commands,
        capture_output=True,
        text=True,
        timeout=120,
    )
    answers = [a for a in out.stdout.split("\n\n") if a.strip()]
    assert out.returncode == 0 and len(answers) == 5 and all(a.startswith("=") for a in answers), out
