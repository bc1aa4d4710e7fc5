"""Golden tests of the Go rules from ASCII diagrams."""

import numpy as np
import pytest

from seigen.engine import Board, IllegalMoveError, Rules


def diagram(text: str) -> str:
    """Normalise a diagram to the form ``Board.diagram()`` prints."""
    rows = [" ".join(ch for ch in line if ch in "XO.") for line in text.strip().splitlines()]
    return "\n".join(r for r in rows if r)


def test_single_stone_capture():
    b = Board.from_diagram(
        """
        . . . . .
        . . X . .
        . X O . .
        . . X . .
        . . . . .
        """
    )
    b.play("D3")  # (2, 3): the last liberty of the white stone
    assert b.diagram() == diagram(
        """
        . . . . .
        . . X . .
        . X . X .
        . . X . .
        . . . . .
        """
    )
    assert b.captures == {"black": 1, "white": 0}
    b.check_consistency()


def test_multi_stone_capture_and_liberties_of_the_capturer():
    b = Board.from_diagram(
        """
        . X X X .
        X O O O X
        X O . O X
        . X X X .
        . . . . .
        """
    )
    b.play("C3")  # fills the inner eye: captures all five white stones at once
    assert b.captures["black"] == 5
    assert b.stones("white") == set()
    b.check_consistency()
    assert b.diagram() == diagram(
        """
        . X X X .
        X . . . X
        X . X . X
        . X X X .
        . . . . .
        """
    )


def test_snapback():
    b = Board.from_diagram(
        """
        . . . . .
        . . . . .
        X X X . .
        O O X . .
        . . X . .
        """
    )
    b.play("A1")  # throw-in: in atari at once, and it takes a liberty of the white pair
    b.play("B1")  # white captures it; now the three white stones have only A1 left
    assert b.captures == {"black": 0, "white": 1}
    b.play("A1")  # black captures three stones in return (no ko: white's capturer joined a chain)
    assert b.captures == {"black": 3, "white": 1}
    assert b.diagram() == diagram(
        """
        . . . . .
        . . . . .
        X X X . .
        . . X . .
        X . X . .
        """
    )
    b.check_consistency()


def test_suicide_is_illegal_when_the_rules_forbid_it():
    b = Board.from_diagram(
        """
        . O . . .
        O O . . .
        . . . . .
        . . . . .
        . . . . .
        """,
        rules="chinese",
    )
    assert not b.is_legal("A5")
    h = b.hash
    with pytest.raises(IllegalMoveError, match="suicide"):
        b.play("A5")
    assert b.hash == h and b.to_play == "black" and b.move_number == 0


def test_multi_stone_suicide_under_tromp_taylor_removes_own_stones():
    b = Board.from_diagram(
        """
        X . O . .
        O O . . .
        . . . . .
        . . . . .
        . . . . .
        """,
        rules="tromp-taylor",
    )
    assert b.is_legal("B5")  # joins A5 and leaves the pair without liberties
    b.play("B5")
    assert b.stones("black") == set()
    assert b.captures == {"black": 0, "white": 2}
    b.check_consistency()
    # the same move is illegal where suicide is
    c = Board.from_diagram("X . O . .\nO O . . .\n. . . . .\n. . . . .\n. . . . .", rules="aga")
    assert not c.is_legal("B5")


def test_single_stone_suicide_is_illegal_even_when_suicide_is_allowed():
    b = Board.from_diagram(
        """
        . O . . .
        O . . . .
        . . . . .
        . . . . .
        . . . . .
        """,
        rules="tromp-taylor",
    )
    with pytest.raises(IllegalMoveError, match="suicide"):
        b.play("A5")


KO = """
. X O . .
X O . O .
. X O . .
. . . . .
. . . . .
"""


def test_simple_ko_forbids_the_immediate_recapture_only():
    b = Board.from_diagram(KO, rules="japanese")
    b.play("C4")  # black captures the white stone at B4
    assert b.captures["black"] == 1
    with pytest.raises(IllegalMoveError, match="ko"):
        b.play("B4")  # white may not retake at once
    assert b.to_play == "white"
    b.play("E1")  # a ko threat elsewhere
    b.play("D1")  # black answers
    b.play("B4")  # now white retakes
    assert b.captures["white"] == 1
    b.check_consistency()


def test_ko_applies_to_the_opponent_only():
    b = Board.from_diagram(KO, rules="japanese")
    b.play("C4")
    # black playing again at once (GTP allows any colour) is not bound by the ko
    assert b.is_legal("E5", "black")
    assert not b.is_legal("B4", "white")


def _triple_ko_board(rules: str) -> Board:
    # Three kos in a row; white holds the first and third, black the second.
    return Board.from_diagram(
        """
        . . X X O O . . .
        . . X O . O . . .
        . . X X O O . . .
        . . X X O O . . .
        . . X . X O . . .
        . . X X O O . . .
        . . X X O O . . .
        . . X O . O . . .
        . . X X O O . . .
        """,
        rules=rules,
    )


TRIPLE_KO_CYCLE = ["E8", "D5", "E2", "D8", "E5", "D2"]  # each move takes one ko


@pytest.mark.parametrize("rules", ["chinese", "tromp-taylor", "aga", "nz"])
def test_triple_ko_cycle_is_forbidden_by_superko(rules):
    b = _triple_ko_board(rules)
    start = b.hash
    for move in TRIPLE_KO_CYCLE[:-1]:
        b.play(move)
    with pytest.raises(IllegalMoveError, match="superko"):
        b.play(TRIPLE_KO_CYCLE[-1])  # would recreate the starting position, black to move
    assert b.move_number == 5
    b.check_consistency()
    assert b.hash != start


def test_triple_ko_cycle_repeats_forever_under_simple_ko():
    b = _triple_ko_board("japanese")
    start = b.hash
    for move in TRIPLE_KO_CYCLE * 2:
        b.play(move)
    assert b.hash == start
    assert b.captures == {"black": 6, "white": 6}


# Sending two, returning one: after W A3 (captures A4) and B A4 (captures A3+A2),
# white's A2 recreates the setup position -- which occurred with white to move,
# and now it would be black's move.
SEND_TWO = """
X O O O
. X X O
O X X .
X X . X
"""


def test_sending_two_returning_one_positional_vs_situational():
    for rules, legal in ((Rules(ko="positional"), False), (Rules(ko="situational"), True)):
        b = Board.from_diagram(SEND_TWO, rules=rules, to_play="white")
        b.play("A3")
        assert b.captures["white"] == 1
        b.play("A4")
        assert b.captures["black"] == 2
        assert b.is_legal("A2") is legal, rules.ko
        if not legal:
            with pytest.raises(IllegalMoveError, match="superko"):
                b.play("A2")
        else:
            b.play("A2")
            assert b.diagram() == diagram(SEND_TWO)
        b.check_consistency()


SEKI = """
. X . O . O X .
X X X O O O X X
O O O X X X X X
O O O X X X X X
O . O X . X . X
O O O X X X X X
O . O X X X X X
O O O X X X X X
"""


def test_seki_under_area_scoring():
    b = Board.from_diagram(SEKI, rules=Rules(komi=0))
    # neither side can approach: filling the shared liberty is self-atari, the eyes are suicide
    assert not b.is_legal("E8", "black") and not b.is_legal("A8", "white")
    # area: 35 black stones + 4 eyes; 21 white stones + 3 eyes; C8 is shared (dame)
    assert b.score() == 39 - 24
    rules = Rules(komi=7.5)
    assert Board.from_diagram(SEKI, rules=rules).score() == 39 - 24 - 7.5
    # the dead-stone judgement keeps the seki alive (its playouts refuse group self-atari)
    assert b.dead_stones(n=300, seed=2) == []
    own = b.ownership(n=300, seed=2)
    assert own[0, 2] == 0 and own[0, 0] == 1 and own[0, 4] == -1


def test_territory_scoring_with_dead_stones():
    b = Board.from_diagram(
        """
        . . X O .
        . O X O .
        . . X O .
        . . X O O
        . . X . O
        """,
        rules="japanese",
        komi=0.5,
    )
    # the white stone at B4 is dead inside black's area
    dead = [(1, 1)]
    # black: 10 empty points (B4 once the dead stone is lifted) + 1 prisoner;
    # white: 3 empty points; D1 touches both colours and counts for no one
    assert b.score(dead=dead) == (10 + 1) - 3 - 0.5
    # under area scoring: 5 stones + 10 points against 6 stones + 3 points
    a = Board.from_diagram(b.diagram(), rules="chinese", komi=0.5)
    assert a.score(dead=dead) == (5 + 10) - (6 + 3) - 0.5
    # without the dead list the white stone stands and its neighbours are no one's
    assert a.score(dead=[]) == 5 - (7 + 3) - 0.5


def test_territory_estimate_finds_a_dead_stone():
    b = Board.from_diagram(
        """
        . . . . . X O . .
        . . . . . X O . .
        . . O . . X O . .
        . . . . . X O . .
        . . . . . X O . .
        . . . . . X O . .
        . . . . . X O . .
        . . . . . X O . .
        . . . . . X O . .
        """,
        rules="japanese",
    )
    assert b.dead_stones(n=200, seed=1) == [(2, 2)]
    # the same judgement once the game is over (two passes)
    b.play("pass")
    b.play("pass")
    assert b.is_over
    assert b.dead_stones(n=200, seed=1) == [(2, 2)]
    assert b.score() == b.score(dead=[(2, 2)])


def test_handicap_stones_and_compensation():
    b = Board(19, rules="chinese")
    points = b.place_handicap(4)
    assert {b.vertex(p) for p in points} == {"D4", "Q16", "Q4", "D16"}
    assert b.to_play == "white"
    assert len(b.stones("black")) == 4
    # every point is black's area; Chinese rules give white one point per handicap stone
    assert b.score() == 361 - 7.5 - 4
    assert Board(19, rules="japanese").score(dead=[]) == -6.5
    with pytest.raises(ValueError):
        b.place_handicap(2)  # not on a board that already has stones


def test_handicap_limits():
    with pytest.raises(ValueError):
        Board(9).place_handicap(10)
    with pytest.raises(ValueError):
        Board(10).place_handicap(5)
    with pytest.raises(ValueError):
        Board(5).place_handicap(2)
    b = Board(5)
    pts = b.place_handicap(3, free=True)
    assert len(set(pts)) == 3 and b.to_play == "white"


def test_undo_restores_the_exact_hash_and_captures():
    b = Board.from_diagram(KO, rules="japanese")
    history = [(b.hash, b.diagram(), dict(b.captures), b.to_play)]
    for move in ["C4", "E1", "D1", "B4", "A1"]:
        b.play(move)
        history.append((b.hash, b.diagram(), dict(b.captures), b.to_play))
    for expected in reversed(history[:-1]):
        b.undo()
        assert (b.hash, b.diagram(), b.captures, b.to_play) == expected
        b.check_consistency()
    with pytest.raises(ValueError):
        b.undo()


def test_illegal_and_malformed_moves_leave_the_board_unchanged():
    b = Board(9)
    b.play("E5")
    before = (b.hash, b.to_play, b.move_number)
    for bad, error, reason in [
        ("E5", IllegalMoveError, "occupied"),
        ("K5", IllegalMoveError, "off the board"),
        ((9, 0), IllegalMoveError, "off the board"),
        (82, IllegalMoveError, "off the board"),
        ("I5", ValueError, "column"),
        ("E", ValueError, "malformed"),
        ("", ValueError, "malformed"),
        (3.5, ValueError, "malformed"),
    ]:
        with pytest.raises(error, match=reason):
            b.play(bad)
        assert (b.hash, b.to_play, b.move_number) == before
    with pytest.raises(ValueError, match="colour"):
        b.play("A1", "green")


def test_move_forms_agree():
    n = 9
    forms = [("D4", (5, 3), 5 * n + 3), ("a9", (0, 0), 0), ("J1", (8, 8), 80), ("pass", None, 81)]
    for vertex, point, index in forms:
        b = Board(n)
        assert b.parse_move(vertex) == index
        if point is not None:
            assert b.parse_move(point) == index
            assert b.point(index) == point
        assert b.vertex(index).upper() == vertex.upper()


def test_two_passes_end_the_game():
    b = Board(9)
    b.play("pass")
    assert not b.is_over
    b.play("pass")
    assert b.is_over
    b.undo()
    assert not b.is_over


def test_legal_moves_include_pass_and_exclude_occupied_points():
    b = Board(5)
    b.play("C3")
    legal = b.legal_moves()
    assert legal[-1] == 25
    assert b.parse_move("C3") not in legal
    assert len(legal) == 25


def test_printed_board_has_coordinates():
    b = Board(9)
    b.play("D4")
    text = str(b)
    assert text.splitlines()[0].split() == list("ABCDEFGHJ")
    assert " 4 . . . x . . . . . 4" in text  # the last move is shown in lower case
    assert "white to play" in text


def test_random_playout_leaves_the_board_unchanged_and_is_reproducible():
    b = Board(9)
    b.play("E5")
    h = b.hash
    s1 = b.random_playout(seed=7)
    assert b.hash == h and b.move_number == 1
    assert s1 == b.random_playout(seed=7)
    scores = b.playouts(200, seed=3)
    assert np.all(np.abs(scores + b.komi) <= 81)
    assert len(set(scores.tolist())) > 5  # different playouts end differently


def test_rules_presets_and_errors():
    assert Rules.preset("Chinese").ko == "positional"
    assert Rules.preset("japanese").scoring == "territory"
    assert Rules.preset("tromp-taylor").suicide
    assert Rules.preset("aga").ko == "situational"
    assert Rules.preset("nz").komi == 7.0
    with pytest.raises(ValueError, match="unknown rules preset"):
        Rules.preset("martian")
    with pytest.raises(ValueError, match="ko"):
        Rules(ko="none")
    with pytest.raises(ValueError, match="komi"):
        Rules(komi=float("nan"))
    assert Board(9, rules="japanese", komi=0.5).komi == 0.5


@pytest.mark.parametrize("size", [1, 26, 0, -3])
def test_unsupported_sizes_are_refused(size):
    with pytest.raises(ValueError, match="size"):
        Board(size)
