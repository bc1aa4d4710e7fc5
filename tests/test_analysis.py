"""``seigen analysis``: KataGo's JSON analysis-engine protocol, as KaTrain and other tools speak it.

The server runs in this process on a real pipe (``Engine`` below), so a ``terminate``
can arrive mid-search; every line it writes is parsed strictly as one JSON object. The
queries are KataGo's documented examples (docs/Analysis_Engine.md) and the shape of
KaTrain's ``request_analysis``; the responses are checked for the keys and types of
KataGo's documented results, and for what the numbers must satisfy (perspective, legal
candidates, visit caps). One test runs ``seigen analysis`` as a subprocess end to end.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seigen.engine import Board
from seigen.engine.analysis import KATAGO_VERSION, AnalysisServer, Defaults, parse_rules
from seigen.engine.players import MCTSPlayer, Player, RandomPlayer, RolloutPlayer
from seigen.engine.rules import Rules
from seigen.scripts.analysis import defaults_from, katago_argv, katago_settings
from seigen.scripts.configs import AnalysisConfig

COLUMNS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
# KataGo's example query (docs/Analysis_Engine.md), with few visits
DOC_QUERY = {
    "id": "foo",
    "initialStones": [["B", "Q4"], ["B", "C4"]],
    "moves": [["W", "P5"], ["B", "P6"]],
    "rules": "tromp-taylor",
    "komi": 7.5,
    "boardXSize": 19,
    "boardYSize": 19,
    "analyzeTurns": [0, 1, 2],
    "maxVisits": 24,
}
MOVE_INFO_TYPES = {
    "move": str,
    "visits": int,
    "edgeVisits": int,
    "winrate": float,
    "scoreMean": float,
    "scoreStdev": float,
    "scoreLead": float,
    "scoreSelfplay": float,
    "prior": float,
    "utility": float,
    "lcb": float,
    "utilityLcb": float,
    "order": int,
    "pv": list,
}
ROOT_INFO_TYPES = {
    "winrate": float,
    "scoreLead": float,
    "scoreSelfplay": float,
    "scoreStdev": float,
    "utility": float,
    "visits": int,
    "currentPlayer": str,
}


class Sink:
    """stdout for the server: every write must be whole lines of JSON objects."""

    def __init__(self) -> None:
        self.objects: list[dict] = []
        self.cond = threading.Condition()
        self.bad: list[str] = []

    def write(self, text: str) -> int:
        with self.cond:
            if not text.endswith("\n") or text.count("\n") != 1:
                self.bad.append(text)
            try:
                obj = json.loads(text)
                assert isinstance(obj, dict)
                self.objects.append(obj)
            except (ValueError, AssertionError):
                self.bad.append(text)
            self.cond.notify_all()
        return len(text)

    def flush(self) -> None:
        pass


class Engine:
    """An ``AnalysisServer`` in this process, reading a pipe we write to."""

    def __init__(self, player: Player, **kwargs) -> None:
        r, w = os.pipe()
        self.reader = os.fdopen(r, "rb")
        self.writer = os.fdopen(w, "wb", buffering=0)
        self.out = Sink()
        kwargs.setdefault("score_playouts", 16)
        self.server = AnalysisServer(player, self.reader, self.out, **kwargs)
        self.thread = threading.Thread(target=self.server.serve, daemon=True)
        self.thread.start()
        self.taken: set[int] = set()  # indices of the objects ``next`` has returned

    def send(self, query: dict | str | bytes) -> None:
        if isinstance(query, dict):
            query = json.dumps(query)
        if isinstance(query, str):
            query = query.encode()
        self.writer.write(query + b"\n")

    def next(self, pred: Callable[[dict], bool] = lambda o: True, timeout: float = 20.0) -> dict:
        """The first object not returned yet that satisfies ``pred`` (others stay for later)."""
        deadline = time.monotonic() + timeout
        with self.out.cond:
            while True:
                assert not self.out.bad, f"not one JSON object per line: {self.out.bad}"
                for i, obj in enumerate(self.out.objects):
                    if i not in self.taken and pred(obj):
                        self.taken.add(i)
                        return obj
                left = deadline - time.monotonic()
                rest = [o for i, o in enumerate(self.out.objects) if i not in self.taken]
                assert left > 0, f"no matching output within {timeout} s; got {rest}"
                self.out.cond.wait(left)

    def final(self, qid: str, turn: int | None = None, timeout: float = 20.0) -> dict:
        """The result of ``qid`` (at ``turn``) with ``isDuringSearch`` false, or its error."""
        return self.next(
            lambda o: (
                o.get("id") == qid
                and (
                    "error" in o
                    or (o.get("isDuringSearch") is False and (turn is None or o["turnNumber"] == turn))
                )
            ),
            timeout,
        )

    def close(self) -> None:
        self.writer.close()
        self.thread.join(30)
        assert not self.thread.is_alive(), "the server did not finish after the end of input"
        self.reader.close()
        assert not self.out.bad, self.out.bad


@pytest.fixture
def engine():
    e = Engine(MCTSPlayer(visits=64, seed=0))
    yield e
    e.close()


def query(qid: str = "q", size: int = 5, moves: list | None = None, **extra) -> dict:
    return {
        "id": qid,
        "moves": moves or [],
        "rules": "chinese",
        "komi": 7.5,
        "boardXSize": size,
        "boardYSize": size,
        "maxVisits": 16,
        **extra,
    }


def occupied(q: dict, turn: int) -> set[str]:
    """The points holding stones at ``turn`` of query ``q`` (no captures in these tests)."""
    stones = {s[1].upper() for s in q.get("initialStones", [])}
    return stones | {m[1].upper() for m in q["moves"][:turn] if m[1].lower() != "pass"}


def check_result(obj: dict, size: int, taken: set[str] = frozenset()) -> None:
    """The keys and types of KataGo's documented result, and sane values."""
    for key in ("id", "turnNumber", "isDuringSearch", "moveInfos", "rootInfo"):
        assert key in obj, (key, obj)
    assert isinstance(obj["moveInfos"], list) and obj["moveInfos"]
    vertices = {f"{c}{r}" for c in COLUMNS[:size] for r in range(1, size + 1)} | {"pass"}
    for order, info in enumerate(obj["moveInfos"]):
        for key, kind in MOVE_INFO_TYPES.items():
            assert isinstance(info[key], kind) and not isinstance(info[key], bool), (key, info)
        assert info["order"] == order
        assert info["move"] in vertices and info["move"] not in taken
        assert info["pv"][0] == info["move"] and all(v in vertices for v in info["pv"])
        assert 0.0 <= info["winrate"] <= 1.0 and 0.0 <= info["prior"] <= 1.0
        assert info["utility"] == pytest.approx(2 * info["winrate"] - 1, abs=1e-5)
        assert info["visits"] >= 1 and info["scoreStdev"] >= 0
        assert info["scoreMean"] == info["scoreLead"] == info["scoreSelfplay"]
    visits = [i["visits"] for i in obj["moveInfos"]]
    assert visits == sorted(visits, reverse=True)
    weight = sum(visits)
    mix = sum(i["visits"] * i["scoreLead"] for i in obj["moveInfos"]) / weight
    root = obj["rootInfo"]
    assert root["scoreLead"] == pytest.approx(mix, abs=1e-3)  # the score of the search's mix of moves
    for key, kind in ROOT_INFO_TYPES.items():
        assert isinstance(root[key], kind) and not isinstance(root[key], bool), (key, root)
    assert root["currentPlayer"] in ("B", "W") and 0 <= root["winrate"] <= 1


# ---------------------------------------------------------------------- KataGo's documented examples


def test_the_documented_example_query_gives_one_result_per_turn(engine):
    engine.send(DOC_QUERY)
    results = {engine.final("foo")["turnNumber"] for _ in range(3)}
    assert results == {0, 1, 2}
    for turn, player in ((0, "W"), (1, "B"), (2, "W")):  # the first move is white's: handicap stones
        engine.send({**DOC_QUERY, "id": f"t{turn}", "analyzeTurns": [turn]})
        obj = engine.final(f"t{turn}")
        check_result(obj, 19, occupied(DOC_QUERY, turn))
        assert obj["turnNumber"] == turn and obj["rootInfo"]["currentPlayer"] == player


def test_default_turn_is_the_last_and_turns_are_answered_in_order(engine):
    q = query(moves=[["B", "C3"], ["W", "D4"], ["B", "B2"]])
    engine.send(q)
    obj = engine.final("q")
    assert obj["turnNumber"] == 3 and obj["rootInfo"]["currentPlayer"] == "W"
    check_result(obj, 5, occupied(q, 3))
    engine.send({**q, "id": "all", "analyzeTurns": [3, 0, 2, 1, 2]})  # duplicates count once
    turns = [engine.final("all")["turnNumber"] for _ in range(4)]
    assert turns == [0, 1, 2, 3]


def test_special_actions_echo_the_query(engine):
    engine.send({"id": "v", "action": "query_version"})
    v = engine.next()
    assert v["id"] == "v" and v["action"] == "query_version" and v["version"] == KATAGO_VERSION
    assert re.fullmatch(r"[0-9a-f]{40}|<omitted>", v["git_hash"])
    assert tuple(int(x) for x in v["version"].split(".")) >= (1, 15, 0)
    engine.send({"id": "m", "action": "query_models"})
    m = engine.next()
    assert m["action"] == "query_models" and m["models"][0]["name"] == "seigen-puct"
    engine.send({"id": "c", "action": "clear_cache", "extra": [1]})
    assert engine.next() == {"id": "c", "action": "clear_cache", "extra": [1]}
    engine.send(query("after"))
    check_result(engine.final("after"), 5)


# ---------------------------------------------------------------------- errors and warnings


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("this is not json", {"error": "could not parse input line as json request"}),
        ('{"id": "x", "moves": [', {"error": "could not parse"}),
        ("[1, 2]", {"error": "not an object"}),
        ('{"moves": []}', {"error": 'string "id"'}),
        ('{"id": 7, "moves": []}', {"error": 'string "id"'}),
        (b"\xff\xfe{}", {"error": "not valid UTF-8"}),
    ],
)
def test_unusable_lines_get_an_error_without_id(engine, line, expected):
    engine.send(line)
    obj = engine.next()
    assert set(obj) == {"error"} and expected["error"] in obj["error"]
    engine.send({"id": "v", "action": "query_version"})
    assert engine.next()["id"] == "v"  # and it goes on


BAD_QUERIES = [
    ({"boardXSize": 9, "boardYSize": 7}, "boardYSize", "square"),
    ({"boardXSize": 26, "boardYSize": 26}, "boardXSize", "from 2 to 25"),
    ({"boardXSize": 1, "boardYSize": 1}, "boardXSize", "from 2 to 25"),
    ({"boardXSize": True, "boardYSize": True}, "boardXSize", "integer"),
    ({"boardXSize": "9", "boardYSize": 9}, "boardXSize", "integer"),
    ({"moves": [["B", "C3"], ["W", "C3"]]}, "moves", "Illegal move 1: C3 (occupied)"),
    ({"moves": [["B", "Z99"]]}, "moves", "Could not parse board location: Z99"),
    ({"moves": [["B", "I3"]]}, "moves", "Could not parse board location: I3"),
    ({"moves": [["X", "C3"]]}, "moves", 'Must be "b" or "w"'),
    ({"moves": [["B"]]}, "moves", "pairs"),
    ({"moves": "C3"}, "moves", "pairs"),
    ({"initialStones": [["B", "pass"]]}, "initialStones", "pass is not a stone"),
    ({"initialStones": [["B", "A1"], ["W", "A2"], ["W", "B1"]]}, "initialStones", "without liberties"),
    ({"analyzeTurns": [0, 5]}, "analyzeTurns", "Invalid turn number: 5"),
    ({"analyzeTurns": "last"}, "analyzeTurns", "array of integers"),
    ({"komi": 7.3}, "komi", "half-integer"),
    ({"komi": 1000}, "komi", "half-integer"),
    ({"rules": "klingon"}, "rules", "Could not parse rules: klingon"),
    ({"rules": {"ko": "SIMPLE", "frobnicate": 1}}, "rules", "unknown rules option: frobnicate"),
    ({"rules": 5}, "rules", "Must specify rules"),
    ({"maxVisits": 0}, "maxVisits", "from 1"),
    ({"includeOwnership": "yes"}, "includeOwnership", "boolean"),
    ({"reportDuringSearchEvery": 0}, "reportDuringSearchEvery", "seconds"),
    ({"priority": 1, "priorities": [1]}, "priority", "both"),
    ({"avoidMoves": [], "allowMoves": []}, "allowMoves", "both"),
    ({"avoidMoves": [{"player": "B", "moves": ["C3"]}]}, "avoidMoves", "untilDepth"),
    (
        {"overrideSettings": {"reportAnalysisWinratesAs": "ME"}},
        "overrideSettings",
        "reportAnalysisWinratesAs",
    ),
    ({"overrideSettings": {"maxTime": "soon"}}, "overrideSettings", "maxTime"),
    ({"overrideSettings": []}, "overrideSettings", "object"),
]


@pytest.mark.parametrize(("change", "key", "message"), BAD_QUERIES)
def test_bad_queries_get_an_error_naming_the_field_and_the_engine_goes_on(engine, change, key, message):
    engine.send({**query("bad", moves=[["B", "C3"], ["W", "D4"]]), **change})
    obj = engine.next()
    assert obj == {"id": "bad", "field": key, "error": obj["error"]}
    assert message in obj["error"]
    engine.send(query("good"))
    check_result(engine.final("good"), 5)
    assert not any(o.get("id") == "bad" and "error" not in o for o in engine.out.objects)


@pytest.mark.parametrize("missing", ["moves", "rules", "boardXSize", "boardYSize"])
def test_a_missing_required_field_is_an_error(engine, missing):
    q = query("m")
    del q[missing]
    engine.send(q)
    obj = engine.next()
    assert obj["id"] == "m" and obj["field"] == missing and "error" in obj


def test_bad_actions_are_errors(engine):
    engine.send({"id": "a", "action": "explode"})
    obj = engine.next()
    assert (
        set(obj) == {"id", "field", "error"} and obj["field"] == "action" and "query_version" in obj["error"]
    )
    engine.send({"id": "t", "action": "terminate"})
    assert engine.next()["field"] == "terminateId"
    engine.send({"id": "t", "action": "terminate_all", "turnNumbers": ["1"]})
    assert engine.next()["field"] == "turnNumbers"


def test_warnings_name_what_is_ignored_and_the_query_still_runs(engine):
    q = query(
        "w",
        rules="stone_scoring",
        typo=1,
        includePVVisits=True,
        overrideSettings={"wideRootNoise": 0.04, "reportAnalysisWinratesAs": "BLACK"},
    )
    engine.send(q)
    warnings = {}
    for _ in range(4):
        obj = engine.next(lambda o: "warning" in o)
        assert obj["id"] == "w" and set(obj) == {"id", "field", "warning"}
        warnings[obj["field"]] = obj["warning"]
    assert set(warnings) == {"rules", "typo", "includePVVisits", "overrideSettings"}
    assert (
        "wideRootNoise" in warnings["overrideSettings"]
        and "reportAnalysisWinratesAs" not in warnings["overrideSettings"]
    )
    check_result(engine.final("w"), 5)


# ---------------------------------------------------------------------- numbers and views


def test_rules_map_to_seigen_rules():
    assert parse_rules("japanese") == (Rules(ko="simple", scoring="territory", komi=6.5), [])
    rules, _ = parse_rules("Tromp-Taylor")
    assert (rules.ko, rules.suicide, rules.scoring) == ("positional", True, "area")
    rules, _ = parse_rules("new zealand")
    assert (rules.ko, rules.suicide, rules.komi) == ("situational", True, 7.0)
    rules, _ = parse_rules("chinese")
    assert (rules.ko, rules.handicap_compensation) == ("simple", "n")
    rules, warnings = parse_rules({"ko": "SITUATIONAL", "scoring": "TERRITORY", "hasButton": True})
    assert (rules.ko, rules.scoring, rules.suicide) == ("situational", "territory", True)
    assert [w[0] for w in warnings] == ["rules"] and "button" in warnings[0][1]
    rules, warnings = parse_rules('{"ko":"SPIGHT","whiteHandicapBonus":"N-1"}')
    assert rules.handicap_compensation == "n-1" and "Spight" in warnings[0][1]


def analyse_with(view: str, moves: list, **extra) -> dict:
    e = Engine(MCTSPlayer(visits=64, seed=0), score_playouts=32)
    try:
        q = query("v", moves=moves, maxVisits=48, includeOwnership=True, **extra)
        if view:
            q["overrideSettings"] = {"reportAnalysisWinratesAs": view}
        e.send(q)
        return e.final("v")
    finally:
        e.close()


def test_report_as_black_white_or_side_to_move():
    moves = [["B", "C3"], ["W", "D4"], ["B", "B2"]]  # white to move
    black, white, side = (analyse_with(v, moves) for v in ("BLACK", "WHITE", ""))
    assert side == white  # SIDETOMOVE is the default, and white is to move
    for b, w in zip(black["moveInfos"], white["moveInfos"], strict=True):
        assert b["move"] == w["move"] and b["visits"] == w["visits"]
        assert b["winrate"] == pytest.approx(1 - w["winrate"], abs=1e-5)
        assert b["lcb"] == pytest.approx(1 - w["lcb"], abs=1e-5)
        assert b["scoreLead"] == pytest.approx(-w["scoreLead"], abs=1e-5)
    assert black["rootInfo"]["winrate"] == pytest.approx(1 - white["rootInfo"]["winrate"], abs=1e-5)
    assert black["ownership"] == [pytest.approx(-x, abs=1e-4) for x in white["ownership"]]


def test_scores_and_ownership_see_who_leads():
    # black walls off the left three columns of a 5x5 board; white holds the right edge
    moves = []
    for r in range(1, 6):
        moves += [["B", f"C{r}"], ["W", f"E{r}"]]
    obj = analyse_with("BLACK", moves, komi=0.5)
    own = obj["ownership"]
    assert len(own) == 25 and all(-1 <= x <= 1 for x in own)
    assert min(own[5 * r + c] for r in range(5) for c in range(3)) > 0.5  # A-C: black's, every row
    assert obj["rootInfo"]["scoreLead"] > 3 and obj["rootInfo"]["winrate"] > 0.5
    white_view = analyse_with("WHITE", moves, komi=0.5)
    assert white_view["rootInfo"]["scoreLead"] == pytest.approx(-obj["rootInfo"]["scoreLead"], abs=1e-5)


def test_policy_and_ownership_shapes(engine):
    q = query(
        "p",
        size=7,
        moves=[["B", "D4"]],
        includePolicy=True,
        includeOwnership=True,
        includeMovesOwnership=True,
    )
    engine.send(q)
    obj = engine.final("p")
    check_result(obj, 7, {"D4"})
    policy = obj["policy"]
    assert len(policy) == 50 and policy[3 * 7 + 3] == -1  # D4 (row 3 from the top, column 3) is taken
    assert sum(p for p in policy if p >= 0) == pytest.approx(1.0, abs=1e-3)
    assert len(obj["ownership"]) == 49
    assert all(len(i["ownership"]) == 49 for i in obj["moveInfos"])
    engine.send(query("np", size=7))
    plain = engine.final("np")
    assert "policy" not in plain and "ownership" not in plain


def test_max_visits_caps_the_search():
    e = Engine(RolloutPlayer(playouts=10_000, seed=0), max_moves=0)
    try:
        e.send(query("r", size=5, maxVisits=300))
        obj = e.final("r")
        assert obj["rootInfo"]["visits"] == 300 == sum(i["visits"] for i in obj["moveInfos"])
    finally:
        e.close()


def test_max_moves_and_pv_length(engine):
    engine.send(query("pv", size=7, maxVisits=200, analysisPVLen=2))
    obj = engine.final("pv")
    assert all(len(i["pv"]) <= 3 for i in obj["moveInfos"])
    assert len(obj["moveInfos"]) <= 20


def test_avoid_and_allow_moves_with_the_rollout_player():
    e = Engine(RolloutPlayer(playouts=1000, seed=0), max_moves=0)
    try:
        avoid = ["A1", "B2", "C3", "D4", "E5"]
        e.send(query("avoid", maxVisits=400, avoidMoves=[{"player": "B", "moves": avoid, "untilDepth": 1}]))
        obj = e.final("avoid")
        shown = {i["move"] for i in obj["moveInfos"]}
        assert len(shown) >= 10 and not shown & set(avoid)
        allow = ["C3", "B4"]
        e.send(query("allow", maxVisits=400, allowMoves=[{"player": "B", "moves": allow, "untilDepth": 1}]))
        obj = e.final("allow")
        assert {i["move"] for i in obj["moveInfos"]} == set(allow)
        assert not any(o.get("id") in ("avoid", "allow") and "warning" in o for o in e.out.objects)
    finally:
        e.close()


def test_avoid_moves_with_the_mcts_player_warns_and_filters(engine):
    avoid = [f"{c}{r}" for c in "ABC" for r in range(1, 6)]
    engine.send(query("avoid", avoidMoves=[{"player": "B", "moves": avoid, "untilDepth": 3}], maxVisits=64))
    warnings = [engine.next(lambda o: "warning" in o)["warning"] for _ in range(2)]
    assert any("root only" in w for w in warnings) and any("left out" in w for w in warnings)
    obj = engine.final("avoid")
    assert not {i["move"] for i in obj["moveInfos"]} & set(avoid)


def test_random_player_reports_its_move():
    e = Engine(RandomPlayer(seed=1))
    try:
        e.send(query("r", size=5, includePolicy=True))
        obj = e.final("r")
        check_result(obj, 5)
        assert len(obj["moveInfos"]) == 1 and obj["moveInfos"][0]["visits"] == 1
        assert sum(p for p in obj["policy"] if p >= 0) == pytest.approx(1.0)
    finally:
        e.close()


def test_a_finished_game_still_gets_a_result(engine):
    engine.send(query("over", moves=[["B", "C3"], ["W", "pass"], ["B", "pass"]]))
    obj = engine.final("over")
    assert obj["moveInfos"] == [] and obj["rootInfo"]["currentPlayer"] == "W"


# ---------------------------------------------------------------------- in flight, partial, terminate


def long_query(qid: str, **extra) -> dict:
    return query(qid, size=9, maxVisits=10_000_000, **extra)


def test_report_during_search_then_terminate_mid_search(engine):
    engine.send(long_query("long", reportDuringSearchEvery=0.05))
    partial = [engine.next(lambda o: o.get("id") == "long", timeout=10) for _ in range(3)]
    assert all(p["isDuringSearch"] is True and p["turnNumber"] == 0 for p in partial)
    for p in partial:
        check_result(p, 9)
    visits = [p["rootInfo"]["visits"] for p in partial]
    assert visits == sorted(visits) and visits[-1] > visits[0]
    start = time.monotonic()
    engine.send({"id": "stop", "action": "terminate", "terminateId": "long"})
    assert engine.next(lambda o: o.get("id") == "stop") == {
        "id": "stop",
        "action": "terminate",
        "terminateId": "long",
    }
    final = engine.final("long", timeout=10)
    assert time.monotonic() - start < 3.0
    check_result(final, 9)
    assert final["rootInfo"]["visits"] >= visits[-1]


def test_several_queries_in_flight_by_priority_and_terminate_of_queued_ones(engine):
    engine.send(long_query("busy", reportDuringSearchEvery=0.05))
    engine.next(lambda o: o.get("id") == "busy")  # searching now
    engine.send(query("low", size=5, priority=-5))
    engine.send(query("high", size=7, priority=10))
    engine.send(query("gone", size=5, moves=[["B", "C3"]], analyzeTurns=[0, 1], priority=-1))
    engine.send({"id": "t", "action": "terminate", "terminateId": "gone", "turnNumbers": [1]})
    assert engine.next(lambda o: o.get("id") == "t")["action"] == "terminate"
    dropped = engine.next(lambda o: o.get("id") == "gone")
    assert dropped == {"id": "gone", "isDuringSearch": False, "noResults": True, "turnNumber": 1}
    engine.send({"id": "t2", "action": "terminate", "terminateId": "busy"})
    order = []
    for qid in ("busy", "high", "gone", "low"):
        obj = engine.final(qid)
        order.append((engine.out.objects.index(obj), qid))
    assert [qid for _, qid in sorted(order)] == ["busy", "high", "gone", "low"]
    sizes = {"high": 7, "low": 5, "gone": 5}
    for qid, size in sizes.items():
        obj = next(o for o in engine.out.objects if o.get("id") == qid and "moveInfos" in o)
        check_result(obj, size)
        assert obj.get("turnNumber") == 0


def test_terminate_all_stops_everything(engine):
    engine.send(long_query("a", reportDuringSearchEvery=0.05))
    engine.next(lambda o: o.get("id") == "a")
    engine.send(long_query("b"))
    engine.send({"id": "all", "action": "terminate_all"})
    engine.next(lambda o: o.get("id") == "all")
    assert engine.final("b") == {"id": "b", "isDuringSearch": False, "noResults": True, "turnNumber": 0}
    check_result(engine.final("a"), 9)


def test_end_of_input_finishes_the_queue_or_not():
    e = Engine(MCTSPlayer(visits=64, seed=0))
    for i in range(3):
        e.send(query(f"q{i}"))
    e.close()  # the end of input: every queued query is still answered
    assert sorted(o["id"] for o in e.out.objects if o.get("isDuringSearch") is False) == ["q0", "q1", "q2"]
    e = Engine(MCTSPlayer(visits=64, seed=0), wait_on_eof=False)
    e.send(long_query("long"))
    start = time.monotonic()
    e.close()
    assert time.monotonic() - start < 5


# ---------------------------------------------------------------------- property test


locations = st.one_of(
    st.tuples(st.sampled_from(COLUMNS[:6] + "I"), st.integers(0, 7)).map(lambda t: f"{t[0]}{t[1]}"),
    st.sampled_from(["pass", "PASS", "(0,0)", "(4,4)", "(5,1)", "", "zz", "A-1"]),
    st.integers(-2, 30),
)
move_lists = st.lists(st.tuples(st.sampled_from(["B", "W", "b", "w", "x"]), locations).map(list), max_size=14)


@pytest.fixture(scope="module")
def shared_engine():
    e = Engine(MCTSPlayer(visits=8, seed=0), score_playouts=4)
    yield e
    e.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=move_lists, size=st.integers(2, 6))
def test_any_move_list_is_analysed_or_refused_with_an_error(shared_engine, moves, size):
    qid = f"h{time.monotonic_ns()}"
    shared_engine.send(query(qid, size=size, moves=moves, maxVisits=4, analyzeTurns=[0, len(moves)]))
    board = Board(size, rules="chinese")
    legal = True
    try:  # what seigen's board says of the same moves
        for color, loc in moves:
            if not isinstance(loc, str) or color.lower() not in ("b", "w") or loc.startswith("("):
                raise ValueError(loc)
            board.play(loc, "black" if color.lower() == "b" else "white")
    except ValueError:
        legal = False
    xy = any(isinstance(m[1], str) and m[1].startswith("(") for m in moves)  # KataGo's "(x,y)" form
    first = shared_engine.final(qid)
    if "error" in first:
        assert set(first) == {"id", "field", "error"} and first["field"] == "moves"
        assert not legal or xy
    else:
        turns = {first["turnNumber"]}
        if moves:
            turns.add(shared_engine.final(qid)["turnNumber"])
        assert turns == {0, len(moves)}
        assert legal or xy


# ---------------------------------------------------------------------- the command line


def test_katago_arguments_become_options(tmp_path):
    argv = [
        "-model",
        "m.bin.gz",
        "-config",
        "a.cfg",
        "-override-config",
        "maxVisits=9,x=1",
        "-quit-without-waiting",
    ]
    assert katago_argv(["--player", "rollout", *argv]) == [
        *("--player", "rollout", "--katago-model", "m.bin.gz", "--katago-config", "a.cfg"),
        *("--override-config", "maxVisits=9,x=1", "--quit-without-waiting"),
    ]
    cfg_file = tmp_path / "analysis.cfg"
    cfg_file.write_text(
        "# KaTrain's\nreportAnalysisWinratesAs = BLACK\nmaxVisits = 500  # visits\n\nnnCacheSizePowerOfTwo = 20\n"
    )
    settings_ = katago_settings(str(cfg_file), "maxVisits=700,maxTime=2.5")
    assert settings_["maxVisits"] == "700" and settings_["reportAnalysisWinratesAs"] == "BLACK"
    d = defaults_from(AnalysisConfig(), settings_, net=False)
    assert d == Defaults(visits=700, max_time=2.5, perspective="BLACK", pv_len=15)
    d = defaults_from(AnalysisConfig(visits=50, report_as="WHITE"), settings_, net=False)
    assert (d.visits, d.perspective) == (50, "WHITE")
    assert defaults_from(AnalysisConfig(), {}, net=True).visits == 800
    with pytest.raises(ValueError, match="maxVisits"):
        defaults_from(AnalysisConfig(), {"maxVisits": "many"}, net=False)
    cfg_file.write_text("no equals sign here\n")
    with pytest.raises(ValueError, match="KEY = VALUE"):
        katago_settings(str(cfg_file), None)


def seigen_argv() -> list[str]:
    exe = shutil.which("seigen")
    return [exe] if exe else [sys.executable, "-m", "seigen.scripts.cli"]


@pytest.mark.parametrize("player", ["mcts", "hybrid"])
def test_seigen_analysis_end_to_end_as_katrain_starts_it(tmp_path, player):
    """KaTrain's command line and the shape of its queries, through a real subprocess (the
    hybrid player with the 9x9 net that ships with seigen)."""
    cfg_file = tmp_path / "analysis_config.cfg"
    cfg_file.write_text("reportAnalysisWinratesAs = BLACK\nmaxVisits = 500\nnumSearchThreads = 8\n")
    argv = [*seigen_argv(), "analysis", "--player", player, "--score-playouts", "16"]
    argv += [
        "-model",
        "kata1.bin.gz",
        "-config",
        str(cfg_file),
        "-override-config",
        f"homeDataDir={tmp_path}",
    ]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    katrain_query = {  # as KaTrain's request_analysis builds it
        "rules": "japanese",
        "priority": 1000,
        "analyzeTurns": [2],
        "maxVisits": 40,
        "komi": 6.5,
        "boardXSize": 9,
        "boardYSize": 9,
        "includeOwnership": True,
        "includeMovesOwnership": True,
        "includePolicy": True,
        "initialStones": [],
        "initialPlayer": "B",
        "moves": [["B", "E5"], ["W", "C3"]],
        "overrideSettings": {"reportAnalysisWinratesAs": "BLACK", "wideRootNoise": 0.04, "maxTime": 8.0},
        "id": "QUERY:1",
    }
    lines = [
        json.dumps({"id": "v", "action": "query_version"}),
        json.dumps(katrain_query),
        "not json",
        json.dumps(
            {**katrain_query, "id": "QUERY:2", "moves": [["B", "E5"], ["W", "E5"]], "analyzeTurns": [2]}
        ),
        json.dumps({"action": "terminate", "terminateId": "QUERY:0", "id": "QUERY:3"}),
    ]
    out, err = proc.communicate(("\n".join(lines) + "\n").encode(), timeout=120)
    assert proc.returncode == 0, err.decode()
    assert b"Traceback" not in err and b"Uncaught exception" not in err and b"what()" not in err
    objects = [json.loads(line) for line in out.decode().splitlines()]  # every line is JSON
    by_id: dict[str, list[dict]] = {}
    for obj in objects:
        by_id.setdefault(obj.get("id", ""), []).append(obj)
    assert by_id["v"][0]["version"] == KATAGO_VERSION
    assert "could not parse" in by_id[""][0]["error"]
    assert by_id["QUERY:2"] == [{"id": "QUERY:2", "field": "moves", "error": "Illegal move 1: E5 (occupied)"}]
    assert by_id["QUERY:3"] == [{"action": "terminate", "terminateId": "QUERY:0", "id": "QUERY:3"}]
    result = [o for o in by_id["QUERY:1"] if "warning" not in o]
    assert len(result) == 1
    check_result(result[0], 9, {"E5", "C3"})
    assert result[0]["rootInfo"]["currentPlayer"] == "B" and len(result[0]["ownership"]) == 81
    assert len(result[0]["policy"]) == 82 and all(len(i["ownership"]) == 81 for i in result[0]["moveInfos"])
    assert b"seigen analysis ready" in err and b"BLACK view" in err


def test_bad_options_fail_clearly():
    done = subprocess.run(
        [*seigen_argv(), "analysis", "--score-playouts", "-1"], capture_output=True, text=True, timeout=60
    )
    assert (
        done.returncode == 2 and "--score-playouts must not be negative" in done.stderr and done.stdout == ""
    )
    done = subprocess.run(
        [*seigen_argv(), "analysis", "-config", "/nonexistent.cfg"],
        capture_output=True,
        text=True,
        timeout=60,
        input="",
    )
    assert done.returncode == 2 and "nonexistent.cfg" in done.stderr and done.stdout == ""


# ---------------------------------------------------------------------- robustness


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.just(10**400)  # too big for a float
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["B", "W", "D4", "pass", "(1,1)", "chinese", "BLACK", "", "x"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["player", "moves", "untilDepth", "ko"]), inner, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = [
    "moves",
    "initialStones",
    "initialPlayer",
    "rules",
    "komi",
    "boardXSize",
    "boardYSize",
    "analyzeTurns",
]
FIELDS += ["maxVisits", "includeOwnership", "includePolicy", "avoidMoves", "allowMoves", "overrideSettings"]
FIELDS += [
    "reportDuringSearchEvery",
    "priority",
    "priorities",
    "analysisPVLen",
    "whiteHandicapBonus",
    "bogus",
]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8), st.booleans())
def test_any_query_parses_or_is_refused_with_a_query_error(fields, valid_base):
    from seigen.engine.analysis import QueryError

    server = AnalysisServer(MCTSPlayer(visits=8), io.BytesIO(), Sink())  # nothing is read: parse only
    q = {**(query("f") if valid_base else {"id": "f"}), **fields}
    try:
        requests, warnings = server.parse_query(q)
    except QueryError as e:
        assert e.field is None or isinstance(e.field, str)
        assert isinstance(e.message, str) and e.message
        return
    assert all(isinstance(k, str) and isinstance(m, str) for k, m in warnings)
    for r in requests:
        assert r.board.size == q["boardXSize"] and 0 <= r.turn <= len(q["moves"])
        r.board.check_consistency()


class FailingPlayer(Player):
    name = "failing"

    def genmove(self, board, color, limits, cleanup=False):
        raise RuntimeError("boom\nwith a second line")


def test_a_failing_player_gives_an_error_object_and_the_engine_goes_on():
    e = Engine(FailingPlayer())
    try:
        e.send(query("x"))
        assert e.next() == {"id": "x", "error": "internal error on turn 0: boom with a second line"}
        e.send({"id": "v", "action": "query_version"})
        assert e.next()["version"] == KATAGO_VERSION
    finally:
        e.close()


class ClosedOutput:
    def write(self, text: str) -> int:
        raise BrokenPipeError("the client is gone")

    def flush(self) -> None:
        pass


def test_a_closed_stdout_ends_the_server():
    r, w = os.pipe()
    reader, writer = os.fdopen(r, "rb"), os.fdopen(w, "wb", buffering=0)
    server = AnalysisServer(MCTSPlayer(visits=8), reader, ClosedOutput())
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    writer.write((json.dumps(long_query("a")) + "\n").encode())
    writer.write((json.dumps(long_query("b")) + "\n").encode())
    writer.write(b'{"id": "v", "action": "query_version"}\n')
    thread.join(10)
    assert not thread.is_alive()  # the search stopped although stdin is still open
    writer.close()
    reader.close()


def test_help_lists_every_option_and_the_katago_ones():
    from seigen.scripts.cli import COMMANDS, main

    leaf = COMMANDS.children["analysis"]
    assert leaf.summary == AnalysisConfig.__doc__.strip().splitlines()[0]
    done = subprocess.run([*seigen_argv(), "analysis", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and main(["analysis", "--help"]) == 0
    for name in AnalysisConfig.__dataclass_fields__:
        assert f"--{name.replace('_', '-')}" in done.stdout
    assert "-override-config" in done.stdout and "(default:" in done.stdout
