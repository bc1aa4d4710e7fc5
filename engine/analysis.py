"""KataGo's JSON analysis-engine protocol over seigen's Board and a Player (``seigen analysis``).

One JSON object per line in and out, as ``katago analysis`` speaks it (KataGo's
``docs/Analysis_Engine.md``), so that KaTrain and the other tools built on that protocol
can use seigen. A reader thread handles every line as it arrives: the special actions
(``query_version``, ``query_models``, ``clear_cache``, ``terminate``, ``terminate_all``)
are answered at once, and a query becomes one request per turn to analyse, queued by
priority (ties: the earlier first). One worker searches the requests one at a time; the
search runs in chunks of about 50 ms, so a ``terminate`` stops it mid-search, and each
request ends with exactly one response whose ``isDuringSearch`` is false (partial ones
before it with ``reportDuringSearchEvery``). Bad input gets the protocol's error object
(``{"id", "field", "error"}``, or ``{"error"}`` for a line without a usable id) and the
engine goes on; warnings (``{"id", "field", "warning"}``) say what seigen ignores.
Nothing but JSON reaches stdout; logs go to stderr.

Where the numbers come from:

* ``visits``, ``winrate``, ``prior``, ``lcb``, ``pv``, ``order``: the player's own search.
  ``utility`` is ``2 winrate - 1`` (seigen's players value wins only), ``edgeVisits`` is
  ``visits``. ``rootInfo.winrate`` is the visit-weighted mean of the moves' win rates.
* The score fields: no seigen player estimates the score, so ``scoreLead``, ``scoreMean``
  and ``scoreSelfplay`` are the mean final area score (komi included) of
  ``score_playouts`` light playouts in C from the position after the move, and
  ``scoreStdev`` their standard deviation: what random play makes of the position, not
  a strong player's estimate. ``rootInfo``'s score is the visit-weighted mean of the
  reported moves' (so that a client's "points lost", root minus move, compares playouts
  of one kind; its ``scoreStdev`` and, without moves, its score come from playouts of
  the position itself). With ``score_playouts`` 0 they are all 0.
* ``ownership`` (per move too with ``includeMovesOwnership``): the mean final owner of each
  point over the same playouts (no player's search keeps ownership).
* ``policy``: the prior of the player's search at the root (``Analysis.policy``).
* A player without a search (``random``): its move with one visit; win rate and score
  from the playouts after it.

Everything is from the view of ``reportAnalysisWinratesAs`` (``BLACK``, ``WHITE`` or, by
default as in KataGo, ``SIDETOMOVE``), which a query may set in ``overrideSettings``
(KaTrain sends ``BLACK``).

Limits: ``maxVisits`` (simulations; playouts for the rollout player) and ``maxTime`` from
``overrideSettings``. ``avoidMoves``/``allowMoves``: the rollout player keeps its root to
the allowed moves; the tree players (mcts, net) cannot, so the moves are left out of
``moveInfos`` with a warning; seigen applies them at the root only (``untilDepth`` 1).
``query_version`` adds a ``seigen`` field (seigen's version) to KataGo's two.

Rules: KataGo's rule names and rule objects become seigen ``Rules`` (ko, scoring, suicide,
handicap bonus, komi). seigen has no button and no tax: a button is dropped and stone
scoring (tax ``ALL``) is scored as plain area, each with a warning; the Japanese seki tax is
not modelled. Boards are square, 2x2 to 25x25.
"""

from __future__ import annotations

import json
import logging
import math
import re
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TextIO, runtime_checkable

import numpy as np

from seigen.engine.board import COLUMNS, Board, IllegalMoveError
from seigen.engine.gtp import _private_input, _version, read_bounded_line
from seigen.engine.players import Analysis, MoveStats, Player, PlayoutPlayer, SearchLimits
from seigen.engine.rules import Rules

log = logging.getLogger("seigen.analysis")

# What ``query_version`` answers. KaTrain (1.20, the current release) never asks; a tool
# that gates features on the version gets the first KataGo release whose analysis engine
# has every action seigen answers (``query_models`` came with 1.15.0).
KATAGO_VERSION = "1.15.0"
PERSPECTIVES = ("BLACK", "WHITE", "SIDETOMOVE")
MAX_LINE = 16 * 1024 * 1024
MAX_PRIORITY = 0x3FFFFFFFFFFFFFFF
OUTPUT_DIGITS = 6

QUERY_FIELDS = frozenset(
    {
        *("id", "moves", "initialStones", "initialPlayer", "rules", "komi", "whiteHandicapBonus"),
        *("boardXSize", "boardYSize", "analyzeTurns", "maxVisits", "analysisPVLen"),
        *("rootPolicyTemperature", "rootFpuReductionMax", "includeOwnership", "includeOwnershipStdev"),
        *("includeMovesOwnership", "includeMovesOwnershipStdev", "includePolicy", "includePVVisits"),
        *("includeNoResultValue", "avoidMoves", "allowMoves", "overrideSettings"),
        *("reportDuringSearchEvery", "firstReportDuringSearchAfter", "priority", "priorities"),
    }
)
UNSUPPORTED_FLAGS = {
    "includeOwnershipStdev": "seigen reports no ownership standard deviation",
    "includeMovesOwnershipStdev": "seigen reports no ownership standard deviation",
    "includePVVisits": "seigen's players report no visits along a principal variation",
    "includeNoResultValue": "seigen's players have no no-result value",
}

# KataGo's named rule sets (cpp/game/rules.cpp), keyed by the name lower-cased without
# spaces, dashes or underscores: (ko, scoring, multi-stone suicide, white handicap bonus,
# komi, tax, button).
KATAGO_RULES: dict[str, tuple[str, str, bool, str, float, str, bool]] = {
    "japanese": ("simple", "territory", False, "0", 6.5, "seki", False),
    "korean": ("simple", "territory", False, "0", 6.5, "seki", False),
    "chinese": ("simple", "area", False, "N", 7.5, "none", False),
    "chineseogs": ("positional", "area", False, "N", 7.5, "none", False),
    "chinesekgs": ("positional", "area", False, "N", 7.5, "none", False),
    "stonescoring": ("simple", "area", False, "0", 7.5, "all", False),
    "ancientarea": ("simple", "area", False, "0", 7.5, "all", False),
    "ancientterritory": ("simple", "territory", False, "0", 6.5, "all", False),
    "agabutton": ("situational", "area", False, "N-1", 7.0, "none", True),
    "aga": ("situational", "area", False, "N-1", 7.5, "none", False),
    "bga": ("situational", "area", False, "N-1", 7.5, "none", False),
    "french": ("situational", "area", False, "N-1", 7.5, "none", False),
    "nz": ("situational", "area", True, "0", 7.0, "none", False),
    "newzealand": ("situational", "area", True, "0", 7.0, "none", False),
    "tromptaylor": ("positional", "area", True, "0", 7.5, "none", False),
    "goe": ("positional", "area", True, "0", 7.5, "none", False),
    "ing": ("positional", "area", True, "0", 7.5, "none", False),
}
HANDICAP_BONUS = {"0": "none", "N": "n", "N-1": "n-1"}
KO_NAMES = {"SIMPLE": "simple", "POSITIONAL": "positional", "SITUATIONAL": "situational"}


class QueryError(ValueError):
    """A query that cannot be analysed; ``field`` names the culprit (None: the whole line)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


Warnings = list[tuple[str, str]]  # (field, message)


@runtime_checkable
class SearchingPlayer(Protocol):
    """A player whose search can be capped, stopped and watched (the rollout, mcts and net players)."""

    def search(
        self,
        board: Board,
        limits: SearchLimits,
        should_stop: Callable[[], bool] | None = None,
        report: Callable[[Analysis], None] | None = None,
        interval: float = 1.0,
    ) -> Analysis: ...


# ---------------------------------------------------------------------- playouts


@dataclass(frozen=True)
class PlayoutStats:
    """What light playouts make of one position.

    Scores are black minus white by area, komi and handicap bonus included;
    ``black_wins`` counts a drawn playout as half a win; ``ownership`` is ``N x N``,
    +1 black ... -1 white, row 0 at the top (None after no playouts).
    """

    score_mean: float
    score_stdev: float
    black_wins: float
    ownership: np.ndarray | None


NO_PLAYOUTS = PlayoutStats(0.0, 0.0, 0.5, None)


def playout_stats(board: Board, n: int, seed: int) -> PlayoutStats:
    """``n`` light playouts from ``board``, the way its dead stones are judged: they refuse
    to put chains of two or more stones in atari (so seki survives), and a finished game
    (two passes) is played on."""
    if n <= 0:
        return NO_PLAYOUTS
    scores = np.empty(n, dtype=np.float64)
    own = np.zeros((board.size, board.size), dtype=np.float64)
    board._c.playouts(scores, seed & 0xFFFFFFFFFFFFFFFF, 0, own, True, True)
    scores -= board.rules.komi + board.rules.compensation(board.handicap)
    wins = float(np.mean(scores > 0) + 0.5 * np.mean(scores == 0))
    return PlayoutStats(float(scores.mean()), float(scores.std()), wins, own / n)


# ---------------------------------------------------------------------- parsing helpers


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    """A JSON number: a finite float or an int (of any size, which ``math.isfinite`` cannot take)."""
    if isinstance(value, bool):
        return False
    return _is_int(value) or (isinstance(value, float) and math.isfinite(value))


def _integer(query: dict, key: str, low: int, high: int, message: str) -> int:
    value = query[key]
    if not _is_int(value) or not low <= value <= high:
        raise QueryError(key, message)
    return int(value)


def _number(query: dict, key: str, low: float, high: float, message: str) -> float:
    value = query[key]
    if not _is_number(value) or not low <= value <= high:
        raise QueryError(key, message)
    return float(value)


def _boolean(query: dict, key: str) -> bool:
    value = query.get(key, False)
    if not isinstance(value, bool):
        raise QueryError(key, "Must be a boolean")
    return value


def parse_player(value: Any, key: str) -> str:
    """``"B"``/``"W"`` (any case, or ``black``/``white``) -> ``"black"``/``"white"``."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("b", "black"):
            return "black"
        if text in ("w", "white"):
            return "white"
    raise QueryError(key, f'Must be "b" or "w", got {json.dumps(value)}')


def parse_location(text: Any, size: int, key: str, allow_pass: bool = True) -> int:
    """A GTP vertex (``"D4"``), ``"pass"`` or KataGo's ``"(x,y)"`` (x from the left, y from the
    top, from 0) -> a point index (``N * N`` for pass)."""
    if isinstance(text, str):
        s = text.strip()
        if s.lower() in ("pass", "pss"):
            if allow_pass:
                return size * size
            raise QueryError(key, f"{text!r}: pass is not a stone")
        if m := re.fullmatch(r"\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)", s):
            x, y = int(m.group(1)), int(m.group(2))
        elif m := re.fullmatch(r"([A-Za-z])(\d{1,3})", s):
            letter = m.group(1).upper()
            x = COLUMNS.index(letter) if letter in COLUMNS else size
            y = size - int(m.group(2))
        else:
            x = y = -1
        if 0 <= x < size and 0 <= y < size:
            return y * size + x
    shown = text if isinstance(text, str) else json.dumps(text)
    raise QueryError(key, f"Could not parse board location: {shown}")


def _pairs(query: dict, key: str, size: int, allow_pass: bool) -> list[tuple[str, int]]:
    value = query[key]
    shape = 'Must be an array of pairs of the form: ["b" or "w", GTP board vertex]'
    if not isinstance(value, list):
        raise QueryError(key, shape)
    out = []
    for item in value:
        if not isinstance(item, list) or len(item) != 2:
            raise QueryError(key, shape)
        out.append((parse_player(item[0], key), parse_location(item[1], size, key, allow_pass)))
    return out


def _norm_rule_name(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name.strip().lower())


def parse_rules(value: Any) -> tuple[Rules, Warnings]:
    """KataGo's ``rules`` (a name or an object) -> seigen ``Rules`` (komi: the rules' default)
    and warnings for what seigen cannot follow (button, tax, Spight ko)."""
    warnings: Warnings = []
    if isinstance(value, str) and not value.strip().startswith("{"):
        spec = KATAGO_RULES.get(_norm_rule_name(value))
        if spec is None:
            raise QueryError("rules", f"Could not parse rules: {value}")
        ko, scoring, suicide, bonus, komi, tax, button = spec
    else:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise QueryError("rules", f"Could not parse rules: {value}") from None
        if not isinstance(value, dict):
            raise QueryError(
                "rules",
                'Must specify rules string, such as "chinese" or "tromp-taylor", '
                "or a JSON object with detailed rules parameters.",
            )
        ko, scoring, suicide, bonus, komi, tax, button = KATAGO_RULES["tromptaylor"]
        tax_given = False
        for key, item in value.items():
            bad = QueryError("rules", f"Could not parse rules: bad value for {key}: {json.dumps(item)}")
            if key == "ko":
                name = str(item).upper() if isinstance(item, str) else ""
                if name == "SPIGHT":
                    warnings.append(("rules", "seigen has no Spight ko rule; using situational superko"))
                    ko = "situational"
                elif name in KO_NAMES:
                    ko = KO_NAMES[name]
                else:
                    raise bad
            elif key in ("scoring", "score"):
                if not isinstance(item, str) or item.upper() not in ("AREA", "TERRITORY"):
                    raise bad
                scoring = item.lower()
            elif key == "tax":
                if not isinstance(item, str) or item.upper() not in ("NONE", "SEKI", "ALL"):
                    raise bad
                tax, tax_given = item.lower(), True
            elif key == "suicide":
                if not isinstance(item, bool):
                    raise bad
                suicide = item
            elif key == "hasButton":
                if not isinstance(item, bool):
                    raise bad
                button = item
            elif key == "whiteHandicapBonus":
                if item not in HANDICAP_BONUS:
                    raise bad
                bonus = item
            elif key == "friendlyPassOk":
                if not isinstance(item, bool):
                    raise bad
            elif key == "komi":
                if not _is_number(item) or not -400 <= item <= 400:
                    raise bad
                komi = float(item)
            else:
                raise QueryError("rules", f"Could not parse rules: unknown rules option: {key}")
        if not tax_given:  # KataGo: territory scoring taxes seki unless told otherwise
            tax = "seki" if scoring == "territory" else "none"
    if tax == "all":
        warnings.append(("rules", "seigen has no tax rule: stone scoring is scored as plain area scoring"))
    if button:
        warnings.append(("rules", "seigen has no button: the game is scored without it"))
    rules = Rules(
        ko=ko, suicide=suicide, scoring=scoring, komi=komi, handicap_compensation=HANDICAP_BONUS[bonus]
    )
    return rules, warnings


def parse_perspective(value: Any) -> str:
    """``reportAnalysisWinratesAs``: BLACK, WHITE or SIDETOMOVE (any case; B and W too)."""
    text = str(value).strip().upper() if isinstance(value, str) else ""
    text = {"B": "BLACK", "W": "WHITE"}.get(text, text)
    if text not in PERSPECTIVES:
        raise ValueError(
            f"Could not parse config value for reportAnalysisWinratesAs: {value}; expected BLACK, WHITE or SIDETOMOVE"
        )
    return text


# ---------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Options:
    """How every turn of one query is analysed and reported."""

    max_visits: int
    max_time: float | None
    perspective: str
    pv_len: int
    include_ownership: bool
    include_moves_ownership: bool
    include_policy: bool
    report_every: float | None
    forbidden: dict[str, np.ndarray] = field(default_factory=dict)
    """Per colour, True for the moves that colour may not play at the root (avoidMoves, allowMoves)."""


@dataclass(eq=False)
class Request:
    """One turn of one query: the position the worker searches and how to report it."""

    id: str
    turn: int
    board: Board
    priority: int
    seq: int
    options: Options
    stop: threading.Event = field(default_factory=threading.Event)


@dataclass
class Defaults:
    """What a query that does not say gets."""

    visits: int = 1000
    max_time: float | None = None
    perspective: str = "SIDETOMOVE"
    pv_len: int = 15


# ---------------------------------------------------------------------- the server


class AnalysisServer:
    """Reads queries from ``stdin`` (bytes), writes results to ``stdout``; one player.

    ``score_playouts``: light playouts per position for the score fields and ownership
    (0: scores 0, no ownership); ``max_moves``: the most candidate moves per result
    (the most visited; 0 for all); ``wait_on_eof``: at the end of input, finish the
    queued queries (KataGo's default) or stop at once (``-quit-without-waiting``).
    """

    def __init__(
        self,
        player: Player,
        stdin: BinaryIO,
        stdout: TextIO,
        defaults: Defaults | None = None,
        score_playouts: int = 200,
        max_moves: int = 20,
        seed: int = 0,
        wait_on_eof: bool = True,
    ) -> None:
        if score_playouts < 0 or max_moves < 0:
            raise ValueError("score_playouts and max_moves must not be negative")
        self.player = player
        self.stdin = _private_input(stdin)
        self.stdout = stdout
        self.defaults = defaults or Defaults()
        self.score_playouts = score_playouts
        self.max_moves = max_moves
        self.seed = seed
        self.wait_on_eof = wait_on_eof
        self._out_lock = threading.Lock()
        self._cond = threading.Condition()
        self._pending: list[Request] = []
        self._running: Request | None = None
        self._seq = 0
        self._eof = False
        self._closed = False  # stdout is gone: stop everything
        self._forget = False
        self._git_hash: str | None = None

    # ---------------------------------------------------------------- output
    def send(self, obj: dict) -> None:
        """Write one JSON object as one line (nothing else ever reaches stdout)."""
        try:
            line = json.dumps(obj, separators=(",", ":"), allow_nan=False)
        except ValueError as e:  # a NaN or infinity: a bug, reported rather than sent as invalid JSON
            log.error("unserialisable response for %r: %s", obj.get("id"), e)
            line = json.dumps({"id": obj.get("id"), "error": f"internal error: {e}"})
        if log.isEnabledFor(logging.DEBUG):
            log.debug(">> %s", line if len(line) <= 600 else f"{line[:600]} ... ({len(line)} characters)")
        with self._out_lock:
            if self._closed:
                return
            try:
                self.stdout.write(line + "\n")
                self.stdout.flush()
            except (BrokenPipeError, OSError, ValueError):
                self._closed = True
        if self._closed:
            self._shut_down()

    def _error(self, message: str, qid: str | None = None, key: str | None = None) -> None:
        obj: dict[str, Any] = {}
        if qid is not None:
            obj["id"] = qid
        if key is not None:
            obj["field"] = key
        obj["error"] = message
        log.info("error%s: %s", f" for {qid!r}" if qid is not None else "", message)
        self.send(obj)

    def _shut_down(self) -> None:
        with self._cond:
            self._pending.clear()
            if self._running is not None:
                self._running.stop.set()
            self._eof = True
            self._cond.notify_all()

    # ---------------------------------------------------------------- input
    def serve(self) -> None:
        """Answer queries until the end of input (then finish the queue unless told not to)."""
        reader = threading.Thread(target=self._read, daemon=True, name="analysis-reader")
        reader.start()
        self._work()

    def _read(self) -> None:
        try:
            while not self._closed:
                raw, too_long = read_bounded_line(self.stdin, MAX_LINE)
                if not raw:
                    break
                if too_long:
                    self._error(f"input line longer than {MAX_LINE} bytes, ignored")
                    continue
                try:
                    self.handle_line(raw)
                except Exception as e:  # never fall over: report and go on
                    log.exception("internal error on input line")
                    self._error(f"internal error: {' '.join(str(e).split())}")
        except (OSError, ValueError) as e:  # stdin closed under us
            log.info("input closed: %s", e)
        with self._cond:
            self._eof = True
            if not self.wait_on_eof:
                self._pending.clear()
                if self._running is not None:
                    self._running.stop.set()
            self._cond.notify_all()

    def handle_line(self, raw: bytes | str) -> None:
        """Act on one input line: answer an action, queue a query's turns, or report an error."""
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                self._error("could not parse input line as json request: not valid UTF-8")
                return
        else:
            text = raw
        text = text.strip()
        if not text:
            return
        log.debug("<< %s", text if len(text) <= 600 else f"{text[:600]} ... ({len(text)} characters)")
        try:
            query = json.loads(text)
        except (ValueError, RecursionError) as e:
            shown = text if len(text) <= 200 else text[:200] + " ..."
            self._error(f"{e} - could not parse input line as json request: {shown}")
            return
        if not isinstance(query, dict):
            self._error(f"Request line was valid json but was not an object, ignoring: {text[:200]}")
            return
        qid = query.get("id")
        if not isinstance(qid, str):
            self._error('Request must have a string "id" field')
            return
        if "action" in query:
            self._action(qid, query)
            return
        try:
            requests, warnings = self.parse_query(query)
        except QueryError as e:
            self._error(e.message, qid, e.field)
            return
        except Exception as e:  # a bug: said to the client under the query's id, the traceback logged
            log.exception("internal error parsing query %r", qid)
            self._error(f"internal error: {' '.join(str(e).split())}", qid)
            return
        for key, message in warnings:
            self.send({"id": qid, "field": key, "warning": message})
        with self._cond:
            if self._eof and not self.wait_on_eof:
                return
            self._pending.extend(requests)
            self._cond.notify_all()

    # ---------------------------------------------------------------- actions
    def _action(self, qid: str, query: dict) -> None:
        action = query["action"]
        if action == "query_version":
            self.send({**query, "version": KATAGO_VERSION, "git_hash": self.git_hash(), "seigen": _version()})
        elif action == "query_models":
            name = f"seigen-{self.player.name}"
            model = {
                "name": name,
                "internalName": name,
                "maxBatchSize": 1,
                "usesHumanSLProfile": False,
                "version": 0,
                "usingFP16": "false",
            }
            self.send({**query, "models": [model]})
        elif action == "clear_cache":
            with self._cond:
                self._forget = True  # the worker drops the player's tree before its next search
            self.send(query)
        elif action in ("terminate", "terminate_all"):
            self._terminate(qid, query, action == "terminate")
        else:
            self._error(
                "'action' field must be 'query_version' or 'query_models' or 'clear_cache' or "
                "'terminate' or 'terminate_all'",
                qid,
                "action",
            )

    def _terminate(self, qid: str, query: dict, by_id: bool) -> None:
        target = query.get("terminateId")
        if by_id and not isinstance(target, str):
            self._error(
                'Requests for a terminate action must have a string "terminateId" field', qid, "terminateId"
            )
            return
        turns = query.get("turnNumbers")
        if turns is not None and (not isinstance(turns, list) or not all(_is_int(t) for t in turns)):
            self._error(
                "If provided, must be an array of integers indicating turns to terminate", qid, "turnNumbers"
            )
            return

        def matches(r: Request) -> bool:
            return (not by_id or r.id == target) and (turns is None or r.turn in turns)

        with self._cond:
            dropped = [r for r in self._pending if matches(r)]
            self._pending = [r for r in self._pending if not matches(r)]
            if self._running is not None and matches(self._running):
                self._running.stop.set()
        self.send(query)
        for r in dropped:  # never started: the protocol's "no results" answer
            self.send({"id": r.id, "isDuringSearch": False, "noResults": True, "turnNumber": r.turn})

    def git_hash(self) -> str:
        """The commit of the seigen checkout this runs from, else ``<omitted>`` (as KataGo says it).

        Only a repository whose ``engine/analysis.py`` is this file counts, not one that
        happens to hold an installed copy."""
        if self._git_hash is None:
            self._git_hash = "<omitted>"
            here = Path(__file__).resolve()
            try:
                out = subprocess.run(
                    ["git", "-C", str(here.parent), "rev-parse", "--show-toplevel", "HEAD"],
                    capture_output=True,
                    text=True,
                    timeout=5,
                )
                lines = out.stdout.splitlines()
                if (
                    out.returncode == 0
                    and len(lines) == 2
                    and Path(lines[0]).resolve() / "engine" / "analysis.py" == here
                    and re.fullmatch(r"[0-9a-f]{40}", lines[1])
                ):
                    self._git_hash = lines[1]
            except (OSError, subprocess.SubprocessError):
                pass
        return self._git_hash

    # ---------------------------------------------------------------- queries
    def parse_query(self, query: dict) -> tuple[list[Request], Warnings]:
        """A query -> one ``Request`` per turn to analyse, and warnings; ``QueryError`` if it cannot run."""
        qid: str = query["id"]
        warnings: Warnings = []
        for key in query:
            if key not in QUERY_FIELDS:
                warnings.append((key, "Unexpected or unused field, do you have a typo?"))

        size_msg = "Must provide an integer from 2 to 25"
        for key in ("boardXSize", "boardYSize"):
            if key not in query:
                raise QueryError(key, size_msg)
        width = _integer(query, "boardXSize", 2, 25, size_msg)
        height = _integer(query, "boardYSize", 2, 25, size_msg)
        if width != height:
            raise QueryError(
                "boardYSize", f"seigen boards are square: boardXSize {width} and boardYSize {height} differ"
            )
        size = width
        fixed = self.player.board_size
        if fixed is not None and size != fixed:
            raise QueryError(
                "boardXSize", f"the {self.player.name} player plays {fixed}x{fixed} only, not {size}x{size}"
            )

        stones = _pairs(query, "initialStones", size, allow_pass=False) if "initialStones" in query else []
        if "moves" not in query:
            raise QueryError("moves", "Must specify an array of [player,location] pairs")
        moves = _pairs(query, "moves", size, allow_pass=True)
        initial = parse_player(query["initialPlayer"], "initialPlayer") if "initialPlayer" in query else None

        analyze, priority, per_turn = _parse_turns(query, len(moves))
        rules, rule_warnings = _parse_game_rules(query)
        warnings += rule_warnings
        options, option_warnings = self._parse_options(query, size)
        warnings += option_warnings
        boards = _replay(size, rules, stones, moves, initial, analyze)
        requests = []
        with self._cond:
            for t in analyze:
                self._seq += 1
                requests.append(Request(qid, t, boards[t], per_turn.get(t, priority), self._seq, options))
        return requests, warnings

    def _parse_options(self, query: dict, size: int) -> tuple[Options, Warnings]:
        """How to search and report: limits, view, what to include, partial reports, restricted moves."""
        warnings: Warnings = []
        d = self.defaults
        perspective, max_visits, max_time, pv_len = d.perspective, d.visits, d.max_time, d.pv_len
        if "overrideSettings" in query:
            settings = query["overrideSettings"]
            if not isinstance(settings, dict):
                raise QueryError("overrideSettings", "Must be an object")
            ignored = []
            for key, value in settings.items():
                try:
                    if key == "reportAnalysisWinratesAs":
                        perspective = parse_perspective(value)
                    elif key in ("maxVisits", "maxPlayouts"):
                        max_visits = _setting_int(value, key)
                    elif key == "maxTime":
                        max_time = _setting_float(value, key)
                    elif key == "analysisPVLen":
                        pv_len = _setting_int(value, key)
                    else:
                        ignored.append(key)
                except (ValueError, OverflowError) as e:
                    raise QueryError("overrideSettings", f"Could not set settings: {e}") from None
            if ignored:
                warnings.append(("overrideSettings", f"Settings seigen does not use: {','.join(ignored)}"))
        if "maxVisits" in query:
            max_visits = _integer(query, "maxVisits", 1, 1 << 50, "Must be an integer from 1 to 2^50")
        if "analysisPVLen" in query:
            pv_len = _integer(query, "analysisPVLen", 1, 1000, "Must be an integer from 1 to 1000")
        if "rootPolicyTemperature" in query:
            _number(query, "rootPolicyTemperature", 0.01, 100.0, "Must be a number from 0.01 to 100.0")
            warnings.append(
                ("rootPolicyTemperature", "seigen's players have no root policy temperature; ignored")
            )
        if "rootFpuReductionMax" in query:
            _number(query, "rootFpuReductionMax", 0.0, 2.0, "Must be a number from 0.0 to 2.0")
            warnings.append(
                ("rootFpuReductionMax", "seigen's players do not take a root FPU reduction; ignored")
            )
        flags = {
            key: _boolean(query, key)
            for key in (*UNSUPPORTED_FLAGS, "includeOwnership", "includeMovesOwnership", "includePolicy")
        }
        for key, why in UNSUPPORTED_FLAGS.items():
            if flags[key]:
                warnings.append((key, f"{why}; ignored"))
        include_ownership = flags["includeOwnership"]
        include_moves_ownership = flags["includeMovesOwnership"]
        if (include_ownership or include_moves_ownership) and self.score_playouts == 0:
            key = "includeOwnership" if include_ownership else "includeMovesOwnership"
            warnings.append(
                (key, "ownership comes from playouts, and this engine runs with --score-playouts 0")
            )
            include_ownership = include_moves_ownership = False
        report_every = None
        if "reportDuringSearchEvery" in query:
            report_every = _number(
                query,
                "reportDuringSearchEvery",
                0.001,
                1e6,
                "Must be number of seconds from 0.001 to 1000000.0",
            )
        if "firstReportDuringSearchAfter" in query:
            first = _number(
                query,
                "firstReportDuringSearchAfter",
                0.001,
                1e6,
                "Must be number of seconds from 0.001 to 1000000.0",
            )
            if report_every is None:
                report_every = first
            else:
                warnings.append(
                    (
                        "firstReportDuringSearchAfter",
                        "seigen reports every reportDuringSearchEvery seconds from the start",
                    )
                )

        forbidden, restrict_warnings = self._restrictions(query, size)
        warnings += restrict_warnings
        options = Options(
            max_visits=max_visits,
            max_time=max_time,
            perspective=perspective,
            pv_len=pv_len,
            include_ownership=include_ownership,
            include_moves_ownership=include_moves_ownership,
            include_policy=flags["includePolicy"],
            report_every=report_every,
            forbidden=forbidden,
        )
        return options, warnings

    def _restrictions(self, query: dict, size: int) -> tuple[dict[str, np.ndarray], Warnings]:
        """``avoidMoves``/``allowMoves`` -> per colour, the moves forbidden at the root."""
        has_allow, has_avoid = "allowMoves" in query, "avoidMoves" in query
        if not (has_allow or has_avoid):
            return {}, []
        if has_allow and has_avoid:
            raise QueryError("allowMoves", "Cannot specify both allowMoves and avoidMoves")
        key = "allowMoves" if has_allow else "avoidMoves"
        entries = query[key]
        shape = "Must be a list of dicts with subfields 'player', 'moves', 'untilDepth'"
        if not isinstance(entries, list):
            raise QueryError(key, shape)
        if has_allow and len(entries) > 2:
            raise QueryError(key, "Currently allowMoves only allows at most one entry per player")
        forbidden: dict[str, np.ndarray] = {}
        deeper = False
        for entry in entries:
            if not isinstance(entry, dict) or not {"player", "moves", "untilDepth"} <= entry.keys():
                raise QueryError(key, shape)
            color = parse_player(entry["player"], key)
            if not isinstance(entry["moves"], list):
                raise QueryError(key, "Must be an array of GTP board vertices")
            points = [parse_location(m, size, key) for m in entry["moves"]]
            depth = entry["untilDepth"]
            if not _is_int(depth) or not 1 <= depth <= 1_000_000_000:
                raise QueryError(key, "untilDepth: Must be a positive integer")
            deeper = deeper or depth > 1
            if has_allow:
                if color in forbidden:
                    raise QueryError(key, "Cannot specify allowMoves more than once for the same player")
                mask = np.ones(size * size + 1, dtype=bool)
                mask[points] = False
            else:
                mask = forbidden.get(color, np.zeros(size * size + 1, dtype=bool))
                mask[points] = True
            forbidden[color] = mask
        warnings: Warnings = []
        if deeper:
            warnings.append((key, "seigen keeps to these moves at the root only (untilDepth 1)"))
        if not isinstance(self.player, PlayoutPlayer) and forbidden:
            warnings.append(
                (
                    key,
                    f"the {self.player.name} player cannot keep its search off moves; they are left out of moveInfos",
                )
            )
        return forbidden, warnings

    # ---------------------------------------------------------------- the worker
    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._eof:
                    self._cond.wait()
                if not self._pending:
                    return
                req = max(self._pending, key=lambda r: (r.priority, -r.seq))
                self._pending.remove(req)
                self._running = req
                forget, self._forget = self._forget, False
            try:
                if forget:
                    self.player.forget()
                self._analyse(req)
            except Exception as e:  # never fall over: report and go on
                log.exception("internal error analysing %r turn %d", req.id, req.turn)
                self._error(f"internal error on turn {req.turn}: {' '.join(str(e).split())}", req.id)
            finally:
                with self._cond:
                    self._running = None

    def _analyse(self, req: Request) -> None:
        if req.stop.is_set():
            self.send({"id": req.id, "isDuringSearch": False, "noResults": True, "turnNumber": req.turn})
            return
        opts = req.options
        board = req.board
        limits = SearchLimits(playouts=opts.max_visits, seconds=opts.max_time)
        cache: dict[int, PlayoutStats] = {}
        player = self.player
        if isinstance(player, SearchingPlayer):

            def report(analysis: Analysis) -> None:
                if analysis.moves and not req.stop.is_set():
                    self.send(self.response(req, analysis, True, cache))

            kwargs: dict[str, Any] = {}
            forbid = opts.forbidden.get(board.to_play)
            if forbid is not None and isinstance(player, PlayoutPlayer):
                sensible = board.sensible_moves()
                kwargs["only"] = sensible[~forbid[sensible]]
            analysis = player.search(
                board,
                limits,
                should_stop=req.stop.is_set,
                report=report if opts.report_every is not None else None,
                interval=opts.report_every if opts.report_every is not None else 1.0,
                **kwargs,
            )
        else:  # a player that only decides (random): its move, judged by playouts
            decision = player.genmove(board, board.to_play, limits)
            analysis = Analysis([], 0, 0.0)
            if decision.move is not None:
                stats = self._stats(board, decision.move, cache)
                p = stats.black_wins if board.to_play == "black" else 1.0 - stats.black_wins
                n = max(1, self.score_playouts)
                lcb = max(0.0, p - 1.96 * math.sqrt(p * (1 - p) / n))
                sensible = board.sensible_moves()
                policy = np.where(board.legal_mask() > 0, 0.0, -1.0)
                if sensible.size:
                    policy[sensible] = 1.0 / sensible.size
                else:
                    policy[board.pass_move] = 1.0
                prior = float(policy[decision.move])
                analysis = Analysis(
                    [MoveStats(decision.move, 1, p, prior, lcb, (decision.move,))], 1, 0.0, policy
                )
        self.send(self.response(req, analysis, False, cache))

    def _stats(self, board: Board, move: int | None, cache: dict[int, PlayoutStats]) -> PlayoutStats:
        """Playout statistics of ``board`` after ``move`` (None: of ``board`` itself), once per request."""
        key = -1 if move is None else move
        hit = cache.get(key)
        if hit is None:
            after = board
            if move is not None:
                after = board.copy()
                after.play(move)
            seed = hash((self.seed, board.hash, 1 if board.to_play == "black" else 2, key))
            hit = cache[key] = playout_stats(after, self.score_playouts, seed)
        return hit

    def response(
        self, req: Request, analysis: Analysis, during: bool, cache: dict[int, PlayoutStats]
    ) -> dict:
        """The protocol's result object for ``analysis`` of ``req``'s position."""
        opts = req.options
        board = req.board
        to_play = board.to_play
        view = {"BLACK": "black", "WHITE": "white"}.get(opts.perspective, to_play)
        sign = 1.0 if view == "black" else -1.0  # scores and ownership are black's
        mover_view = view == to_play  # win rates are the mover's
        forbid = opts.forbidden.get(to_play)
        shown = [m for m in analysis.moves if forbid is None or not forbid[m.move]]
        if self.max_moves:
            shown = shown[: self.max_moves]
        infos = []
        for order, m in enumerate(shown):
            stats = self._stats(board, m.move, cache)
            wr = m.winrate if mover_view else 1.0 - m.winrate
            lcb = m.lcb if mover_view else 1.0 - m.lcb
            score = sign * stats.score_mean
            pv = list(m.pv) if m.pv else [m.move]
            info: dict[str, Any] = {
                "move": board.vertex(m.move),
                "visits": m.visits,
                "edgeVisits": m.visits,
                "winrate": _round(wr),
                "scoreMean": _round(score),
                "scoreStdev": _round(stats.score_stdev),
                "scoreLead": _round(score),
                "scoreSelfplay": _round(score),
                "prior": _round(m.prior),
                "utility": _round(2.0 * wr - 1.0),
                "lcb": _round(lcb),
                "utilityLcb": _round(2.0 * lcb - 1.0),
                "order": order,
                "pv": [board.vertex(x) for x in pv[: opts.pv_len + 1]],
            }
            if opts.include_moves_ownership and stats.ownership is not None:
                info["ownership"] = _ownership(stats.ownership, sign)
            infos.append(info)
        root = self._stats(board, None, cache)
        visits = sum(m.visits for m in analysis.moves)
        if visits:
            mover_wr = sum(m.visits * m.winrate for m in analysis.moves) / visits
        else:  # no search (a finished game): what the playouts say
            mover_wr = root.black_wins if to_play == "black" else 1.0 - root.black_wins
        root_wr = mover_wr if mover_view else 1.0 - mover_wr
        weight = sum(m.visits for m in shown)
        if weight and self.score_playouts:
            # the score under the search's own mix of moves: the reference KaTrain measures
            # points lost from, so each move is compared with playouts of the same kind
            black_score = sum(m.visits * self._stats(board, m.move, cache).score_mean for m in shown) / weight
        else:
            black_score = root.score_mean
        root_score = sign * black_score
        out: dict[str, Any] = {
            "id": req.id,
            "turnNumber": req.turn,
            "isDuringSearch": during,
            "moveInfos": infos,
            "rootInfo": {
                "winrate": _round(root_wr),
                "scoreLead": _round(root_score),
                "scoreSelfplay": _round(root_score),
                "scoreStdev": _round(root.score_stdev),
                "utility": _round(2.0 * root_wr - 1.0),
                "visits": max(visits, analysis.playouts),
                "currentPlayer": "B" if to_play == "black" else "W",
            },
        }
        if opts.include_ownership and root.ownership is not None:
            out["ownership"] = _ownership(root.ownership, sign)
        if opts.include_policy and analysis.policy is not None:
            out["policy"] = [_round(float(p)) if p >= 0 else -1 for p in analysis.policy]
        return out


def _setting_int(value: Any, key: str) -> int:
    try:
        number = int(value) if _is_int(value) else int(str(value).strip())
    except ValueError:
        raise ValueError(f"{key} must be a positive integer, got {value!r}") from None
    if number < 1:
        raise ValueError(f"{key} must be a positive integer, got {value!r}")
    return number


def _setting_float(value: Any, key: str) -> float:
    try:
        number = float(value) if _is_number(value) else float(str(value).strip())
    except ValueError:
        raise ValueError(f"{key} must be a positive number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{key} must be a positive number, got {value!r}")
    return number


def _round(x: float) -> float:
    return round(float(x), OUTPUT_DIGITS)


def _ownership(own: np.ndarray, sign: float) -> list[float]:
    """Row-major from the top left (A19 on 19x19), as KataGo orders it."""
    return [round(float(v), 4) for v in (sign * own).reshape(-1)]


def _parse_turns(query: dict, n_moves: int) -> tuple[list[int], int, dict[int, int]]:
    """``analyzeTurns`` (default: the last), ``priority`` and ``priorities`` -> (turns, priority, per turn)."""
    if "analyzeTurns" in query:
        turns = query["analyzeTurns"]
        if not isinstance(turns, list) or not all(_is_int(t) for t in turns):
            raise QueryError("analyzeTurns", "Must specify an array of integers indicating turns to analyze")
        for t in turns:
            if not 0 <= t <= n_moves:
                raise QueryError("analyzeTurns", f"Invalid turn number: {t}")
        analyze = sorted(set(turns))
    else:
        analyze = [n_moves]

    priority = 0
    per_turn: dict[int, int] = {}
    if "priority" in query:
        if "priorities" in query:
            raise QueryError("priority", "Cannot specify both priority and priorities")
        priority = _integer(
            query, "priority", -MAX_PRIORITY, MAX_PRIORITY, "Must be a number between -2^62 and 2^62"
        )
    if "priorities" in query:
        values = query["priorities"]
        if not isinstance(values, list) or not all(_is_int(p) for p in values):
            raise QueryError("priorities", "Must specify an array of integers indicating priorities")
        if "analyzeTurns" not in query:
            raise QueryError("priorities", "Can only specify when also specifying analyzeTurns")
        if len(values) != len(query["analyzeTurns"]):
            raise QueryError("priorities", "Must be of matching length to analyzeTurns")
        for t, p in zip(query["analyzeTurns"], values, strict=True):
            if not -MAX_PRIORITY <= p <= MAX_PRIORITY:
                raise QueryError("priorities", f"Invalid priority: {p}")
            per_turn[t] = p
    return analyze, priority, per_turn


def _parse_game_rules(query: dict) -> tuple[Rules, Warnings]:
    """``rules``, ``komi`` and ``whiteHandicapBonus`` -> seigen ``Rules`` and warnings."""
    if "rules" not in query:
        raise QueryError(
            "rules",
            'Must specify rules string, such as "chinese" or "tromp-taylor", '
            "or a JSON object with detailed rules parameters.",
        )
    rules, warnings = parse_rules(query["rules"])
    if "komi" in query:
        msg = "Must be a integer or half-integer from -400.0 to 400.0"
        komi = _number(query, "komi", -400.0, 400.0, msg)
        if komi * 2 != int(komi * 2):
            raise QueryError("komi", msg)
        rules = rules.with_komi(komi)
    if "whiteHandicapBonus" in query:
        bonus = query["whiteHandicapBonus"]
        if not isinstance(bonus, str):
            raise QueryError("whiteHandicapBonus", "Must be a string")
        if bonus not in HANDICAP_BONUS:
            raise QueryError("whiteHandicapBonus", f"Could not parse white handicap bonus rule: {bonus}")
        rules = replace(rules, handicap_compensation=HANDICAP_BONUS[bonus])
    return rules, warnings


def _replay(
    size: int,
    rules: Rules,
    stones: list[tuple[str, int]],
    moves: list[tuple[str, int]],
    initial: str | None,
    turns: list[int],
) -> dict[int, Board]:
    """The board at each of ``turns`` (0: after the initial stones, t: after ``t`` moves).

    The first player is ``initial``, else the first move's, else white when black has
    handicap stones (two or more black stones and no white ones, as KataGo counts them).
    A move may be out of turn, as in KataGo; an illegal one is an error naming it.
    """
    board = Board(size, rules=rules)
    black = [p for c, p in stones if c == "black"]
    white = [p for c, p in stones if c == "white"]
    handicap = len(black) if not white and len(black) >= 2 else 0
    if initial is None:
        initial = moves[0][0] if moves else ("white" if handicap else "black")
    if black or white:
        # KataGo sets stones one by one, a later one replacing an earlier on the same point
        final: dict[int, str] = {}
        for c, p in stones:
            final[p] = c
        try:
            board.setup(
                [p for p, c in final.items() if c == "black"],
                [p for p, c in final.items() if c == "white"],
                to_play=initial,
            )
        except ValueError as e:
            raise QueryError("initialStones", f"Could not set up the stones: {e}") from None
    else:
        board.to_play = initial
    board.handicap = handicap
    wanted = set(turns)
    out: dict[int, Board] = {}
    for t in range(len(moves) + 1):  # every move must be legal, as KataGo checks them all
        if t in wanted:
            out[t] = board.copy()
        if t < len(moves):
            color, move = moves[t]
            try:
                board.play(move, color)
            except IllegalMoveError as e:
                raise QueryError("moves", f"Illegal move {t}: {board.vertex(move)} ({e.reason})") from None
    return out
