"""``seigen match``: the statistics, and matches between fake GTP engines (and GNU Go when present).

The fake engine (``tests/fake_gtp_engine.py``) plays uniformly random sensible moves on
seigen's own Board and can crash, hang, answer an occupied point or nonsense, or resign
at its Nth ``genmove``. Without GNU Go its test skips, or fails when ``CI`` is set.
"""

from __future__ import annotations

import json
import math
import re
import shlex
import sys
from pathlib import Path

import pytest

from seigen.engine import read_sgf
from seigen.engine.board import result_string
from seigen.engine.match import (
    FORFEIT_REASONS,
    MatchError,
    MatchSettings,
    parse_gtp_score,
    run_match,
)
from seigen.engine.ratings import elo_from_score, elo_interval, score_clamp, wilson_interval
from seigen.scripts.cli import main

FAKE = Path(__file__).with_name("fake_gtp_engine.py")
SUMMARY_KEYS = {
    "wins",
    "games",
    "win_rate",
    "wilson_low",
    "wilson_high",
    "elo",
    "elo_low",
    "elo_high",
    "draws",
    "forfeits",
    "forfeit_reasons",
    "engines",
}


def fake(*args: object) -> str:
    """The command line of a fake engine with ``args``."""
    return shlex.join([sys.executable, str(FAKE), *map(str, args)])


def settings(tmp_path: Path, black: str, white: str, **kw) -> MatchSettings:
    kw.setdefault("size", 5)
    kw.setdefault("games", 2)
    return MatchSettings(black=black, white=white, sgf_dir=str(tmp_path / "match"), **kw)


# ---------------------------------------------------------------------------- statistics


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (8, 10, 0.4902, 0.9433),  # the textbook example
        (50, 100, 0.4038, 0.5962),
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),  # z^2 / (n + z^2)
        (10, 10, 0.7225, 1.0),  # n / (n + z^2)
        (1, 1, 0.2065, 1.0),
        (7.5, 10, 0.4422, 0.9191),  # a draw counts half: 7 wins, 1 draw
    ],
)
def test_wilson_interval_known_values(successes, trials, low, high):
    lo, hi = wilson_interval(successes, trials)
    assert lo == pytest.approx(low, abs=5e-5) and hi == pytest.approx(high, abs=5e-5)
    assert 0.0 <= lo <= successes / trials <= hi <= 1.0


def test_wilson_interval_edges():
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    # narrower with more games and with a smaller z
    assert wilson_interval(80, 100)[1] - wilson_interval(80, 100)[0] < 0.9433 - 0.4902
    assert wilson_interval(8, 10, z=1.0)[0] > wilson_interval(8, 10)[0]
    with pytest.raises(ValueError):
        wilson_interval(0, 0)
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


@pytest.mark.parametrize(
    ("score", "elo"),
    [(0.5, 0.0), (0.75, 190.8485), (0.25, -190.8485), (0.9, 381.6970), (0.64, 99.9510), (0.99, 798.2541)],
)
def test_elo_from_score_known_values(score, elo):
    assert elo_from_score(score) == pytest.approx(elo, abs=1e-3)
    # and back: the logistic expectation of that difference is the score
    assert 1 / (1 + 10 ** (-elo_from_score(score) / 400)) == pytest.approx(score)


def test_elo_from_score_ends():
    assert elo_from_score(1.0) == math.inf and elo_from_score(0.0) == -math.inf
    assert str(elo_from_score(0.5)) == "0.0"  # not -0.0
    for bad in (-0.1, 1.1):
        with pytest.raises(ValueError):
            elo_from_score(bad)


def test_elo_interval_comes_from_wilson_and_is_clamped():
    elo, low, high = elo_interval(8, 10)
    wl, wh = wilson_interval(8, 10)
    assert elo == pytest.approx(elo_from_score(0.8))
    assert (low, high) == pytest.approx((elo_from_score(wl), elo_from_score(wh)))
    assert low == pytest.approx(-6.84, abs=0.01) and high == pytest.approx(488.48, abs=0.01)
    # symmetric: B's interval is A's, negated and reversed
    assert elo_interval(2, 10) == pytest.approx((-elo, -high, -low))
    assert elo_interval(5, 10)[0] == 0.0
    # a clean sweep: finite, clamped half a game from 1
    assert score_clamp(10) == pytest.approx(1 / 22)
    elo, low, high = elo_interval(10, 10)
    assert elo == pytest.approx(400 * math.log10(21)) == high  # 528.9
    assert low == pytest.approx(elo_from_score(10 / (10 + 1.959963984540054**2)))
    assert elo_interval(0, 10) == pytest.approx((-elo, -high, -low))
    assert all(math.isfinite(x) for x in elo_interval(1, 1))


def test_parse_gtp_score_and_result_string():
    assert parse_gtp_score("B+3.5") == 3.5
    assert parse_gtp_score("W+12.0") == -12.0
    assert parse_gtp_score("w+2") == -2.0
    assert parse_gtp_score("0") == 0.0
    assert parse_gtp_score("B+7 (upper bound: 9)") == 7.0
    for text in ("", "B+R", "W+Resign", "hello", "B+", "B-3", "B+inf", "B+nan"):
        assert parse_gtp_score(text) is None
    assert [result_string(x) for x in (3.5, -0.5, 0.0, 12.0)] == ["B+3.5", "W+0.5", "0", "B+12"]


def test_dead_stones_are_judged_on_a_finished_game():
    from seigen.engine import Board

    board = Board(5, rules="chinese")
    # black's wall on the B column owns the board; the lone white stone at A3 is dead
    for move in ("B1", "B2", "B3", "B4", "B5"):
        board.play(move, "black")
    board.play("A3", "white")
    board.play("pass", "black")
    board.play("pass", "white")
    assert board.is_over
    assert board.dead_stones() == [(2, 0)]
    assert board.score(dead=board.dead_stones()) == 25 - board.komi
    assert board.score() == (5 + 15) - 1 - board.komi  # as it stands: the A column is no one's but A3


def test_settings_are_checked():
    for bad in (
        {"black": ""},
        {"black": "engine 'unbalanced"},
        {"games": 0},
        {"size": 1},
        {"rules": "klingon"},
        {"max_moves": 0},
        {"parallel": 0},
        {"move_timeout": 0},
    ):
        args = {"black": "a", "white": "b"} | bad
        with pytest.raises(ValueError):
            MatchSettings(**args)
    s = MatchSettings(black="a", white="b", size=9, alternate=True)
    assert s.move_cap == 243 and [s.a_plays_black(i) for i in range(4)] == [True, False, True, False]
    assert all(MatchSettings(black="a", white="b").a_plays_black(i) for i in range(4))


# ---------------------------------------------------------------------------- matches of fake engines


def test_random_match(tmp_path):
    """Two random engines, colours alternated, two games at once: records, SGF, JSON logs."""
    s = settings(tmp_path, fake("--seed", 1), fake("--seed", 2), games=4, alternate=True, parallel=2)
    seen = []
    result = run_match(s, on_game=lambda record, res: seen.append(record.index))
    assert sorted(seen) == [0, 1, 2, 3] and [r.index for r in result.records] == [0, 1, 2, 3]
    assert result.names == {"A": "fake-random 0.1 (A)", "B": "fake-random 0.1 (B)"}  # same name: told apart
    assert [(r.black, r.white) for r in result.records] == [("A", "B"), ("B", "A")] * 2
    for record in result.records:
        assert record.forfeit is None and record.ended_by in ("two passes", "max moves")
        assert record.scored_by == "engines"  # both count the same board the same way
        assert record.engine_scores["A"] == record.engine_scores["B"] == record.result
        assert record.winner == (record.black if record.score > 0 else record.white)
        board, info = read_sgf(record.sgf)
        assert (info.black, info.white) == (result.names[record.black], result.names[record.white])
        assert info.result == record.result and info.rules_name == "Chinese"
        assert board.size == 5 and board.komi == 7.5 and board.move_number == record.moves
        if record.ended_by == "two passes":
            assert board.is_over and board.result() == record.result
        assert "fake_gtp_engine.py" in info.game_comment and record.ended_by in info.comment
        times = record.move_seconds  # every genmove timed: no resignation, so one per move
        assert (
            len(times[record.black]) == (record.moves + 1) // 2
            and len(times[record.white]) == record.moves // 2
        )
        assert all(0 <= t < 30 for ts in times.values() for t in ts)

    summary = result.summary()
    assert summary.keys() >= SUMMARY_KEYS
    assert summary["games"] == 4 and summary["forfeits"] == 0
    assert summary["wins"]["A"] + summary["wins"]["B"] + summary["draws"] == 4
    a, b = summary["engines"]["A"], summary["engines"]["B"]
    assert a["games_black"] == a["games_white"] == 2
    assert a["genmoves"] + b["genmoves"] == sum(r.moves for r in result.records)
    assert 0 <= a["seconds_per_move"] <= a["max_move_seconds"]
    assert a["wins_black"] + a["wins_white"] == a["wins"]
    assert a["win_rate"] + b["win_rate"] == pytest.approx(1.0)
    assert a["elo"] == pytest.approx(-b["elo"]) and a["elo_low"] == pytest.approx(-b["elo_high"])
    assert summary["black_wins"] + summary["white_wins"] + summary["draws"] == 4

    folder = Path(result.sgf_dir)
    assert sorted(p.name for p in folder.glob("*.sgf")) == [f"game-000{i}.sgf" for i in range(1, 5)]
    lines = [json.loads(line) for line in (folder / "games.jsonl").read_text().splitlines()]
    assert sorted(line["index"] for line in lines) == [0, 1, 2, 3]
    saved = json.loads((folder / "summary.json").read_text())
    assert saved["wins"] == summary["wins"] and saved["settings"]["games"] == 4
    for key in "AB":  # each engine's log marks its games, whichever of the two workers played them
        logs = list(folder.glob(f"engine-{key}*.log"))
        names = {p.name for p in logs}
        assert f"engine-{key}.log" in names and names <= {f"engine-{key}.log", f"engine-{key}-2.log"}
        marks = sorted(
            line for p in logs for line in p.read_text().splitlines() if line.startswith("== game")
        )
        colours = {r.index + 1: "black" if r.black == key else "white" for r in result.records}
        assert marks == sorted(f"== game {n}: {c}" for n, c in colours.items())
    with pytest.raises(MatchError, match="already holds a match"):
        run_match(s)  # the same folder again


@pytest.mark.parametrize(
    ("fault", "reason", "result", "moves"),
    [
        ("--crash-at", "crash", "W+F", 4),
        ("--hang-at", "timeout", "W+T", 4),
        ("--illegal-at", "illegal move", "W+F", 4),
        ("--malformed-at", "malformed move", "W+F", 4),
        ("--reject-at", "rejected move", "W+F", 6),
    ],
)
def test_a_faulty_engine_forfeits_and_the_match_goes_on(tmp_path, fault, reason, result, moves):
    """Engine A (black in game 1) fails at its 3rd genmove (move 5), or refuses its 3rd
    ``play`` (move 6, legal, so kept in the record): it loses; the match is played out."""
    s = settings(
        tmp_path, fake(fault, 3, "--seed", 3), fake("--seed", 4), games=3, alternate=True, move_timeout=1.0
    )
    match = run_match(s)
    assert len(match.records) == 3 and not match.interrupted
    first = match.records[0]
    assert (first.forfeit, first.forfeit_by, first.winner) == (reason, "A", "B")
    assert first.ended_by == "forfeit" and first.result == result and first.moves == moves
    assert reason in first.detail
    board, info = read_sgf(first.sgf)  # a bad move is not in the record
    assert info.result == result and board.move_number == moves and reason in info.comment

    summary = match.summary()
    assert summary["forfeits"] >= 1 and summary["forfeit_reasons"].get(reason) == summary["forfeits"]
    assert summary["engines"]["A"]["forfeits"] == summary["forfeits"]
    assert summary["engines"]["B"]["forfeits"] == 0
    assert summary["forfeit_games"][0]["game"] == 0 and summary["forfeit_games"][0]["reason"] == reason
    if reason in ("crash", "timeout"):  # restarted, it fails again at its 3rd genmove
        assert summary["forfeits"] == 3
    else:  # still running: it plays on, and only its 3rd genmove ever failed
        assert summary["forfeits"] == 1
        assert all(r.forfeit is None for r in match.records[1:])
    if reason == "crash":  # the last words of each of its three processes are kept
        log = (Path(match.sgf_dir) / "engine-A.log").read_text()
        assert log.count("fake engine: crashing at genmove 3") == 3 and "== game 3: black" in log


def test_resignation_and_default_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = MatchSettings(black=fake("--resign-at", 2), white=fake(), games=1, size=5)
    match = run_match(s)
    (record,) = match.records
    assert (record.ended_by, record.result, record.winner, record.moves) == ("resign", "W+R", "B", 2)
    assert record.forfeit is None and match.summary()["forfeits"] == 0
    assert Path(match.sgf_dir).parent == Path("matches") and Path(record.sgf).is_file()


def test_adjudication_when_engines_disagree_or_cannot_score(tmp_path):
    # disagreeing engines: seigen's count after removing estimated dead stones
    match = run_match(settings(tmp_path / "a", fake(), fake("--score-offset", 1), games=2))
    for record in match.records:
        assert record.scored_by == "seigen count, dead stones estimated"
        assert record.engine_scores["A"] != record.engine_scores["B"]
    # an engine without final_score: seigen's count of the board as it stands after two passes
    match = run_match(settings(tmp_path / "b", fake(), fake("--no-final-score"), games=2))
    for record in match.records:
        assert record.engine_scores["B"] is None
        board, _ = read_sgf(record.sgf)
        if record.ended_by == "two passes":
            assert record.scored_by == "seigen count" and record.score == board.score()
    # stopped by --max-moves before two passes: dead stones estimated too
    match = run_match(settings(tmp_path / "c", fake(), fake("--no-final-score"), games=2, max_moves=6))
    for record in match.records:
        assert (record.ended_by, record.moves) == ("max moves", 6)
        assert record.scored_by == "seigen count, dead stones estimated"
        assert record.result == result_string(record.score)


def test_engine_that_cannot_play_the_match_is_an_error(tmp_path):
    with pytest.raises(MatchError, match="does not start"):
        run_match(settings(tmp_path / "a", fake(), "/nonexistent/engine --gtp"))
    assert not (tmp_path / "a" / "match").exists()  # the folder made for it is gone again
    with pytest.raises(MatchError, match="unacceptable size"):
        run_match(settings(tmp_path / "b", fake("--max-size", 4), fake()))


def test_interrupt_keeps_the_games_played(tmp_path):
    def stop(record, result):
        raise KeyboardInterrupt

    match = run_match(settings(tmp_path, fake(), fake(), games=6, parallel=2), on_game=stop)
    assert match.interrupted and 1 <= len(match.records) < 6
    assert json.loads((Path(match.sgf_dir) / "summary.json").read_text())["interrupted"] is True


def test_resume_plays_the_games_left_and_keeps_the_ones_played(tmp_path):
    """A match of 2 games, resumed as one of 4: the first two stay as they were, the next two
    are played with the colours they would have had, and the files hold all four."""
    first = run_match(settings(tmp_path, fake("--seed", 7), fake("--seed", 8), games=2, alternate=True))
    folder = Path(first.sgf_dir)
    with open(folder / "games.jsonl", "a") as f:
        f.write('{"index": 3, "black": "B", "whi')  # torn by a crash mid-write: not a game
    more = settings(tmp_path, fake("--seed", 7), fake("--seed", 8), games=4, alternate=True, resume=True)
    played = []
    result = run_match(more, on_game=lambda record, res: played.append(record.index))
    assert played == [2, 3] and [r.index for r in result.records] == [0, 1, 2, 3]
    assert [(r.result, r.moves) for r in result.records[:2]] == [(r.result, r.moves) for r in first.records]
    assert [(r.black, r.white) for r in result.records] == [("A", "B"), ("B", "A")] * 2
    assert sorted(p.name for p in folder.glob("*.sgf")) == [f"game-000{i}.sgf" for i in range(1, 5)]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["games"] == 4 and summary["engines"]["A"]["games_black"] == 2
    assert summary["seconds"] >= first.seconds
    again = run_match(more)  # nothing left to play
    assert [r.index for r in again.records] == [0, 1, 2, 3]


def test_resume_refuses_another_match_or_an_empty_folder(tmp_path):
    run_match(settings(tmp_path, fake(), fake(), games=1))
    with pytest.raises(MatchError, match=r"another match; resuming it would change white"):
        run_match(settings(tmp_path, fake(), fake("--seed", 9), games=2, resume=True))
    with pytest.raises(MatchError, match="would change size 5 -> 7"):
        run_match(settings(tmp_path, fake(), fake(), games=2, size=7, resume=True))
    with pytest.raises(MatchError, match="no match to resume"):
        run_match(settings(tmp_path / "empty", fake(), fake(), resume=True))
    (tmp_path / "match" / "summary.json").write_text("{not json")
    with pytest.raises(MatchError, match=r"cannot read the match to resume from .*summary\.json"):
        run_match(settings(tmp_path, fake(), fake(), games=2, resume=True))
    with pytest.raises(ValueError, match="resume needs the sgf_dir"):
        MatchSettings(black=fake(), white=fake(), resume=True)


# ---------------------------------------------------------------------------- the command line


def test_cli_json(tmp_path, capsys):
    argv = ["match", "--black", fake("--seed", 5), "--white", fake("--seed", 6, "--crash-at", 4)]
    argv += ["--games", "2", "--size", "5", "--komi", "6", "--alternate", "--json"]
    argv += ["--sgf-dir", str(tmp_path / "m"), "--move-timeout", "5", "--rules", "tromp-taylor"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)  # one JSON object and nothing else on stdout
    assert summary.keys() >= SUMMARY_KEYS
    assert summary["games"] == 2 and summary["komi"] == 6 and summary["rules"] == "tromp-taylor"
    assert summary["wins"] == {"A": 2, "B": 0} and summary["draws"] == 0
    assert summary["forfeits"] == 2 and summary["forfeit_reasons"] == {"crash": 2}
    assert summary["win_rate"] == 1.0 and summary["wilson_high"] == 1.0
    assert summary["elo_low"] < summary["elo"] == summary["elo_high"] < math.inf
    assert set(summary["engines"]["B"]["forfeit_reasons"]) <= set(FORFEIT_REASONS)
    assert read_sgf(tmp_path / "m" / "game-0001.sgf")[1].rules_name == "Tromp-Taylor"


def test_cli_table(tmp_path, capsys):
    argv = ["match", "--black", fake("--name", "alpha"), "--white", fake("--name", "beta", "--illegal-at", 2)]
    argv += ["--games", "2", "--size", "5", "--sgf-dir", str(tmp_path / "m")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    for text in (
        "seigen match: 2 games, 5x5",
        "A: alpha 0.1",
        "B: beta 0.1",
        "win rate",
        "Elo",
        "illegal move",
        "time per genmove: A ",
    ):
        assert text in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--games", "0"], "--games must be at least 1"),
        (["--white", ""], "--white must be a command line"),
        (["--white", "engine 'open"], "cannot split"),
        (["--parallel", "0"], "--parallel must be at least 1"),
        (["--move-timeout", "0"], "--move-timeout must be positive"),
        (["--size", "30"], "--size must be between 2 and 25"),
        (["--white", "/nonexistent/engine"], "does not start"),
        (["--resume"], "holds no match to resume"),
    ],
)
def test_cli_errors(tmp_path, capsys, args, message):
    argv = ["match", "--black", fake(), "--white", fake(), "--size", "5", "--sgf-dir", str(tmp_path / "m")]
    assert main([*argv, *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_cli_help(capsys):
    assert main(["match", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--black", "--white", "--games", "--alternate", "--sgf-dir", "--max-moves", "--parallel"):
        assert option in out


def test_seigen_gtp_plays_a_match(tmp_path):
    """seigen's own GTP engine (``seigen gtp``) through the match: no forfeits, games scored."""
    seigen = shlex.join([sys.executable, "-m", "seigen.scripts.cli", "gtp", "--player", "random"])
    match = run_match(settings(tmp_path, seigen, fake("--seed", 8), alternate=True))
    summary = match.summary()
    assert summary["games"] == 2 and summary["forfeits"] == 0
    assert match.names["A"].startswith("seigen")
    assert all(r.ended_by in ("two passes", "max moves", "resign") for r in match.records)
    log = (Path(match.sgf_dir) / "engine-A.log").read_text().splitlines()
    assert "ready" in log[0]  # what it said when the match first started it, to learn its name
    assert log.index("== game 1: black") < log.index("== game 2: white")
    genmoves = [line for line in log if "genmove " in line]  # seigen logs each move it chose
    assert len(genmoves) == sum((r.moves + (r.black == "A")) // 2 for r in match.records)
    assert all(re.search(r"genmove (black|white): (\w+) \(\d\.\d\d s\)$", line) for line in genmoves)


# ---------------------------------------------------------------------------- GNU Go


def test_short_match_against_gnugo(tmp_path, gnugo_path):
    gnugo = shlex.join(
        [gnugo_path, "--mode", "gtp", "--level", "1", "--chinese-rules", "--positional-superko"]
    )
    s = settings(tmp_path, gnugo, fake("--seed", 7), games=2, size=7, alternate=True, max_moves=40)
    match = run_match(s)
    summary = match.summary()
    assert summary["games"] == 2 and summary["engines"]["A"]["forfeits"] == 0
    assert match.names["A"].startswith("GNU Go")
    for record in match.records:
        assert record.ended_by in ("two passes", "max moves", "resign")
        assert record.moves <= 40
        _, info = read_sgf(record.sgf)
        assert info.result == record.result and "GNU Go" in (info.black + info.white)
        if record.ended_by != "resign":
            assert parse_gtp_score(record.engine_scores["A"]) is not None  # GNU Go scores its games


def test_mcts_player_plays_full_games_against_gnugo(tmp_path, gnugo_path):
    """``seigen gtp --player mcts`` through the match against GNU Go: whole games, no forfeits."""
    gnugo = shlex.join(
        [gnugo_path, "--mode", "gtp", "--level", "1", "--chinese-rules", "--positional-superko"]
    )
    mcts = shlex.join(
        [sys.executable, "-m", "seigen.scripts.cli", "gtp", "--player", "mcts", "--visits", "300"]
    )
    s = settings(tmp_path, mcts, gnugo, games=2, size=7, alternate=True, max_moves=300, komi=7.0)
    match = run_match(s)
    summary = match.summary()
    assert summary["games"] == 2 and summary["forfeits"] == 0
    for record in match.records:
        assert record.ended_by in ("two passes", "resign")
        _, info = read_sgf(record.sgf)
        assert info.result == record.result
