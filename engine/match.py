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

This module runs the match (:func:`run_match`: engines started once per worker, games in
parallel, Ctrl-C); the settings are in ``match_settings``, one game (the engines, the
forfeits, the adjudication) in ``match_game``, and the records, the statistics and the
files in ``match_records``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from seigen.engine.board import Board
from seigen.engine.match_game import Engine, parse_gtp_score, play_game, probe_engine
from seigen.engine.match_records import (
    FORFEIT_REASONS,
    GameRecord,
    MatchResult,
    load_match,
    log_record,
    prepare_sgf_dir,
    write_record,
    write_summary,
)
from seigen.engine.match_settings import MatchError, MatchSettings, argv_of, command_text

__all__ = [
    "FORFEIT_REASONS",
    "GameRecord",
    "MatchError",
    "MatchResult",
    "MatchSettings",
    "parse_gtp_score",
    "run_match",
]


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
    line per game, as it finishes), the summary to ``<sgf_dir>/summary.json`` (rewritten after
    each game), and each engine's stderr to ``<sgf_dir>/engine-A.log`` and ``engine-B.log``
    (``engine-A-2.log`` ... for the engines of further parallel workers). Ctrl-C stops the
    match: the games finished so far come back with ``interrupted`` set. With
    ``settings.resume`` the games already in ``games.jsonl`` come back in ``result.records``
    (``on_game`` is not called for them) and only the others are played, so a match cut
    short, even by a crash, goes on where it stopped.
    """
    started = time.monotonic()
    argv = {"A": argv_of(settings.black, "black"), "B": argv_of(settings.white, "white")}
    commands = {"A": command_text(settings.black), "B": command_text(settings.white)}
    sgf_dir, created = prepare_sgf_dir(settings.sgf_dir, settings.resume)
    done, seconds_before = load_match(settings) if settings.resume else ([], 0.0)
    todo = sorted(set(range(settings.games)) - {r.index for r in done})

    pairs: queue.Queue[tuple[Engine, Engine]] = queue.Queue()
    all_engines: list[Engine] = []

    def new_pair() -> tuple[Engine, Engine]:
        suffix = f"-{len(all_engines) // 2 + 1}" if all_engines else ""
        pair = (
            Engine("A", argv["A"], settings, os.path.join(sgf_dir, f"engine-A{suffix}.log")),
            Engine("B", argv["B"], settings, os.path.join(sgf_dir, f"engine-B{suffix}.log")),
        )
        all_engines.extend(pair)
        return pair

    first = new_pair()
    try:
        raw_names = {e.key: probe_engine(e, commands[e.key]) for e in first}
    except BaseException:
        logs = [e.log_path for e in first]
        for engine in first:
            engine.stop()
        if created:  # no game was played: leave nothing behind
            with contextlib.suppress(OSError):
                for log in logs:
                    if log is not None and os.path.exists(log):
                        os.remove(log)
                os.rmdir(sgf_dir)
        raise
    result = MatchResult(settings, _display_names(raw_names), commands, sgf_dir, records=list(done))
    result.seconds = seconds_before
    write_summary(result)
    pairs.put(first)
    for _ in range(min(settings.parallel, len(todo)) - 1):
        pairs.put(new_pair())
    if on_start is not None:
        on_start(result)

    stop = threading.Event()

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
            write_record(record, board, result)
            return record, board
        finally:
            pairs.put(pair)

    pool = ThreadPoolExecutor(max_workers=settings.parallel, thread_name_prefix="match")
    pending: set[Future] = set()
    try:
        pending = {pool.submit(one_game, i) for i in todo}
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                played = future.result()
                if played is None:
                    continue
                record = played[0]
                result.records.append(record)
                log_record(record, result)
                result.seconds = seconds_before + time.monotonic() - started
                write_summary(result)
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
    result.seconds = seconds_before + time.monotonic() - started
    write_summary(result)
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
