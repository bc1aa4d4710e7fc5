"""A GTP version 2 engine over seigen's Board and a Player (``seigen gtp``).

Protocol handling follows the GTP 2 draft: optional numeric ids echoed in answers,
``=`` / ``?`` answers ended by a blank line, comments and empty lines ignored,
control characters dropped, tabs as spaces. Every failure is a ``? message`` and
leaves the engine's state as it was; nothing but GTP answers reaches stdout.
Analysis commands (``lz-analyze``, ``kata-analyze`` and their ``genmove`` forms)
stream ``info`` lines until the next command arrives; the search behind them stops
growing at ``analysis_visits`` root visits (GUIs such as Lizzie analyse until told to
stop, and the tree takes memory with every visit), as Leela Zero's stops at its limits.
"""

from __future__ import annotations

import io
import logging
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, TextIO

import numpy as np

from seigen.engine.board import Board, IllegalMoveError, fixed_handicap_points, parse_color
from seigen.engine.players import Analysis, Player, SearchLimits
from seigen.engine.rules import Rules
from seigen.engine.sgf import SGFError, read_sgf, write_sgf

log = logging.getLogger("seigen.gtp")

MAX_LINE = 64 * 1024
TOO_LONG = b"\x00too-long\n"  # what the reader queues, before the line's start, for an over-long line
ANALYSIS_COMMANDS = ("lz-analyze", "kata-analyze", "lz-genmove_analyze", "kata-genmove_analyze")
# The Leela Zero version that ``version`` starts with in Lizzie mode: Lizzie (0.7.4) reads
# the first word of the answer as Leela Zero's version and wants a minor >= 15 (lz-analyze);
# 0.17 is the Leela Zero whose lz-analyze lines (with prior and lcb) seigen's follow.
LEELA_ZERO_VERSION = "0.17"
RULE_NAMES = {
    "chinese": "chinese",
    "japanese": "japanese",
    "korean": "japanese",
    "aga": "aga",
    "new_zealand": "nz",
    "new-zealand": "nz",
    "nz": "nz",
    "tromp-taylor": "tromp-taylor",
    "tromp_taylor": "tromp-taylor",
    "trompTaylor": "tromp-taylor",
    "tt": "tromp-taylor",
}


class GTPFailure(Exception):
    """A command that fails: its message becomes the ``?`` answer."""


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("seigen")
    except Exception:  # not installed as a distribution
        return "0"


@dataclass
class Clock:
    """GTP time settings and the time left per colour: the latest ``time_left``, less
    what the engine has spent since (see ``charge``).

    ``mode``: ``none`` (no limit), ``absolute``, ``canadian`` (``byo_stones`` stones in
    ``byo_time`` seconds) or ``byoyomi`` (``byo_periods`` periods of ``byo_time``).
    """

    mode: str = "none"
    main: float = 0.0
    byo_time: float = 0.0
    byo_stones: int = 0
    byo_periods: int = 0
    safety: float = 0.3  # seconds kept back for the transport and the GUI

    def __post_init__(self) -> None:
        self.left: dict[str, tuple[float, int]] = {}

    def budget(self, color: str, board: Board) -> float | None:
        """Seconds to spend on this move, or None when there is no time limit.

        Main time is spread over an estimate of the moves left (0.4 per empty point,
        at least 8); in an overtime period the period's time is shared by its stones
        (Canadian) or mostly used (byo-yomi); ``safety`` seconds are always kept.
        """
        if self.mode == "none":
            return None
        empties = int(np.sum(board.colors() == 0))
        moves_left = max(8.0, empties * 0.4)
        t, stones = self.left.get(color, (self.main, 0))
        if stones > 0:  # in an overtime period: t seconds left in it
            share = t / stones if self.mode == "canadian" else 0.8 * t
            spend = min(share, t - self.safety)
        else:  # main time
            spend = t / moves_left
            overtime = self._overtime_per_move()
            spend = max(spend, 0.8 * overtime)
            spend = min(spend, t + overtime - self.safety)
        return max(0.05, 0.9 * spend)

    def longest(self, color: str, board: Board) -> float | None:
        """Seconds this move may take when the player's best move is still in doubt at
        the end of its ``budget``: twice the budget, within 90% of what the clock holds
        for this move (main time and one move's overtime, or the period's time), so that
        the moves after it keep their time. None when there is no time limit."""
        soft = self.budget(color, board)
        if soft is None:
            return None
        t, stones = self.left.get(color, (self.main, 0))
        available = t if stones > 0 else t + self._overtime_per_move()
        return max(soft, min(2.0 * soft, 0.9 * (available - self.safety)))

    def _overtime_per_move(self) -> float:
        """Seconds of overtime one move can count on once main time is out."""
        if self.mode == "canadian" and self.byo_stones > 0:
            return self.byo_time / self.byo_stones
        if self.mode == "byoyomi":
            return self.byo_time
        return 0.0

    def charge(self, color: str, seconds: float) -> None:
        """Take ``seconds`` spent on a move off ``color``'s clock.

        Keeps the clock when the controller sends no ``time_left`` (one that does
        overrides it): main time first, then the overtime periods. A Canadian period
        is renewed when its stones are played; a byo-yomi period when a move is made
        within it, and a move that runs over loses periods.
        """
        if self.mode == "none":
            return
        t, stones = self.left.get(color, (self.main, 0))
        overtime = self.byo_time > 0 and (
            (self.mode == "canadian" and self.byo_stones > 0)
            or (self.mode == "byoyomi" and self.byo_periods > 0)
        )
        if stones <= 0:  # main time
            if seconds < t or not overtime:
                self.left[color] = (max(0.0, t - seconds), 0)
                return
            seconds -= t  # main time ran out during this move: the rest comes out of overtime
            t, stones = self.byo_time, self.byo_stones if self.mode == "canadian" else self.byo_periods
        if self.mode == "canadian":
            t, stones = t - seconds, stones - 1
            if stones <= 0:
                t, stones = self.byo_time, self.byo_stones
        elif self.byo_time > 0:
            stones = max(1, stones - int(seconds // self.byo_time))
            t = self.byo_time
        self.left[color] = (max(0.0, t), stones)


class GTPEngine:
    """The engine's state and one method per GTP command."""

    def __init__(
        self,
        player: Player,
        size: int = 19,
        rules: str | Rules = "chinese",
        komi: float | None = None,
        visits: int | None = None,
        lizzie: bool = False,
        analysis_visits: int | None = None,
        move_time: float | None = None,
    ) -> None:
        if move_time is not None and not move_time > 0:
            raise ValueError(f"move_time must be positive, got {move_time}")
        self.player = player
        self.move_time = move_time  # seconds a move at most, the clock's budget permitting (None: no cap)
        self.lizzie = lizzie  # answer ``version`` as a Leela Zero for Lizzie (see cmd_version)
        self.analysis_visits = analysis_visits  # root visits at which analysis stops searching (None: never)
        self.rules = Rules.preset(rules) if isinstance(rules, str) else rules
        if komi is not None:
            self.rules = self.rules.with_komi(komi)
        self.visits = visits
        self.board = Board(size, rules=self.rules)
        self.clock = Clock()
        self.quit = False
        self.commands: dict[str, Callable[[list[str]], str]] = {
            name[4:].replace("__", "-"): getattr(self, name) for name in dir(self) if name.startswith("cmd_")
        }

    # ------------------------------------------------------------------ helpers
    def _color(self, arg: str) -> str:
        try:
            return "black" if parse_color(arg) == 1 else "white"
        except ValueError:
            raise GTPFailure(f"invalid color {arg!r}") from None

    def _vertex(self, arg: str) -> int:
        try:
            return self.board.parse_move(arg)
        except IllegalMoveError:
            raise GTPFailure(f"invalid vertex {arg!r}: off the board") from None
        except ValueError:
            raise GTPFailure(f"invalid vertex {arg!r}") from None

    @staticmethod
    def _int(arg: str, what: str) -> int:
        try:
            return int(arg)
        except ValueError:
            raise GTPFailure(f"syntax error: {what} must be an integer, got {arg!r}") from None

    @staticmethod
    def _float(arg: str, what: str) -> float:
        try:
            value = float(arg)
        except ValueError:
            raise GTPFailure(f"syntax error: {what} must be a number, got {arg!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise GTPFailure(f"syntax error: {what} must be finite")
        return value

    @staticmethod
    def _nargs(args: list[str], low: int, high: int | None = None) -> None:
        high = low if high is None else high
        if not low <= len(args) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            noun = "argument" if want == "1" else "arguments"
            raise GTPFailure(f"syntax error: expected {want} {noun}, got {len(args)}")

    def _limits(self, color: str) -> SearchLimits:
        """The clock's budget for this move, and the longest it may take when in doubt;
        ``move_time`` caps both."""
        seconds = self.clock.budget(color, self.board)
        longest = self.clock.longest(color, self.board)
        if self.move_time is not None:
            seconds = self.move_time if seconds is None else min(seconds, self.move_time)
            longest = None if longest is None else min(longest, self.move_time)
        return SearchLimits(playouts=self.visits, seconds=seconds, max_seconds=longest)

    def _new_board(self, size: int) -> Board:
        return Board(size, rules=self.rules)

    # ------------------------------------------------------------------ setup
    def cmd_protocol_version(self, args: list[str]) -> str:
        return "2"

    def cmd_name(self, args: list[str]) -> str:
        return "seigen"

    def cmd_version(self, args: list[str]) -> str:
        """seigen's version and player; in Lizzie mode a Leela Zero version first.

        Lizzie takes an engine whose ``name`` does not start with "KataGo" for Leela Zero
        and parses the first word of this answer as its version (below 0.15 it shows a
        dialog and stays at "Loading..."), so ``--lizzie`` answers e.g.
        ``0.17 (seigen 0.1.0, mcts player)``.
        """
        if self.lizzie:
            return f"{LEELA_ZERO_VERSION} (seigen {_version()}, {self.player.name} player)"
        return f"{_version()} ({self.player.name} player)"

    def cmd_known_command(self, args: list[str]) -> str:
        self._nargs(args, 1)
        return "true" if args[0] in self.commands or args[0] in ANALYSIS_COMMANDS else "false"

    def cmd_list_commands(self, args: list[str]) -> str:
        return "\n".join(sorted([*self.commands, *ANALYSIS_COMMANDS]))

    def cmd_quit(self, args: list[str]) -> str:
        self.quit = True
        return ""

    def cmd_boardsize(self, args: list[str]) -> str:
        self._nargs(args, 1)
        size = self._int(args[0], "board size")
        if not 2 <= size <= 25:
            raise GTPFailure("unacceptable size")
        self.board = self._new_board(size)
        self.clock.left.clear()  # a new game: full time again
        return ""

    def cmd_clear_board(self, args: list[str]) -> str:
        self.board = self._new_board(self.board.size)
        self.clock.left.clear()
        return ""

    def cmd_komi(self, args: list[str]) -> str:
        self._nargs(args, 1)
        komi = self._float(args[0], "komi")
        self.rules = self.rules.with_komi(komi)
        self.board.komi = komi
        return ""

    def _set_rules(self, name: str) -> str:
        key = RULE_NAMES.get(name, RULE_NAMES.get(name.lower()))
        if key is None:
            try:
                rules = Rules.preset(name)
            except ValueError:
                raise GTPFailure(
                    f"unknown rules {name!r}; known: {', '.join(sorted(set(RULE_NAMES)))}"
                ) from None
        else:
            rules = Rules.preset(key)
        rules = rules.with_komi(self.rules.komi)
        replayed = self._replay(self.board, rules)
        self.rules, self.board = rules, replayed
        return ""

    def _replay(self, board: Board, rules: Rules) -> Board:
        """The same game under other rules (fails if a move becomes illegal)."""
        new = Board(board.size, rules=rules)
        new.handicap = board.handicap
        if board.setup_black or board.setup_white:
            first = board.moves[0][0] if board.moves else board.to_play
            new.setup(board.setup_black, board.setup_white, to_play=first)
        for color, move in board.moves:
            try:
                new.play(move, color)
            except IllegalMoveError as e:
                raise GTPFailure(
                    f"cannot change the rules: move {board.vertex(move)} would be illegal ({e.reason})"
                ) from None
        new.to_play = board.to_play  # as the game had it (an SGF's PL may have set it)
        return new

    def cmd_kgs__rules(self, args: list[str]) -> str:
        self._nargs(args, 1)
        return self._set_rules(args[0])

    def cmd_kata__set__rules(self, args: list[str]) -> str:
        self._nargs(args, 1)
        return self._set_rules(args[0])

    # ------------------------------------------------------------------ moves
    def cmd_play(self, args: list[str]) -> str:
        self._nargs(args, 2)
        color, move = self._color(args[0]), self._vertex(args[1])
        try:
            self.board.play(move, color)
        except IllegalMoveError as e:
            raise GTPFailure(f"illegal move: {args[1]} ({e.reason})") from None
        return ""

    def _decide(self, color: str, cleanup: bool = False):
        return self.player.genmove(self.board, color, self._limits(color), cleanup=cleanup)

    def _genmove(self, args: list[str], play: bool, cleanup: bool = False) -> str:
        self._nargs(args, 1)
        color = self._color(args[0])
        start = time.perf_counter()
        decision = self._decide(color, cleanup)
        seconds = time.perf_counter() - start
        if play:
            self.clock.charge(color, seconds)
        answer = "resign" if decision.resign else self.board.vertex(decision.move)
        a = decision.analysis
        search = f"{a.playouts} playouts, win rate {a.winrate:.3f}, " if a is not None else ""
        guided = getattr(self.player, "guide_stats", None)  # a net guiding the mcts tree
        if a is not None and guided and guided["nodes"]:
            search += f"net on {guided['nodes']} positions in {guided['seconds']:.2f} s, "
        log.info("genmove %s: %s (%s%.2f s)", color, answer, search, seconds)
        if play and not decision.resign:
            self.board.play(decision.move, color)
        return answer

    def cmd_genmove(self, args: list[str]) -> str:
        return self._genmove(args, play=True)

    def cmd_reg_genmove(self, args: list[str]) -> str:
        return self._genmove(args, play=False)

    def cmd_kgs__genmove_cleanup(self, args: list[str]) -> str:
        return self._genmove(args, play=True, cleanup=True)

    def cmd_undo(self, args: list[str]) -> str:
        try:
            self.board.undo()
        except ValueError:
            raise GTPFailure("cannot undo") from None
        return ""

    def cmd_is_legal(self, args: list[str]) -> str:
        self._nargs(args, 2)
        color = self._color(args[0])
        try:
            move = self.board.parse_move(args[1])
        except IllegalMoveError:
            return "0"
        except ValueError:
            raise GTPFailure(f"invalid vertex {args[1]!r}") from None
        return "1" if self.board.is_legal(move, color) else "0"

    def cmd_showboard(self, args: list[str]) -> str:
        return "\n" + str(self.board)

    def cmd_list_stones(self, args: list[str]) -> str:
        self._nargs(args, 1)
        color = self._color(args[0])
        n = self.board.size
        return " ".join(self.board.vertex(r * n + c) for r, c in sorted(self.board.stones(color)))

    # ------------------------------------------------------------------ handicap
    def _check_empty(self) -> None:
        if self.board.moves or self.board.setup_black or self.board.setup_white:
            raise GTPFailure("board not empty")

    def cmd_fixed_handicap(self, args: list[str]) -> str:
        self._nargs(args, 1)
        stones = self._int(args[0], "number of stones")
        self._check_empty()
        try:
            fixed_handicap_points(self.board.size, stones)
        except ValueError as e:
            raise GTPFailure(f"invalid number of stones: {e}") from None
        points = self.board.place_handicap(stones)
        return " ".join(self.board.vertex(p) for p in points)

    def cmd_place_free_handicap(self, args: list[str]) -> str:
        self._nargs(args, 1)
        stones = self._int(args[0], "number of stones")
        self._check_empty()
        try:
            points = self.board.place_handicap(stones, free=True)
        except ValueError as e:
            raise GTPFailure(f"invalid number of stones: {e}") from None
        return " ".join(self.board.vertex(p) for p in points)

    def cmd_set_free_handicap(self, args: list[str]) -> str:
        self._check_empty()
        points = [self._vertex(a) for a in args]
        if self.board.pass_move in points:
            raise GTPFailure("bad vertex list: pass is not a handicap stone")
        try:
            self.board.set_handicap(points)
        except ValueError as e:
            raise GTPFailure(f"bad vertex list: {e}") from None
        return ""

    # ------------------------------------------------------------------ SGF
    def cmd_loadsgf(self, args: list[str]) -> str:
        self._nargs(args, 1, 2)
        number = self._int(args[1], "move number") if len(args) == 2 else None
        if number is not None and number < 1:
            raise GTPFailure("syntax error: move number must be at least 1")
        try:
            board, _ = read_sgf(args[0], rules=self.rules)
        except SGFError as e:
            raise GTPFailure(f"cannot load file: {e}") from None
        if number is not None:
            while len(board.moves) > number - 1:
                board.undo()
        self.board = board
        self.rules = board.rules
        return ""

    def cmd_printsgf(self, args: list[str]) -> str:
        self._nargs(args, 0, 1)
        if args:
            try:
                write_sgf(self.board, args[0])
            except OSError as e:
                raise GTPFailure(f"cannot write {args[0]}: {e.strerror or e}") from None
            return ""
        text = write_sgf(self.board)
        return "\n".join(line for line in text.splitlines() if line.strip())

    # ------------------------------------------------------------------ scoring
    def _dead(self) -> list[tuple[int, int]]:
        """Dead stones by the player's own judgement where it has one (the mcts player's
        search ownership), else by its playouts (light when it has none)."""
        judge = getattr(self.player, "dead_stones", None)
        if judge is not None:
            return judge(self.board)
        return self.board.dead_stones(n=400, seed=0, kind=getattr(self.player, "playout", "light"))

    def cmd_final_score(self, args: list[str]) -> str:
        return self.board.result(dead=self._dead())

    def cmd_final_status_list(self, args: list[str]) -> str:
        self._nargs(args, 1)
        status = args[0].lower()
        if status not in ("alive", "dead", "seki"):
            raise GTPFailure(f"syntax error: status must be alive, dead or seki, got {args[0]!r}")
        if status == "seki":
            return ""  # seki is not told apart from life by the playout judgement
        dead = set(self._dead())
        colors = self.board.colors()
        stones = {
            (int(r), int(c))
            for r, c in zip(*np.nonzero(colors), strict=True)
            if ((r, c) in dead) == (status == "dead")
        }
        return "\n".join(
            " ".join(self.board.vertex(r * self.board.size + c) for r, c in chain)
            for chain in _chains(colors, stones)
        )

    # ------------------------------------------------------------------ time
    def cmd_time_settings(self, args: list[str]) -> str:
        self._nargs(args, 3)
        main = self._float(args[0], "main time")
        byo = self._float(args[1], "byo-yomi time")
        stones = self._int(args[2], "byo-yomi stones")
        if main < 0 or byo < 0 or stones < 0:
            raise GTPFailure("syntax error: times and stones must not be negative")
        if byo > 0 and stones == 0:
            self.clock = Clock("none")  # GTP: no time limit
        elif byo == 0 and stones == 0 and main == 0:
            self.clock = Clock("none")
        elif byo == 0:
            self.clock = Clock("absolute", main)
        else:
            self.clock = Clock("canadian", main, byo, stones)
        return ""

    def cmd_kgs__time_settings(self, args: list[str]) -> str:
        if not args:
            raise GTPFailure("syntax error: expected none, absolute, byoyomi or canadian")
        mode = args[0].lower()
        if mode == "none":
            self._nargs(args, 1)
            self.clock = Clock("none")
        elif mode == "absolute":
            self._nargs(args, 2)
            self.clock = Clock("absolute", self._float(args[1], "main time"))
        elif mode == "byoyomi":
            self._nargs(args, 4)
            self.clock = Clock(
                "byoyomi",
                self._float(args[1], "main time"),
                self._float(args[2], "period time"),
                byo_periods=self._int(args[3], "periods"),
            )
        elif mode == "canadian":
            self._nargs(args, 4)
            self.clock = Clock(
                "canadian",
                self._float(args[1], "main time"),
                self._float(args[2], "byo-yomi time"),
                self._int(args[3], "byo-yomi stones"),
            )
        else:
            raise GTPFailure(f"syntax error: unknown time system {args[0]!r}")
        return ""

    def cmd_time_left(self, args: list[str]) -> str:
        self._nargs(args, 3)
        color = self._color(args[0])
        self.clock.left[color] = (self._float(args[1], "time"), self._int(args[2], "stones"))
        return ""


def _chains(colors: np.ndarray, stones: set[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """``stones`` grouped into connected same-colour chains, each sorted."""
    seen: set[tuple[int, int]] = set()
    chains = []
    for start in sorted(stones):
        if start in seen:
            continue
        chain, stack = [], [start]
        seen.add(start)
        while stack:
            r, c = stack.pop()
            chain.append((r, c))
            for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if (rr, cc) in stones and (rr, cc) not in seen and colors[rr, cc] == colors[r, c]:
                    seen.add((rr, cc))
                    stack.append((rr, cc))
        chains.append(sorted(chain))
    return chains


# ---------------------------------------------------------------------- analysis


@dataclass
class AnalyzeRequest:
    """Parsed arguments of ``lz-analyze`` / ``kata-analyze`` and their genmove forms."""

    color: str | None
    interval: float  # seconds
    max_moves: int | None = None


def parse_analyze(args: list[str], color_required: bool = False) -> AnalyzeRequest:
    """``[color] [interval] [interval N] [minmoves N] [maxmoves N] ...``; interval in centiseconds."""
    color = None
    interval = 1.0
    max_moves = None
    i = 0
    if args and args[0].lower() in ("b", "w", "black", "white"):
        color = "black" if args[0].lower().startswith("b") else "white"
        i = 1
    elif color_required:
        raise GTPFailure("syntax error: expected a color")
    if i < len(args) and args[i].lstrip("-").isdigit():
        interval = int(args[i]) / 100.0
        i += 1
    while i < len(args):
        key = args[i].lower()
        if key in ("interval", "minmoves", "maxmoves") and i + 1 < len(args):
            value = GTPEngine._int(args[i + 1], key)
            if key == "interval":
                interval = value / 100.0
            elif key == "maxmoves":
                max_moves = value
            i += 2
        else:
            i += 1  # other options (avoid, allow, ownership, ...) are accepted and ignored
    return AnalyzeRequest(color, max(interval, 0.05), max_moves)


def format_info(board: Board, analysis: Analysis, style: str, max_moves: int | None = None) -> str:
    """One ``info ...`` line: Leela Zero (``lz``, integers out of 10000) or KataGo (``kata``) style."""
    parts = []
    for order, m in enumerate(analysis.moves[: max_moves or None]):
        vertex = board.vertex(m.move)
        pv = " ".join(board.vertex(x) for x in m.pv) if m.pv else vertex
        if style == "lz":
            parts.append(
                f"info move {vertex} visits {m.visits} winrate {round(m.winrate * 10000)} "
                f"prior {round(m.prior * 10000)} lcb {round(m.lcb * 10000)} order {order} pv {pv}"
            )
        else:
            parts.append(
                f"info move {vertex} visits {m.visits} utility {2 * m.winrate - 1:.6f} winrate {m.winrate:.6f} "
                f"scoreMean 0 scoreStdev 0 scoreLead 0 prior {m.prior:.6f} lcb {m.lcb:.6f} "
                f"utilityLcb {2 * m.lcb - 1:.6f} order {order} pv {pv}"
            )
    return " ".join(parts)


# ---------------------------------------------------------------------- the loop


def clean_line(raw: bytes) -> str:
    """One GTP input line as text: comments cut, control characters dropped, tabs as spaces.

    Raises ``GTPFailure`` for invalid UTF-8.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise GTPFailure("syntax error: the line is not valid UTF-8") from None
    text = text.split("#", 1)[0].replace("\t", " ")
    return "".join(ch for ch in text if ch >= " " and ch != "\x7f").strip()


def _private_input(stdin: BinaryIO) -> BinaryIO:
    """A reader of its own on ``stdin``'s file descriptor, for the reader thread.

    The reader thread is a daemon blocked in ``readline`` when the engine exits after
    ``quit``. Were it reading ``sys.stdin.buffer`` itself, it would hold that object's
    lock while the interpreter, shutting down, closes ``sys.stdin``: CPython then aborts
    ("could not acquire lock ... at interpreter shutdown") and the engine dies by SIGABRT
    after its last answer. A duplicate of the descriptor leaves ``sys.stdin`` free.
    """
    try:
        fd = stdin.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream (io.UnsupportedOperation)
        return stdin
    return os.fdopen(os.dup(fd), "rb")


def _shorten(text: str, keep: int = 400) -> str:
    """``text`` cut to ``keep`` characters for the log: GUIs ask for analysis ten times a
    second, and a full ``info`` line of every candidate's line of play runs to kilobytes."""
    return text if len(text) <= keep else f"{text[:keep]} ... ({len(text)} characters)"


def read_bounded_line(stream: BinaryIO, limit: int) -> tuple[bytes, bool]:
    """The next line of ``stream`` and whether it was longer than ``limit`` bytes.

    A longer line is read to its end and dropped but for its first ``limit`` bytes, so
    that a runaway client cannot make the engine hold it whole; ``(b"", False)`` at the
    end of input. The GTP and analysis engines read their input through this.
    """
    line = stream.readline(limit + 1)
    if len(line) > limit and not line.endswith(b"\n"):
        while True:  # swallow the rest of the over-long line
            more = stream.readline(limit)
            if not more or more.endswith(b"\n"):
                break
        return line[:limit], True
    return line, False


def _raw_id(raw: bytes) -> str:
    """The command id that an unreadable line (invalid UTF-8, too long) starts with, or ''."""
    match = re.match(rb"[ \t]*([0-9]+)[ \t]", raw)
    return match.group(1).decode() if match else ""


class GTPServer:
    """Reads commands from ``stdin`` (bytes), answers on ``stdout``; one engine."""

    def __init__(self, engine: GTPEngine, stdin: BinaryIO, stdout: TextIO) -> None:
        self.engine = engine
        self.stdin = _private_input(stdin)
        self.stdout = stdout
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.analysis_commands = {
            "lz-analyze": self._analyze,
            "kata-analyze": self._analyze,
            "lz-genmove_analyze": self._genmove_analyze,
            "kata-genmove_analyze": self._genmove_analyze,
        }

    def _reader(self) -> None:
        while True:
            line, too_long = read_bounded_line(self.stdin, MAX_LINE)
            if not line:
                self.lines.put(None)
                return
            if too_long:
                line = TOO_LONG + line[:64]  # the start, for the command id
            self.lines.put(line)

    def _write(self, text: str) -> None:
        if log.isEnabledFor(logging.DEBUG) and text.strip():
            log.debug(">> %s", _shorten(text.strip("\n")))
        self.stdout.write(text)
        self.stdout.flush()

    def serve(self) -> None:
        """Answer commands until ``quit`` or the end of input."""
        threading.Thread(target=self._reader, daemon=True, name="gtp-reader").start()
        while not self.engine.quit:
            raw = self.lines.get()
            if raw is None:
                return
            self._write(self.respond(raw))

    def respond(self, raw: bytes) -> str:
        """The full answer (ended by a blank line) to one input line, or '' to ignore it."""
        if raw.startswith(TOO_LONG):
            cid = _raw_id(raw[len(TOO_LONG) :])
            return f"?{cid} syntax error: line longer than {MAX_LINE} bytes\n\n"
        try:
            text = clean_line(raw)
        except GTPFailure as e:
            return f"?{_raw_id(raw)} {e}\n\n"
        if not text:
            return ""
        words = text.split()
        cid = ""
        if words[0].isdigit():
            cid = words.pop(0)
            if not words:
                return f"?{cid} syntax error: no command\n\n"
        name, args = words[0], words[1:]
        log.debug("<< %s", text)
        if name in self.analysis_commands:
            try:
                return self.analysis_commands[name](cid, name, args)
            except GTPFailure as e:
                return f"?{cid} {e}\n\n"
        handler = self.engine.commands.get(name)
        if handler is None:
            return f"?{cid} unknown command\n\n"
        try:
            result = handler(args)
        except GTPFailure as e:
            return f"?{cid} {e}\n\n"
        except Exception as e:  # never fall over: report and go on
            log.exception("internal error in %r", text)
            # one line: a blank line inside would end the answer early
            message = " ".join(f"{type(e).__name__}: {e}".split())
            return f"?{cid} internal error: {message}\n\n"
        sep = " " if result and not result.startswith("\n") else ""
        return f"={cid}{sep}{result}\n\n"

    # ---- analysis streaming
    def _stop_requested(self) -> bool:
        return not self.lines.empty()

    def _analyze(self, cid: str, name: str, args: list[str]) -> str:
        req = parse_analyze(args)
        engine = self.engine
        color = req.color or engine.board.to_play
        style = "lz" if name.startswith("lz") else "kata"
        self._write(f"={cid}\n")

        cap = engine.analysis_visits
        capped = False

        def report(analysis: Analysis) -> None:
            nonlocal capped
            if analysis.moves:
                self._write(format_info(engine.board, analysis, style, req.max_moves) + "\n")
            if cap is not None and sum(m.visits for m in analysis.moves) >= cap:
                capped = True

        engine.player.analyze(
            engine.board, color, lambda: capped or self._stop_requested(), req.interval, report
        )
        while not self._stop_requested():  # at the cap: the answer stays open until the next command
            time.sleep(0.02)
        return "\n"

    def _genmove_analyze(self, cid: str, name: str, args: list[str]) -> str:
        req = parse_analyze(args, color_required=True)
        engine = self.engine
        color = req.color
        style = "lz" if name.startswith("lz") else "kata"
        self._write(f"={cid}\n")
        start = time.perf_counter()
        decision = engine.player.genmove(engine.board, color, engine._limits(color))
        engine.clock.charge(color, time.perf_counter() - start)
        if decision.analysis is not None and decision.analysis.moves:
            self._write(format_info(engine.board, decision.analysis, style, req.max_moves) + "\n")
        if decision.resign:
            return "play resign\n\n"
        engine.board.play(decision.move, color)
        return f"play {engine.board.vertex(decision.move)}\n\n"


def run_gtp(engine: GTPEngine, stdin: BinaryIO | None = None, stdout: TextIO | None = None) -> None:
    """Serve GTP on stdin/stdout until ``quit`` or the end of input.

    The answers are UTF-8 whatever the locale: under an ASCII or Latin-1 locale an
    answer that echoes a non-ASCII argument ("invalid color '...'") would otherwise
    raise ``UnicodeEncodeError`` and end the engine.
    """
    if stdout is None:
        stdout = sys.stdout
        if isinstance(stdout, io.TextIOWrapper):
            stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    GTPServer(engine, stdin or sys.stdin.buffer, stdout).serve()
