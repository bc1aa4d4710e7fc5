"""Matches between two GTP engines: the games, their adjudication, forfeits, and the statistics.

>>> settings = MatchSettings(black="gnugo --mode gtp --level 1", white="katago gtp", games=4)  # doctest: +SKIP
>>> result = run_match(settings)                                                           # doctest: +SKIP
>>> result.summary()["elo"]                                                                # doctest: +SKIP

Engine A is the ``black`` command, engine B the ``white`` one. With ``alternate`` they swap
colours every other game (A plays black in games 0, 2, 4, ...); without it A always
plays black. Each game is played like this:

* Both engines get ``boardsize``, the rules (``kgs-rules NAME``, or ``kata-set-rules
  tromp-taylor``; a ``?`` answer is ignored: the command is optional), ``komi`` and
  ``clear_board``. Engines are started once per worker and reused from game to game;
  one that died, hung or broke the protocol is started again for the next game.
* ``genmove`` goes to the side to move and the move is replayed with ``play`` to the
  other engine. seigen's own :class:`~seigen.engine.Board` keeps the game under the
  match's rules, and those rules decide what is legal: both engines should be told the
  same rules (e.g. ``gnugo --chinese-rules --positional-superko`` for ``chinese``).
  An engine that passes with dead stones still on the board relies on the
  adjudication below; GNU Go's ``--capture-all-dead`` makes it capture them first.
  GNU Go plays the same game every time unless given different ``--seed`` values.
* ``resign`` ends the game; so do two passes in a row and ``max_moves`` moves (passes
  included). A game that was not resigned is scored (see *Adjudication*).
* **Forfeits.** An engine loses the game when it crashes (``crash``), leaves a command
  unanswered past its timeout (``timeout``: ``move_timeout`` for ``genmove`` and
  ``play``, ``startup_timeout`` for starting and setting up), answers with something
  that is not GTP (``protocol error``), answers ``?`` to a command it must know
  (``gtp error``), plays a move that is not a move (``malformed move``) or that the rules
  forbid (``illegal move``: occupied, suicide, ko, superko, off the board), or refuses
  (``? ...``) a move of its opponent that the rules allow (``rejected move``). The match
  goes on, and the summary counts the forfeits by engine and reason.

Adjudication. Both engines are asked ``final_score``. If both answer with the same
score, that is the result. Otherwise seigen counts the board itself with
``Board.score`` under the match's rules (area scoring for every preset but
``japanese``). An area count (Tromp-Taylor) is exact only when the dead stones have
been removed (or captured in play), so:

* when the engines disagree, or the game was stopped by ``max_moves`` before two
  passes, dead stones are first estimated with ``Board.dead_stones()`` (stones that
  light playouts from the final position mostly lose -- an estimate, which can be wrong
  in seki and in unsettled positions; see ``Board.dead_stones``) and removed:
  ``score(dead=...)``;
* when the game ended by two passes and the engines could not score it (no
  ``final_score``, or an error), the board is counted as it stands: this is exact for
  games played out to the end, as simple engines do, and wrong where dead stones are
  still on the board.

Each record says which way its game was scored (``scored_by``).

Statistics. Each engine's games against the other are a head-to-head result of
``seigen.engine.ratings`` (:func:`~seigen.engine.ratings.head_to_head`): W-D-L (a draw, jigo,
counts as half a win), the win rate with its 95% Wilson interval, and the Elo difference
with its interval from the logistic model, a score of 0 or 1 clamped to half a game from
it (a clean sweep of 10 games reads +529 Elo, with an upper bound that is the same value
and means "at least this much; the games cannot bound it").
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import queue
import shlex
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field

from seigen.engine.board import Board, IllegalMoveError, result_string
from seigen.engine.files import append_jsonl
from seigen.engine.gtp_client import GTPClient, GTPEngineDied, GTPError, GTPProtocolError, GTPTimeout
from seigen.engine.ratings import INTERVAL_KEYS, head_to_head
from seigen.engine.rules import Rules
from seigen.engine.sgf import GameInfo, write_sgf

__all__ = [
    "FORFEIT_REASONS",
    "GameRecord",
    "MatchError",
    "MatchResult",
    "MatchSettings",
    "parse_gtp_score",
    "run_match",
]

# The ways an engine can forfeit a game (GameRecord.forfeit), in the order the summary lists them.
FORFEIT_REASONS = (
    "crash",
    "timeout",
    "protocol error",
    "gtp error",
    "malformed move",
    "illegal move",
    "rejected move",
)

# Optional commands that tell an engine the rules; a "?" answer is ignored.
RULES_COMMANDS: dict[str, tuple[str, ...]] = {
    "chinese": ("kgs-rules chinese",),
    "japanese": ("kgs-rules japanese",),
    "aga": ("kgs-rules aga",),
    "nz": ("kgs-rules new_zealand",),
    "tromp-taylor": ("kata-set-rules tromp-taylor",),
}

ENGINE_KEYS = ("A", "B")  # A: the black command, B: the white one


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


# ============================================================================ settings and records


class MatchError(RuntimeError):
    """The match cannot be played as set up (an engine does not start, rejects the board size, ...)."""


@dataclass(frozen=True)
class MatchSettings:
    """Everything that defines a match (see the module docstring)."""

    black: str | Sequence[str]
    """Engine A's command line (a string, split with shlex, or an argv list); plays black in game 0."""
    white: str | Sequence[str]
    """Engine B's command line; plays white in game 0."""
    games: int = 10
    size: int = 9
    komi: float | None = None
    """Komi; None takes the rules preset's."""
    rules: str = "chinese"
    """A ``Rules`` preset name."""
    alternate: bool = False
    """Swap colours every other game."""
    max_moves: int | None = None
    """Moves (passes included) after which a game stops and is scored; None: 3 * size * size."""
    parallel: int = 1
    """Games played at once (each with its own pair of engine processes)."""
    move_timeout: float = 30.0
    """Seconds an engine may take to answer ``genmove`` or ``play``."""
    startup_timeout: float = 60.0
    """Seconds an engine may take to start and answer the setup commands (and ``final_score``)."""
    sgf_dir: str | None = None
    """Folder for the SGF records and the JSON logs; None: a new ``matches/<timestamp>`` folder."""

    def __post_init__(self) -> None:
        for key, command in (("black", self.black), ("white", self.white)):
            argv_of(command, key)  # raises ValueError for an empty or unbalanced command
        if self.games < 1:
            raise ValueError(f"games must be at least 1, got {self.games}")
        if not 2 <= self.size <= 25:
            raise ValueError(f"size must be between 2 and 25, got {self.size}")
        Rules.preset(self.rules)
        if self.komi is not None and not math.isfinite(self.komi):
            raise ValueError(f"komi must be finite, got {self.komi}")
        if self.max_moves is not None and self.max_moves < 1:
            raise ValueError(f"max_moves must be at least 1, got {self.max_moves}")
        if self.parallel < 1:
            raise ValueError(f"parallel must be at least 1, got {self.parallel}")
        if not self.move_timeout > 0 or not self.startup_timeout > 0:
            raise ValueError("timeouts must be positive")

    @property
    def move_cap(self) -> int:
        return self.max_moves if self.max_moves is not None else 3 * self.size * self.size

    @property
    def board_rules(self) -> Rules:
        rules = Rules.preset(self.rules)
        return rules if self.komi is None else rules.with_komi(self.komi)

    def a_plays_black(self, index: int) -> bool:
        """Whether engine A plays black in game ``index`` (0-based)."""
        return not (self.alternate and index % 2 == 1)


def argv_of(command: str | Sequence[str], what: str = "engine") -> list[str]:
    """An engine's command line as argv: a string is split like a shell would (shlex)."""
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as e:
            raise ValueError(f"cannot split the {what} command {command!r}: {e}") from None
    else:
        argv = [str(a) for a in command]
    if not argv:
        raise ValueError(f"the {what} command is empty")
    return argv


def command_text(command: str | Sequence[str]) -> str:
    return command if isinstance(command, str) else shlex.join(command)


@dataclass
class GameRecord:
    """How one game went. Engines are named by key: ``"A"`` (the black command) or ``"B"``."""

    index: int
    """0-based game number."""
    black: str
    """The engine that played black."""
    white: str
    winner: str | None
    """``"A"``, ``"B"``, or None for a draw."""
    result: str
    """SGF ``RE``: ``"B+3.5"``, ``"W+R"`` (resignation), ``"B+F"`` (forfeit), ``"B+T"`` (timeout), ``"0"``."""
    ended_by: str
    """``"two passes"``, ``"max moves"``, ``"resign"`` or ``"forfeit"``."""
    moves: int
    """Moves played (passes included); a forfeited move is not counted."""
    score: float | None = None
    """Black minus white, komi included, when the game was scored."""
    scored_by: str | None = None
    """``"engines"``, ``"seigen count"`` or ``"seigen count, dead stones estimated"``."""
    engine_scores: dict[str, str | None] = field(default_factory=dict)
    """Each engine's ``final_score`` answer (None: no answer)."""
    forfeit: str | None = None
    """The reason, one of ``FORFEIT_REASONS``, when an engine forfeited."""
    forfeit_by: str | None = None
    detail: str = ""
    """What happened, in words (the forfeit's cause, the adjudication)."""
    sgf: str | None = None
    """Path of the game's SGF record."""
    seconds: float = 0.0


class _Forfeit(Exception):
    def __init__(self, key: str, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.key = key
        self.reason = reason
        self.detail = detail


# ============================================================================ engines


class Engine:
    """One engine process of a match, started (again) on demand; used by one thread at a time."""

    def __init__(self, key: str, argv: Sequence[str], settings: MatchSettings) -> None:
        self.key = key
        self.argv = list(argv)
        self.settings = settings
        self.client: GTPClient | None = None
        self.starts = 0
        self.stopped = False  # set when the match stops: the engine is never started again

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
        self.client = GTPClient(self.argv, timeout=self.settings.startup_timeout)

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


def preset_name(rules: str) -> str:
    """The canonical name of a rules preset given in any spelling ``Rules.preset`` accepts."""
    wanted = Rules.preset(rules)
    return next(name for name in Rules.PRESETS if Rules.preset(name) == wanted)


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
            text = (_call(mover, f"genmove {color}", settings.move_timeout) or "").strip()
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


# ============================================================================ the match


@dataclass
class MatchResult:
    """The games played so far and who played them."""

    settings: MatchSettings
    names: dict[str, str]
    """Display names of engines A and B (SGF ``PB``/``PW``)."""
    commands: dict[str, str]
    sgf_dir: str
    records: list[GameRecord] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0

    def summary(self) -> dict:
        """The match as one JSON-ready dict (see ``summarize``)."""
        return summarize(self.records, self.names, self.commands, self.settings) | {
            "sgf_dir": self.sgf_dir,
            "interrupted": self.interrupted,
            "seconds": round(self.seconds, 3),
        }


def summarize(
    records: Iterable[GameRecord],
    names: dict[str, str],
    commands: dict[str, str],
    settings: MatchSettings,
) -> dict:
    """Wins, draws, forfeits and the statistics, per engine and for A against B.

    Top-level ``win_rate``, ``wilson_low``/``wilson_high`` and ``elo``/``elo_low``/``elo_high``
    are engine A's (the black command's) against B; each engine's own are under ``engines``.
    """
    records = sorted(records, key=lambda r: r.index)
    games = len(records)
    draws = sum(1 for r in records if r.winner is None)
    engines = {}
    for key in ENGINE_KEYS:
        wins_black = sum(1 for r in records if r.winner == key and r.black == key)
        wins_white = sum(1 for r in records if r.winner == key and r.white == key)
        wins = wins_black + wins_white
        forfeited = [r for r in records if r.forfeit_by == key]
        reasons = Counter(r.forfeit for r in forfeited)
        engines[key] = {
            "name": names.get(key, key),
            "command": commands.get(key, ""),
            **head_to_head(wins, draws, games - wins - draws),
            "games_black": sum(1 for r in records if r.black == key),
            "games_white": sum(1 for r in records if r.white == key),
            "wins_black": wins_black,
            "wins_white": wins_white,
            "forfeits": len(forfeited),
            "forfeit_reasons": {r: reasons[r] for r in FORFEIT_REASONS if reasons[r]},
        }
    all_reasons = Counter(r.forfeit for r in records if r.forfeit)
    a = engines["A"]
    return {
        "games": games,
        "games_requested": settings.games,
        "wins": {key: engines[key]["wins"] for key in ENGINE_KEYS},
        "draws": draws,
        **{k: a[k] for k in INTERVAL_KEYS},
        "forfeits": sum(all_reasons.values()),
        "forfeit_reasons": {r: all_reasons[r] for r in FORFEIT_REASONS if all_reasons[r]},
        "forfeit_games": [
            {"game": r.index, "engine": r.forfeit_by, "reason": r.forfeit, "detail": r.detail}
            for r in records
            if r.forfeit
        ],
        "ended_by": dict(Counter(r.ended_by for r in records)),
        "scored_by": dict(Counter(r.scored_by for r in records if r.scored_by)),
        "black_wins": sum(1 for r in records if r.winner is not None and r.winner == r.black),
        "white_wins": sum(1 for r in records if r.winner is not None and r.winner == r.white),
        "mean_moves": (sum(r.moves for r in records) / games) if games else None,
        "engines": engines,
        "size": settings.size,
        "komi": settings.board_rules.komi,
        "rules": preset_name(settings.rules),
        "alternate": settings.alternate,
        "max_moves": settings.move_cap,
        "move_timeout": settings.move_timeout,
    }


def _new_default_sgf_dir() -> str:
    """Create and return a new ``matches/<timestamp>`` folder (``-2``, ``-3``, ... if taken)."""
    base = os.path.join("matches", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    for n in range(1, 1000):
        path = base if n == 1 else f"{base}-{n}"
        try:
            os.makedirs(path)  # not exist_ok: two matches started at once get two folders
        except FileExistsError:
            continue
        except OSError as e:
            raise MatchError(f"cannot create the SGF folder {path!r}: {e.strerror or e}") from e
        return path
    raise MatchError(f"no free folder name beside {base!r}")


def _prepare_sgf_dir(path: str | None) -> tuple[str, bool]:
    """The folder for the records, made ready: ``(path, whether it was created here)``."""
    if path is None:
        return _new_default_sgf_dir(), True
    existed = os.path.isdir(path)
    if existed:
        taken = [name for name in os.listdir(path) if name == "games.jsonl" or name.startswith("game-")]
        if taken:
            raise MatchError(f"{path!r} already holds a match ({sorted(taken)[0]}); choose another --sgf-dir")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise MatchError(f"cannot create the SGF folder {path!r}: {e.strerror or e}") from e
    return path, not existed


def sgf_name(index: int) -> str:
    return f"game-{index + 1:04d}.sgf"


def _write_record(record: GameRecord, board: Board, result: MatchResult) -> None:
    names, commands = result.names, result.commands
    comment = [f"Game {record.index + 1} of a seigen match: {record.ended_by}, {record.result}."]
    if record.detail:
        comment.append(record.detail[:1].upper() + record.detail[1:] + ".")
    if record.engine_scores:
        said = ", ".join(
            f"{k}: {v if v is not None else 'no answer'}" for k, v in record.engine_scores.items()
        )
        comment.append(f"final_score answers: {said}.")
    info = GameInfo(
        black=names[record.black],
        white=names[record.white],
        result=record.result,
        game_comment=f"A: {commands['A']}\nB: {commands['B']}",
        comment=" ".join(comment),
    )
    path = os.path.join(result.sgf_dir, sgf_name(record.index))
    write_sgf(board, path, info)
    record.sgf = path


def _display_names(raw: dict[str, str]) -> dict[str, str]:
    if raw["A"] == raw["B"]:
        return {key: f"{name} ({key})" for key, name in raw.items()}
    return dict(raw)


OnGame = Callable[[GameRecord, MatchResult], None]


def run_match(
    settings: MatchSettings,
    on_game: OnGame | None = None,
    on_start: Callable[[MatchResult], None] | None = None,
) -> MatchResult:
    """Play the match; ``on_game(record, result)`` runs (in this thread) after each game.

    Engine A (``settings.black``) and B are started once first, to learn their names and
    check that they accept the board: an engine that does not start, or rejects
    ``boardsize``/``komi``/``clear_board``, raises ``MatchError`` before any game.
    Later crashes, hangs and bad moves forfeit games (see the module docstring).
    Records go to ``<sgf_dir>/game-NNNN.sgf`` and ``<sgf_dir>/games.jsonl`` (one JSON
    line per game, as it finishes), the summary to ``<sgf_dir>/summary.json``. Ctrl-C
    stops the match: the games finished so far come back with ``interrupted`` set.
    """
    started = time.monotonic()
    argv = {"A": argv_of(settings.black, "black"), "B": argv_of(settings.white, "white")}
    commands = {"A": command_text(settings.black), "B": command_text(settings.white)}
    sgf_dir, created = _prepare_sgf_dir(settings.sgf_dir)

    pairs: queue.Queue[tuple[Engine, Engine]] = queue.Queue()
    all_engines: list[Engine] = []

    def new_pair() -> tuple[Engine, Engine]:
        pair = (Engine("A", argv["A"], settings), Engine("B", argv["B"], settings))
        all_engines.extend(pair)
        return pair

    first = new_pair()
    try:
        raw_names = {e.key: _probe(e, commands[e.key]) for e in first}
    except BaseException:
        for engine in first:
            engine.close()
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(sgf_dir)  # still empty: no game was played
        raise
    result = MatchResult(settings, _display_names(raw_names), commands, sgf_dir)
    pairs.put(first)
    for _ in range(min(settings.parallel, settings.games) - 1):
        pairs.put(new_pair())
    if on_start is not None:
        on_start(result)

    stop = threading.Event()
    log_path = os.path.join(sgf_dir, "games.jsonl")

    def one_game(index: int) -> tuple[GameRecord, Board] | None:
        if stop.is_set():
            return None
        pair = pairs.get()
        try:
            record, board = play_game(index, *pair, settings)
            if record.forfeit == "crash":
                # Ctrl-C in a terminal reaches the engines too: let this thread's stop come first
                time.sleep(0.2)
            if stop.is_set():
                return None  # engines were stopped under it: not a real result
            _write_record(record, board, result)
            return record, board
        finally:
            pairs.put(pair)

    pool = ThreadPoolExecutor(max_workers=settings.parallel, thread_name_prefix="match")
    pending: set[Future] = set()
    try:
        pending = {pool.submit(one_game, i) for i in range(settings.games)}
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                played = future.result()
                if played is None:
                    continue
                record = played[0]
                result.records.append(record)
                append_jsonl(log_path, asdict(record))
                if on_game is not None:
                    on_game(record, result)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        with _sigint_ignored():  # a second Ctrl-C must not leave engines running
            stop.set()
            for future in pending:
                future.cancel()
            for engine in all_engines:
                engine.stop()
            pool.shutdown(wait=True)
    result.records.sort(key=lambda r: r.index)
    result.seconds = time.monotonic() - started
    summary = result.summary()
    summary["settings"] = asdict(settings)
    tmp = os.path.join(sgf_dir, ".summary.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    os.replace(tmp, os.path.join(sgf_dir, "summary.json"))
    return result


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT (Ctrl-C) inside the block, where the main thread can set signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _probe(engine: Engine, command: str) -> str:
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
