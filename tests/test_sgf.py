"""SGF reading and writing: round trips, a known file, rules names and corrupt files."""

from __future__ import annotations

import os
import random
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seigen.engine import Board, GameInfo, Rules, SGFError, read_sgf, write_sgf


def assert_same_game(a: Board, b: Board) -> None:
    assert b.size == a.size
    assert b.rules == a.rules  # komi included
    assert b.handicap == a.handicap
    assert b.setup_black == a.setup_black
    assert b.setup_white == a.setup_white
    assert b.moves == a.moves
    assert np.array_equal(b.colors(), a.colors())
    assert b.to_play == a.to_play
    assert b.captures == a.captures
    assert b.is_over == a.is_over
    assert b.hash == a.hash
    b.check_consistency()


def random_game(board: Board, rng: random.Random, max_moves: int) -> None:
    """Random legal moves (passing only when nothing else is legal) until two passes or max_moves."""
    for _ in range(max_moves):
        if board.is_over:
            break
        legal = board.legal_moves()
        points = legal[legal != board.pass_move]
        move = int(rng.choice(points)) if len(points) and rng.random() > 0.03 else board.pass_move
        board.play(move)


def round_trip(board: Board, tmp_path, info: GameInfo | None = None) -> tuple[Board, GameInfo, str]:
    path = tmp_path / "game.sgf"
    text = write_sgf(board, path, info)
    assert path.read_text(encoding="utf-8") == text
    back, back_info = read_sgf(path)
    assert_same_game(board, back)
    return back, back_info, text


# ---------------------------------------------------------------------- round trips


def test_random_9x9_game_round_trip(tmp_path):
    board = Board(9, rules="chinese")
    random_game(board, random.Random(20240611), 200)
    assert board.move_number > 50
    assert sum(board.captures.values()) > 0  # captures replay the same way
    info = GameInfo(black="Black Bot", white="White Bot", result=board.result())
    _, back_info, text = round_trip(board, tmp_path, info)
    assert back_info == GameInfo(
        black="Black Bot", white="White Bot", result=board.result(), rules_name="Chinese"
    )
    assert text.startswith("(;FF[4]")
    for prop in ("GM[1]", "CA[UTF-8]", "SZ[9]", "KM[7.5]", "RU[Chinese]"):
        assert prop in text


def test_19x19_handicap_game_round_trip(tmp_path):
    board = Board(19, rules="japanese", komi=0.5)
    points = board.place_handicap(4)
    assert board.to_play == "white"
    for move in ["Q10", "D10", "K16", "pass", "K4"]:
        board.play(move)
    info = GameInfo(black="Kuroda", white="Shiraishi", result="W+R")
    back, back_info, text = round_trip(board, tmp_path, info)
    assert "HA[4]" in text and "AB[" in text and "KM[0.5]" in text and "RU[Japanese]" in text
    assert sorted(back.setup_black) == sorted(points)
    assert back.moves[0] == ("white", back.parse_move("Q10"))
    assert back.rules == Rules.preset("japanese").with_komi(0.5)
    assert back_info.result == "W+R" and back_info.black == "Kuroda" and back_info.white == "Shiraishi"


def test_setup_stones_and_passes_round_trip(tmp_path):
    board = Board(9, rules="aga", komi=6.0)
    board.setup(black=["C3", "D4", "E5"], white=["G7", "F6"], to_play="white")
    for move in ["pass", "C7", "G3", "pass", "pass"]:
        board.play(move)
    assert board.is_over
    back, _, text = round_trip(board, tmp_path, GameInfo(result=board.result()))
    assert "AB[" in text and "AW[" in text and "HA[" not in text
    assert text.count("W[]") == 2 and text.count("B[]") == 1
    assert "tt" not in text
    assert back.moves[0] == ("white", back.pass_move)


def test_setup_only_keeps_side_to_move(tmp_path):
    board = Board(7, rules="nz")
    board.setup(black=["D4"], white=["C3"], to_play="white")
    back, _, text = round_trip(board, tmp_path)
    assert "PL[W]" in text and back.to_play == "white"
    # the side to move changed by hand after the moves: PL in a node of its own
    board = Board(7)
    board.play("D4")
    board.to_play = "black"
    back, _, text = round_trip(board, tmp_path)
    assert text.rstrip().endswith(";PL[B])") and back.to_play == "black"
    # a handicap board with no moves: white to play is what a reader assumes
    board = Board(9)
    board.place_handicap(2)
    _, _, text = round_trip(board, tmp_path)
    assert "PL[" not in text


def test_custom_rules_round_trip(tmp_path):
    rules = Rules(ko="situational", suicide=True, scoring="territory", komi=-3.0, handicap_compensation="n-1")
    board = Board(5, rules=rules)
    board.play("C3")
    back, back_info, _ = round_trip(board, tmp_path)
    assert back.rules == rules
    assert back_info.rules_name.startswith("seigen:")


def test_write_without_path_and_overwrite(tmp_path):
    board = Board(9)
    board.play("E5")
    text = write_sgf(board)
    assert text == write_sgf(board, info=GameInfo())
    path = tmp_path / "g.sgf"
    path.write_text("old contents")
    assert write_sgf(board, str(path)) == text
    assert path.read_text(encoding="utf-8") == text
    assert os.listdir(tmp_path) == ["g.sgf"]  # no temporary file left behind
    with pytest.raises(OSError):
        write_sgf(board, tmp_path / "no such dir" / "g.sgf")
    assert os.listdir(tmp_path) == ["g.sgf"]


def test_unicode_text_round_trip(tmp_path):
    board = Board(9)
    info = GameInfo(
        black="本因坊秀策",
        white="Müller ]\\[",
        result="B+2.5",
        game_comment="line one\nline two: ]",
        comment="root comment",
    )
    _, back_info, _ = round_trip(board, tmp_path, info)
    assert back_info == GameInfo(**{**info.__dict__, "rules_name": "Chinese"})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    size=st.sampled_from([3, 5, 9, 13, 19, 25]),
    preset=st.sampled_from(sorted(Rules.PRESETS)),
    komi=st.integers(-20, 20).map(lambda k: k / 2),
    handicap=st.sampled_from([0, 2, 3, 4]),
    picks=st.lists(st.integers(0, 10**6), max_size=80),
)
def test_round_trip_property(tmp_path, size, preset, komi, handicap, picks):
    board = Board(size, rules=preset, komi=komi)
    if handicap and size >= 7:
        board.place_handicap(handicap)
    for pick in picks:
        if board.is_over:
            break
        legal = board.legal_moves()
        board.play(int(legal[pick % len(legal)]))
    text = write_sgf(board)
    back, info = read_sgf(text.encode("utf-8"))
    assert_same_game(board, back)
    assert info.rules_name is not None and Rules.preset(info.rules_name).with_komi(komi) == back.rules


SGF_TOKENS = [b"(", b")", b";", b"[", b"]", b"\\", b":", b"B", b"W", b"AB", b"AE", b"SZ", b"KM", b"HA", b"GM"]
SGF_TOKENS += [b"PL", b"CA", b"aa", b"ee", b"tt", b"zz", b"9", b"19", b"7.5", b"\xff", b"\xc3"]


@settings(max_examples=300, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.lists(
            st.sampled_from(SGF_TOKENS),
            max_size=60,
        ).map(b"".join),
    )
)
def test_any_bytes_read_or_raise_sgf_error(data):
    try:
        board, _ = read_sgf(data)
    except SGFError as e:
        assert str(e).startswith("<sgf bytes>: ") and "\n" not in str(e)
    else:
        board.check_consistency()


# ---------------------------------------------------------------------- reading known files

KNOWN = """\
(;FF[4]GM[1]CA[UTF-8]SZ[13]KM[0.5]HA[2]RU[Japanese]
PB[Honinbo Shusaku]PW[Gennan Inseki]RE[B+2]GC[A famous game\\] (not really)]
C[Root comment
on two lines]DT[1846-09-11]EV[Test]
AB[jd][dj]AW[gg]
;W[dd]C[first move]
;B[jj]
(;W[]
;B[tt]
;W[ee])
(;W[cc]
;B[kk]))
"""


def test_read_known_sgf():
    board, info = read_sgf(KNOWN.encode("utf-8"))
    assert info == GameInfo(
        black="Honinbo Shusaku",
        white="Gennan Inseki",
        result="B+2",
        rules_name="Japanese",
        game_comment="A famous game] (not really)",
        comment="Root comment\non two lines",
    )
    assert board.size == 13
    assert board.rules == Rules.preset("japanese").with_komi(0.5)
    assert board.komi == 0.5
    assert board.handicap == 2
    assert [board.vertex(i) for i in board.setup_black] == ["K10", "D4"]
    assert [board.vertex(i) for i in board.setup_white] == ["G7"]
    # the main line is the first variation; "tt" is a pass on boards up to 19x19
    assert [(c, board.vertex(i)) for c, i in board.moves] == [
        ("white", "D10"),
        ("black", "K4"),
        ("white", "pass"),
        ("black", "pass"),
        ("white", "E9"),
    ]
    assert board.to_play == "black"
    assert board.stones("black") == {board.point(board.parse_move(v)) for v in ["K10", "D4", "K4"]}
    assert board.stones("white") == {board.point(board.parse_move(v)) for v in ["G7", "D10", "E9"]}


def test_read_variations_takes_main_line():
    data = b"(;SZ[9](;B[ee](;W[cc];B[gg])(;W[gc]))(;B[cc];W[ee]))"
    board, _ = read_sgf(data)
    assert [board.vertex(i) for _, i in board.moves] == ["E5", "C7", "G3"]


def test_read_defaults_and_setup_nodes():
    # no SZ: 19x19; no KM: the rules' komi; no RU: the default rules; no CA: UTF-8 when valid
    board, info = read_sgf("(;PB[Müller];B[pd])".encode())
    assert board.size == 19 and board.rules == Rules.preset("chinese")
    assert info.black == "Müller" and info.rules_name is None
    board, _ = read_sgf(b"(;SZ[9])", rules="japanese")
    assert board.rules == Rules.preset("japanese") and board.moves == [] and board.to_play == "black"
    # an explicit CA is honoured
    board, info = read_sgf("(;CA[ISO-8859-1]PW[Müller])".encode("latin-1"))
    assert info.white == "Müller"
    # setup in a node after the root and AE before the first move; "19:19" is square
    board, _ = read_sgf(b"(;SZ[9:9]AB[aa][bb]AE[cc];AE[aa]AW[cc];B[dd])")
    assert [board.vertex(i) for i in board.setup_black] == ["B8"]
    assert [board.vertex(i) for i in board.setup_white] == ["C7"]
    assert board.moves == [("black", board.parse_move("D6"))]
    # PL names the first player when there are no moves; two moves in a row by one colour
    board, _ = read_sgf(b"(;SZ[9]AB[aa]PL[W])")
    assert board.to_play == "white"
    board, _ = read_sgf(b"(;SZ[9];B[aa];B[bb])")
    assert board.to_play == "white" and [c for c, _ in board.moves] == ["black", "black"]


@pytest.mark.parametrize(
    ("ru", "preset"),
    [
        ("Chinese", "chinese"),
        ("chinese", "chinese"),
        ("Japanese", "japanese"),
        ("Korean", "japanese"),
        ("AGA", "aga"),
        ("aga", "aga"),
        ("NZ", "nz"),
        ("New Zealand", "nz"),
        ("new_zealand", "nz"),
        ("Tromp-Taylor", "tromp-taylor"),
        ("Tromp Taylor", "tromp-taylor"),
        ("TT", "tromp-taylor"),
    ],
)
def test_rules_names(ru, preset, tmp_path):
    board, info = read_sgf(f"(;SZ[9]KM[5]RU[{ru}])".encode())
    assert board.rules == Rules.preset(preset).with_komi(5)
    assert info.rules_name == ru
    # writing with the same info keeps the file's spelling
    assert f"RU[{ru}]" in write_sgf(board, info=info)


def test_unknown_rules_keep_default_and_raw_name():
    board, info = read_sgf(b"(;SZ[9]RU[Ing]KM[8])", rules="aga")
    assert board.rules == Rules.preset("aga").with_komi(8)
    assert info.rules_name == "Ing"
    # the board's rules are what gets written
    assert "RU[AGA]" in write_sgf(board, info=info)


# ---------------------------------------------------------------------- corrupt files

CORRUPT = {
    "empty": (b"", "empty file"),
    "blank": (b"  \n\t ", "empty file"),
    "garbage": (bytes(range(256)) * 3, "not a readable SGF"),
    "no sgf": (b"this is not an SGF file", "not a readable SGF"),
    "truncated": (b"(;GM[1]SZ[9];B[ee];W[", "not a readable SGF"),
    "chess": (b"(;GM[3]SZ[8])", "GM[3]"),
    "non-square": (b"(;SZ[19:13])", "non-square"),
    "bad size": (b"(;SZ[nine])", "SZ[nine]"),
    "too big": (b"(;SZ[26])", "board size 26"),
    "too small": (b"(;SZ[1])", "board size 1"),
    "off board": (b"(;SZ[9];B[ee];W[jj])", "move 2 W[jj]"),
    "malformed move": (b"(;SZ[9];B[e])", "move 1 B[e]"),
    "bad komi": (b"(;SZ[9]KM[seven])", "KM[seven]"),
    "bad handicap": (b"(;SZ[9]HA[-2])", "HA"),
    "bad setup point": (b"(;SZ[9]AB[zz])", "setup"),
    "dead setup": (b"(;SZ[9]AB[aa]AW[ab][ba])", "without liberties"),
    "both colours": (b"(;SZ[9]AB[aa]AW[aa])", "both colours"),
    "late setup": (b"(;SZ[9];B[ee];AB[aa])", "after move 1"),
    "two moves in a node": (b"(;SZ[9];B[ee]W[aa])", "both B and W"),
    "bad charset": (b"(;CA[no-such-charset]SZ[9])", "encoding"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_file(case, tmp_path):
    data, expected = CORRUPT[case]
    path = tmp_path / "broken game.sgf"
    path.write_bytes(data)
    with pytest.raises(SGFError) as excinfo:
        read_sgf(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message
    assert excinfo.value.source == str(path)
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize(
    ("moves", "message"),
    [
        ("SZ[9];B[ee];W[ee]", r"move 2 W\[ee\] \(E5\) is illegal: occupied"),
        # white takes the ko at B4, black retakes at once at C4
        ("SZ[5]AB[ba][ab][cb][bc]AW[ca][db][cc];W[bb];B[cb]", r"move 2 B\[cb\] \(C4\) is illegal: ko"),
        # after two passes the retake repeats a position: positional superko under Chinese rules
        (
            "SZ[5]AB[ba][ab][cb][bc]AW[ca][db][cc];W[bb];B[];W[];B[cb]",
            r"move 4 B\[cb\] \(C4\) is illegal: superko",
        ),
        ("SZ[5]AW[ab][ba];B[aa]", r"move 1 B\[aa\] \(A5\) is illegal: suicide"),
    ],
)
def test_illegal_move_names_file_move_and_reason(tmp_path, moves, message):
    path = tmp_path / "illegal.sgf"
    path.write_bytes(f"(;{moves})".encode())
    with pytest.raises(SGFError, match=rf"^{re.escape(str(path))}: {message}$"):
        read_sgf(path)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "game.sgf"
    with pytest.raises(SGFError, match=rf"^{re.escape(str(path))}: cannot read the file"):
        read_sgf(path)
    with pytest.raises(SGFError, match=rf"^{re.escape(str(tmp_path))}: cannot read the file"):
        read_sgf(tmp_path)  # a directory


def test_corrupt_bytes_name_the_source():
    with pytest.raises(SGFError, match=r"^<sgf bytes>: GM\[2\]"):
        read_sgf(b"(;GM[2])")
