"""Cross-check the Go core against an independent oracle: PettingZoo's Go (a minigo port).

``pettingzoo.classic.go.go_base`` is Google's minigo board, written in plain Python and
numpy with a liberty tracker of its own. Random games are played by our engine (uniform
over its legal moves, mostly avoiding passes and the filling of its own single-point
eyes) and mirrored move by move into a ``go_base.Position``. After every move we compare
the stones, the prisoner counts and the full set of legal moves for the side to move
(``Position.all_legal_moves()``), and at the end of each game the area score
(``Position.score()``, komi included) with ``Board.score()``.

minigo's rules, read from its source:

* simple ko only: ``Position.ko`` is the point of a single stone just captured by a
  stone played into the opponent's "koish" point; only that point is banned, and only
  for the next move (any move or pass clears it). There is no superko check at all,
  whatever the comment in ``play_move`` says.
* no suicide, of one stone or many (``LibertyTracker.add_stone`` raises).
* area scoring: stones plus empty regions that reach only one colour, minus komi.
* its ``is_move_suicidal`` uses ``Position.to_play``, not the colour asked about, so
  only the side to move's legal moves are compared.

So the games run under ``Rules(ko="simple", suicide=False)`` -- our "japanese" legality,
scored by area here -- and must agree exactly. They also run under our "chinese" preset
(positional superko): there minigo's legal set must be exactly ours plus the points that
only superko forbids (found with a simple-ko twin of our board); nothing else may differ.
``test_rule_differences`` pins down both differences on hand-built positions.

``go_base`` keeps the board size in module globals (``N``, ``NEIGHBORS``, ...), which
PettingZoo's environment overwrites in ``raw_env._overwrite_go_global_variables``; the
``go_base_size`` (from the board benchmark) does the same and restores them afterwards.
"""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from go_oracle import is_own_eye
from pettingzoo.classic.go import go_base

from seigen.engine import Board, Rules
from seigen.scripts.bench_board import go_base_size

KOMI = 7.5
SIMPLE = Rules(ko="simple", suicide=False, scoring="area", komi=KOMI)
SETTINGS = {"simple-ko": SIMPLE, "chinese": Rules.preset("chinese").with_komi(KOMI)}


@pytest.fixture(scope="module")
def tally() -> Counter:
    """Counts of everything compared in this module; the last test reports them."""
    return Counter()


# ---------------------------------------------------------------- helpers


def minigo_stones(position: object, color: int) -> set[tuple[int, int]]:
    rows, cols = np.nonzero(position.board == color)
    return set(zip(rows.tolist(), cols.tolist(), strict=True))


class Mirror:
    """Our board, a simple-ko twin of it, and minigo's position, kept in step."""

    def __init__(self, size: int, rules: Rules, seed: int, name: str, tally: Counter) -> None:
        self.size = size
        self.seed = seed
        self.name = name
        self.tally = tally
        self.board = Board(size, rules=rules)
        self.simple = Board(size, rules=SIMPLE)
        self.position = go_base.Position(komi=rules.komi)

    def fail(self, what: str, ours: object, theirs: object) -> AssertionError:
        self.tally["disagreements"] += 1
        n = self.size
        if isinstance(ours, set) and isinstance(theirs, set):
            fmt = self.board.vertex
            detail = (
                f"  only ours: {sorted(fmt(p) for p in ours - theirs)}\n"
                f"  only minigo's: {sorted(fmt(p) for p in theirs - ours)}"
            )
        else:
            detail = f"  ours: {ours!r}\n  minigo: {theirs!r}"
        seq = " ".join(f"{c[0].upper()} {self.board.vertex(m)}" for c, m in self.board.moves)
        return AssertionError(
            f"PettingZoo/minigo disagrees ({what}) under {self.name!r} on {n}x{n}, seed {self.seed}, "
            f"after {self.board.move_number} moves\n{detail}\n  moves: {seq or '(none)'}\n"
            f"  our board:\n{self.board}\n  minigo's board:\n{self.position.__str__(colors=False)}"
        )

    def check(self) -> None:
        board, pos, n = self.board, self.position, self.size
        for color, code in (("black", go_base.BLACK), ("white", go_base.WHITE)):
            if board.stones(color) != minigo_stones(pos, code):
                raise self.fail(f"{color} stones", board.stones(color), minigo_stones(pos, code))
        to_play = "black" if pos.to_play == go_base.BLACK else "white"
        if to_play != board.to_play:
            raise self.fail("side to move", board.to_play, to_play)
        caps = {"black": pos.caps[0], "white": pos.caps[1]}
        if board.captures != caps:
            raise self.fail("captures", board.captures, caps)
        mask = board.legal_mask()
        theirs_mask = pos.all_legal_moves()
        if not (mask[-1] and theirs_mask[-1]):
            raise self.fail("pass is legal", bool(mask[-1]), bool(theirs_mask[-1]))
        ours = set(np.flatnonzero(mask[:-1]).tolist())
        theirs = set(np.flatnonzero(theirs_mask[:-1]).tolist())
        # minigo has simple ko only: it also allows the points that only our superko forbids
        superko_only = set(np.flatnonzero(self.simple.legal_mask()[:-1] & ~mask[:-1]).tolist())
        self.tally["superko_points"] += len(superko_only)
        if ours | superko_only != theirs:
            what = f"legal moves for {board.to_play}"
            if superko_only:
                what += f"; minigo is expected to allow our superko bans {sorted(superko_only)} too"
            raise self.fail(what, ours | superko_only, theirs)
        self.tally["positions"] += 1
        self.tally["points_checked"] += n * n + 1

    def choose(self, rng: random.Random, pass_prob: float) -> int:
        board, n = self.board, self.size
        me = 1 if board.to_play == "black" else 2
        colors = board.colors()
        candidates = [
            int(p)
            for p in board.legal_moves()
            if p != n * n and not is_own_eye(colors, n, divmod(int(p), n), me)
        ]
        if not candidates or rng.random() < pass_prob:
            return n * n
        return rng.choice(candidates)

    def play(self, move: int) -> None:
        board = self.board
        board.play(move)
        self.simple.play(move)
        coord = None if move == board.pass_move else divmod(move, self.size)
        try:
            self.position = self.position.play_move(coord, mutate=True)
        except go_base.IllegalMove as e:
            raise self.fail(
                "minigo refused our legal move", board.vertex(move), str(e).splitlines()[0]
            ) from None
        self.tally["moves"] += 1
        self.check()

    def score(self) -> None:
        ours, theirs = self.board.score(), float(self.position.score())
        if ours != theirs:
            raise self.fail("final area score", ours, theirs)
        if self.board.is_over != self.position.is_game_over():
            raise self.fail("game over", self.board.is_over, self.position.is_game_over())
        self.tally["scores"] += 1


def play_games(name: str, size: int, seeds: range, tally: Counter, pass_prob: float = 0.03) -> None:
    move_cap = 3 * size * size
    with go_base_size(size):
        for seed in seeds:
            rng = random.Random(f"{name}/{size}/{seed}")
            game = Mirror(size, SETTINGS[name], seed, name, tally)
            game.check()
            while not game.board.is_over and game.board.move_number < move_cap:
                game.play(game.choose(rng, pass_prob))
            game.score()
            tally["games"] += 1
            tally["captures"] += sum(game.board.captures.values())


# ---------------------------------------------------------------- the tests

GAMES = {9: 150, 7: 100}
CASES = [(name, size, games) for name in SETTINGS for size, games in GAMES.items()]


@pytest.mark.parametrize(("name", "size", "games"), CASES, ids=[f"{s}-{n}x{n}" for s, n, _ in CASES])
def test_random_games_match_minigo(tally: Counter, name: str, size: int, games: int) -> None:
    before = tally["positions"]
    play_games(name, size, range(games), tally)
    assert tally["positions"] - before >= games * size, "suspiciously few positions compared"


def replay(size: int, moves: str, rules: Rules) -> tuple[Board, object]:
    """Play a move list like ``"B B4 W pass"`` on our board and on minigo's."""
    tokens = moves.split()
    board = Board(size, rules=rules)
    position = go_base.Position(komi=KOMI)
    for color, vertex in zip(tokens[::2], tokens[1::2], strict=True):
        assert board.to_play[0] == color.lower(), "the hand-built sequences alternate colours"
        index = board.parse_move(vertex)
        board.play(index)
        position = position.play_move(None if index == board.pass_move else divmod(index, size), mutate=True)
    return board, position


def test_rule_differences() -> None:
    """minigo lacks superko and forbids all suicide: pinned down on hand-built positions."""
    with go_base_size(5):
        # black takes a ko at C3, both pass, white retakes at B3: legal under simple ko,
        # but it recreates the position after move 8, so positional superko forbids it
        seq = "B B4 W C4 B A3 W D3 B B2 W C2 B E5 W B3 B C3 W pass B pass"
        for rules, expected in ((SIMPLE, True), (Rules.preset("chinese"), False)):
            board, position = replay(5, seq, rules)
            index = board.parse_move("B3")
            assert board.is_legal(index) is expected, (
                f"{rules.ko} ko: W B3 should be legal={expected}\n{board}"
            )
            assert position.all_legal_moves()[index] == 1, "minigo has simple ko only: W B3 is legal"
        # black A4 would kill its own A5+A4: multi-stone suicide, legal only where suicide is
        seq = "B E1 W B5 B E2 W B4 B E3 W A3 B A5 W pass"
        for rules, expected in ((SIMPLE, False), (Rules(ko="simple", suicide=True), True)):
            board, position = replay(5, seq, rules)
            index = board.parse_move("A4")
            assert board.is_legal(index) is expected, (
                f"suicide={rules.suicide}: B A4 legal={expected}\n{board}"
            )
            assert position.all_legal_moves()[index] == 0, "minigo forbids every suicide"
        # a single-stone suicide is illegal everywhere
        board, position = replay(5, "B E1 W A4 B E2 W B5", Rules(ko="simple", suicide=True))
        index = board.parse_move("A5")
        assert not board.is_legal(index) and position.all_legal_moves()[index] == 0


def test_summary_and_coverage(tally: Counter, capsys: pytest.CaptureFixture) -> None:
    """Report what this module compared; the games must have reached the interesting cases."""
    with capsys.disabled():
        print(
            f"\npettingzoo cross-check: {tally['positions']} positions compared (stones, captures and "
            f"legal moves; {tally['points_checked']} point verdicts) in {tally['games']} games of "
            f"{tally['moves']} moves, {tally['captures']} stones captured, "
            f"{tally['superko_points']} superko-only bans; {tally['scores']} final scores; "
            f"{tally['disagreements']} disagreements"
        )
    if not tally["games"]:
        pytest.skip("run together with test_random_games_match_minigo")
    assert tally["positions"] >= 5000, "fewer positions compared than this test is meant to cover"
    assert tally["superko_points"] > 0, "no position where superko forbade a simple-ko-legal point"
