"""The UCT benchmark's clock check: the simulations each thread setting runs per move under a
move time, one side of a game with the tree kept (no timing is asserted)."""

from __future__ import annotations

import json

from seigen.scripts.bench_uct import BenchUctConfig, _clock_games, clock_rows, main


def test_clock_rows_search_one_side_of_each_game_on_every_setting() -> None:
    cfg = BenchUctConfig(move_time=0.02, clock_games=1)
    rows = clock_rows(cfg)
    games = _clock_games(cfg)
    assert len(games) == 1 and 1 <= len(games[0]) <= 30 and all(0 <= m <= 81 for m in games[0])
    moves = len(games[0])
    assert [r["setting"] for r in rows] == ["1 thread", "2 threads, root parallel", "2 threads, shared tree"]
    for row in rows:
        assert row["moves"] == (moves + 1) // 2
        assert row["sims_per_move"] > 0 and row["sims_per_s"] > 0
    assert rows[0]["vs_1_thread"] == 1.0


def test_main_prints_only_the_parts_asked_for(capsys) -> None:
    assert main(BenchUctConfig(repeats=0, positions=0, move_time=0.02, clock_games=1, json=True)) == 0
    parts = {json.loads(line)["part"] for line in capsys.readouterr().out.splitlines()}
    assert parts == {"clock"}
