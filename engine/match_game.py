"""One game between two GTP engines of a match (``seigen.engine.match``): the engines and the rules.

:class:`Engine` is one engine process, started (again) on demand; every GTP command goes
through :func:`_call`, which turns a crash, a timeout, a protocol error or a refusal into a
forfeit of that engine. :func:`play_game` sets the board up, plays ``genmove``/``play``
until a resignation, two passes or the move cap, replays every move on seigen's
:class:`~seigen.engine.Board` (which decides what is legal) and adjudicates the end
(:func:`parse_gtp_score` reads the engines' ``final_score``). :func:`probe_engine` starts
an engine before the match to learn its name and check that it accepts the board.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Sequence
from typing import TextIO

from seigen.engine.board import Board, IllegalMoveError, result_string
from seigen.engine.gtp_client import GTPClient, GTPEngineDied, GTPError, GTPProtocolError, GTPTimeout
from seigen.engine.match_records import GameRecord
from seigen.engine.match_settings import MatchError, MatchSettings, preset_name

# Optional commands that tell an engine the rules; a "?" answer is ignored.
RULES_COMMANDS: dict[str, tuple[str, ...]] = {
    "chinese": ("kgs-rules chinese",),
    "japanese": ("kgs-rules japanese",),
    "aga": ("kgs-rules aga",),
    "nz": ("kgs-rules new_zealand",),
    "tromp-taylor": ("kata-set-rules tromp-taylor",),
}


# ============================================================================ scores


def parse_gtp_score(text: str) -> float | None:
    """A GTP ``final_score`` answer as black minus white: ``"B+3.5"`` -> 3.5, ``"W+2"`` -> -2.0.

    ``"0"`` (jigo) -> 0.0. Anything else (``"B+R"``, an empty answer, chatter) -> None.
    """
    tokens = text.split()
    if not tokens:
        return None
    token = tokens[0].upper()
    if token in ("0", "JIGO", "DRAW"):
        return 0.0
    if len(token) < 3 or token[0] not in "BW" or token[1] != "+":
        return None
    try:
        value = float(token[2:])
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value if token[0] == "B" else -value


# ============================================================================ engines


class _Forfeit(Exception):
    def __init__(self, key: str, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.key = key
        self.reason = reason
        self.detail = detail


class Engine:
    """One engine process of a match, started (again) on demand; used by one thread at a time.

    With ``log_path`` every line the engine writes on stderr is appended to that file, across
    restarts, with :meth:`mark` lines between its games: what each engine said about its
    moves (seigen's players log their playouts, time and win rate) stays beside the games.
    """

    def __init__(
        self, key: str, argv: Sequence[str], settings: MatchSettings, log_path: str | None = None
    ) -> None:
        self.key = key
        self.argv = list(argv)
        self.settings = settings
        self.client: GTPClient | None = None
        self.starts = 0
        self.stopped = False  # set when the match stops: the engine is never started again
        self.log_path = log_path
        self._log: TextIO | None = None
        self._log_lock = threading.Lock()

    def _write_log(self, line: str) -> None:
        with self._log_lock:
            if self.log_path is None:
                return
            if self._log is None:
                self._log = open(self.log_path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
            self._log.write(line + "\n")

    def mark(self, text: str) -> None:
        """Write ``== text`` into the engine's log (when it has one), e.g. at a game's start."""
        try:
            self._write_log(f"== {text}")
        except OSError:
            self.log_path = None  # a log that cannot be written must not stop the match

    @property
    def alive(self) -> bool:
        return self.client is not None and self.client.alive

    def start(self) -> None:
        """Start the engine unless it is running (raises GTPEngineDied when it cannot start)."""
        if self.alive:
            return
        self.close()
        if self.stopped:
            raise GTPEngineDied(f"the match has stopped; GTP engine {self.argv[0]!r} is not restarted")
        self.starts += 1
        on_stderr = self._write_log if self.log_path is not None else None
        self.client = GTPClient(self.argv, timeout=self.settings.startup_timeout, on_stderr=on_stderr)

    def send(self, command: str, timeout: float) -> str:
        client = self.client  # stop() may clear it from another thread
        if client is None or not client.alive:
            raise GTPEngineDied(f"GTP engine {self.argv[0]!r} is not running", command)
        return client.send(command, timeout=timeout)

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close(timeout=1.0)
            self.client = None

    def stop(self) -> None:
        """Close the engine for good (from any thread): the game it is in ends at its next command."""
        self.stopped = True
        self.close()
        with self._log_lock:
            self.log_path = None  # lines that come after the stop are dropped
            if self._log is not None:
                with contextlib.suppress(OSError):
                    self._log.close()
                self._log = None


def _call(
    engine: Engine, command: str, timeout: float, on_error: str = "gtp error", optional: bool = False
) -> str | None:
    """Send ``command``; any failure becomes a forfeit of ``engine``.

    A ``?`` answer forfeits with reason ``on_error``, unless the command is ``optional``:
    then it returns None.
    """
    try:
        return engine.send(command, timeout)
    except GTPError as e:
        if optional:
            return None
        raise _Forfeit(engine.key, on_error, f"answered '? {e.message}' to {command!r}") from None
    except GTPTimeout:
        raise _Forfeit(engine.key, "timeout", f"no answer to {command!r} within {timeout:g} s") from None
    except GTPEngineDied as e:
        code = "" if e.returncode is None else f" (exit status {e.returncode})"
        tail = e.stderr_tail.strip().splitlines()[-1:] if e.stderr_tail else []
        said = f"; its last stderr line: {tail[0]!r}" if tail else ""
        raise _Forfeit(engine.key, "crash", f"died while answering {command!r}{code}{said}") from None
    except GTPProtocolError as e:
        raise _Forfeit(engine.key, "protocol error", str(e)) from None


def _setup_commands(settings: MatchSettings) -> list[tuple[str, bool]]:
    """(command, optional) pairs that start a game."""
    komi = settings.board_rules.komi
    return [
        (f"boardsize {settings.size}", False),
        *((c, True) for c in RULES_COMMANDS.get(preset_name(settings.rules), ())),
        (f"komi {komi:.10g}", False),
        ("clear_board", False),
    ]


def _new_game(engine: Engine, settings: MatchSettings) -> None:
    """Start ``engine`` if needed and set up an empty board; failures forfeit."""
    try:
        engine.start()
    except GTPEngineDied as e:
        raise _Forfeit(engine.key, "crash", f"could not be started: {e}") from None
    for command, optional in _setup_commands(settings):
        _call(engine, command, settings.startup_timeout, optional=optional)


def _engine_name(engine: Engine) -> str:
    """``name`` and ``version`` of a running engine, else its program's name."""
    parts = []
    for command in ("name", "version"):
        try:
            answer = " ".join(engine.send(command, engine.settings.startup_timeout).split())
        except GTPError:
            answer = ""
        if answer:
            parts.append(answer)
    return " ".join(parts) or os.path.basename(engine.argv[0])


def probe_engine(engine: Engine, command: str) -> str:
    """Start ``engine``, set up a board once and learn its name; raise MatchError on failure."""
    who = f"engine {engine.key} ({command})"
    try:
        engine.start()
        name = _engine_name(engine)
        _new_game(engine, engine.settings)
    except GTPEngineDied as e:
        raise MatchError(f"{who} does not start: {e}") from None
    except (GTPTimeout, GTPProtocolError) as e:
        raise MatchError(f"{who} does not speak GTP: {e}") from None
    except _Forfeit as f:
        if f.reason == "gtp error":
            raise MatchError(f"{who} cannot play this match: it {f.detail}") from None
        raise MatchError(f"{who} fails at setup ({f.reason}): {f.detail}") from None
    return name


# ============================================================================ one game


def _forfeit_result(loser_color: str, reason: str) -> str:
    winner = "W" if loser_color == "black" else "B"
    return f"{winner}+{'T' if reason == 'timeout' else 'F'}"


def play_game(index: int, a: Engine, b: Engine, settings: MatchSettings) -> tuple[GameRecord, Board]:
    """Play game ``index`` between engines ``a`` and ``b``; returns its record and final board."""
    start = time.monotonic()
    a_black = settings.a_plays_black(index)
    black, white = (a, b) if a_black else (b, a)
    by_color = {"black": black, "white": white}
    color_of = {black.key: "black", white.key: "white"}
    board = Board(settings.size, rules=settings.board_rules)
    record = GameRecord(index, black.key, white.key, None, "", "", 0)
    try:
        for engine in (black, white):
            engine.mark(f"game {index + 1}: {color_of[engine.key]}")
            _new_game(engine, settings)
        while True:
            if board.is_over:
                record.ended_by = "two passes"
                break
            if board.move_number >= settings.move_cap:
                record.ended_by = "max moves"
                break
            color = board.to_play
            mover = by_color[color]
            other = by_color["white" if color == "black" else "black"]
            number = board.move_number + 1
            asked = time.monotonic()
            text = (_call(mover, f"genmove {color}", settings.move_timeout) or "").strip()
            record.move_seconds.setdefault(mover.key, []).append(round(time.monotonic() - asked, 3))
            if text.lower() == "resign":
                record.ended_by = "resign"
                record.winner = other.key
                record.result = f"{'W' if color == 'black' else 'B'}+R"
                record.detail = f"{color} ({mover.key}) resigned at move {number}"
                break
            try:
                point = board.parse_move(text)
                board.play(point, color)
            except IllegalMoveError as e:
                raise _Forfeit(
                    mover.key, "illegal move", f"played {text!r} at move {number}: {e.reason}"
                ) from None
            except ValueError:
                raise _Forfeit(
                    mover.key, "malformed move", f"answered {text!r} to 'genmove {color}' at move {number}"
                ) from None
            vertex = board.vertex(point)
            _call(other, f"play {color} {vertex}", settings.move_timeout, on_error="rejected move")
    except _Forfeit as f:
        loser_color = color_of[f.key]
        record.forfeit, record.forfeit_by = f.reason, f.key
        record.winner = "B" if f.key == "A" else "A"
        record.ended_by = "forfeit"
        record.result = _forfeit_result(loser_color, f.reason)
        record.detail = f"{loser_color} ({f.key}) forfeits, {f.reason}: {f.detail}"
    if record.ended_by in ("two passes", "max moves"):
        _adjudicate(record, board, black, white, settings)
    record.moves = board.move_number
    record.seconds = time.monotonic() - start
    return record, board


def _final_score(engine: Engine, settings: MatchSettings) -> str | None:
    """The engine's ``final_score`` answer, or None; never a forfeit (the game is over)."""
    try:
        return " ".join(engine.send("final_score", settings.startup_timeout).split())
    except (GTPError, GTPTimeout, GTPEngineDied, GTPProtocolError):
        return None


def _adjudicate(
    record: GameRecord, board: Board, black: Engine, white: Engine, settings: MatchSettings
) -> None:
    """Score a finished (or stopped) game: the engines' common ``final_score``, else seigen's count."""
    answers = {e.key: _final_score(e, settings) for e in (black, white)}
    record.engine_scores = answers
    first, second = (parse_gtp_score(a) if a is not None else None for a in answers.values())
    disagree = first is not None and second is not None and first != second
    if first is not None and first == second:
        score = first
        record.scored_by = "engines"
        record.detail = f"both engines scored it {result_string(score)}"
    elif disagree or record.ended_by == "max moves":
        dead = board.dead_stones(seed=record.index)
        score = board.score(dead=dead)
        record.scored_by = "seigen count, dead stones estimated"
        why = "the engines disagree" if disagree else "the game was stopped before two passes"
        record.detail = f"{why}: seigen's count with {len(dead)} stones estimated dead"
    else:
        score = board.score()
        record.scored_by = "seigen count"
        record.detail = "the engines gave no final score: seigen's count of the board as it stands"
    record.score = float(score)
    record.result = result_string(record.score)
    if record.score > 0:
        record.winner = record.black
    elif record.score < 0:
        record.winner = record.white
