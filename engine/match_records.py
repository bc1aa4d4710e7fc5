"""What a match between two GTP engines (``seigen.engine.match``) records and writes.

One :class:`GameRecord` per game and the :class:`MatchResult` that gathers them; the
statistics of the games (:func:`summarize`: W-D-L, forfeits, the head-to-head result of
``seigen.engine.ratings`` per engine); and the files in the match's folder: one SGF per
game (:func:`write_record`), ``games.jsonl`` (:func:`log_record`) and ``summary.json``
(:func:`write_summary`).
"""

from __future__ import annotations

import datetime
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields

from seigen.engine.board import Board
from seigen.engine.files import append_jsonl, read_jsonl, write_atomic
from seigen.engine.match_settings import MatchError, MatchSettings, preset_name
from seigen.engine.ratings import INTERVAL_KEYS, head_to_head
from seigen.engine.sgf import GameInfo, write_sgf

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

ENGINE_KEYS = ("A", "B")  # A: the black command, B: the white one


# ============================================================================ records and statistics


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
    move_seconds: dict[str, list[float]] = field(default_factory=dict)
    """Each engine's ``genmove`` answers in this game, timed by the match (seconds, in order)."""


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
            **_move_times([t for r in records for t in r.move_seconds.get(key, ())]),
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


def _move_times(seconds: list[float]) -> dict:
    """How long an engine took to answer ``genmove``: the count, the mean and the longest."""
    return {
        "genmoves": len(seconds),
        "seconds_per_move": round(sum(seconds) / len(seconds), 3) if seconds else None,
        "max_move_seconds": max(seconds) if seconds else None,
    }


# ============================================================================ files


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


def prepare_sgf_dir(path: str | None, resume: bool = False) -> tuple[str, bool]:
    """The folder for the records, made ready: ``(path, whether it was created here)``.

    A new match needs a folder that holds no match yet; ``resume`` needs one that does.
    """
    if path is None:
        return _new_default_sgf_dir(), True
    existed = os.path.isdir(path)
    if resume:
        if not os.path.isfile(os.path.join(path, "summary.json")):
            raise MatchError(f"{path!r} holds no match to resume (no summary.json)")
        return path, False
    if existed:
        taken = [name for name in os.listdir(path) if name == "games.jsonl" or name.startswith("game-")]
        if taken:
            raise MatchError(
                f"{path!r} already holds a match ({sorted(taken)[0]}); choose another --sgf-dir or --resume it"
            )
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise MatchError(f"cannot create the SGF folder {path!r}: {e.strerror or e}") from e
    return path, not existed


def load_match(settings: MatchSettings) -> tuple[list[GameRecord], float]:
    """The finished games (``index < settings.games``) and the seconds spent on them, of the
    match in ``settings.sgf_dir`` that ``settings`` resumes.

    Raises ``MatchError`` when the folder's match was played by other engines, on another
    board or under other rules (``MatchSettings.same_match``), or its summary is unreadable.
    """
    folder = str(settings.sgf_dir)
    path = os.path.join(folder, "summary.json")
    try:
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
        saved = summary["settings"]
        known = {f.name for f in fields(MatchSettings)}
        before = MatchSettings(**{k: v for k, v in saved.items() if k in known}).same_match()
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise MatchError(f"cannot read the match to resume from {path}: {e}") from e
    now = settings.same_match()
    changed = [f"{key} {before[key]!r} -> {now[key]!r}" for key in now if before[key] != now[key]]
    if changed:
        raise MatchError(f"{folder!r} holds another match; resuming it would change {'; '.join(changed)}")
    record_keys = {f.name for f in fields(GameRecord)}
    records: dict[int, GameRecord] = {}
    for row in read_jsonl(os.path.join(folder, "games.jsonl")):
        try:
            record = GameRecord(**{k: v for k, v in row.items() if k in record_keys})
        except TypeError:
            continue  # not a game record
        if isinstance(record.index, int) and 0 <= record.index < settings.games:
            records.setdefault(record.index, record)
    seconds = summary.get("seconds")
    return sorted(records.values(), key=lambda r: r.index), float(seconds) if isinstance(
        seconds, int | float
    ) else 0.0


def sgf_name(index: int) -> str:
    return f"game-{index + 1:04d}.sgf"


def write_record(record: GameRecord, board: Board, result: MatchResult) -> None:
    """The game's SGF record to ``<sgf_dir>/game-NNNN.sgf``, its path in ``record.sgf``."""
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


def log_record(record: GameRecord, result: MatchResult) -> None:
    """Append the game's record to ``<sgf_dir>/games.jsonl`` (one JSON line per game)."""
    append_jsonl(os.path.join(result.sgf_dir, "games.jsonl"), asdict(record))


def write_summary(result: MatchResult) -> None:
    """The summary, with the settings, to ``<sgf_dir>/summary.json`` (atomically)."""
    summary = result.summary()
    summary["settings"] = asdict(result.settings)
    data = json.dumps(summary, indent=1).encode("utf-8")
    write_atomic(os.path.join(result.sgf_dir, "summary.json"), data)
