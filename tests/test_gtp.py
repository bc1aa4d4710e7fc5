"""``seigen gtp`` through a real subprocess: what GUIs and match servers rely on.

Every command is checked for what it answers and what it does to the game, not just
for success; the protocol's corners (ids, blank lines, comments, CRLF, tabs, control
characters, vertices) and malformed input, after each of which the state must be as
before and the next command must work; a whole game by the engine's own genmove;
analysis streaming (lz-analyze, kata-analyze and their genmove forms), stopped by the
next command or at --analysis-visits; what Lizzie needs (its version rule, ported
from its Java source, and a session it sent); time management; and a rules
cross-check against GNU Go over GTP.

The engine is driven by ``Engine`` below, which writes raw bytes and parses every byte
the engine prints strictly as GTP answers (``=``/``?``, an optional id, no empty line
inside an answer, a blank line after each, nothing between answers, nothing after
``quit``, exit status 0), so stray output on stdout fails whatever test meets it.
GNU Go is driven by ``GTPClient`` (seigen.engine.gtp_client).

Without GNU Go the cross-check skips, or fails when the environment variable ``CI``
is set (as in tests/test_crosscheck_gnugo.py). Point it at a binary with ``GNUGO=...``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from go_oracle import tromp_taylor_area

from seigen.engine import Board, read_sgf, write_sgf
from seigen.engine.gtp_client import GTPClient

COLUMNS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # GTP columns: no I
ALL_COMMANDS = (
    *("protocol_version", "name", "version", "known_command", "list_commands", "quit"),
    *("boardsize", "clear_board", "komi", "play", "genmove", "undo", "showboard"),
    *("fixed_handicap", "place_free_handicap", "set_free_handicap", "loadsgf", "printsgf"),
    *("final_score", "final_status_list", "time_settings", "time_left", "kgs-time_settings"),
    *("kgs-genmove_cleanup", "reg_genmove", "is_legal", "list_stones", "kgs-rules", "kata-set-rules"),
    *("lz-analyze", "kata-analyze", "lz-genmove_analyze", "kata-genmove_analyze"),
)


def seigen_argv() -> list[str]:
    exe = shutil.which("seigen")
    return [exe] if exe else [sys.executable, "-m", "seigen.scripts.cli"]


# ---------------------------------------------------------------- a strict GTP driver


@dataclass(frozen=True)
class Answer:
    ok: bool  # '=' or '?'
    id: str  # '' when the command had none
    text: str  # the answer after '=' / '?' and the id, lines joined by '\n', outer blank space stripped
    raw: bytes


ANSWER_HEAD = re.compile(rb"([=?])([0-9]*)(?: ([^\r\n]*))?\n")


class Engine:
    """``seigen gtp ARGS`` in a subprocess; stdin written as bytes, stdout parsed strictly."""

    def __init__(self, *args: str, timeout: float = 30.0, env: dict[str, str] | None = None) -> None:
        self.argv = [*seigen_argv(), "gtp", *args]
        self.timeout = timeout
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self.stderr: list[bytes] = []
        self.transcript: list[bytes] = []  # stdout so far, for failure messages
        self._next_id = 1
        self._pumps = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self._lines.put, True), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append), daemon=True),
        ]
        for pump in self._pumps:
            pump.start()

    @staticmethod
    def _pump(stream, put, end: bool = False) -> None:
        for line in stream:
            put(line)
        if end:
            put(None)

    # -- raw access
    def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def where(self) -> str:
        out = b"".join(self.transcript[-12:]).decode("utf-8", "replace")
        err = b"".join(self.stderr[-12:]).decode("utf-8", "replace")
        return f"\n--- last stdout:\n{out}\n--- last stderr:\n{err}"

    def line(self, timeout: float | None = None) -> bytes | None:
        """The next stdout line (None at the end of output)."""
        try:
            line = self._lines.get(timeout=timeout or self.timeout)
        except queue.Empty:
            wait = timeout or self.timeout
            raise AssertionError(f"no output from {self.argv} within {wait} s{self.where()}") from None
        if line is not None:
            self.transcript.append(line)
            assert line.endswith(b"\n") and b"\r" not in line, f"bad line ending {line!r}"
            line.decode("utf-8")  # must be UTF-8
        return line

    def answer(self, timeout: float | None = None) -> Answer:
        """The next answer, parsed strictly: a head line, non-empty lines, one blank line."""
        first = self.line(timeout)
        assert first is not None, f"the engine closed stdout instead of answering{self.where()}"
        head = ANSWER_HEAD.fullmatch(first)
        assert head, f"not the start of a GTP answer: {first!r}{self.where()}"
        lines = [(head.group(3) or b"").decode()]
        raw = [first]
        while True:
            line = self.line(timeout)
            assert line is not None, f"the engine closed stdout inside an answer{self.where()}"
            raw.append(line)
            if line == b"\n":
                break
            assert line.strip(), f"a blank line inside an answer: {line!r}{self.where()}"
            lines.append(line[:-1].decode())
        return Answer(head.group(1) == b"=", head.group(2).decode(), "\n".join(lines).strip(), b"".join(raw))

    # -- commands
    def send(self, command: str | bytes, timeout: float | None = None) -> Answer:
        """Send one command with a fresh id and read its answer, which must carry the id."""
        data = command.encode() if isinstance(command, str) else command
        cid = str(self._next_id)
        self._next_id += 1
        data = cid.encode() + b" " + data
        self.write(data + b"\n")
        answer = self.answer(timeout)
        assert answer.id == cid, f"answer {answer.raw!r} to {data[:80]!r} does not carry the id {cid!r}"
        return answer

    def ok(self, command: str | bytes, timeout: float | None = None) -> str:
        answer = self.send(command, timeout=timeout)
        assert answer.ok, f"{command!r} failed: {answer.text}"
        return answer.text

    def fails(self, command: str | bytes) -> str:
        answer = self.send(command)
        assert not answer.ok, f"{command!r} should fail, got {answer.raw!r}"
        assert answer.text, f"{command!r}: a failure must say why"
        return answer.text

    def stones(self, color: str) -> set[str]:
        return set(self.ok(f"list_stones {color}").split())

    def state(self) -> tuple[str, ...]:
        """Everything a failed command must leave as it was."""
        return (
            self.ok("showboard"),
            self.ok("list_stones black"),
            self.ok("list_stones white"),
            self.ok("printsgf"),
        )

    def quit(self) -> None:
        """``quit``: answered, then nothing more on stdout and exit status 0, no crash on stderr."""
        self.ok("quit")
        extra = self.line()
        assert extra is None, f"output after quit: {extra!r}{self.where()}"
        assert self.proc.wait(timeout=10) == 0, f"exit status {self.proc.returncode} after quit{self.where()}"
        err = b"".join(self.stderr)
        assert b"Traceback" not in err and b"Fatal Python error" not in err, self.where()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pump in self._pumps:
            pump.join(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(BrokenPipeError):  # unflushed input to a dead engine
                    stream.close()


@pytest.fixture
def start() -> Iterator:
    """``start(*args, player="random", size=9, env=None)`` -> a running Engine; all are stopped afterwards."""
    engines: list[Engine] = []

    def _start(
        *args: str, player: str = "random", size: int = 9, env: dict[str, str] | None = None
    ) -> Engine:
        engine = Engine("--player", player, "--size", str(size), *args, env=env)
        engines.append(engine)
        return engine

    yield _start
    for engine in engines:
        engine.kill()


# ---------------------------------------------------------------- independent helpers


def vertex(size: int, row: int, col: int) -> str:
    return f"{COLUMNS[col]}{size - row}"


def point(size: int, v: str) -> tuple[int, int]:
    v = v.upper()
    return size - int(v[1:]), COLUMNS.index(v[0])


def board_rows(showboard: str) -> dict[int, str]:
    """showboard's rows: row number -> the points as 'X'/'O'/'.' (the last move's lower case kept)."""
    rows = {}
    for line in showboard.splitlines():
        m = re.fullmatch(r"\s*(\d+) ([.XOxo](?: [.XOxo])*) (\d+)", line)
        if m:
            assert m.group(1) == m.group(3)
            rows[int(m.group(1))] = m.group(2).replace(" ", "")
    return rows


def stones_from_showboard(size: int, showboard: str) -> tuple[set[str], set[str]]:
    rows = board_rows(showboard)
    assert sorted(rows) == list(range(1, size + 1)), showboard
    black = {f"{COLUMNS[c]}{r}" for r, cells in rows.items() for c, ch in enumerate(cells) if ch in "Xx"}
    white = {f"{COLUMNS[c]}{r}" for r, cells in rows.items() for c, ch in enumerate(cells) if ch in "Oo"}
    return black, white


def area_score(size: int, black: set[str], white: set[str], komi: float) -> float:
    """Tromp-Taylor: black's stones and empty regions reaching only black, minus white's, minus komi."""
    area_b, area_w = tromp_taylor_area(size, {point(size, v) for v in black}, {point(size, v) for v in white})
    return area_b - area_w - komi


def score_text(score: float) -> str:
    """A GTP final_score: 'B+3.5', 'W+0.5' or '0'."""
    return "0" if score == 0 else f"B+{score:g}" if score > 0 else f"W+{-score:g}"


def parse_score(text: str) -> float:
    text = text.split()[0]
    return 0.0 if text == "0" else {"B": 1.0, "W": -1.0}[text[0].upper()] * float(text[2:])


def random_game(size: int, moves: int, seed: int, passes: tuple[int, ...] = ()) -> Board:
    """A game of random sensible moves (with passes at the given move numbers) on seigen's Board."""
    rng = np.random.default_rng(seed)
    board = Board(size)
    for number in range(1, moves + 1):
        choices = board.sensible_moves()
        if number in passes or choices.size == 0:
            board.play("pass")
        else:
            board.play(int(rng.choice(choices)))
    return board


def board_stones(board: Board) -> tuple[set[str], set[str]]:
    n = board.size
    return (
        {vertex(n, r, c) for r, c in board.stones("black")},
        {vertex(n, r, c) for r, c in board.stones("white")},
    )


# ---------------------------------------------------------------- identity, command list, quit


def test_identity_and_command_list(start) -> None:
    g = start()
    assert g.ok("protocol_version") == "2"
    assert g.ok("name") == "seigen"
    version = g.ok("version")
    assert version and "\n" not in version and "random" in version
    listed = g.ok("list_commands").splitlines()
    assert len(set(listed)) == len(listed)
    assert set(listed) == set(ALL_COMMANDS), "list_commands changed: cover the new commands in this file"
    for command in ALL_COMMANDS:
        assert g.ok(f"known_command {command}") == "true", command
    for command in ("foo", "play_move", "kgs-chat", "lz_analyze"):
        assert g.ok(f"known_command {command}") == "false", command
    g.fails("known_command")
    g.quit()


def test_quit_exits_cleanly_and_eof_too(start) -> None:
    """``quit`` (stdin left open, as GUIs do) answers, then the process exits 0 at once."""
    g = start()
    g.ok("name")
    t0 = time.perf_counter()
    g.quit()  # exit status 0, nothing after the answer, no crash
    assert time.perf_counter() - t0 < 2.0
    # the end of input without quit ends the engine too
    g = start()
    g.ok("name")
    assert g.proc.stdin is not None
    g.proc.stdin.close()
    assert g.line() is None
    assert g.proc.wait(timeout=10) == 0, g.where()


# ---------------------------------------------------------------- setup commands


def test_boardsize_clear_board_komi(start) -> None:
    g = start()
    assert g.ok("boardsize 13") == ""
    board = g.ok("showboard")
    assert board.splitlines()[0].split() == list(COLUMNS[:13])
    assert sorted(board_rows(board)) == list(range(1, 14))
    g.ok("play b N13")
    assert g.stones("black") == {"N13"}
    g.fails("play w O13")  # off a 13x13 board
    g.ok("clear_board")
    assert g.stones("black") == set() and g.stones("white") == set()
    assert "black to play, move 0" in g.ok("showboard")
    g.ok("boardsize 25")
    assert g.ok("showboard").splitlines()[0].split() == list(COLUMNS)
    g.ok("play w Z25")
    assert g.stones("white") == {"Z25"}
    g.ok("boardsize 2")
    assert g.stones("white") == set()  # boardsize clears the board
    g.ok("boardsize 9")
    # komi: the score of an empty board is -komi; boardsize and clear_board keep it
    assert g.ok("final_score") == "W+7.5"
    g.ok("komi 6.5")
    assert g.ok("final_score") == "W+6.5"
    g.ok("komi -3")
    g.ok("clear_board")
    assert g.ok("final_score") == "B+3"
    g.ok("komi 0")
    g.ok("boardsize 7")
    assert g.ok("final_score") == "0"
    assert "komi 0" in g.ok("showboard")
    g.quit()


def test_play_list_stones_showboard_undo(start) -> None:
    g = start()
    empty = g.state()
    g.fails("undo")  # nothing to undo
    assert g.state() == empty
    # a capture in the corner: white A1 taken by black A2 and B1
    history = []
    for move in ("b a2", "w A1", "b j9", "w pass", "B b1"):
        history.append(g.state())
        g.ok(f"play {move}")
    assert g.stones("black") == {"A2", "J9", "B1"}
    assert g.stones("white") == set()
    board = g.ok("showboard")
    assert stones_from_showboard(9, board) == ({"A2", "J9", "B1"}, set())
    assert board_rows(board)[1] == ".x......."  # the last move in lower case
    assert "white to play, move 5, captures B 1 W 0" in board
    # undo restores each earlier state exactly, captured stones included
    for before in reversed(history):
        g.ok("undo")
        assert g.state() == before
    assert g.state() == empty
    g.fails("undo")
    # colours and vertices in any case, long colour names
    g.ok("play BLACK e5")
    g.ok("play White E6")
    assert g.stones("BLACK") == {"E5"} and g.stones("w") == {"E6"}
    g.quit()


# Black F5, the last move, has just taken E5: white may not retake at once (ko);
# A1 is suicide for black.
KO_AND_SUICIDE = ("b D5", "w E5", "b E6", "w F6", "b E4", "w F4", "w G5", "w A2", "w B1", "b F5")


def test_is_legal(start) -> None:
    g = start()
    for move in KO_AND_SUICIDE:
        g.ok(f"play {move}")
    assert g.ok("is_legal w e5") == "0"  # ko: immediate recapture
    assert g.ok("is_legal b e5") == "1"  # black fills the ko
    assert g.ok("is_legal b a1") == "0"  # suicide
    assert g.ok("is_legal w a1") == "1"
    assert g.ok("is_legal b F5") == "0"  # occupied
    assert g.ok("is_legal w pass") == "1"
    assert g.ok("is_legal b J9") == "1"
    before = g.state()
    g.fails("is_legal x e5")
    g.fails("is_legal b I5")
    g.fails("is_legal b")
    assert g.state() == before
    g.quit()


def test_genmove_reg_genmove_cleanup(start) -> None:
    g = start()
    g.ok("play b E5")
    before = g.state()
    for _ in range(5):
        move = g.ok("reg_genmove w")
        assert re.fullmatch(r"[A-HJ][1-9]", move) and move != "E5"
        assert g.ok(f"is_legal w {move}") == "1"
        assert g.state() == before  # reg_genmove does not play
    move = g.ok("genmove w")
    assert g.stones("white") == {move}
    assert "black to play, move 2" in g.ok("showboard")
    move = g.ok("kgs-genmove_cleanup b")
    assert g.stones("black") == {"E5", move}
    # genmove out of turn plays for the colour asked
    move = g.ok("genmove b")
    assert len(g.stones("black")) == 3 and move in g.stones("black")
    g.fails("genmove")
    g.fails("genmove x")
    g.fails("reg_genmove")
    g.quit()


# ---------------------------------------------------------------- handicap


FIXED_9 = {
    2: "C3 G7",
    3: "C3 G7 C7",
    4: "C3 G7 C7 G3",
    5: "C3 G7 C7 G3 E5",
    6: "C3 G7 C7 G3 C5 G5",
    7: "C3 G7 C7 G3 C5 G5 E5",
    8: "C3 G7 C7 G3 C5 G5 E7 E3",
    9: "C3 G7 C7 G3 C5 G5 E7 E3 E5",
}
FIXED_19 = {
    2: "D4 Q16",
    3: "D4 Q16 D16",
    4: "D4 Q16 D16 Q4",
    5: "D4 Q16 D16 Q4 K10",
    6: "D4 Q16 D16 Q4 D10 Q10",
    7: "D4 Q16 D16 Q4 D10 Q10 K10",
    8: "D4 Q16 D16 Q4 D10 Q10 K4 K16",
    9: "D4 Q16 D16 Q4 D10 Q10 K4 K16 K10",
}  # the fixed handicap table of the GTP 2 specification


def test_fixed_handicap(start) -> None:
    g = start()
    for size, table in ((9, FIXED_9), (19, FIXED_19)):
        g.ok(f"boardsize {size}")
        for stones, expected in table.items():
            g.ok("clear_board")
            answer = g.ok(f"fixed_handicap {stones}")
            assert set(answer.split()) == set(expected.split()), (size, stones, answer)
            assert len(answer.split()) == stones
            assert g.stones("black") == set(expected.split())
            assert "white to play, move 0" in g.ok("showboard")
    g.ok("boardsize 19")
    g.ok("fixed_handicap 4")
    assert "HA[4]" in g.ok("printsgf")
    before = g.state()
    g.fails("fixed_handicap 2")  # board not empty
    assert g.state() == before
    g.ok("clear_board")
    for bad in ("1", "10", "0", "-2", "abc"):
        g.fails(f"fixed_handicap {bad}")
        assert g.stones("black") == set()
    g.ok("boardsize 8")
    g.fails("fixed_handicap 5")  # even boards: at most 4
    g.ok("boardsize 6")
    g.fails("fixed_handicap 2")  # no fixed handicap below 7x7
    g.quit()


def test_free_handicap(start) -> None:
    g = start()
    placed = g.ok("place_free_handicap 5").split()
    assert len(set(placed)) == 5 and g.stones("black") == set(placed)
    assert "white to play" in g.ok("showboard")
    assert "HA[5]" in g.ok("printsgf")
    before = g.state()
    g.fails("place_free_handicap 2")  # board not empty
    g.fails("set_free_handicap A1 B2")
    assert g.state() == before
    g.ok("clear_board")
    g.fails("place_free_handicap 1")
    g.fails("place_free_handicap 81")
    for bad in ("E5", "E5 E5", "pass E5", "E5 K5", "E5 I3", "E5 x", ""):
        g.fails(f"set_free_handicap {bad}")
        assert g.stones("black") == set(), bad
    g.ok("set_free_handicap c3 G7 e5")
    assert g.stones("black") == {"C3", "G7", "E5"}
    assert "white to play" in g.ok("showboard")
    sgf = g.ok("printsgf")
    assert "HA[3]" in sgf
    board, _ = read_sgf(sgf.encode())
    assert board.handicap == 3 and board.to_play == "white"
    move = g.ok("genmove w")
    assert move in g.stones("white")
    g.quit()


# ---------------------------------------------------------------- SGF


def test_printsgf_round_trip(start, tmp_path: Path) -> None:
    g = start()
    g.ok("komi 3.5")
    g.ok("fixed_handicap 2")
    for move in ("w A1", "b a2", "w J9", "b B1", "w pass", "b e5", "w D5"):  # B1 captures A1
        g.ok(f"play {move}")
    assert g.stones("white") == {"J9", "D5"}
    text = g.ok("printsgf")
    assert text.startswith("(;") and text.endswith(")")
    board, _ = read_sgf(text.encode())
    black, white = board_stones(board)
    assert (black, white) == (g.stones("black"), g.stones("white"))
    assert board.komi == 3.5 and board.handicap == 2 and board.to_play == "black"
    assert board.move_number == 7 and board.moves[4] == ("white", board.pass_move)
    assert board.captures == {"black": 1, "white": 0}
    assert board.rules.ko == "positional" and board.rules.scoring == "area"  # chinese
    # printsgf FILE writes the same record
    path = tmp_path / "printed.sgf"
    assert g.ok(f"printsgf {path}") == ""
    assert [line for line in path.read_text().splitlines() if line.strip()] == text.splitlines()
    # and loadsgf of it gives the same game in another engine
    h = start()
    h.ok(f"loadsgf {path}")
    assert h.state() == g.state()
    for _ in range(7):
        h.ok("undo")
    assert h.stones("black") == {"C3", "G7"} and h.stones("white") == set()
    assert "white to play, move 0" in h.ok("showboard")
    h.fails("undo")
    g.fails(f"printsgf {tmp_path}/no/such/dir/x.sgf")
    g.fails("printsgf a b")
    g.quit()
    h.quit()


def test_loadsgf_random_game(start, tmp_path: Path) -> None:
    """A game written by write_sgf, loaded whole and up to each kind of move number."""
    game = random_game(9, 70, seed=5, passes=(20,))
    assert sum(game.captures.values()) > 0, "want captures in the game"
    path = tmp_path / "game.sgf"
    write_sgf(game, path)
    g = start("--komi", "0.5")
    g.ok("play b E5")
    assert g.ok(f"loadsgf {path}") == ""
    assert (g.stones("black"), g.stones("white")) == board_stones(game)
    assert f"{game.to_play} to play, move 70" in g.ok("showboard")
    assert "komi 7.5" in g.ok("showboard")  # the file's KM
    n = len(game.moves)
    # GTP: the position *before* move_number (1 is the empty board; past the end is the end)
    for number in (1, 2, 3, 20, 21, 22, 40, n, n + 1, n + 50):
        g.ok(f"loadsgf {path} {number}")
        expected = Board(9)
        for color, move in game.moves[: number - 1]:
            expected.play(move, color)
        assert (g.stones("black"), g.stones("white")) == board_stones(expected), number
        assert f"{expected.to_play} to play, move {expected.move_number}" in g.ok("showboard"), number
        if number == 2:
            assert g.ok("undo") == ""  # the history is there to undo
            assert g.stones("black") == set() and g.stones("white") == set()
            g.fails("undo")
    g.quit()


def test_loadsgf_handicap_file(start, tmp_path: Path) -> None:
    path = tmp_path / "handicap.sgf"
    path.write_text(
        "(;GM[1]FF[4]CA[UTF-8]SZ[9]KM[0.5]HA[2]RU[Japanese]PB[b]PW[w]\n"
        "AB[cg][gc]\n;W[ee];B[ce]\n;W[dd];B[];W[ge])\n"
    )
    g = start()
    g.ok(f"loadsgf {path}")
    assert g.stones("black") == {"C3", "G7", "C5"}
    assert g.stones("white") == {"E5", "D6", "G5"}
    board = g.ok("showboard")
    assert "black to play, move 5" in board and "komi 0.5" in board
    sgf = g.ok("printsgf")
    assert "RU[Japanese]" in sgf and "HA[2]" in sgf and "KM[0.5]" in sgf
    g.ok(f"loadsgf {path} 1")  # before white's first move: the handicap stones only
    assert g.stones("black") == {"C3", "G7"} and g.stones("white") == set()
    assert "white to play, move 0" in g.ok("showboard")
    g.ok(f"loadsgf {path} 2")
    assert g.stones("white") == {"E5"} and "black to play, move 1" in g.ok("showboard")
    g.ok(f"loadsgf {path} 5")  # before W[ge]: black has passed
    assert g.stones("white") == {"E5", "D6"} and "white to play, move 4" in g.ok("showboard")
    g.quit()


# ---------------------------------------------------------------- scoring


# Black owns columns A-D, white F-J, column E is dame; a white stone inside black's area
# (B5) and a black one inside white's (H5) are dead.
SCORING_POSITION = [f"b D{r}" for r in range(1, 10)] + [f"w F{r}" for r in range(1, 10)] + ["w B5", "b H5"]


@pytest.mark.parametrize("player", ["random", "mcts"])
def test_final_score_and_status(start, player: str) -> None:
    """The random player judges by light playouts, the mcts player by its own search."""
    g = start("--visits", "2000", player=player)
    for move in SCORING_POSITION:
        g.ok(f"play {move}")
    # area: black 27 + 9, white 9 + 27, both dead stones removed: 0 - komi
    assert g.ok("final_score") == "W+7.5"
    assert sorted(g.ok("final_status_list dead").split()) == ["B5", "H5"]
    alive = g.ok("final_status_list alive").splitlines()  # one chain per line
    assert sorted(sorted(line.split()) for line in alive) == [
        sorted(f"D{r}" for r in range(1, 10)),
        sorted(f"F{r}" for r in range(1, 10)),
    ]
    assert g.ok("final_status_list seki") == ""
    g.fails("final_status_list foo")
    g.fails("final_status_list")
    # territory scoring: 27 + 1 prisoner each side, komi 6.5 after the rules change
    g.ok("kgs-rules japanese")
    g.ok("komi 6.5")
    assert g.ok("final_score") == "W+6.5"
    g.quit()


def test_full_game_by_genmove(start) -> None:
    """Random genmove for both colours on 9x9 to two passes; then the score and the status lists."""
    g = start("--seed", "3")
    mirror = Board(9)
    passes = 0
    while passes < 2:
        assert mirror.move_number < 500, "the game does not end"
        color = mirror.to_play
        move = g.ok(f"genmove {color}")
        assert move == "pass" or re.fullmatch(r"[A-HJ][1-9]", move), move
        mirror.play(move, color)  # raises if the engine played an illegal move
        passes = passes + 1 if move == "pass" else 0
        if mirror.move_number % 25 == 0:
            assert (g.stones("black"), g.stones("white")) == board_stones(mirror)
    black, white = g.stones("black"), g.stones("white")
    assert (black, white) == board_stones(mirror)
    assert mirror.move_number > 40 and black and white
    assert stones_from_showboard(9, g.ok("showboard")) == (black, white)
    # no move is left but filling an eye: nothing is dead, the count is Tromp-Taylor's
    assert g.ok("final_status_list dead") == ""
    alive = g.ok("final_status_list alive").split()
    assert len(alive) == len(set(alive)) and set(alive) == black | white
    assert g.ok("final_score") == score_text(area_score(9, black, white, 7.5))
    sgf = g.ok("printsgf")
    board, _ = read_sgf(sgf.encode())
    assert board.moves == mirror.moves and board.is_over
    g.quit()


# ---------------------------------------------------------------- rules and time commands


def test_rules_commands(start) -> None:
    g = start("--komi", "5.5")
    # a multi-stone suicide: black A2 joins A1 and fills the chain's last liberty (and
    # makes a position never seen before, so that positional superko does not forbid it)
    for move in ("b A1", "w B1", "w B2", "w A3"):
        g.ok(f"play {move}")
    assert g.ok("is_legal b A2") == "0"
    assert "suicide" in g.fails("play b A2")
    g.ok("kata-set-rules tromp-taylor")  # suicide allowed
    assert g.ok("is_legal b A2") == "1"
    assert "RU[Tromp-Taylor]" in g.ok("printsgf") and "KM[5.5]" in g.ok("printsgf")
    g.ok("play b A2")
    assert g.stones("black") == set()
    assert "captures B 0 W 2" in g.ok("showboard")
    before = g.state()
    assert "suicide" in g.fails("kgs-rules chinese")  # the game could not have been played
    assert g.state() == before
    g.ok("undo")
    g.ok("kgs-rules chinese")
    assert "RU[Chinese]" in g.ok("printsgf")
    for name in ("japanese", "aga", "new_zealand", "korean", "tromp-taylor", "chinese"):
        g.ok(f"kgs-rules {name}")
        g.ok(f"kata-set-rules {name}")
    assert "KM[5.5]" in g.ok("printsgf")  # rules changes keep the komi
    before = g.state()
    g.fails("kgs-rules foo")
    g.fails("kata-set-rules")
    g.fails("kgs-rules chinese japanese")
    assert g.state() == before
    g.quit()


def test_rules_change_keeps_side_to_move(start, tmp_path: Path) -> None:
    path = tmp_path / "white_first.sgf"
    path.write_text("(;GM[1]FF[4]SZ[9]PL[W])")
    g = start()
    g.ok(f"loadsgf {path}")
    assert "white to play" in g.ok("showboard")
    g.ok("kgs-rules japanese")
    assert "white to play" in g.ok("showboard")
    g.quit()


def test_time_commands(start) -> None:
    g = start()
    for command in (
        "time_settings 300 30 5",
        "time_settings 0 1 0",
        "time_settings 0 0 0",
        "time_settings 10.5 0 0",
        "time_left b 100 0",
        "time_left white 20 3",
        "kgs-time_settings none",
        "kgs-time_settings absolute 60",
        "kgs-time_settings byoyomi 60 10 5",
        "kgs-time_settings canadian 60 30 10",
    ):
        assert g.ok(command) == "", command
    before = g.state()
    for command in (
        "time_settings 1 2",
        "time_settings a 0 0",
        "time_settings -1 0 0",
        "time_settings 1 1 1.5",
        "time_left b x 0",
        "time_left x 10 0",
        "time_left b 10",
        "kgs-time_settings",
        "kgs-time_settings foo 1",
        "kgs-time_settings byoyomi 60 10",
        "kgs-time_settings absolute nan",
    ):
        g.fails(command)
    assert g.state() == before
    g.quit()


# ---------------------------------------------------------------- protocol details


def test_ids_blank_lines_comments_whitespace(start) -> None:
    g = start()
    assert g.send("name").id == "1"
    g.write(b"17 name\n")
    assert g.answer() == Answer(True, "17", "seigen", b"=17 seigen\n\n")
    g.write(b"18 play b I5\n")  # no I column
    answer = g.answer()
    assert (answer.ok, answer.id) == (False, "18") and answer.raw.startswith(b"?18 ")
    g.write(b"19 foo\n")
    assert g.answer() == Answer(False, "19", "unknown command", b"?19 unknown command\n\n")
    g.write(b"name\n")  # no id: none in the answer
    assert g.answer().raw == b"= seigen\n\n"
    g.write(b"foo\n")
    assert g.answer().raw.startswith(b"? ")
    # comments, empty lines and blank lines get no answer at all
    g.write(b"# a comment\n\n   \n\t\n#20 name\n21 name # a comment after a command\n")
    assert g.answer().raw == b"=21 seigen\n\n"
    # CRLF, tabs, control characters, vertices in any case
    g.write(b"22 play b e5\r\n")
    assert g.answer().raw == b"=22\n\n"
    g.write(b"\t23\tplay\tw\tD5\t\r\n")
    assert g.answer().raw == b"=23\n\n"
    g.write(b"24 na\x01m\x7fe\x1b\r\n")
    assert g.answer().raw == b"=24 seigen\n\n"
    g.write(b"25 list_stones\x00 b\n")
    assert g.answer().raw == b"=25 E5\n\n"
    assert g.stones("white") == {"D5"}
    assert g.ok("is_legal b e5") == "0" and g.ok("is_legal b E6") == "1"
    # pipelined commands are answered in order
    g.write(b"30 name\n31 protocol_version\n32 foo\n33 list_stones white\n")
    assert [(a.ok, a.id, a.text) for a in (g.answer() for _ in range(4))] == [
        (True, "30", "seigen"),
        (True, "31", "2"),
        (False, "32", "unknown command"),
        (True, "33", "D5"),
    ]
    # an id alone is a syntax error that keeps its id
    g.write(b"34\n")
    answer = g.answer()
    assert (answer.ok, answer.id) == (False, "34")
    # multi-line answers: showboard, list_commands, final_status_list -- no empty line inside
    for command in ("showboard", "list_commands", "final_status_list alive", "printsgf"):
        answer = g.send(command)
        assert answer.ok and b"\n\n" not in answer.raw[:-1], command
    g.quit()


def test_malformed_input_leaves_state_and_recovers(start, tmp_path: Path) -> None:
    missing = tmp_path / "missing.sgf"
    corrupt = tmp_path / "corrupt.sgf"
    corrupt.write_bytes(b"(;GM[1]FF[4]SZ[9];B[ee];W[e")
    illegal = tmp_path / "illegal.sgf"
    illegal.write_bytes(b"(;GM[1]FF[4]SZ[9];B[ee];W[ee])")
    not_go = tmp_path / "chess.sgf"
    not_go.write_bytes(b"(;GM[3]SZ[8])")
    big = tmp_path / "big.sgf"
    big.write_bytes(b"(;GM[1]FF[4]SZ[26])")
    g = start("--komi", "6.5")
    # a ko (white may not retake at E5 at once), a suicide point (A1 for black), some stones
    for move in KO_AND_SUICIDE:
        g.ok(f"play {move}")
    cases: list[tuple[bytes, str | None]] = [
        (b"foo", "unknown command"),
        (b"play", None),
        (b"play b", None),
        (b"play b e5 e6", None),
        (b"play x J9", "color"),
        (b"play b Z9", "vertex"),
        (b"play b K5", "vertex"),  # off a 9x9 board
        (b"play b A10", "vertex"),
        (b"play b A0", "vertex"),
        (b"play b I5", "vertex"),
        (b"play b 5", "vertex"),
        (b"play b F5", "occupied"),
        (b"play w E5", "ko"),
        (b"play b A1", "suicide"),
        (b"boardsize 0", None),
        (b"boardsize 26", None),
        (b"boardsize abc", None),
        (b"boardsize", None),
        (b"komi abc", None),
        (b"komi nan", None),
        (b"komi inf", None),
        (b"komi", None),
        (b"genmove purple", None),
        (b"list_stones", None),
        (b"play b " + b"A" * (70 * 1024), "long"),
        (b"play b E\xff\xfe5", "UTF-8"),
        (b"\xc3\x28 name", "UTF-8"),
        (f"loadsgf {missing}".encode(), "missing.sgf"),
        (f"loadsgf {corrupt}".encode(), "corrupt.sgf"),
        (f"loadsgf {illegal}".encode(), "illegal"),
        (f"loadsgf {not_go}".encode(), "GM"),
        (f"loadsgf {big}".encode(), "size"),
        (f"loadsgf {illegal} 0".encode(), None),
        (f"loadsgf {illegal} x".encode(), None),
        (b"loadsgf", None),
        (b"lz-genmove_analyze", None),
        (b"kata-genmove_analyze purple", None),
        (b"lz-analyze b interval x", None),
    ]
    before = g.state()
    for command, why in cases:
        answer = g.send(command)
        assert not answer.ok, f"{command[:60]!r} should fail, got {answer.raw!r}"
        if why is not None:
            assert why.lower() in answer.text.lower(), (command[:60], answer.text)
        assert "\n" not in answer.text
        assert g.ok("name") == "seigen"
        assert g.state() == before, command[:60]
    # the exact edge: a line of 64 KiB (newline aside) is read, a longer one is refused
    limit = 64 * 1024
    pad = b"7 name" + b" " * (limit - len(b"7 name"))
    g.write(pad + b"\n")
    assert g.answer().raw == b"=7 seigen\n\n"
    g.write(pad + b" \n")
    answer = g.answer()
    assert (answer.ok, answer.id) == (False, "7")
    assert g.ok("protocol_version") == "2"
    g.quit()


def test_non_ascii_input_under_an_ascii_locale(start) -> None:
    """Answers that echo a non-ASCII argument are UTF-8 even where stdout's locale is ASCII."""
    g = start(env={**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"})
    g.ok("play b E5")
    before = g.state()
    assert "color" in g.fails("play \u6f22 E5")
    assert "vertex" in g.fails("play w \u00c95")
    assert g.state() == before
    g.quit()


# ---------------------------------------------------------------- stdout is GTP only


def test_logs_go_to_stderr_or_the_log_file(start, tmp_path: Path) -> None:
    g = start("--verbose")
    for command in ("name", "play b E5", "genmove w", "foo", "showboard", "final_score"):
        g.send(command)  # every stdout byte is parsed as a GTP answer
    g.quit()
    err = b"".join(g.stderr).decode()
    assert "seigen gtp ready" in err and "<< 3 genmove w" in err
    log = tmp_path / "gtp.log"
    h = start("--verbose", "--log", str(log))
    h.ok("name")
    h.quit()
    assert "<< 1 name" in log.read_text() and ">> =1 seigen" in log.read_text()
    assert not b"".join(h.stderr).strip()


# ---------------------------------------------------------------- analysis


LZ_KEYS = ["move", "visits", "winrate", "prior", "lcb", "order"]
KATA_KEYS = ["move", "visits", "utility", "winrate", "scoreMean", "scoreStdev", "scoreLead", "prior", "lcb"]
KATA_KEYS += ["utilityLcb", "order"]


def parse_info(line: bytes, style: str, size: int = 9) -> list[dict[str, str]]:
    """An ``info move ...`` line (one or more candidates) as dicts; checks each field."""
    text = line.decode().rstrip("\n")
    assert text.startswith("info move "), text[:80]
    infos = []
    for chunk in text.split("info ")[1:]:
        tokens = chunk.split()
        pv_at = tokens.index("pv")
        keys, values = tokens[:pv_at:2], tokens[1:pv_at:2]
        assert keys == (LZ_KEYS if style == "lz" else KATA_KEYS), keys
        info = dict(zip(keys, values, strict=True))
        pv = tokens[pv_at + 1 :]
        assert pv and pv[0] == info["move"]
        for v in pv:
            assert v == "pass" or (v[0] in COLUMNS[:size] and 1 <= int(v[1:]) <= size), pv
        info["pv"] = " ".join(pv)
        move = info["move"]
        assert move == "pass" or (move[0] in COLUMNS[:size] and 1 <= int(move[1:]) <= size), move
        assert int(info["visits"]) > 0
        if style == "lz":
            assert 0 <= int(info["winrate"]) <= 10000 and 0 <= int(info["lcb"]) <= int(info["winrate"])
        else:
            w, u = float(info["winrate"]), float(info["utility"])
            assert 0 <= w <= 1 and abs(u - (2 * w - 1)) < 1e-5
        infos.append(info)
    assert [int(i["order"]) for i in infos] == list(range(len(infos)))
    visits = [int(i["visits"]) for i in infos]
    assert visits == sorted(visits, reverse=True)
    return infos


def stream_then_stop(g: Engine, command: str, cid: int, style: str, lines: int = 2) -> list[bytes]:
    """Start an analysis, read ``lines`` info lines, send ``name``: the stream must end at once."""
    g.write(f"{cid} {command}\n".encode())
    assert g.line() == f"={cid}\n".encode()
    infos = []
    for _ in range(lines):
        line = g.line(timeout=10)
        assert line is not None
        parse_info(line, style)
        infos.append(line)
    sent = time.perf_counter()
    g.write(f"{cid + 1} name\n".encode())
    while True:  # the rest of the stream, then the blank line that ends it
        line = g.line(timeout=10)
        assert line is not None
        if line == b"\n":
            break
        parse_info(line, style)
    assert g.answer() == Answer(True, str(cid + 1), "seigen", f"={cid + 1} seigen\n\n".encode())
    assert time.perf_counter() - sent < 2.0, "the analysis did not stop when the next command came"
    return infos


@pytest.mark.parametrize("player", ["rollout", "mcts"])
def test_lz_and_kata_analyze_stream_until_the_next_command(start, player) -> None:
    g = start("--visits", "200", player=player)
    g.ok("play b E5")
    before = g.state()
    infos = stream_then_stop(g, "lz-analyze 10", 101, "lz")
    if player == "mcts":  # a tree search reports lines of play, not just the move
        assert any(len(i["pv"].split()) > 1 for line in infos for i in parse_info(line, "lz"))
    stream_then_stop(g, "kata-analyze b interval 10", 201, "kata")
    stream_then_stop(g, "lz-analyze w 10 maxmoves 3", 301, "lz")
    assert g.state() == before  # analysis changes nothing
    g.quit()
    # the end of input stops an analysis too: its blank line, then a clean exit
    h = start("--visits", "200", player=player)
    h.write(b"1 kata-analyze 10\n")
    assert h.line() == b"=1\n"
    line = h.line()
    assert line is not None
    parse_info(line, "kata")
    assert h.proc.stdin is not None
    h.proc.stdin.close()
    while line != b"\n":
        line = h.line()
        assert line is not None
    assert h.line() is None
    assert h.proc.wait(timeout=10) == 0, h.where()


@pytest.mark.parametrize("player", ["rollout", "mcts"])
def test_genmove_analyze(start, player) -> None:
    g = start("--visits", "200", player=player)
    for cid, command, style, color in (
        (5, "lz-genmove_analyze b 10", "lz", "black"),
        (6, "kata-genmove_analyze w interval 10", "kata", "white"),
    ):
        g.write(f"{cid} {command}\n".encode())
        assert g.line() == f"={cid}\n".encode()
        while True:
            line = g.line()
            assert line is not None
            if line.startswith(b"play "):
                break
            parse_info(line, style)
        move = line.decode().split()[1]
        assert g.line() == b"\n"
        assert move in g.stones(color)
    assert len(g.stones("black")) == 1 and len(g.stones("white")) == 1
    g.quit()


# ---------------------------------------------------------------- Lizzie


def lizzie_loads(name_line: str, version_line: str) -> bool:
    """Whether Lizzie 0.7.4 goes on to analyse with an engine that answers these head lines.

    Its rule, as ``Leelaz.parseLine`` (src/main/java/featurecat/lizzie/analysis/Leelaz.java)
    has it: an answer is split on single spaces (Java's ``split`` drops trailing empty
    strings); a ``name`` starting with "KataGo" makes a KataGo engine and skips the check;
    otherwise the version's first word is split on "." and its second part read with
    ``Integer.parseInt``, which must be >= 15. An error answer or a bare ``=`` is skipped
    without setting up analysis, and an exception (no minor, not an integer) ends
    Lizzie's reader thread: either way the engine stays at "Loading...".
    """

    def params(line: str) -> list[str]:
        words = line.strip().split(" ")
        while words and not words[-1]:
            words.pop()
        return words

    name, version = params(name_line), params(version_line)
    if name_line.startswith("=") and len(name) > 1 and name[1].startswith("KataGo"):
        return True
    if version_line.startswith("?") or len(version) == 1:
        return False
    parts = version[1].split(".")
    while parts and not parts[-1]:
        parts.pop()
    if len(parts) < 2:
        return False  # ArrayIndexOutOfBoundsException
    digits = parts[1][1:] if parts[1][:1] in ("+", "-") else parts[1]
    if not digits.isdecimal() or not -(2**31) <= int(parts[1]) < 2**31:
        return False  # NumberFormatException (parseInt takes a sign and Unicode decimal digits)
    return int(parts[1]) >= 15


def test_lizzie_rule_as_in_lizzie() -> None:
    for version, ok in [
        ("=2 0.17", True),
        ("=2 0.15.1 (a fork)", True),
        ("=2 0.16", True),
        ("=2 0.14", False),
        ("=2 0.1.0 (mcts player)", False),  # seigen's own answer: minor 1
        ("=2 1", False),  # no minor: an exception in Lizzie
        ("=2 0.x", False),
        ("=2 0..17", False),
        ("=2", False),
        ("?2 unknown command", False),
    ]:
        assert lizzie_loads("=1 seigen", version) is ok, version
    assert lizzie_loads("=1 KataGo", "=2 1.0")  # a KataGo skips the version check


def test_lizzie_takes_the_lizzie_version_answer_only(start) -> None:
    """The head lines of a real engine's answers, as Lizzie reads them: only --lizzie passes."""
    from importlib.metadata import version

    heads = {}
    for flags in ((), ("--lizzie",)):
        g = start(*flags, player="mcts")
        name, answer = g.send("name"), g.send("version")
        heads[flags] = (name.raw.decode().splitlines()[0], answer.raw.decode().splitlines()[0])
        if flags:
            assert answer.text == f"0.17 (seigen {version('seigen')}, mcts player)"
        else:
            assert answer.text == f"{version('seigen')} (mcts player)"
        g.quit()
    assert heads[()][0] == "=1 seigen"  # not KataGo: Lizzie applies the version rule
    assert not lizzie_loads(*heads[()]), heads[()]
    assert lizzie_loads(*heads[("--lizzie",)]), heads[("--lizzie",)]


def test_lizzie_session_as_recorded(start) -> None:
    """The commands Lizzie 0.7.4 sent in a real session (scripts/gui_lizzie.sh): each new
    command cuts the running lz-analyze short; info lines parse as Lizzie's do (integers)."""
    g = start("--lizzie", "--visits", "200", player="mcts", size=19)
    for command in ("name", "version", "boardsize 9", "komi 7.5", "clear_board", "komi 7.5", "komi 7.0"):
        g.ok(command)
    cid = 100
    for move in ("B E5", "W G7", "B C3", "W G3", "B E7", "W G4", None):
        g.write(f"{cid} lz-analyze 10\n".encode())
        assert g.line() == f"={cid}\n".encode()
        line = g.line(timeout=10)
        assert line is not None
        parse_info(line, "lz")
        stop = f"play {move}" if move else "name"
        g.write(f"{cid + 1} {stop}\n".encode())
        while line != b"\n":  # the rest of the stream, then its blank line
            line = g.line(timeout=10)
            assert line is not None
            if line != b"\n":
                parse_info(line, "lz")
        assert g.answer().id == str(cid + 1)
        cid += 2
    assert g.stones("black") == {"E5", "C3", "E7"} and g.stones("white") == {"G7", "G3", "G4"}
    g.quit()


def test_analysis_stops_searching_at_analysis_visits(start) -> None:
    """At --analysis-visits the lines stop (the tree stops growing) but the answer stays
    open until the next command, which ends it at once."""
    g = start("--analysis-visits", "3000", player="mcts")
    g.ok("play b E5")
    g.write(b"7 lz-analyze 10\n")
    assert g.line() == b"=7\n"
    total = 0
    while total < 3000:
        line = g.line(timeout=20)
        assert line is not None and line != b"\n", line
        total = sum(int(i["visits"]) for i in parse_info(line, "lz"))
    with pytest.raises(AssertionError, match="no output"):
        g.line(timeout=1.5)  # quiet: no more lines, and no end of the answer either
    t0 = time.perf_counter()
    g.write(b"8 name\n")
    assert g.line() == b"\n"
    assert g.answer().text == "seigen"
    assert time.perf_counter() - t0 < 5.0  # at once: not after another search of 3000 visits
    g.quit()


# ---------------------------------------------------------------- time management


@pytest.mark.parametrize("player", ["rollout", "mcts"])
def test_absolute_time_is_never_exceeded(start, player: str) -> None:
    """``time_settings 5 0 0`` and no time_left from the controller: 10 moves well inside 5 s.

    The game is well advanced, so that a per-move budget that ignored the time already
    spent (main time / a few moves left) would add up past 5 s; the mcts player may also
    think longer when in doubt.
    """
    game = random_game(9, 50, seed=11)
    g = start(player=player)
    for color, move in game.moves:
        g.ok(f"play {color} {game.vertex(move)}")
    g.ok("time_settings 5 0 0")
    rng = np.random.default_rng(0)
    spent = []
    for _ in range(10):
        t0 = time.perf_counter()
        move = g.ok("genmove b")
        spent.append(time.perf_counter() - t0)
        game.play(move, "black")
        choices = game.sensible_moves("white")
        reply = game.vertex(int(rng.choice(choices))) if choices.size else "pass"
        game.play(reply, "white")
        g.ok(f"play w {reply}")
    assert sum(spent) < 5.0, (
        f"lost on time: {sum(spent):.2f} s over 10 moves ({[round(s, 2) for s in spent]})"
    )
    assert max(spent) < 1.5
    g.quit()


@pytest.mark.parametrize("player", ["rollout", "mcts"])
def test_overtime_answers_within_the_period(start, player: str) -> None:
    g = start(player=player)
    g.ok("play b E5")
    g.ok("time_settings 0 10 5")  # Canadian: 5 stones in 10 s
    g.ok("time_left w 2 5")  # 2 s left for 5 stones
    t0 = time.perf_counter()
    g.ok("genmove w")
    assert time.perf_counter() - t0 < 1.0
    g.ok("kgs-time_settings byoyomi 0 1 3")  # byo-yomi: 3 periods of 1 s
    g.ok("time_left b 1 3")
    t0 = time.perf_counter()
    g.ok("genmove b")
    assert time.perf_counter() - t0 < 1.0
    g.quit()


def test_clock_keeps_its_own_time() -> None:
    """Without time_left from the controller the engine charges each genmove to its own clock."""
    from seigen.engine.gtp import Clock

    board = Board(9)
    absolute = Clock("absolute", 5.0)
    first = absolute.budget("black", board)
    absolute.charge("black", 1.0)
    assert absolute.left == {"black": (4.0, 0)}
    assert absolute.budget("black", board) < first
    absolute.charge("black", 10.0)
    assert absolute.left["black"] == (0.0, 0)
    canadian = Clock("canadian", 10.0, 30.0, 5)
    canadian.charge("white", 4.0)
    assert canadian.left["white"] == (6.0, 0)
    canadian.charge("white", 7.0)  # main time out by 1 s: the first period has 29 s for 4 stones
    assert canadian.left["white"] == (29.0, 4)
    for _ in range(4):
        canadian.charge("white", 5.0)
    assert canadian.left["white"] == (30.0, 5)  # a new period
    byoyomi = Clock("byoyomi", 0.0, 10.0, byo_periods=3)
    byoyomi.charge("black", 2.0)
    assert byoyomi.left["black"] == (10.0, 3)  # within the period: it starts afresh
    byoyomi.charge("black", 25.0)
    assert byoyomi.left["black"] == (10.0, 1)  # two periods lost
    none = Clock()
    none.charge("black", 100.0)
    assert none.left == {} and none.budget("black", board) is None and none.longest("black", board) is None


def test_clock_lets_a_move_in_doubt_run_longer_but_not_out() -> None:
    """``longest``: twice the budget, but within 90% of what the clock holds for the move."""
    from seigen.engine.gtp import Clock

    board = Board(9)
    absolute = Clock("absolute", 600.0)
    assert absolute.longest("black", board) == pytest.approx(2 * absolute.budget("black", board))
    absolute.left["black"] = (1.0, 0)
    assert absolute.budget("black", board) <= absolute.longest("black", board) <= 0.9 * (1.0 - 0.3)
    canadian = Clock("canadian", 0.0, 10.0, 5)
    canadian.left["white"] = (10.0, 5)
    assert canadian.longest("white", board) == pytest.approx(2 * 0.9 * 10.0 / 5)
    canadian.left["white"] = (2.0, 1)  # the period's last stone
    assert canadian.longest("white", board) <= 0.9 * (2.0 - 0.3)
    byoyomi = Clock("byoyomi", 0.0, 5.0, byo_periods=3)
    byoyomi.left["black"] = (5.0, 3)
    assert byoyomi.longest("black", board) <= 0.9 * (5.0 - 0.3)


# ---------------------------------------------------------------- GNU Go cross-check


def own_eye(size: int, mine: set[tuple[int, int]], theirs: set[tuple[int, int]], p: tuple[int, int]) -> bool:
    """An empty point whose neighbours are all ``mine`` and not a false eye (diagonals: none of
    ``theirs`` on the edge, at most one in the middle): what a light playout does not fill."""
    r, c = p
    for nb in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
        if 0 <= nb[0] < size and 0 <= nb[1] < size and nb not in mine:
            return False
    edge, opponents = False, 0
    for d in ((r - 1, c - 1), (r - 1, c + 1), (r + 1, c - 1), (r + 1, c + 1)):
        if not (0 <= d[0] < size and 0 <= d[1] < size):
            edge = True
        elif d in theirs:
            opponents += 1
    return opponents == 0 if edge else opponents <= 1


def test_rules_cross_check_with_gnugo(gnugo_path: str) -> None:
    """20 random 9x9 games, the same moves sent to seigen and GNU Go over GTP.

    Both play Chinese rules (positional superko, no suicide, area scoring, komi 7.5).
    The test picks each move at random among GNU Go's legal moves that do not fill the
    mover's own eye, until neither side has one (then two passes). After every move the
    stones must agree, and seigen's is_legal must agree with GNU Go's all_legal on every
    empty point GNU Go forbids and a few it allows and a few occupied ones. At the end,
    seigen's final_score must be the Tromp-Taylor count of the stones and, where GNU Go
    sees no dead stones, GNU Go's own final_score.
    """
    size, games, komi = 9, 20, 7.5
    rng = random.Random(2024)
    tally = {"moves": 0, "verdicts": 0, "illegal_points": 0, "scores": 0, "gnugo_scores": 0}
    gnugo_argv = [gnugo_path, "--mode", "gtp", "--seed", "1", "--chinese-rules", "--positional-superko"]
    gnugo_argv += ["--komi", str(komi)]
    with (
        GTPClient([*seigen_argv(), "gtp", "--player", "random", "--size", str(size)], timeout=60) as ours,
        GTPClient(gnugo_argv, timeout=60) as gnugo,
    ):
        for game in range(games):
            for engine in (ours, gnugo):
                engine.send_many([f"boardsize {size}", "clear_board", f"komi {komi}"])
            black: set[tuple[int, int]] = set()
            white: set[tuple[int, int]] = set()
            color, passes, number = "black", 0, 0
            legal = {point(size, v) for v in gnugo.send("all_legal black").split()}
            while passes < 2 and number < 400:
                mine, theirs = (black, white) if color == "black" else (white, black)
                choices = sorted(p for p in legal if not own_eye(size, mine, theirs, p))
                move = vertex(size, *rng.choice(choices)) if choices else "pass"
                passes = 0 if choices else passes + 1
                number += 1
                other = "white" if color == "black" else "black"
                answers = gnugo.send_many(
                    [f"play {color} {move}", "list_stones black", "list_stones white", f"all_legal {other}"]
                )
                black = {point(size, v) for v in answers[1].split()}
                white = {point(size, v) for v in answers[2].split()}
                legal = {point(size, v) for v in answers[3].split()}
                empty = {(r, c) for r in range(size) for c in range(size)} - black - white
                sample = sorted(empty - legal)  # every point GNU Go forbids: ko, suicide
                sample += rng.sample(sorted(legal), min(4, len(legal)))
                sample += rng.sample(sorted(black | white), min(2, len(black | white)))
                answers = ours.send_many(
                    [f"play {color} {move}", "list_stones black", "list_stones white"]
                    + [f"is_legal {other} {vertex(size, *p)}" for p in sample]
                )
                where = f"game {game}, move {number} ({color} {move})"
                assert {point(size, v) for v in answers[1].split()} == black, where
                assert {point(size, v) for v in answers[2].split()} == white, where
                for p, verdict in zip(sample, answers[3:], strict=True):
                    assert verdict == ("1" if p in legal else "0"), (
                        f"{where}: is_legal {other} {vertex(size, *p)}"
                    )
                tally["moves"] += 1
                tally["verdicts"] += len(sample)
                tally["illegal_points"] += len(empty - legal)
                color = other
            assert passes == 2, f"game {game} did not end in {number} moves"
            bv = {vertex(size, *p) for p in black}
            wv = {vertex(size, *p) for p in white}
            ours_score = ours.send("final_score")
            assert ours_score == score_text(area_score(size, bv, wv, komi)), f"game {game}"
            tally["scores"] += 1
            if not gnugo.send("final_status_list dead") and not gnugo.send("final_status_list seki"):
                assert parse_score(ours_score) == parse_score(gnugo.send("final_score")), f"game {game}"
                tally["gnugo_scores"] += 1
    print(f"gnugo GTP cross-check: {tally}")
    assert tally["illegal_points"] > 0 and tally["gnugo_scores"] >= games // 2, tally


# ---------------------------------------------------------------- the net player


def net_checkpoint(game: str = "go") -> dict:
    """A tiny untrained policy-value net's checkpoint: 5x5 Go with komi 6.5, or tic-tac-toe."""
    import torch

    from seigen.agents.pvnet import NetSpec, PolicyValueNet, net_state

    torch.manual_seed(0)
    if game == "go":
        spec = NetSpec(17, 5, 5, 26, blocks=1, channels=8)
        meta = {"name": "go", "size": 5, "komi": 6.5, "rules": "chinese", "max_moves": 75}
    else:
        spec, meta = NetSpec(2, 3, 3, 9, blocks=1, channels=8), {"name": "tictactoe"}
    return net_state(PolicyValueNet(spec), meta)


def save_net(path: Path, game: str = "go") -> Path:
    import torch

    torch.save({**net_checkpoint(game), "step": 0}, path)
    return path


@pytest.mark.parametrize("player", ["net", "hybrid"])
def test_net_player_plays_analyzes_and_keeps_to_its_board_size(tmp_path: Path, player: str) -> None:
    from seigen.agents.runs import RunDir

    with RunDir(tmp_path / "run", {"game": "go"}) as run:  # --model takes a run directory
        run.save_checkpoint(net_checkpoint(), 10)
    g = Engine(
        "--player", player, "--model", str(tmp_path / "run"), "--visits", "32", "--resign-threshold", "0"
    )
    try:
        assert f"{player} player" in g.ok("version")
        assert "komi 6.5" in g.ok("showboard")  # the net's komi when none was given
        assert g.fails("boardsize 9") == "unacceptable size"
        assert g.fails("boardsize 19") == "unacceptable size"
        g.ok("boardsize 5")
        sgf = tmp_path / "nine.sgf"
        write_sgf(Board(9), sgf)
        assert "9x9" in g.fails(f"loadsgf {sgf}")
        assert "5 . . . . . 5" in g.ok("showboard")  # still the 5x5 game
        g.ok("play b C3")
        move = g.ok("genmove w")
        assert move == "pass" or move in g.stones("white")
        before = g.state()
        infos = stream_then_stop(g, "lz-analyze 10", 101, "lz")
        assert all(
            i["move"] == "pass" or (i["move"][0] in "ABCDE" and 1 <= int(i["move"][1:]) <= 5)
            for line in infos
            for i in parse_info(line, "lz", size=5)
        )
        stream_then_stop(g, "kata-analyze b interval 10", 201, "kata")
        assert g.state() == before
        for _ in range(4):
            g.ok("genmove b")
            g.ok("genmove w")
        g.quit()
    finally:
        g.kill()


@pytest.mark.parametrize(
    ("case", "player"),
    [
        ("no-model", "net"),
        ("missing", "net"),
        ("corrupt", "net"),
        ("tictactoe", "net"),
        ("size", "net"),
        ("size", "hybrid"),
        ("corrupt", "hybrid"),
    ],
)
def test_net_player_refuses_a_bad_model_with_one_line_and_status_2(
    tmp_path: Path, case: str, player: str
) -> None:
    args = ["--player", player]
    if case == "no-model":  # the shipped net plays 9x9 only
        args += ["--size", "19"]
    elif case == "missing":
        args += ["--model", str(tmp_path / "nowhere.pt")]
    elif case == "corrupt":
        (tmp_path / "broken.pt").write_bytes(b"\x80\x02 not a checkpoint")
        args += ["--model", str(tmp_path / "broken.pt")]
    elif case == "tictactoe":
        args += ["--model", str(save_net(tmp_path / "ttt.pt", "tictactoe"))]
    elif case == "size":
        args += ["--model", str(save_net(tmp_path / "go5.pt")), "--size", "9"]
    done = subprocess.run(
        [*seigen_argv(), "gtp", *args], input=b"genmove b\n", capture_output=True, timeout=60
    )
    err = done.stderr.decode()
    assert done.returncode == 2 and done.stdout == b"", err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("seigen gtp: error:"), err
    expected = {
        "no-model": "--model",
        "missing": "nowhere.pt",
        "corrupt": "broken.pt",
        "tictactoe": "not a Go one",
        "size": "plays 5x5 only",
    }[case]
    assert expected in lines[0]


def test_move_time_caps_each_move_and_the_clock_can_only_shorten_it() -> None:
    from seigen.engine.gtp import GTPEngine
    from seigen.engine.players import RandomPlayer

    engine = GTPEngine(RandomPlayer(), size=9, move_time=2.0)
    limits = engine._limits("black")
    assert limits.seconds == 2.0 and limits.playouts is None  # by time alone
    engine.cmd_time_settings(["10", "0", "0"])  # 10 s for the game: about 0.28 s a move
    assert engine._limits("black").seconds < 2.0
    engine.cmd_time_settings(["3600", "0", "0"])  # an hour: the cap holds
    assert engine._limits("black").seconds == 2.0
    assert GTPEngine(RandomPlayer(), size=9, move_time=2.0, visits=500)._limits("white").playouts == 500
    with pytest.raises(ValueError, match="move_time must be positive"):
        GTPEngine(RandomPlayer(), move_time=0)


def test_the_mcts_player_searches_by_move_time() -> None:
    commands = "boardsize 9\nclear_board\ngenmove black\nquit\n"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "seigen.scripts.cli",
            "gtp",
            "--player",
            "mcts",
            "--move-time",
            "0.2",
            "--verbose",
        ],
        input=commands,
        capture_output=True,
        text=True,
        timeout=120,
    )
    answers = [a for a in out.stdout.split("\n\n") if a.strip()]
    assert out.returncode == 0 and [a[0] for a in answers] == ["="] * 4, out
    assert re.fullmatch(r"= [A-HJ][1-9]", answers[2].strip()), answers


def test_each_genmove_is_logged_with_its_search(caplog) -> None:
    """One INFO line a move (the playouts, the win rate, the seconds): what a GUI's console
    shows, and what ``seigen match`` keeps in each engine's log."""
    from seigen.engine.gtp import GTPEngine
    from seigen.engine.players import MCTSPlayer, RandomPlayer

    engine = GTPEngine(MCTSPlayer(visits=64, seed=0), size=9)
    with caplog.at_level("INFO", logger="seigen.gtp"):
        move = engine.cmd_genmove(["b"])
        engine.cmd_reg_genmove(["w"])
    lines = [r.getMessage() for r in caplog.records if r.name == "seigen.gtp"]
    assert re.fullmatch(
        rf"genmove black: {move} \(64 playouts, win rate [01]\.\d{{3}}, \d+\.\d\d s\)", lines[0]
    )
    assert lines[1].startswith("genmove white: ") and len(lines) == 2
    caplog.clear()
    with caplog.at_level("INFO", logger="seigen.gtp"):
        move = GTPEngine(RandomPlayer(seed=0), size=9).cmd_genmove(["w"])
    assert re.fullmatch(rf"genmove white: {move} \(\d+\.\d\d s\)", caplog.records[-1].getMessage())
    # a net guiding the mcts tree: how many positions it read and its time
    from seigen.engine.uct import UctPlayer

    class Uniform:
        def __call__(self, features: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return np.zeros(legal.shape, dtype=np.float32), np.zeros(len(features), dtype=np.float32)

    caplog.clear()
    with caplog.at_level("INFO", logger="seigen.gtp"):
        move = GTPEngine(UctPlayer(playouts=300, net=Uniform(), game={"size": 9}), size=9).cmd_genmove(["b"])
    assert re.fullmatch(
        rf"genmove black: {move} \(\d+ playouts, win rate [01]\.\d{{3}}, net on \d+ positions in \d+\.\d\d s, "
        rf"\d+\.\d\d s\)",
        caplog.records[-1].getMessage(),
    )
